"""Every rule's examples are tests: texts it must flag, texts it must not."""

from __future__ import annotations

import pytest

from transcript_audit.engine import AuditOptions, load_active_rules
from transcript_audit.rule_examples import run_examples

RULES = load_active_rules(AuditOptions(preview=True), validate_patterns=False)
CASES = [
    pytest.param(rule.id, kind, index, id=f"{rule.id}-{kind}-{index}")
    for rule in RULES
    for kind, examples in (("flag", rule.flag_examples), ("pass", rule.pass_examples))
    for index in range(len(examples))
]


@pytest.fixture(scope="module")
def outcomes(preview_auditor):
    found = {}
    for outcome in run_examples(preview_auditor):
        kind = "flag" if outcome.expected_flag else "pass"
        examples = outcome.rule.flag_examples if outcome.expected_flag else outcome.rule.pass_examples
        found[(outcome.rule.id, kind, examples.index(outcome.example))] = outcome
    return found


@pytest.mark.parametrize(("rule_id", "kind", "index"), CASES)
def test_rule_example(outcomes, rule_id, kind, index):
    outcome = outcomes[(rule_id, kind, index)]
    matched = [f"{f.match!r} (line {f.line})" for f in outcome.findings]
    if kind == "flag":
        assert outcome.findings, f"{rule_id} should flag:\n{outcome.example.text}"
        assert all(f.rule == rule_id for f in outcome.findings)
    else:
        assert not outcome.findings, f"{rule_id} should not flag:\n{outcome.example.text}\nbut matched {matched}"


def test_every_rule_has_flag_and_pass_examples():
    missing = [rule.id for rule in RULES if len(rule.flag_examples) < 3 or len(rule.pass_examples) < 3]
    assert not missing, f"rules with fewer than 3 flag and 3 pass examples: {missing}"


def test_every_category_of_the_contract_has_a_rule():  # issues 2 and 4
    categories = {rule.category for rule in RULES}
    assert {"jargon", "greeting", "closing", "blame", "empathy", "refusal", "dismissive", "vague"} <= categories
    assert {"mirror", "lecture", "talk-share", "silence", "delay", "ownership", "impersonal", "promise"} <= categories
