"""Preview rules and measured precision: a rule not yet precise on real text is off by default.

Every built-in rule states how it did on the real development conversations
(``measured:``, written by benchmarks/real_world.py's figures); one whose
precision there is under 0.80, on at least two flagged conversations (one
says nothing about a rule), must be marked ``preview: true``.
"""

from __future__ import annotations

import textwrap

import pytest
from typer.testing import CliRunner

from transcript_audit.cli import app
from transcript_audit.engine import AuditOptions, load_active_rules
from transcript_audit.rule_loader import builtin_rules_dir, load_rules

from .conftest import rules_and_errors

from .test_rule_loader import FORBIDDEN, error_at, load, where

PREVIEW_PRECISION = 0.80
MIN_FLAGGED = 2  # as benchmarks/real_world.py --write-measured

MEASURED = FORBIDDEN + """\
    preview: true
    measured: {precision: 0.5, recall: 0.25, conversations: 8, corpus: "real development set"}
"""


def test_preview_and_measured_figures_load(tmp_path):
    (rule,), errors = load(tmp_path, MEASURED)
    assert errors == []
    assert rule.preview is True
    assert (rule.measured.precision, rule.measured.recall, rule.measured.conversations) == (0.5, 0.25, 8)
    assert rule.summary()["measured"]["corpus"] == "real development set"
    assert rule.summary()["preview"] is True


@pytest.mark.parametrize(
    "old, new, needle, fragment",
    [
        ("preview: true", "preview: oui", "oui", "'preview' must be true or false"),
        ("precision: 0.5", "precision: 1.5", "1.5", "'precision' must be a number from 0 to 1"),
        ("recall: 0.25", "recall: high", "high", "'recall' must be a number from 0 to 1"),
        ("conversations: 8", "conversations: -1", "-1", "'conversations' must be a whole number"),
        ("corpus: \"real development set\"", "corpse: x", "corpse", "unknown key 'corpse'"),
    ],
)
def test_a_wrong_measured_value_is_reported_where_it_is(tmp_path, old, new, needle, fragment):
    text = MEASURED.replace(old, new)
    rules, errors = load(tmp_path, text)
    line, column = where(textwrap.dedent(text), needle)
    assert fragment in str(error_at(errors, line, column)), [str(e) for e in errors]
    assert rules == []


def _pack_with_a_preview_rule(tmp_path):
    _write(tmp_path)
    return AuditOptions(rule_dirs=[tmp_path], builtin_rules=False)


def test_a_preview_rule_is_off_by_default(tmp_path):
    assert load_active_rules(_pack_with_a_preview_rule(tmp_path), validate_patterns=False) == []


def test_preview_turns_preview_rules_on(tmp_path):
    options = _pack_with_a_preview_rule(tmp_path)
    options.preview = True
    assert [rule.id for rule in load_active_rules(options, validate_patterns=False)] == ["jargon-marchandise"]


def test_selecting_a_preview_rule_by_its_id_turns_it_on(tmp_path):
    options = _pack_with_a_preview_rule(tmp_path)
    options.select = ["jargon-marchandise"]
    assert [rule.id for rule in load_active_rules(options, validate_patterns=False)] == ["jargon-marchandise"]
    options.select = ["jargon"]  # a category is not an explicit choice of the preview rule
    assert load_active_rules(options, validate_patterns=False) == []


def test_the_configuration_turns_preview_rules_on(tmp_path):
    (tmp_path / "pack.yaml").write_text(textwrap.dedent(MEASURED), encoding="utf-8")
    (tmp_path / ".transcript-audit.yaml").write_text("preview: true\nbuiltin-rules: false\npacks: [pack.yaml]\n", encoding="utf-8")
    (tmp_path / "chat.txt").write_text("Conseiller : Votre marchandise part demain.\n", encoding="utf-8")
    runner = CliRunner()
    with_config = runner.invoke(app, ["check", str(tmp_path / "chat.txt"), "--format", "json", "--no-cache"])
    assert '"rule": "jargon-marchandise"' in with_config.output
    (tmp_path / ".transcript-audit.yaml").write_text("builtin-rules: false\npacks: [pack.yaml]\n", encoding="utf-8")
    without = runner.invoke(app, ["check", str(tmp_path / "chat.txt"), "--format", "json", "--no-cache"])
    assert without.exit_code == 2 and "no rule selected" in without.output
    flag = runner.invoke(app, ["check", str(tmp_path / "chat.txt"), "--format", "json", "--no-cache", "--preview"])
    assert '"rule": "jargon-marchandise"' in flag.output


def test_rules_list_and_show_mark_preview_rules_with_their_figures(tmp_path):
    (tmp_path / "pack.yaml").write_text(textwrap.dedent(MEASURED), encoding="utf-8")
    runner = CliRunner()
    listed = runner.invoke(app, ["rules", "list", "--no-builtin-rules", "--rules", str(tmp_path)])
    row = next(line for line in listed.output.splitlines() if "jargon-marchandise" in line)
    assert "preview" in row and "0.50" in row and "0.25" in row
    assert "1 rules, 1 in preview" in listed.output
    shown = runner.invoke(app, ["rules", "show", "jargon-marchandise", "--no-builtin-rules", "--rules", str(tmp_path)])
    assert "status: preview" in shown.output
    assert "precision 0.50, recall 0.25 (8 flagged; real development set)" in shown.output


# ---------------------------------------------------------------- the built-in packs

BUILTIN = load_rules([builtin_rules_dir()], validate_patterns=False)


@pytest.mark.parametrize("rule", BUILTIN, ids=lambda rule: rule.id)
def test_every_builtin_rule_states_its_real_precision(rule):
    assert rule.measured is not None, f"{rule.id}: no 'measured:' figures (benchmarks/real_world.py --rules-table)"


@pytest.mark.parametrize("rule", BUILTIN, ids=lambda rule: rule.id)
def test_a_builtin_rule_imprecise_on_real_text_is_preview(rule):
    precision = rule.measured.precision if rule.measured else None
    flagged = rule.measured.conversations if rule.measured else 0
    if precision is not None and precision < PREVIEW_PRECISION and flagged >= MIN_FLAGGED:
        assert rule.preview, f"{rule.id}: real precision {precision:.2f} < {PREVIEW_PRECISION}: it must ship as preview"


def test_the_meta_test_catches_an_imprecise_rule_that_is_not_preview(tmp_path):
    (rule,), _ = load(tmp_path, MEASURED.replace("    preview: true\n", ""))
    with pytest.raises(AssertionError, match="must ship as preview"):
        test_a_builtin_rule_imprecise_on_real_text_is_preview(rule)


def test_one_flagged_conversation_is_too_few_to_judge_a_rule(tmp_path):
    (rule,), _ = load(tmp_path, MEASURED.replace("    preview: true\n", "").replace("conversations: 8", "conversations: 1"))
    test_a_builtin_rule_imprecise_on_real_text_is_preview(rule)  # no AssertionError


def test_load_file_keeps_preview_rules(tmp_path):
    """Loading never drops a preview rule: only choosing the active rules does."""
    rules, errors = rules_and_errors(_write(tmp_path), validate_patterns=False)
    assert [rule.preview for rule in rules] == [True] and errors == []


def _write(tmp_path):
    path = tmp_path / "pack.yaml"
    path.write_text(textwrap.dedent(MEASURED), encoding="utf-8")
    return path
