"""Baselines: record today's findings, then fail only on new ones.

A baseline file is JSON: the tool, and the fingerprint, rule and transcript of
every finding (see ``fingerprints``), so it survives line shifts and file
reordering. Findings already in the baseline are dropped from the result and
counted in the summary as ``baselined``.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

from . import __version__
from .fingerprints import fingerprints
from .model import AuditResult
from .scoring import without_findings

FORMAT_VERSION = 1


class BaselineError(ValueError):
    """A baseline file that cannot be used, with a message naming it."""


def baseline_text(result: AuditResult) -> str:
    records = result.as_records()
    entries = [
        {"fingerprint": fingerprint, "rule": finding["rule"], "transcript": transcript["id"], "path": transcript["path"]}
        for transcript, prints in zip(records["transcripts"], fingerprints(records))
        for finding, fingerprint in zip(transcript["findings"], prints)
    ]
    document = {"tool": "transcript-audit", "version": __version__, "format": FORMAT_VERSION, "findings": entries}
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def load_baseline(path: Path) -> set[str]:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise BaselineError(f"{path}: cannot read baseline: {error.strerror or error}") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise BaselineError(f"{path}: not a transcript-audit baseline (invalid JSON: {error})") from None
    if not isinstance(document, dict) or document.get("tool") != "transcript-audit" or not isinstance(document.get("findings"), list):
        raise BaselineError(f"{path}: not a transcript-audit baseline (write one with --write-baseline)")
    return {entry["fingerprint"] for entry in document["findings"] if isinstance(entry, dict) and "fingerprint" in entry}


def apply_baseline(result: AuditResult, known: set[str]) -> AuditResult:
    """The result without the findings the baseline already has (by the fingerprints
    ``fingerprints.identify`` gave them)."""
    kept, baselined = without_findings(result, lambda finding: finding.fingerprint in known)
    return replace(kept, baselined=baselined)
