"""Stable identities for findings: what was flagged, not where.

SARIF's ``partialFingerprints`` and baselines both need a finding to keep its
identity when lines are inserted above it or files are reordered: the hash
covers the rule, the transcript id, the flagged words (normalised) and how
many times the same words were flagged before in the run.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .model import AuditResult

_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "\u00b4": "'", "`": "'"})
_WHITESPACE = re.compile(r"\s+")


def normalise(text: str) -> str:
    """Case, accents' encoding, apostrophes, spacing and truncation marks do not matter."""
    text = unicodedata.normalize("NFKC", text).translate(_APOSTROPHES).casefold()
    text = _WHITESPACE.sub(" ", text).strip()
    return text.strip("…").strip()


class Fingerprinter:
    """Fingerprints for the findings of one run, taken in report order."""

    def __init__(self) -> None:
        self._seen: dict[tuple[str, str, str], int] = {}

    def of(self, rule: str, transcript_id: str, flagged: str) -> str:
        words = normalise(flagged)
        key = (rule, transcript_id, words)
        occurrence = self._seen.get(key, 0)
        self._seen[key] = occurrence + 1
        payload = "\x1f".join((rule, transcript_id, words, str(occurrence)))
        return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def identify(result: AuditResult) -> None:
    """Give every finding its fingerprint, from the real text: run before redaction,
    which would change the words hashed (and a baseline's matches with them)."""
    fingerprinter = Fingerprinter()
    for transcript_result in result.transcripts:
        for finding in transcript_result.findings:
            finding.fingerprint = fingerprinter.of(finding.rule, transcript_result.transcript.id, finding.match or finding.excerpt)


def fingerprints(records: dict[str, Any]) -> list[list[str]]:
    """The fingerprint of every finding of ``AuditResult.as_records()``, per transcript:
    the one ``identify`` gave it, else one taken now (a result built by hand)."""
    fingerprinter = Fingerprinter()
    return [
        [
            finding.get("fingerprint") or fingerprinter.of(finding["rule"], transcript["id"], finding.get("match") or finding.get("excerpt") or "")
            for finding in transcript["findings"]
        ]
        for transcript in records["transcripts"]
    ]
