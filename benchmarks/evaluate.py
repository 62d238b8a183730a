"""Measure how right the built-in rules are on the labelled evaluation corpus.

    python benchmarks/evaluate.py [--corpus benchmarks/eval] [--json]

Every conversation of the corpus is labelled (benchmarks/eval/labels*.yaml)
with the categories that must be flagged; every other category must not be.
A category counts as flagged in a conversation when at least one finding has
it. The script prints, per category, the support, TP, FP, FN, precision,
recall and F1, then the micro-averaged figures and every disagreement, so a
rule author sees what to fix. It is a measurement, not a test: it exits 0.
The test suite calls ``evaluate()`` and asserts floors set from these figures.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import yaml

CATEGORIES = (
    "jargon", "greeting", "closing", "blame", "empathy", "refusal", "dismissive", "vague",
    "mirror", "lecture", "talk-share", "silence", "delay", "ownership", "impersonal", "promise",
)
DEFAULT_CORPUS = Path(__file__).resolve().parent / "eval"


def load_labels(corpus: Path) -> list[dict[str, Any]]:
    entries = []
    for labels in sorted(corpus.glob("labels*.yaml")):
        document = yaml.safe_load(labels.read_text(encoding="utf-8")) or {}
        for entry in document.get("conversations", []):
            unknown = set(entry.get("flag", [])) - set(CATEGORIES)
            if unknown:
                raise ValueError(f"{labels.name}: {entry['file']}: unknown categories {sorted(unknown)}")
            entries.append({"file": entry["file"], "response": entry.get("response"), "flag": set(entry.get("flag", []))})
    return entries


def _key(path: str, transcript_id: str, is_library: bool) -> tuple[str, str | None]:
    return Path(path).name, transcript_id if is_library else None


def evaluate(corpus: Path = DEFAULT_CORPUS, auditor=None, preview: bool = True) -> dict[str, Any]:
    """Audit the corpus and compare with its labels; returns every figure as plain data.

    ``preview``: with the preview rules (the default: every rule the project ships is
    measured against the definitions), or the default rule set only."""
    from transcript_audit.engine import AuditOptions, Auditor, load_active_rules
    from transcript_audit.pipeline import audit

    entries = load_labels(corpus)
    libraries = {entry["file"] for entry in entries if entry["response"] is not None}
    auditor = auditor or Auditor(load_active_rules(AuditOptions(preview=preview)))
    paths = sorted({corpus / entry["file"] for entry in entries})
    result = audit(paths, AuditOptions(), auditor=auditor)
    found: dict[tuple[str, str | None], list] = {}
    for transcript_result in result.transcripts:
        transcript = transcript_result.transcript
        key = _key(transcript.path, transcript.id, Path(transcript.path).name in libraries)
        found[key] = transcript_result.findings
    counts = {category: {"tp": 0, "fp": 0, "fn": 0, "support": 0} for category in CATEGORIES}
    disagreements = []
    missing = []
    for entry in entries:
        key = (entry["file"], entry["response"])
        if key not in found:
            missing.append(f"{entry['file']}" + (f" › {entry['response']}" if entry["response"] else ""))
            continue
        findings = found[key]
        flagged = {finding.category for finding in findings}
        for category in CATEGORIES:
            expected, got = category in entry["flag"], category in flagged
            counts[category]["support"] += expected
            if expected and got:
                counts[category]["tp"] += 1
            elif got:
                counts[category]["fp"] += 1
            elif expected:
                counts[category]["fn"] += 1
            if expected != got:
                disagreements.append(
                    {
                        "file": entry["file"],
                        "response": entry["response"],
                        "category": category,
                        "expected": expected,
                        "got": got,
                        "findings": [f"{f.rule} (line {f.line}): {f.message}" for f in findings if f.category == category],
                    }
                )
    per_category = {category: _scores(**counts[category]) for category in CATEGORIES}
    total = {name: sum(counts[c][name] for c in CATEGORIES) for name in ("tp", "fp", "fn", "support")}
    return {
        "conversations": len(entries),
        "read_errors": [str(error) for error in result.errors],
        "unmatched_labels": missing,
        "per_category": per_category,
        "overall": _scores(**total),
        "disagreements": disagreements,
    }


def _scores(tp: int, fp: int, fn: int, support: int) -> dict[str, Any]:
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"support": support, "tp": tp, "fp": fp, "fn": fn, "precision": precision, "recall": recall, "f1": f1}


def _print_table(figures: dict[str, Any]) -> None:
    print(f"{figures['conversations']} labelled conversations")
    print(f"{'category':<12} {'support':>7} {'TP':>4} {'FP':>4} {'FN':>4} {'precision':>9} {'recall':>7} {'F1':>6}")
    rows = list(figures["per_category"].items()) + [("overall", figures["overall"])]
    for name, s in rows:
        print(
            f"{name:<12} {s['support']:>7} {s['tp']:>4} {s['fp']:>4} {s['fn']:>4} "
            f"{s['precision']:>9.3f} {s['recall']:>7.3f} {s['f1']:>6.3f}"
        )
    for problem in figures["read_errors"]:
        print(f"read error: {problem}")
    for label in figures["unmatched_labels"]:
        print(f"label without a transcript: {label}")
    if figures["disagreements"]:
        print("\ndisagreements:")
    for item in figures["disagreements"]:
        where = item["file"] + (f" › {item['response']}" if item["response"] else "")
        kind = "missed" if item["expected"] else "false alarm"
        print(f"  {kind:<11} {item['category']:<11} {where}")
        for finding in item["findings"]:
            print(f"      {finding}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--default-rules", action="store_true", help="leave the preview rules out, as a default run does")
    arguments = parser.parse_args()
    figures = evaluate(arguments.corpus, preview=not arguments.default_rules)
    if arguments.json:
        json.dump(figures, sys.stdout, ensure_ascii=False, indent=2)
        print()
    else:
        _print_table(figures)


if __name__ == "__main__":
    main()
