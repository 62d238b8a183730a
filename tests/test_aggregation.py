"""Summary views: by agent, channel, category or file, and the words behind the findings."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from transcript_audit.aggregation import groups, stats
from transcript_audit.cli import app

from .conftest import SAMPLES


def finding(rule, category, match=None):
    return {"rule": rule, "category": category, "match": match}


RECORDS = {
    "transcripts": [
        {"path": "a.txt", "channel": "call", "agent": "Julie", "score": 80, "findings": [finding("vague-promise", "vague", "Normalement"), finding("jargon-internal", "jargon", "back-office")]},
        {"path": "b.txt", "channel": "call", "agent": "Julie", "score": 100, "findings": []},
        {"path": "c.txt", "channel": "chat", "agent": None, "score": 90, "findings": [finding("vague-promise", "vague", "normalement")]},
    ]
}


def test_groups_by_agent_and_category():
    by_agent = {row["group"]: row for row in groups(RECORDS, "agent")}
    assert by_agent["Julie"]["transcripts"] == 2 and by_agent["Julie"]["mean_score"] == 90 and by_agent["Julie"]["median_score"] == 90
    assert by_agent["(inconnu)"]["findings"] == 1
    by_category = {row["group"]: row for row in groups(RECORDS, "category")}
    assert by_category["vague"]["findings"] == 2 and by_category["vague"]["transcripts"] == 2
    assert by_category["jargon"]["worst_rules"] == [{"rule": "jargon-internal", "count": 1}]


def test_stats_count_rules_and_fold_the_words():
    rows = stats(RECORDS)
    assert rows[0] == {"rule": "vague-promise", "category": "vague", "count": 2, "words": [{"text": "normalement", "count": 2}]}


def test_group_by_and_stats_reach_the_json_report(auditor):
    result = CliRunner().invoke(app, ["check", str(SAMPLES), "-f", "json", "--group-by", "channel", "--stats"])
    report = json.loads(result.stdout)
    channels = {row["group"] for row in report["groups"]["channel"]}
    assert {"call", "chat", "email", "canned"} <= channels
    assert report["stats"][0]["count"] >= report["stats"][-1]["count"]
