"""The scorecard: a capped, decreasing loss per category, categories combined like
successive discounts, critical rules as auto-fails (README, "Score")."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from transcript_audit.model import Finding, Role, Severity
from transcript_audit.scoring import category_loss, score

from .conftest import examples

CATEGORIES = ("blame", "empathy", "jargon", "vague", "greeting")


def finding(category: str = "blame", severity: Severity = Severity.ERROR, critical: bool = False) -> Finding:
    return Finding(
        rule=f"{category}-rule", category=category, severity=severity, message="m", rationale="r",
        suggestion=None, turn=1, speaker="Conseiller", role=Role.AGENT, line=1, column=1,
        excerpt="x", match=None, critical=critical,
    )


findings_strategy = st.lists(
    st.builds(finding, st.sampled_from(CATEGORIES), st.sampled_from(list(Severity))), max_size=30
)
weights_strategy = st.dictionaries(st.sampled_from(CATEGORIES), st.sampled_from([0, 0.5, 1, 1.5, 2, 2.5, 5, 10]))


def test_a_clean_transcript_scores_100():
    assert score([]) == 100
    assert score([], {"empathy": 2}) == 100


def test_one_finding_costs_its_penalty():
    assert score([finding(severity=Severity.ERROR)]) == 80
    assert score([finding(severity=Severity.WARNING)]) == 90
    assert score([finding(severity=Severity.INFO)]) == 97


@settings(max_examples=examples(200))
@given(findings_strategy, st.builds(finding, st.sampled_from(CATEGORIES), st.sampled_from(list(Severity))), weights_strategy)
def test_one_more_finding_never_raises_the_score(findings, extra, weights):
    before = score(findings, weights)
    assert 0 <= before <= 100 and isinstance(before, int)
    assert score([*findings, extra], weights) <= before
    assert score([*findings, extra], weights) == score([extra, *reversed(findings)], weights)  # order does not matter


def test_two_serious_faults_score_clearly_higher_than_ten():
    two = [finding("blame"), finding("empathy")]
    ten_in_five = [finding(category) for category in CATEGORIES for _ in range(2)]
    assert score(two) == 64  # 100 x 0.8 x 0.8
    assert score(ten_in_five) == 17  # five categories each losing 20 + 10
    assert score(two) - score(ten_in_five) >= 40
    # even all ten in one category cost more than two in it
    assert score([finding("blame")] * 2) == 70
    assert score([finding("blame")] * 10) == 60
    # the old formula (100 - 20 per error, floored at 0) scored both 0 and 60 the same: 0


def test_a_critical_rule_scores_0():
    assert score([finding(critical=True)]) == 0
    assert score([finding(severity=Severity.INFO), finding("vague", Severity.INFO, critical=True)]) == 0


def test_weights_change_the_score():
    findings = [finding("jargon", Severity.WARNING), finding("vague", Severity.WARNING), finding("greeting", Severity.WARNING)]
    assert score(findings) == 73  # 0.9 ** 3
    weighted = {"jargon": 2.5, "vague": 0}
    assert score(findings, weighted) == 68  # 0.75 x 1 x 0.9 = 67.5, rounded half up
    assert score(findings, {"jargon": 10}) == 0  # a heavy enough weight can empty the score by itself


def test_a_category_loss_is_capped_at_twice_its_worst_finding():
    assert category_loss([20]) == 20
    assert category_loss([20, 20]) == 30
    assert category_loss([10, 20, 3]) == 20 + 5 + 0.75  # largest first, then halves
    for count in (3, 10, 50):
        assert category_loss([20] * count) < 40  # the cap: twice the worst finding
        assert category_loss([10] * count) < 20
    assert score([finding("blame")] * 50) == 60  # 100 - 40, never lower, however many repeats
    assert score([finding("jargon", Severity.WARNING)] * 50) == 80
    assert score([finding("jargon", Severity.WARNING)] * 50, {"jargon": 2}) == 60  # the cap times the weight


def test_the_score_is_exact_and_deterministic():
    findings = [finding(category, severity) for category in CATEGORIES for severity in Severity]
    assert len({score(findings) for _ in range(5)}) == 1
    assert score(list(reversed(findings))) == score(findings)
