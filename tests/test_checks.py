"""Each check type and each rule-language construct, on small rule packs written here."""

from __future__ import annotations

import textwrap

import pytest

from transcript_audit.engine import Auditor
from transcript_audit.readers import labelled_text

from .conftest import rules_and_errors


def audit_text(nlp, tmp_path, rule_yaml: str, conversation: str, channel: str = "call"):
    path = tmp_path / "pack.yaml"
    path.write_text(textwrap.dedent(rule_yaml), encoding="utf-8")
    rules, errors = rules_and_errors(path)
    assert not errors, errors
    transcripts, read_errors = labelled_text.parse(textwrap.dedent(conversation).strip(), "t.txt")
    assert not read_errors, read_errors
    transcripts[0].channel = channel
    auditor = Auditor(rules, nlp=nlp)
    return next(auditor.audit_transcripts(transcripts)).findings


RULE_HEAD = """
rules:
  - id: test-rule
    category: test
    severity: warning
    message: "trouvé « {match} »"
    rationale: "parce que"
    examples: {flag: [], pass: []}
"""


def rule(body: str) -> str:
    return RULE_HEAD + textwrap.indent(textwrap.dedent(body), "    ")


FORBIDDEN = rule(
    """
    check: forbidden
    match: {phrases: [votre marchandise]}
    """
)


def test_forbidden_reports_each_match_with_location_and_excerpt(nlp, tmp_path):
    findings = audit_text(
        nlp,
        tmp_path,
        FORBIDDEN,
        """
        Client : Bonjour.
        Conseiller : Votre marchandise arrive, vos marchandises partent.
        """,
    )
    assert [(f.line, f.column, f.match, f.turn) for f in findings] == [
        (2, 14, "Votre marchandise", 2),
        (2, 40, "vos marchandises", 2),
    ]
    assert findings[0].message == "trouvé « Votre marchandise »"
    first = findings[0]
    assert first.excerpt[first.match_start : first.match_start + len(first.match)] == first.match


def test_forbidden_respects_speaker_scope(nlp, tmp_path):
    findings = audit_text(nlp, tmp_path, FORBIDDEN, "Client : votre marchandise est cassée.\nConseiller : Je regarde.")
    assert findings == []


def test_channel_scope(nlp, tmp_path):
    scoped = FORBIDDEN + "    channels: [email]\n"
    text = "Conseiller : votre marchandise."
    assert audit_text(nlp, tmp_path, scoped, text, channel="call") == []
    assert len(audit_text(nlp, tmp_path, scoped, text, channel="email")) == 1


def test_location_in_a_continuation_line(nlp, tmp_path):
    findings = audit_text(
        nlp,
        tmp_path,
        FORBIDDEN,
        """
        Conseiller : Bonjour Madame,
          merci pour votre message.
          Votre marchandise part demain.
        """,
    )
    assert [(f.line, f.column) for f in findings] == [(3, 3)]


REQUIRED = rule(
    """
    check: required
    position: POSITION
    turns: TURNS
    match: {forms: [bonjour]}
    """
)


@pytest.mark.parametrize(
    ("position", "turns", "conversation", "flagged_turns"),
    [
        ("first", 1, "Conseiller : Oui ?\nClient : Bonjour.\nConseiller : Bonjour !", [1]),
        ("first", 2, "Conseiller : Oui ?\nClient : Bonjour.\nConseiller : Bonjour !", []),
        ("first", 1, "Conseiller : Bonjour !\nClient : Bonjour.\nConseiller : Oui ?", []),
        ("last", 1, "Conseiller : Bonjour !\nClient : Merci.\nConseiller : Voilà.", [3]),
        ("each", 1, "Conseiller : Bonjour !\nClient : Merci.\nConseiller : Voilà.", [3]),
        ("each", 1, "Client : Allô ?", []),  # an agent who never speaks is not flagged
    ],
)
def test_required_windows(nlp, tmp_path, position, turns, conversation, flagged_turns):
    findings = audit_text(nlp, tmp_path, REQUIRED.replace("POSITION", position).replace("TURNS", str(turns)), conversation)
    assert [f.turn for f in findings] == flagged_turns


RESPONSE = rule(
    """
    check: response
    turns: 2
    trigger: {speaker: customer, match: {phrases: [inadmissible]}}
    match: {phrases: [je comprends]}
    message: "le client dit « {trigger} »"
    """
).replace('    message: "trouvé « {match} »"\n', "", 1)


@pytest.mark.parametrize(
    ("conversation", "flagged_turns"),
    [
        ("Client : C'est inadmissible !\nConseiller : Votre numéro ?", [2]),
        ("Client : C'est inadmissible !\nConseiller : Hum.\nClient : Oui.\nConseiller : Je comprends.", []),
        ("Client : C'est inadmissible !\nConseiller : Hum.\nClient : Oui.\nConseiller : Bref.\nConseiller : Je comprends.", [2]),
        ("Client : Inadmissible !\nClient : Vraiment inadmissible.\nConseiller : Votre numéro ?", [3]),  # reported once
        ("Client : Bonjour.\nConseiller : Votre numéro ?", []),
        ("Conseiller : Bonjour.\nClient : C'est inadmissible !", []),  # no reply to judge
    ],
)
def test_response_window(nlp, tmp_path, conversation, flagged_turns):
    findings = audit_text(nlp, tmp_path, RESPONSE, conversation)
    assert [f.turn for f in findings] == flagged_turns


def test_response_message_quotes_the_trigger(nlp, tmp_path):
    findings = audit_text(nlp, tmp_path, RESPONSE, "Client : C'est INADMISSIBLE !\nConseiller : Votre numéro ?")
    assert findings[0].message == "le client dit « INADMISSIBLE »"
    assert findings[0].match is None


UNLESS_AFTER = FORBIDDEN + textwrap.indent(
    textwrap.dedent(
        """
        unless:
          - match: {phrases: [je vous propose]}
            after: 1
        """
    ),
    "    ",
)


@pytest.mark.parametrize(
    ("conversation", "flagged"),
    [
        ("Conseiller : Votre marchandise, je vous propose un avoir.", 0),
        ("Conseiller : Votre marchandise.\nClient : Ah.\nConseiller : Je vous propose un avoir.", 0),
        ("Conseiller : Votre marchandise.\nConseiller : Bon.\nConseiller : Je vous propose un avoir.", 1),
        ("Conseiller : Je vous propose un avoir.\nConseiller : Votre marchandise.", 1),  # before: 0
    ],
)
def test_unless_window_after(nlp, tmp_path, conversation, flagged):
    assert len(audit_text(nlp, tmp_path, UNLESS_AFTER, conversation)) == flagged


ECHO = FORBIDDEN.replace("[votre marchandise]", "[le produit]") + textwrap.indent(
    "unless: {echo: true, speaker: customer, before: all}\n", "    "
)


def test_unless_echo_excuses_the_customers_own_word(nlp, tmp_path):
    said_first = "Client : Mon produit est cassé.\nConseiller : Je remplace le produit."
    said_later = "Conseiller : Je remplace le produit.\nClient : Mon produit est cassé."
    assert audit_text(nlp, tmp_path, ECHO, said_first) == []
    assert len(audit_text(nlp, tmp_path, ECHO, said_later)) == 1


NEAR = FORBIDDEN.replace("[votre marchandise]", "[normalement]") + textwrap.indent(
    "unless: {match: {phrases: [fonctionner]}, near: 1}\n", "    "
)


def test_unless_near_only_looks_around_the_match(nlp, tmp_path):
    assert audit_text(nlp, tmp_path, NEAR, "Conseiller : La box fonctionne normalement.") == []
    assert len(audit_text(nlp, tmp_path, NEAR, "Conseiller : Normalement c'est réglé, la box fonctionne.")) == 1


def test_suggestion_uses_the_customers_words_when_known(nlp, tmp_path):
    pack = FORBIDDEN + textwrap.indent(
        'suggestion: ["dites « {customer_item} »", "soyez concret"]\n', "    "
    )
    named = audit_text(nlp, tmp_path, pack, "Client : Mon ordinateur portable est en panne.\nConseiller : Votre marchandise part.")
    unnamed = audit_text(nlp, tmp_path, pack, "Client : Bonjour.\nConseiller : Votre marchandise part.")
    assert named[0].suggestion == "dites « votre ordinateur portable »"
    assert unnamed[0].suggestion == "soyez concret"


@pytest.mark.parametrize(
    ("customer_turns", "expected"),
    [
        (["J'ai commandé un canapé d'angle en velours."], "votre canapé d'angle"),
        (["Ma machine à café ne chauffe plus."], "votre machine à café"),
        (["Mon ordinateur portable est mort.", "Bref, mon ordi ne marche pas."], "votre ordinateur portable"),
        (["Mes chaussures de randonnée sont trop petites."], "vos chaussures de randonnée"),
        (["Mon problème, c'est le retard."], None),  # a generic noun names no item
    ],
)
def test_customer_item_is_the_first_concrete_naming(nlp, tmp_path, customer_turns, expected):
    pack = FORBIDDEN + textwrap.indent('suggestion: ["« {customer_item} »"]\n', "    ")
    conversation = "\n".join(f"Client : {text}" for text in customer_turns) + "\nConseiller : Votre marchandise part."
    findings = audit_text(nlp, tmp_path, pack, conversation)
    assert findings[0].suggestion == (f"« {expected} »" if expected else None)


def test_a_failing_check_becomes_an_error_and_the_audit_goes_on(nlp, tmp_path):
    from transcript_audit.pipeline import audit

    path = tmp_path / "pack.yaml"
    path.write_text(textwrap.dedent(FORBIDDEN), encoding="utf-8")
    rules, _ = rules_and_errors(path)
    auditor = Auditor(rules, nlp=nlp)

    class Broken:
        rule = rules[0]

        def run(self, conversation):
            raise ValueError("boom")

    auditor.checks.insert(0, Broken())
    (tmp_path / "t.txt").write_text("Conseiller : Votre marchandise.", encoding="utf-8")
    result = audit([tmp_path / "t.txt"], auditor=auditor)
    assert [f.match for f in result.findings()] == ["Votre marchandise"]
    assert len(result.errors) == 1 and "erreur interne de la règle « test-rule »" in result.errors[0].message


WHEN_NEAR = FORBIDDEN.replace("[votre marchandise]", "[jamais reçu]") + textwrap.indent(
    "when: {match: {phrases: [promis, devait]}, near: 6}\n", "    "
)


@pytest.mark.parametrize(
    ("text", "flagged"),
    [
        ("Conseiller : Le mail promis, je ne l'ai jamais reçu.", 1),
        ("Conseiller : Je n'ai jamais reçu de mail, il devait arriver lundi.", 1),
        ("Conseiller : Je n'ai jamais reçu de mail de votre part avant aujourd'hui, vous savez.", 0),
    ],
)
def test_when_near_requires_context_close_to_the_match(nlp, tmp_path, text, flagged):
    assert len(audit_text(nlp, tmp_path, WHEN_NEAR, text)) == flagged


WHEN_WINDOW = FORBIDDEN + textwrap.indent("when: {match: {phrases: [furieux]}, speaker: customer, before: 1}\n", "    ")


def test_when_window_requires_context_in_earlier_turns(nlp, tmp_path):
    assert len(audit_text(nlp, tmp_path, WHEN_WINDOW, "Client : Je suis furieux.\nConseiller : Votre marchandise.")) == 1
    assert audit_text(nlp, tmp_path, WHEN_WINDOW, "Client : Bonjour.\nConseiller : Votre marchandise.") == []


def test_a_brand_or_model_named_by_the_customer_is_their_item(nlp, tmp_path):
    pack = FORBIDDEN + textwrap.indent('suggestion: ["« {customer_item} »"]\n', "    ")
    conversation = "Client : Mon Samsung Galaxy S21 ne charge plus.\nConseiller : Votre marchandise part."
    assert audit_text(nlp, tmp_path, pack, conversation)[0].suggestion == "« votre Samsung Galaxy S21 »"


def test_a_critical_rule_fails_the_transcript(nlp, tmp_path):
    from transcript_audit.scoring import score

    findings = audit_text(nlp, tmp_path, FORBIDDEN + "    critical: true\n", "Conseiller : Votre marchandise.")
    assert findings[0].critical and score(findings) == 0
    ordinary = audit_text(nlp, tmp_path, FORBIDDEN, "Conseiller : Votre marchandise.")
    assert score(ordinary) == 90


def test_a_regex_that_runs_out_of_time_skips_its_rule_and_the_audit_goes_on(nlp, tmp_path, monkeypatch):
    """(a|aa)+b passes the load-time check (no repeat inside a repeat) but backtracks
    exponentially on a long run of "a": the time limit stops it."""
    from transcript_audit import matching

    monkeypatch.setattr(matching, "REGEX_TIMEOUT", 0.05)
    pack = RULE_HEAD.replace("test-rule", "slow-rule") + "    check: forbidden\n    match: {regex: ['(a|aa)+b']}\n"
    pack += RULE_HEAD.replace("test-rule", "quick-rule").replace("rules:\n", "") + "    check: forbidden\n    match: {forms: [marchandise]}\n"
    path = tmp_path / "pack.yaml"
    path.write_text(textwrap.dedent(pack), encoding="utf-8")
    rules, errors = rules_and_errors(path)
    assert not errors, errors
    conversation = f"Conseiller : {'a' * 40} ! Votre marchandise.\nConseiller : {'a' * 40} ! Votre marchandise.\n"
    transcripts, _ = labelled_text.parse(conversation, "t.txt")
    auditor = Auditor(rules, nlp=nlp)
    (result,) = auditor.audit_transcripts(transcripts)
    assert [f.rule for f in result.findings] == ["quick-rule", "quick-rule"]
    (error,) = auditor.errors  # reported once, then the rule is skipped
    assert "règle « slow-rule » ignorée pour le reste de l’audit" in error.message and "(a|aa)+b" in error.message
    assert error.path.endswith("pack.yaml") and error.line is not None
