"""Audit records instead of files: the function a distributed engine calls.

``audit_records`` takes transcripts as plain dicts (any layout the ``json``
reader knows: the project's plain shape, Whisper, AWS Transcribe…; see
docs/formats.md) and returns plain dicts: one result record per transcript,
as in the JSON report, and one ``{"error": …}`` record per record that could
not be read. Nothing crosses processes but these dicts: each process builds
its own ``Auditor`` on first use and keeps it for the next batches, so the
function runs as it is in Dask, Spark or Ray workers (docs/scale.md).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from .engine import AuditOptions, Auditor, load_active_rules
from .model import ReadError, Transcript
from .pipeline import audit_inputs
from .readers import json_document

# This process's auditors, by the options that built them (built on first use).
_auditors: dict[str, Auditor] = {}


def auditor_for(options: AuditOptions, cache_dir: Path | None = None) -> Auditor:
    key = repr((options, cache_dir))
    if key not in _auditors:
        from .cache import AuditCache

        cache = AuditCache(cache_dir) if cache_dir is not None else None
        _auditors[key] = Auditor(load_active_rules(options), per_path=options.per_path, weights=options.weights, cache=cache)
    return _auditors[key]


def audit_records(
    records: Iterable[dict[str, Any]], options: AuditOptions | None = None, cache_dir: str | Path | None = None
) -> list[dict[str, Any]]:
    """Audit transcripts given as dicts: their result records in input order, then error records.

    A record's ``path`` (or else its ``id``, or else ``record-N``) names it in
    the results. ``options`` chooses rules as on the command line; ``cache_dir``
    shares an audit cache between calls and workers (a local folder per machine).
    """
    options = options or AuditOptions()
    auditor = auditor_for(options, Path(cache_dir) if cache_dir is not None else None)
    result = audit_inputs(_read(records, options), options, auditor=auditor)
    errors = [{"error": error.message, **{k: v for k, v in error.as_record().items() if k != "message"}} for error in result.errors]
    return [transcript.as_record() for transcript in result.transcripts] + errors


def _read(records: Iterable[dict[str, Any]], options: AuditOptions) -> Iterator[tuple[list[Transcript], list[ReadError]]]:
    """Each record read as the ``json`` reader reads a file."""
    for number, record in enumerate(records, 1):
        source = str(record.get("path") or record.get("id") or f"record-{number}") if isinstance(record, dict) else f"record-{number}"
        yield json_document.read(json.dumps(record, ensure_ascii=False).encode("utf-8"), source, options.reader)
