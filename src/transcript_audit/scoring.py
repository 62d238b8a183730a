"""A transcript's score: 100 minus a penalty per finding, never below 0;
0 when a rule marked ``critical`` fired (an auto-fail, as contact-centre
scorecards have).

The formula is documented in the README ("Score"): analysts compare
transcripts by it, so it stays simple and explainable.
"""

from __future__ import annotations

from collections.abc import Iterable

from .model import Finding, Severity

PENALTY = {Severity.ERROR: 20, Severity.WARNING: 10, Severity.INFO: 3}


def score(findings: Iterable[Finding]) -> int:
    findings = list(findings)
    if any(finding.critical for finding in findings):
        return 0
    return max(0, 100 - sum(PENALTY[finding.severity] for finding in findings))
