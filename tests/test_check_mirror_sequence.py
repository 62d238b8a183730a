"""The ``mirror``, ``sequence`` and ``customer-name`` check types, on small rule packs written here."""

from __future__ import annotations

import textwrap

import pytest

from transcript_audit.checks.customer_name import person_name, signature
from transcript_audit.checks.mirror import _is_generic
from transcript_audit.engine import Auditor
from transcript_audit.readers import labelled_text

from .conftest import rules_and_errors

HEAD = """
rules:
  - id: test-rule
    category: test
    severity: warning
    rationale: "parce que"
    examples: {flag: [], pass: []}
"""


def pack(body: str) -> str:
    return HEAD + textwrap.indent(textwrap.dedent(body), "    ")


def load(tmp_path, rule_yaml: str):
    path = tmp_path / "pack.yaml"
    path.write_text(textwrap.dedent(rule_yaml), encoding="utf-8")
    return rules_and_errors(path)


def audit(nlp, tmp_path, rule_yaml: str, conversation: str, channel: str = "email"):
    rules, errors = load(tmp_path, rule_yaml)
    assert not errors, errors
    transcripts, read_errors = labelled_text.parse(textwrap.dedent(conversation).strip(), "t.txt")
    assert not read_errors, read_errors
    transcripts[0].channel = channel
    return next(Auditor(rules, nlp=nlp).audit_transcripts(transcripts)).findings


# ---------------------------------------------------------------- mirror

MIRROR = pack(
    """
    check: mirror
    message: "« {match} » au lieu de « {customer_item} »"
    suggestion: "Dites « {customer_item} »."
    match:
      patterns:
        - [{LOWER: {IN: [le, "l'"]}}, {LEMMA: {IN: [appareil, matériel]}}]
    """
)
MIRROR_ECHO = MIRROR + "    unless: {echo: true, speaker: customer, before: all}\n"


def test_mirror_flags_a_generic_word_after_the_customer_named_the_item(nlp, tmp_path):
    findings = audit(
        nlp,
        tmp_path,
        MIRROR,
        """
        Client : Mon ordinateur portable ne s'allume plus.
        Conseiller : L'appareil est sous garantie, le matériel part demain.
        """,
    )
    assert [(f.turn, f.match) for f in findings] == [(2, "L'appareil"), (2, "le matériel")]
    assert findings[0].message == "« L'appareil » au lieu de « votre ordinateur portable »"
    assert findings[0].suggestion == "Dites « votre ordinateur portable »."
    assert (findings[0].line, findings[0].column) == (2, 14)


@pytest.mark.parametrize(
    "conversation",
    [
        # Nobody named the item.
        "Client : Bonjour.\nConseiller : L'appareil est sous garantie.",
        # Named only after the agent's turn.
        "Conseiller : L'appareil est sous garantie.\nClient : Mon ordinateur portable, oui.",
        # The customer's naming is itself generic: nothing better to suggest.
        "Client : Mon appareil ne s'allume plus.\nConseiller : Le matériel est sous garantie.",
        # The customer's own turns are not judged (speaker: agent).
        "Client : Mon ordinateur portable ne s'allume plus, l'appareil est mort.",
    ],
)
def test_mirror_needs_an_earlier_concrete_naming_by_the_customer(nlp, tmp_path, conversation):
    assert audit(nlp, tmp_path, MIRROR, conversation) == []


def test_mirror_with_echo_accepts_the_customers_own_word(nlp, tmp_path):
    echoed = (
        "Client : J'ai acheté un reflex numérique, mon appareil photo ne s'allume plus.\n"
        "Conseiller : L'appareil photo est sous garantie."
    )
    assert [f.suggestion for f in audit(nlp, tmp_path, MIRROR, echoed)] == ["Dites « votre reflex numérique »."]
    assert audit(nlp, tmp_path, MIRROR_ECHO, echoed) == []
    not_echoed = "Client : Ma machine à café fuit.\nConseiller : L'appareil est sous garantie."
    assert [f.suggestion for f in audit(nlp, tmp_path, MIRROR_ECHO, not_echoed)] == ["Dites « votre machine à café »."]


def test_mirror_appareil_photo_named_and_echoed_is_not_flagged(nlp, tmp_path):
    # "mon appareil photo" names nothing better than "l'appareil" to suggest, and the
    # agent repeats the customer's words.
    conversation = "Client : Mon appareil photo ne s'allume plus.\nConseiller : L'appareil photo est sous garantie."
    assert audit(nlp, tmp_path, MIRROR, conversation) == []
    assert audit(nlp, tmp_path, MIRROR_ECHO, conversation) == []


@pytest.mark.parametrize(
    ("item", "generic"),
    [
        ("votre appareil", True),
        ("vos appareils", True),
        ("votre colis abîmé", True),
        ("votre appareil à raclette", False),
        ("votre ordinateur portable", False),
        ("votre machine à café", False),
    ],
)
def test_a_generic_naming_is_not_worth_mirroring(item, generic):
    assert _is_generic(item) is generic


def test_mirror_requires_match(tmp_path):
    _, errors = load(tmp_path, pack('check: mirror\nmessage: "m"\n'))
    assert [e.message for e in errors] == ["missing required key 'match'"]


# ---------------------------------------------------------------- sequence

SEQUENCE = pack(
    """
    check: sequence
    speaker: customer
    message: "« {match} » après « {trigger} »"
    first:
      speaker: agent
      match: {phrases: [je vous envoie]}
    match:
      phrases: [je n'ai rien reçu, toujours rien]
    """
)


@pytest.mark.parametrize(
    ("conversation", "flagged_turns"),
    [
        ("Conseiller : Je vous envoie un mail.\nClient : Je n'ai rien reçu.", [2]),
        # The later turn may be far: any later turn by default.
        ("Conseiller : Je vous envoie un mail.\nClient : Bien.\nConseiller : Voilà.\nClient : Toujours rien.", [4]),
        # The complaint came first: no promise before it.
        ("Client : Je n'ai rien reçu.\nConseiller : Je vous envoie un mail.\nClient : Merci.", []),
        # Kept promise.
        ("Conseiller : Je vous envoie un mail.\nClient : Bien reçu, merci.", []),
        # One promise, one finding: the repeated complaint is not reported again.
        ("Conseiller : Je vous envoie un mail.\nClient : Je n'ai rien reçu.\nConseiller : Ah.\nClient : Toujours rien.", [2]),
        # A new promise, broken again.
        (
            "Conseiller : Je vous envoie un mail.\nClient : Je n'ai rien reçu.\n"
            "Conseiller : Je vous envoie un autre mail.\nClient : Toujours rien.",
            [2, 4],
        ),
        # Two promises before one complaint: reported once.
        ("Conseiller : Je vous envoie un mail.\nConseiller : Je vous envoie un SMS.\nClient : Je n'ai rien reçu.", [3]),
        # The later words must come from the rule's speaker.
        ("Conseiller : Je vous envoie un mail.\nConseiller : Je n'ai rien reçu.", []),
        # A negation is no promise.
        ("Conseiller : Je ne vous envoie rien.\nClient : Je n'ai rien reçu.", []),
    ],
)
def test_sequence_flags_a_later_turn_after_an_earlier_one(nlp, tmp_path, conversation, flagged_turns):
    assert [f.turn for f in audit(nlp, tmp_path, SEQUENCE, conversation)] == flagged_turns


def test_sequence_points_at_the_later_words_and_quotes_the_earlier_sentence(nlp, tmp_path):
    findings = audit(
        nlp,
        tmp_path,
        SEQUENCE,
        """
        Conseiller : Bonjour, je vous envoie un mail avec l'étiquette. Bonne journée.
        Client : Bonjour, je n'ai rien reçu.
        """,
    )
    assert [(f.turn, f.line, f.column, f.match) for f in findings] == [(2, 2, 19, "je n'ai rien reçu")]
    assert findings[0].message == "« je n'ai rien reçu » après « je vous envoie un mail avec l'étiquette »"


def test_sequence_quotes_the_most_recent_earlier_turn(nlp, tmp_path):
    findings = audit(
        nlp,
        tmp_path,
        SEQUENCE,
        "Conseiller : Je vous envoie un mail.\nConseiller : Je vous envoie un SMS.\nClient : Je n'ai rien reçu.",
    )
    assert findings[0].message == "« Je n'ai rien reçu » après « Je vous envoie un SMS »"


def test_sequence_quote_of_a_long_sentence_is_cut_at_a_word(nlp, tmp_path):
    promise = "Je vous envoie " + "un très long message " * 6
    findings = audit(nlp, tmp_path, SEQUENCE, f"Conseiller : {promise}\nClient : Je n'ai rien reçu.")
    quote = findings[0].message.split("après « ")[1].rstrip(" »")
    assert quote.startswith("Je vous envoie un très long") and quote.endswith("…")
    assert len(quote) < len(promise) and not quote[:-1].endswith(" ")


@pytest.mark.parametrize(
    ("conversation", "flagged_turns"),
    [
        ("Conseiller : Je vous envoie un mail.\nClient : Bien.\nClient : Je n'ai rien reçu.", [3]),
        ("Conseiller : Je vous envoie un mail.\nClient : Bien.\nClient : Oui.\nClient : Je n'ai rien reçu.", []),
    ],
)
def test_sequence_turns_limits_how_many_of_the_speakers_turns_later(nlp, tmp_path, conversation, flagged_turns):
    limited = SEQUENCE + "    turns: 2\n"
    assert [f.turn for f in audit(nlp, tmp_path, limited, conversation)] == flagged_turns


def test_sequence_unless_excuses_the_later_words(nlp, tmp_path):
    excused = SEQUENCE + "    unless: {match: {phrases: [avec la facture]}, near: 2}\n"
    conversation = "Conseiller : Je vous envoie un mail.\nClient : Je n'ai rien reçu avec la facture."
    assert audit(nlp, tmp_path, excused, conversation) == []
    assert len(audit(nlp, tmp_path, SEQUENCE, conversation)) == 1


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ("turns: 0\n", "must be a whole number of turns, 1 or more"),
        ("first: {speaker: agent}\n", "missing required key 'match'"),
    ],
)
def test_sequence_keys_are_validated(tmp_path, extra, message):
    body = SEQUENCE.replace("    first:\n      speaker: agent\n      match: {phrases: [je vous envoie]}\n", "")
    _, errors = load(tmp_path, body + textwrap.indent(extra, "    "))
    assert message in [e.message for e in errors]


# ---------------------------------------------------------------- customer-name


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("Mme Durand", ("durand",)),
        ("M. Paul Martin", ("martin",)),
        ("Gérard Pasquier", ("pasquier", "gerard")),
        ("G. Pasquier", ("pasquier",)),
        ("PASQUIER Gérard", ("pasquier", "gerard")),
        ("Jean-Pierre O'Neil", ("o'neil", "jean-pierre")),
        ("Paul", None),  # a first name alone
        ("Client", None),
        ("Service Client", None),
        ("Bien Cordialement", None),
        ("Bonne Journée", None),
        ("12 rue des Tanneurs", None),
        ("gerard.pasquier@exemple.fr", None),
        ("Envoyé de mon iPhone", None),
    ],
)
def test_person_name(text, words):
    name = person_name(text)
    assert (name.words if name else None) == words


def test_signature_is_a_name_line_at_the_end_of_a_message():
    message = "Bonjour,\nma machine ne chauffe plus.\nMerci d'avance,\nGérard Pasquier\n12 rue des Tanneurs\nTél. : 06 12 34 56 78"
    assert signature(message).written == "Gérard Pasquier"
    assert signature("Gérard Pasquier") is None  # a one-line message has no signature apart from its text
    assert signature("Bonjour,\nCatherine Roux\n" + "suite du message\n" * 5) is None  # too far from the end


CUSTOMER_NAME = pack(
    """
    check: customer-name
    message: "nom : {trigger}"
    """
)


@pytest.mark.parametrize(
    ("conversation", "flagged_turns"),
    [
        # A name the transcript gives is judged from the customer's first turn on
        # (a welcome message before it is often automatic).
        ("# customer: Mme Durand\nConseiller : Bonjour.\nClient : Bonjour.\nConseiller : Voilà.", [3]),
        ("# customer: Mme Durand\nClient : Bonjour.\nConseiller : Voilà.", [2]),
        ("# customer: Mme Durand\nConseiller : Bonjour.\nClient : Bonjour.\nConseiller : Voilà, Madame Durand.", []),
        # Known from a signature: judged from the agent's next turn on.
        ("Conseiller : Bonjour.\nClient : Bonjour,\n  merci.\n  Catherine Roux\nConseiller : Voilà.", [3]),
        ("Conseiller : Bonjour.\nClient : Bonjour,\n  merci.\n  Catherine Roux\nConseiller : Voilà, Catherine.", []),
        # Known only after the agent's last turn: nothing to judge.
        ("Conseiller : Bonjour.\nClient : Bonjour,\n  merci.\n  Catherine Roux", []),
        # No name.
        ("Client : Bonjour,\n  merci.\n  Catherine\nConseiller : Voilà.", []),
    ],
)
def test_customer_name_flags_a_name_never_used(nlp, tmp_path, conversation, flagged_turns):
    findings = audit(nlp, tmp_path, CUSTOMER_NAME, conversation)
    assert [f.turn for f in findings] == flagged_turns
    assert all(f.match is None and f.message.startswith("nom : ") for f in findings)


def test_customer_name_quotes_the_name_as_given(nlp, tmp_path):
    findings = audit(nlp, tmp_path, CUSTOMER_NAME, "Client : Bonjour,\n  PASQUIER Gérard\nConseiller : Bonjour.")
    assert findings[0].message == "nom : PASQUIER Gérard"
