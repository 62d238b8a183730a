"""A transcript's score: a scorecard of categories, as contact-centre QA grids are.

1. Within a category, the worst finding costs its full penalty (error 20, warning 10,
   info 3), the next one half of its own, the next a quarter, and so on: repeating a fault
   still costs, but a category never loses twice its worst finding (40 points for errors),
   times its weight (``weights:`` in the configuration, 1 by default).
2. Categories combine like successive discounts: each takes its loss as a percentage of
   what the other categories left, so a transcript with ten faults in five categories
   still scores below one with two, and only an auto-fail reaches 0.
3. A rule marked ``critical`` that fires scores the transcript 0 (the auto-fail of
   scorecards); a clean transcript scores 100; the result is rounded half up.

The formula is documented in the README ("Score"), with its spread on samples/
(``benchmarks/score_distribution.py``): analysts compare transcripts by it, so it stays
explainable in those three points. Arithmetic is exact (``Fraction``), so a score is
the same on every machine and a rounding never depends on float noise.
"""

from __future__ import annotations

import math
from collections import defaultdict
import dataclasses
from collections.abc import Callable, Iterable, Mapping
from fractions import Fraction

from .model import AuditResult, Finding, Severity

PENALTY = {Severity.ERROR: 20, Severity.WARNING: 10, Severity.INFO: 3}
REPEAT_FACTOR = Fraction(1, 2)  # each further finding of a category counts half the one before


def score(findings: Iterable[Finding], weights: Mapping[str, float] | None = None) -> int:
    """``weights`` multiply the loss of a category (1 by default, 0 to ignore it)."""
    findings = list(findings)
    if any(finding.critical for finding in findings):
        return 0
    weights = weights or {}
    left = Fraction(1)
    for category, penalties in _penalties_by_category(findings).items():
        loss = category_loss(penalties) * Fraction(weights.get(category, 1.0))
        left *= max(Fraction(0), 1 - loss / 100)
    return min(100, max(0, math.floor(left * 100 + Fraction(1, 2))))


def category_loss(penalties: Iterable[int]) -> Fraction:
    """Points one category loses before its weight: the largest penalty in full, then
    each next one (largest first) at half the factor of the one before; always below
    twice the largest. Adding a penalty never lowers it: the k-th largest of a longer
    list is at least the k-th largest of the shorter one."""
    loss, factor = Fraction(0), Fraction(1)
    for penalty in sorted(penalties, reverse=True):
        loss += penalty * factor
        factor *= REPEAT_FACTOR
    return loss


def _penalties_by_category(findings: list[Finding]) -> dict[str, list[int]]:
    penalties: dict[str, list[int]] = defaultdict(list)
    for finding in findings:
        penalties[finding.category].append(PENALTY[finding.severity])
    return dict(sorted(penalties.items()))  # the product does not depend on order; sorted for reading


def without_findings(result: AuditResult, drop: Callable[[Finding], bool]) -> tuple[AuditResult, int]:
    """A copy of ``result`` without the findings ``drop`` picks (those a baseline or the
    analysts' verdicts already know), each transcript rescored; and how many were dropped."""
    transcripts, dropped = [], 0
    for transcript_result in result.transcripts:
        kept = [finding for finding in transcript_result.findings if not drop(finding)]
        if len(kept) != len(transcript_result.findings):
            dropped += len(transcript_result.findings) - len(kept)
            transcript_result = dataclasses.replace(transcript_result, findings=kept, score=score(kept, result.weights))
        transcripts.append(transcript_result)
    return dataclasses.replace(result, transcripts=transcripts), dropped

