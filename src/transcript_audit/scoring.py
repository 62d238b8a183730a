"""A transcript's score: 100 minus a penalty per finding (times its category's
weight), never below 0;
0 when a rule marked ``critical`` fired (an auto-fail, as contact-centre
scorecards have).

The formula is documented in the README ("Score"): analysts compare
transcripts by it, so it stays simple and explainable.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from .model import Finding, Severity

PENALTY = {Severity.ERROR: 20, Severity.WARNING: 10, Severity.INFO: 3}


def score(findings: Iterable[Finding], weights: Mapping[str, float] | None = None) -> int:
    """``weights`` multiply the penalty of a category's findings (1 by default)."""
    findings = list(findings)
    if any(finding.critical for finding in findings):
        return 0
    weights = weights or {}
    penalty = sum(PENALTY[finding.severity] * weights.get(finding.category, 1.0) for finding in findings)
    return max(0, round(100 - penalty))
