"""How the transcript scores spread over samples/: the old formula against the scorecard.

    python benchmarks/score_distribution.py [PATH ...] [--details]

Audits samples/ (or the paths given) with the built-in rules, then prints, for the old
formula (``100 - sum(penalty x weight)``, floored at 0, kept here only as the reference)
and for ``transcript_audit.scoring.score``, a histogram of the scores by tens and how many
transcripts score 0. ``--details`` adds one line per transcript: both scores and its
findings by category and severity. A measurement, not a test: it exits 0.
"""

from __future__ import annotations

import argparse
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

from transcript_audit.engine import AuditOptions
from transcript_audit.model import Finding, Severity
from transcript_audit.pipeline import audit
from transcript_audit.scoring import score

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
OLD_PENALTY = {Severity.ERROR: 20, Severity.WARNING: 10, Severity.INFO: 3}
BAR_WIDTH = 40


def old_score(findings: Iterable[Finding], weights: Mapping[str, float] | None = None) -> int:
    """The formula before the scorecard: every finding subtracts its penalty, down to 0."""
    findings = list(findings)
    if any(finding.critical for finding in findings):
        return 0
    weights = weights or {}
    penalty = sum(OLD_PENALTY[finding.severity] * weights.get(finding.category, 1.0) for finding in findings)
    return max(0, round(100 - penalty))


def histogram(scores: list[int]) -> list[str]:
    """One line per ten points (0-9 … 90-99, then 100 on its own), a bar of '#' per transcript."""
    bins = Counter(min(value // 10, 10) for value in scores)
    lines = []
    for index in range(11):
        label = "100" if index == 10 else f"{index * 10:>2}-{index * 10 + 9}"
        lines.append(f"  {label:>6} | {'#' * min(bins[index], BAR_WIDTH):<{BAR_WIDTH}} {bins[index]}")
    return lines


def describe(name: str, scores: list[int]) -> list[str]:
    ordered = sorted(scores)
    median = ordered[len(ordered) // 2] if ordered else "-"
    mean = round(sum(scores) / len(scores), 1) if scores else "-"
    distinct = len(set(scores))
    return [
        f"{name}: {len(scores)} transcripts, {scores.count(0)} score 0, {scores.count(100)} score 100, "
        f"mean {mean}, median {median}, {distinct} distinct scores",
        *histogram(scores),
    ]


def findings_summary(findings: list[Finding]) -> str:
    counts = Counter((finding.category, finding.severity.value[0].upper()) for finding in findings)
    return " ".join(f"{category}:{n}{letter}" for (category, letter), n in sorted(counts.items())) or "-"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("paths", nargs="*", type=Path, default=[SAMPLES])
    parser.add_argument("--details", action="store_true", help="one line per transcript")
    arguments = parser.parse_args()

    options = AuditOptions()
    result = audit(arguments.paths, options)
    formulas: dict[str, Callable[..., int]] = {"old formula (reference)": old_score, "scorecard (scoring.score)": score}
    columns = {name: [formula(t.findings, options.weights) for t in result.transcripts] for name, formula in formulas.items()}
    for name, scores in columns.items():
        print("\n".join(describe(name, scores)))
        print()
    if arguments.details:
        old, new = columns.values()
        rows = sorted(zip(result.transcripts, old, new), key=lambda row: (row[2], row[1], row[0].transcript.path))
        print(f"{'old':>4} {'new':>4}  {'n':>3}  transcript  findings (category:count + E/W/I)")
        for transcript_result, before, after in rows:
            transcript = transcript_result.transcript
            name = Path(transcript.path).name + ("" if transcript.id == Path(transcript.path).stem else f" > {transcript.id}")
            print(f"{before:>4} {after:>4}  {len(transcript_result.findings):>3}  {name}  {findings_summary(transcript_result.findings)}")
    if result.errors:
        print(f"{len(result.errors)} read errors: " + "; ".join(str(error) for error in result.errors))


if __name__ == "__main__":
    main()
