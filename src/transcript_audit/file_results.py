"""Each input file's audited results, kept under everything they depend on.

A re-run on an unchanged library still paid about 0.2 ms per transcript to
parse the file, fingerprint each transcript and look its findings up; this
cache answers a whole file with one lookup, as ruff's cache answers a source
file. The key is the file's bytes and the path it is shown under, the reader
options, every active rule's definition, the per-path overrides and weights,
and ``versions.engine_version()``: the package's own code and the versions
of the libraries that read and audit (spaCy, the model, PyYAML, pypdf…).
A change to any of them is a miss, and the transcripts go through the
per-transcript cache as before.

Only runs that let go of the texts use it (not ``--with-text`` nor the HTML
report, whose conversations need them). A file whose audit reported a rule
failure is never stored, and a date taken from the file's modification time
is read again, since touching a file changes it.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import asdict
from typing import TYPE_CHECKING, Any

from .model import ReadError, Transcript, TranscriptResult

if TYPE_CHECKING:
    from .cache import AuditCache
    from .engine import Auditor
    from .readers.base import ReaderOptions

TABLE = "files"


def settings_digest(auditor: Auditor, reader: ReaderOptions, forced: str | None) -> str:
    """Everything but the file that decides a file's results."""
    from .cache import digest
    from .versions import engine_version

    rules = [auditor.rule_digest(rule.id) for rule in auditor.rules]
    return digest(
        "file settings", engine_version(), repr(reader), forced or "", json.dumps(rules),
        repr(auditor.per_path), json.dumps(auditor.weights, sort_keys=True),
    )  # fmt: skip


def file_key(settings: str, source: str, data: bytes) -> str:
    return hashlib.sha256(f"{settings}\0{source}\0".encode("utf-8", "surrogatepass") + data).hexdigest()


def load(cache: AuditCache, key: str) -> tuple[list[TranscriptResult], list[ReadError]] | None:
    """The file's results and read errors, or None when not stored (or not readable)."""
    data = cache.get_many(TABLE, [key]).get(key)
    if data is None:
        return None
    try:
        stored = json.loads(data.decode("utf-8", "surrogatepass"))
        results = [_result(record) for record in stored["results"]]
        errors = [ReadError(**record) for record in stored["errors"]]
    except (ValueError, KeyError, TypeError):
        return None  # an entry from another layout: audit the file again
    for result in results:
        if result.transcript.date_source == "file":
            try:
                result.transcript.date = os.stat(result.transcript.path).st_mtime
            except (OSError, ValueError):
                result.transcript.date, result.transcript.date_source = None, None
    return results, errors


def store(cache: AuditCache, key: str, results: list[TranscriptResult], errors: list[ReadError]) -> None:
    records = {"results": [_record(result) for result in results], "errors": [asdict(error) for error in errors]}
    # surrogatepass: a path from a folder whose name is not UTF-8 (os.fsdecode's escapes)
    cache.put_many(TABLE, [(key, json.dumps(records, ensure_ascii=False).encode("utf-8", "surrogatepass"))])


def _record(result: TranscriptResult) -> dict[str, Any]:
    from .engine import cached_record

    transcript = {key: value for key, value in asdict(result.transcript).items() if key != "turns"}
    transcript["audited_turns"] = result.transcript.turn_count
    return {
        "transcript": transcript,
        "findings": [cached_record(finding) for finding in result.findings],
        "suppressed": [cached_record(finding) for finding in result.suppressed],
        "score": result.score,
    }


def _result(record: dict[str, Any]) -> TranscriptResult:
    from .model import Finding

    fields = dict(record["transcript"])
    fields["suppressions"] = [(turn, tuple(patterns)) for turn, patterns in fields["suppressions"]]
    transcript = Transcript(turns=[], **fields)
    return TranscriptResult(
        transcript,
        [Finding.from_record(finding) for finding in record["findings"]],
        record["score"],
        [Finding.from_record(finding) for finding in record["suppressed"]],
    )
