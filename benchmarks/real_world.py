"""Measure the built-in rules on real third-party conversations, against blind labels.

    python benchmarks/real_world.py --lida PATH/TO/dialogues.txt [--split dev|heldout|all]
                                    [--ancor FILE] [--preview] [--rules-table] [--json]
                                    [--sample N --seed S] [--write-measured]

The corpora are not in the repository (docs/categories.md, "Real data"): LIDA,
500 live chats of an online perfume shop, is the file ``data/dialogues.txt``
of the public GitHub repository lpschaub/lida; ANCOR's 17 switchboard calls
are ``../shared/data/ancor_ubs_otg_service_dialogues.jsonl`` beside the
project. Only their labels are committed (benchmarks/real/labels-*.yaml: ids
and categories, written blind from docs/categories.md before anyone looked at
the tool's findings).

LIDA blocks 0-119 are reserved for an independent evaluation: this script
never reads them. Blocks 120-379 are the development split (the rules were
reworked while looking at them), 380-499 the held-out split (measured, never
tuned on). ANCOR's calls belong to the development split.

Printed: precision, recall and F1 per category and micro-averaged at
conversation level (a category counts as flagged when one finding has it;
a label's ``unclear`` categories count neither way), precision at finding
level (a finding is right when its conversation is labelled with its
category), the same per rule with ``--rules-table``, then every
disagreement with the findings behind it. ``--sample N`` prints N findings
drawn at random instead, for a reader to judge one by one. ``--write-measured``
(development split, ``--preview``) writes each built-in rule's figures into its
``measured:`` line and marks ``preview: true`` the rules whose precision is under
0.80 on at least two flagged conversations. Without the LIDA
path the script says how to get the corpus and exits 0.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from real_corpora import ancor_records, lida_records  # noqa: E402

HERE = Path(__file__).resolve().parent
LABELS = HERE / "real"
DEFAULT_ANCOR = HERE.parent.parent / "shared" / "data" / "ancor_ubs_otg_service_dialogues.jsonl"
RESERVED = range(0, 120)  # never read: the independent evaluation's chats
SPLITS = {"dev": range(120, 380), "heldout": range(380, 500), "all": range(120, 500)}
# The categories labelled on real text (silence and delay need times and e-mail
# dates these corpora do not have).
CATEGORIES = (
    "greeting", "closing", "jargon", "mirror", "blame", "empathy", "refusal", "dismissive",
    "vague", "ownership", "promise", "impersonal", "lecture", "talk-share",
)
HOW_TO_GET = """\
The LIDA chats are not in the repository (no data licence). To measure on them:
  fetch the public GitHub repository lpschaub/lida, then
  git --git-dir=PATH/TO/lida/.git show HEAD:data/dialogues.txt > /tmp/dialogues.txt
  python benchmarks/real_world.py --lida /tmp/dialogues.txt"""


def load_labels(folder: Path = LABELS) -> dict[str, dict[str, set[str]]]:
    """Labels by conversation id: ``{"flag": {...}, "unclear": {...}}``."""
    labels: dict[str, dict[str, set[str]]] = {}
    for path in sorted(folder.glob("labels-*.yaml")):
        for entry in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("conversations", []):
            flag, unclear = set(entry.get("flag") or ()), set(entry.get("unclear") or ())
            unknown = (flag | unclear) - set(CATEGORIES)
            if unknown:
                raise ValueError(f"{path.name}: {entry['id']}: unknown categories {sorted(unknown)}")
            if flag & unclear:
                raise ValueError(f"{path.name}: {entry['id']}: {sorted(flag & unclear)} both flagged and unclear")
            labels[entry["id"]] = {"flag": flag, "unclear": unclear}
    return labels


def corpus_records(lida: Path | None, ancor: Path | None, split: str) -> list[dict[str, Any]]:
    blocks = SPLITS[split]
    assert not set(blocks) & set(RESERVED), "the reserved LIDA blocks are never read"
    records = lida_records(lida, blocks) if lida else []
    if ancor and ancor.exists() and split in ("dev", "all"):
        records += ancor_records(ancor)
    return records


def audit(records: list[dict[str, Any]], preview: bool) -> dict[str, list[dict[str, Any]]]:
    """Findings by conversation id, from the same audit the command line runs."""
    from transcript_audit.batch import audit_records
    from transcript_audit.engine import AuditOptions

    results = audit_records(records, AuditOptions(preview=preview))
    errors = [result for result in results if "error" in result]
    if errors:
        raise SystemExit(f"read errors: {errors}")
    return {result["id"]: result["findings"] for result in results}


def _scores(tp: int, fp: int, fn: int) -> dict[str, Any]:
    precision = tp / (tp + fp) if tp + fp else None
    recall = tp / (tp + fn) if tp + fn else None
    f1 = 2 * precision * recall / (precision + recall) if precision and recall else (0.0 if precision is not None and recall is not None else None)
    return {"positives": tp + fn, "tp": tp, "fp": fp, "fn": fn, "precision": precision, "recall": recall, "f1": f1}


def measure(labels: dict[str, dict[str, set[str]]], findings: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    """Every figure as plain data: conversation level, finding level, per rule, disagreements."""
    counts = {category: Counter() for category in CATEGORIES}
    rule_counts: dict[str, Counter] = {}
    finding_right = Counter()
    disagreements = []
    ids = [conversation for conversation in findings if conversation in labels]
    for conversation in ids:
        label, found = labels[conversation], findings[conversation]
        flagged = {finding["category"] for finding in found}
        for category in CATEGORIES:
            if category in label["unclear"]:
                continue
            expected, got = category in label["flag"], category in flagged
            key = "tp" if expected and got else "fp" if got else "fn" if expected else None
            if key:
                counts[category][key] += 1
            if expected != got:
                disagreements.append({
                    "id": conversation, "category": category, "kind": "missed" if expected else "false alarm",
                    "findings": [f for f in found if f["category"] == category],
                })
        for finding in found:
            category = finding["category"]
            if category in label["unclear"] or category not in CATEGORIES:
                continue
            right = category in label["flag"]
            finding_right[category, right] += 1
            per_rule = rule_counts.setdefault(finding["rule"], Counter())
            per_rule["right" if right else "wrong"] += 1
        for rule, category in {(f["rule"], f["category"]) for f in found}:
            if category in label["unclear"] or category not in CATEGORIES:
                continue
            rule_counts[rule]["conversations_right" if category in label["flag"] else "conversations_wrong"] += 1
    positives = {category: sum(1 for c in ids if category in labels[c]["flag"]) for category in CATEGORIES}
    per_category = {category: _scores(counts[category]["tp"], counts[category]["fp"], counts[category]["fn"]) for category in CATEGORIES}
    total = {key: sum(counts[c][key] for c in CATEGORIES) for key in ("tp", "fp", "fn")}
    per_rule = {}
    for rule, count in sorted(rule_counts.items()):
        flagged = count["conversations_right"] + count["conversations_wrong"]
        category = next(f["category"] for found in findings.values() for f in found if f["rule"] == rule)
        per_rule[rule] = {
            "category": category,
            "conversations": flagged,
            "precision": count["conversations_right"] / flagged if flagged else None,
            "recall": count["conversations_right"] / positives[category] if positives.get(category) else None,
            "findings": count["right"] + count["wrong"],
            "finding_precision": count["right"] / (count["right"] + count["wrong"]) if count["right"] + count["wrong"] else None,
        }
    right = sum(n for (c, ok), n in finding_right.items() if ok)
    all_findings = sum(finding_right.values())
    return {
        "conversations": len(ids),
        "unlabelled": sorted(set(findings) - set(labels)),
        "per_category": per_category,
        "micro": _scores(**total),
        "finding_level": {
            "findings": all_findings,
            "precision": right / all_findings if all_findings else None,
            "per_category": {
                c: finding_right[c, True] / (finding_right[c, True] + finding_right[c, False])
                for c in CATEGORIES if finding_right[c, True] + finding_right[c, False]
            },
        },
        "per_rule": per_rule,
        "disagreements": disagreements,
    }


def _figure(value: float | None) -> str:
    return "    —" if value is None else f"{value:5.3f}"


def print_report(figures: dict[str, Any], rules_table: bool, show_disagreements: bool) -> None:
    print(f"{figures['conversations']} labelled conversations; {figures['finding_level']['findings']} findings judged")
    print(f"{'category':<12} {'pos':>4} {'TP':>4} {'FP':>4} {'FN':>4} {'prec':>6} {'recall':>6} {'F1':>6}  finding-prec")
    finding_level = figures["finding_level"]["per_category"]
    for name, s in [*figures["per_category"].items(), ("micro", figures["micro"])]:
        fl = finding_level.get(name) if name != "micro" else figures["finding_level"]["precision"]
        print(
            f"{name:<12} {s['positives']:>4} {s['tp']:>4} {s['fp']:>4} {s['fn']:>4} "
            f"{_figure(s['precision']):>6} {_figure(s['recall']):>6} {_figure(s['f1']):>6}  {_figure(fl)}"
        )
    if rules_table:
        print(f"\n{'rule':<34} {'convs':>5} {'prec':>6} {'recall':>6} {'finds':>5} {'f-prec':>6}")
        for rule, s in figures["per_rule"].items():
            print(f"{rule:<34} {s['conversations']:>5} {_figure(s['precision']):>6} {_figure(s['recall']):>6} {s['findings']:>5} {_figure(s['finding_precision']):>6}")
    if show_disagreements and figures["disagreements"]:
        print("\ndisagreements:")
        for item in figures["disagreements"]:
            print(f"  {item['kind']:<11} {item['category']:<11} {item['id']}")
            for finding in item["findings"]:
                shown = finding["match"] or finding["message"]
                print(f"      {finding['rule']} (turn {finding['turn']}): {shown} | {finding['excerpt']}")


def print_sample(findings: dict[str, list[dict[str, Any]]], size: int, seed: int) -> None:
    """Findings drawn at random, numbered, with the conversation id and turn, for a reader to judge."""
    every = [(conversation, finding) for conversation, found in sorted(findings.items()) for finding in found]
    chosen = random.Random(seed).sample(every, min(size, len(every)))
    for number, (conversation, finding) in enumerate(chosen, 1):
        print(f"{number}. {conversation} turn {finding['turn']} [{finding['category']}] {finding['rule']}: {finding['message']}")
        print(f"   matched: {finding['match']!r} | excerpt: {finding['excerpt']}")


PREVIEW_BELOW = 0.80  # a rule less precise than this on real conversations ships as preview
MIN_FLAGGED = 2  # fewer flagged conversations than this say nothing about a rule's precision
RULES = HERE.parent / "rules"


def write_measured(figures: dict[str, Any], corpus: str) -> list[str]:
    """Write each built-in rule's figures into its ``measured:`` line (and ``preview:`` when
    its precision is under PREVIEW_BELOW); returns the rules moved to preview."""
    from transcript_audit.engine import AuditOptions, load_active_rules

    rules = load_active_rules(AuditOptions(preview=True))
    positives = {c: s["positives"] for c, s in figures["per_category"].items()}
    moved = []
    for path in sorted(RULES.glob("*.yaml")):
        text = path.read_text(encoding="utf-8")
        for rule in (r for r in rules if Path(r.source).resolve() == path.resolve()):
            scores = figures["per_rule"].get(rule.id)
            flagged = scores["conversations"] if scores else 0
            precision = scores["precision"] if scores else None
            # A rule for e-mails or canned responses only has nothing to judge in chats and calls.
            applies = not rule.channels or bool({"chat", "call"} & set(rule.channels))
            recall = scores["recall"] if scores else (0.0 if positives.get(rule.category) and applies else None)
            shown = {k: ("null" if v is None else f"{v:.2f}") for k, v in (("precision", precision), ("recall", recall))}
            line = (f'    measured: {{precision: {shown["precision"]}, recall: {shown["recall"]}, '
                    f'conversations: {flagged}, corpus: "{corpus}"}}\n')
            preview = precision is not None and precision < PREVIEW_BELOW and flagged >= MIN_FLAGGED
            if preview:
                moved.append(rule.id)
            text = _set_rule_lines(text, rule.id, line, preview)
        path.write_text(text, encoding="utf-8")
    return moved


def _set_rule_lines(text: str, rule_id: str, measured: str, preview: bool) -> str:
    """The rule's block with its ``measured:`` line replaced (or put after ``check:``) and its
    ``preview:`` line present exactly when ``preview``."""
    start = text.index(f"  - id: {rule_id}\n")
    following = text.find("\n  - id: ", start + 1)
    end = len(text) if following < 0 else following + 1
    lines = [line for line in text[start:end].splitlines(keepends=True)
             if not line.startswith(("    measured:", "    preview:"))]
    at = next(i for i, line in enumerate(lines) if line.startswith("    check:")) + 1
    lines[at:at] = [measured] + (["    preview: true\n"] if preview else [])
    return text[:start] + "".join(lines) + text[end:]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lida", type=Path, help="the LIDA chats: data/dialogues.txt of lpschaub/lida")
    parser.add_argument("--ancor", type=Path, default=DEFAULT_ANCOR, help="the ANCOR JSON Lines file")
    parser.add_argument("--split", choices=sorted(SPLITS), default="dev")
    parser.add_argument("--preview", action="store_true", help="also run the preview rules")
    parser.add_argument("--rules-table", action="store_true", help="precision and recall of each rule")
    parser.add_argument("--no-disagreements", action="store_true")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--sample", type=int, help="print N findings drawn at random, for judging")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--write-measured", action="store_true",
                        help="write each built-in rule's figures on the development split into rules/*.yaml")
    arguments = parser.parse_args(argv)
    if arguments.lida is None:
        print(HOW_TO_GET)
        if not arguments.ancor.exists():
            return 0
        print("\nMeasuring on the ANCOR calls alone.\n")
    elif not arguments.lida.is_file():
        print(f"{arguments.lida}: no such file\n{HOW_TO_GET}")
        return 0
    records = corpus_records(arguments.lida, arguments.ancor, arguments.split)
    findings = audit(records, arguments.preview)
    if arguments.sample:
        print_sample(findings, arguments.sample, arguments.seed)
        return 0
    figures = measure(load_labels(), findings)
    if arguments.write_measured:
        if arguments.split != "dev" or not arguments.preview or arguments.lida is None:
            print("--write-measured takes the development split, every rule: --lida PATH --split dev --preview")
            return 2
        corpus = f"LIDA 120-379 + ANCOR, {figures['conversations']} real chats and calls"
        moved = write_measured(figures, corpus)
        print(f"measured figures written; preview (precision < {PREVIEW_BELOW:.2f}): {', '.join(moved) or 'none'}")
        return 0
    if arguments.json:
        json.dump(figures, sys.stdout, ensure_ascii=False, indent=2, default=sorted)
        print()
    else:
        print_report(figures, arguments.rules_table, not arguments.no_disagreements)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
