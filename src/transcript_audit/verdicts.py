"""Analysts' verdicts on findings: "juste" or "faux positif", exported from the HTML report.

A verdicts file is CSV with the header ``fingerprint,rule,transcript,verdict,note,analyst,date``
(``,`` or ``;`` between cells, as Excel writes in France), ``verdict`` one of ``confirmed`` or
``false-positive``. The fingerprint is the finding's (``fingerprints``), so a verdict follows
its finding when lines move. ``check --verdicts`` leaves out the false positives (counted as
``dismissed``); ``rules precision`` turns the verdicts into each rule's precision on the
analysts' own contact centre.
"""

from __future__ import annotations

import csv
import dataclasses
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from .model import AuditResult, Finding
from .scoring import without_findings

HEADER = ("fingerprint", "rule", "transcript", "verdict", "note", "analyst", "date")
REQUIRED = ("fingerprint", "rule", "verdict")
CONFIRMED, FALSE_POSITIVE = "confirmed", "false-positive"
VERDICTS = (CONFIRMED, FALSE_POSITIVE)


class VerdictError(ValueError):
    """A verdicts file that cannot be used, with a message naming its file and line."""


@dataclass(frozen=True)
class Verdict:
    fingerprint: str
    rule: str
    transcript: str
    verdict: str
    note: str
    analyst: str
    date: str
    source: str
    line: int

    @property
    def is_false_positive(self) -> bool:
        return self.verdict == FALSE_POSITIVE


def load_verdicts(paths: Sequence[Path]) -> dict[str, Verdict]:
    """Every file's verdicts merged by fingerprint: the latest date wins, then the later file
    (several analysts, or one analyst changing their mind). Raises ``VerdictError``."""
    merged: dict[str, Verdict] = {}
    for path in paths:
        for verdict in read_verdicts(path):
            known = merged.get(verdict.fingerprint)
            if known is None or verdict.date >= known.date:
                merged[verdict.fingerprint] = verdict
    return merged


def read_verdicts(path: Path) -> list[Verdict]:
    shown = path.as_posix()
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except OSError as error:
        raise VerdictError(f"{shown}: cannot read verdicts file: {error.strerror or error}") from None
    except UnicodeDecodeError:
        raise VerdictError(f"{shown}:1: not a verdicts file (not UTF-8 text; export it again from the HTML report)") from None
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    rows = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = [cell.strip().lower() for cell in next(rows, [])]
    missing = [name for name in REQUIRED if name not in header]
    if missing:
        raise VerdictError(f"{shown}:1: not a verdicts file: missing column {', '.join(missing)} (expected the header {','.join(HEADER)})")
    index = {name: header.index(name) for name in HEADER if name in header}
    verdicts = []
    for line, row in enumerate(rows, 2):
        if not any(cell.strip() for cell in row):
            continue
        cells = {name: (row[position].strip() if position < len(row) else "") for name, position in index.items()}
        if not cells["fingerprint"]:
            raise VerdictError(f"{shown}:{line}: no fingerprint")
        if cells["verdict"] not in VERDICTS:
            raise VerdictError(f"{shown}:{line}: verdict '{cells['verdict']}' is not one of: {', '.join(VERDICTS)}")
        verdicts.append(Verdict(**{name: cells.get(name, "") for name in HEADER}, source=shown, line=line))
    return verdicts


def apply_verdicts(result: AuditResult, verdicts: dict[str, Verdict]) -> AuditResult:
    """The result without the findings analysts marked false positives; confirmed ones stay.
    Verdicts on fingerprints this run did not produce are counted as stale."""

    def false_positive(finding: Finding) -> bool:
        verdict = verdicts.get(finding.fingerprint or "")
        return verdict is not None and verdict.is_false_positive

    produced = {finding.fingerprint for finding in result.findings()}
    kept, dismissed = without_findings(result, false_positive)
    stale = sum(1 for fingerprint in verdicts if fingerprint not in produced)
    return dataclasses.replace(kept, dismissed=result.dismissed + dismissed, stale_verdicts=stale)


@dataclass(frozen=True)
class RulePrecision:
    rule: str
    confirmed: int
    false_positives: int
    measured: float | None  # the precision shipped with the rule (real conversations), if any

    @property
    def precision(self) -> float | None:
        judged = self.confirmed + self.false_positives
        return self.confirmed / judged if judged else None


def precision_by_rule(verdicts: Iterable[Verdict], measured: dict[str, float | None]) -> list[RulePrecision]:
    """One row per rule judged: the analysts' precision beside the measured one."""
    counts: dict[str, list[int]] = {}
    for verdict in verdicts:
        pair = counts.setdefault(verdict.rule, [0, 0])
        pair[verdict.is_false_positive] += 1
    return [RulePrecision(rule, confirmed, false_positives, measured.get(rule)) for rule, (confirmed, false_positives) in sorted(counts.items())]
