"""A company's pack extends or disables built-in rules without copying them."""

from __future__ import annotations

import textwrap

import pytest

from transcript_audit.engine import AuditOptions, Auditor, load_active_rules
from transcript_audit.model import Severity
from transcript_audit.readers import labelled_text
from transcript_audit.rule_loader import RuleLoadError


def company_pack(tmp_path, text: str):
    path = tmp_path / "acme.yaml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def rules_with(path):
    return {rule.id: rule for rule in load_active_rules(AuditOptions(rule_dirs=[path]), validate_patterns=False)}


EXTEND = """\
    extends:
      - rule: jargon-internal
        add:
          phrases: [le SKU, la fiche ITSM]
        severity: error
        examples:
          flag: ["Je regarde le SKU."]
          pass: ["Je regarde votre commande."]
    disable: [greeting-too-*]
    """


def test_an_extension_that_fails_its_example_is_reported_at_its_own_file_and_line(tmp_path):
    """`rules test` named the base rule's pack with the extension's line number."""
    from typer.testing import CliRunner

    from transcript_audit.cli import app

    pack = company_pack(tmp_path, EXTEND.replace('flag: ["Je regarde le SKU."]', 'flag: ["Je regarde la référence."]'))
    result = CliRunner().invoke(app, ["rules", "test", str(pack)])
    assert result.exit_code == 1
    [fail] = [line for line in result.stdout.splitlines() if line.startswith("FAIL")]
    assert fail.startswith("FAIL jargon-internal: flag example at ") and fail.endswith("acme.yaml:7"), fail


def test_an_extending_pack_open_in_the_editor_shows_its_failing_example_and_not_the_base_rule_s(tmp_path):
    from transcript_audit.lsp.session import Session

    text = textwrap.dedent(EXTEND.replace('flag: ["Je regarde le SKU."]', 'flag: ["Je regarde la référence."]'))
    pack = tmp_path / "rules" / "acme.yaml"
    pack.parent.mkdir()
    pack.write_text(text, encoding="utf-8")
    report = Session().pack_report(pack, text)
    assert report.errors == []
    assert [(outcome.rule.id, outcome.example.line) for outcome in report.failures] == [("jargon-internal", 7)]


def test_extends_adds_terms_severity_and_examples_and_disable_removes(tmp_path):
    rules = rules_with(company_pack(tmp_path, EXTEND))
    internal = rules["jargon-internal"]
    assert "le SKU" in [p.text for p in internal.options["match"].phrases]
    assert "back-office" in [p.text for p in internal.options["match"].phrases]  # built-in terms kept
    assert internal.severity is Severity.ERROR
    assert internal.flag_examples[-1].text == "Je regarde le SKU."
    assert internal.extended_by and internal.extended_by[0].endswith("acme.yaml:2")
    assert "greeting-too-familiar" not in rules and "greeting-missing" in rules


def test_the_extended_rule_finds_the_company_terms(nlp, tmp_path):
    rules = list(rules_with(company_pack(tmp_path, EXTEND)).values())
    transcripts, _ = labelled_text.parse("Conseiller : Bonjour, je regarde la fiche ITSM. Bonne journée.", "t.txt")
    findings = next(Auditor(rules, nlp=nlp).audit_transcripts(transcripts)).findings
    assert [(f.rule, f.match, f.severity) for f in findings] == [("jargon-internal", "la fiche ITSM", Severity.ERROR)]


@pytest.mark.parametrize(
    ("text", "line", "column", "message"),
    [
        ("extends:\n  - rule: jargon-intern\n    add: {phrases: [x]}\n", 2, 5, "no rule 'jargon-intern' to extend or disable (did you mean 'jargon-internal'?)"),
        ("disable: [nothing-like-this]\n", 1, 11, "no rule 'nothing-like-this' to extend or disable"),
        ("extends:\n  - rule: jargon-internal\n    ad: {phrases: [x]}\n", 3, 5, "unknown key 'ad' (did you mean 'add'?)"),
        ("extends:\n  - rule: impersonal-no-name\n    add: {phrases: [x]}\n", 2, 5, "rule 'impersonal-no-name' (customer-name) has no 'match' to add terms to"),
    ],
)
def test_a_wrong_extension_is_located(tmp_path, text, line, column, message):
    path = company_pack(tmp_path, text)
    with pytest.raises(RuleLoadError) as raised:
        rules_with(path)
    assert [(e.path, e.line, e.column, e.message) for e in raised.value.errors] == [(path.as_posix(), line, column, message)]
