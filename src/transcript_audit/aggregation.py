"""Views over many transcripts: summaries by agent, channel, category, file, week or month,
and the most frequent findings with the words that triggered them (where training is needed)."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date
from enum import Enum
from statistics import mean, median
from typing import Any

from .fingerprints import normalise


class GroupBy(str, Enum):
    """The summary views ``--group-by`` adds."""

    AGENT = "agent"
    CHANNEL = "channel"
    CATEGORY = "category"
    FILE = "file"
    WEEK = "week"
    MONTH = "month"


# Periods sort as text in time order: "2026-W49", "2026-12".
PERIODS = {
    "week": lambda day: "{0}-W{1:02d}".format(*day.isocalendar()[:2]),
    "month": lambda day: f"{day.year}-{day.month:02d}",
}


def period_of(transcript: dict[str, Any], key: str) -> str | None:
    """The ISO week or the month of a transcript's date, or None when it has none."""
    return PERIODS[key](date.fromisoformat(transcript["date"])) if transcript.get("date") else None


def groups(records: dict[str, Any], key: str) -> list[dict[str, Any]]:
    """One row per agent, channel, category, file, week or month: counts, mean and median
    score, worst rules; by period, in time order, with the findings per category and where
    the dates came from (a header, the messages, or only the file's modification time)."""
    members: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for transcript in records["transcripts"]:
        if key == "category":
            for category in {finding["category"] for finding in transcript["findings"]}:
                members[category].append(transcript)
            continue
        if key in PERIODS:
            members[period_of(transcript, key) or "(sans date)"].append(transcript)
            continue
        value = {"agent": transcript.get("agent"), "channel": transcript["channel"], "file": transcript["path"]}[key]
        members[value or "(inconnu)"].append(transcript)
    rows = []
    for name, transcripts in members.items():
        findings = [f for t in transcripts for f in t["findings"] if key != "category" or f["category"] == name]
        scores = [t["score"] for t in transcripts]
        rules = Counter(f["rule"] for f in findings)
        rows.append(
            {
                "group": name,
                "transcripts": len(transcripts),
                "findings": len(findings),
                "mean_score": round(mean(scores), 1),
                "median_score": median(scores),
                "worst_rules": [{"rule": rule, "count": count} for rule, count in rules.most_common(3)],
            }
        )
        if key in PERIODS:
            rows[-1]["by_category"] = dict(sorted(Counter(f["category"] for f in findings).items()))
            rows[-1]["date_sources"] = dict(sorted(Counter(t.get("date_source") or "none" for t in transcripts).items()))
    if key in PERIODS:
        return sorted(rows, key=lambda row: row["group"])
    return sorted(rows, key=lambda row: (row["mean_score"], row["group"]))


def stats(records: dict[str, Any], top: int = 15) -> list[dict[str, Any]]:
    """The most frequent rules and, for each, the words that triggered them most often."""
    by_rule: dict[str, Counter] = defaultdict(Counter)
    counts: Counter = Counter()
    categories: dict[str, str] = {}
    for transcript in records["transcripts"]:
        for finding in transcript["findings"]:
            counts[finding["rule"]] += 1
            categories[finding["rule"]] = finding["category"]
            if finding.get("match"):
                by_rule[finding["rule"]][normalise(finding["match"])] += 1
    return [
        {
            "rule": rule,
            "category": categories[rule],
            "count": count,
            "words": [{"text": text, "count": n} for text, n in by_rule[rule].most_common(5)],
        }
        for rule, count in counts.most_common(top)
    ]
