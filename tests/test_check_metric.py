"""The ``metric`` check: each measure, its thresholds, its scopes, its load errors.

Conversations are built as ``Transcript`` values (to set turn ends, which the
speaker-labelled format has no way to give) or parsed from labelled text.
"""

from __future__ import annotations

import textwrap

import pytest

from transcript_audit.checks.metric import Metric, count_words, format_value
from transcript_audit.engine import Auditor
from transcript_audit.model import Role, Transcript, Turn
from transcript_audit.readers import labelled_text

from .conftest import rules_and_errors

HEAD = """
rules:
  - id: test-metric
    category: test
    severity: warning
    message: "mesuré : {value}"
    rationale: "parce que"
    examples: {flag: [], pass: []}
"""

DAY = 1_709_251_200.0  # 2024-03-01 00:00 UTC: e-mail times are POSIX seconds
HOUR = 3600.0


def pack(body: str) -> str:
    return HEAD + textwrap.indent(textwrap.dedent(body), "    ")


def load(tmp_path, text: str):
    path = tmp_path / "pack.yaml"
    path.write_text(text, encoding="utf-8")
    return rules_and_errors(path, validate_patterns=False)


def conversation(*turns: tuple, channel: str = "call") -> Transcript:
    """Turns as (role, text) or (role, text, start) or (role, text, start, end); role "a", "c" or "?"."""
    roles = {"a": Role.AGENT, "c": Role.CUSTOMER, "?": Role.UNKNOWN}
    built = []
    for line, (role, text, *times) in enumerate(turns, start=1):
        start, end = (list(times) + [None, None])[:2]
        built.append(Turn(role=roles[role], speaker=roles[role].value, text=text, line=line, start=start, end=end))
    return Transcript(id="t", path="t.txt", channel=channel, turns=built)


def labelled(text: str, channel: str = "call") -> Transcript:
    transcripts, errors = labelled_text.parse(textwrap.dedent(text).strip(), "t.txt")
    assert not errors, errors
    transcripts[0].channel = channel
    return transcripts[0]


def audit(nlp, tmp_path, body: str, transcript: Transcript):
    rules, errors = load(tmp_path, pack(body))
    assert not errors, errors
    auditor = Auditor(rules, nlp=nlp)
    return next(auditor.audit_transcripts([transcript])).findings


def flagged(findings) -> list[tuple[int, str]]:
    return [(finding.turn, finding.message.removeprefix("mesuré : ")) for finding in findings]


def words(n: int) -> str:
    return " ".join(["mot"] * n)


# ---------------------------------------------------------------- helpers


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("C'est aujourd'hui, peut-être.", 3),  # inner apostrophes and hyphens keep a word whole
        ("Votre colis arrive jeudi !", 4),
        ("Le 4412, 12,50 €.", 4),  # numbers are words; punctuation and symbols are not
        ("", 0),
        ("… ? !", 0),
    ],
)
def test_count_words(text, expected):
    assert count_words(text) == expected


@pytest.mark.parametrize(("value", "shown"), [(121, "121"), (72.46, "72,5"), (70.04, "70"), (0.25, "0,2"), (56.5, "56,5")])
def test_values_are_shown_the_french_way(value, shown):
    assert format_value(value) == shown


# ---------------------------------------------------------------- words

WORDS = """
check: metric
measure: words
above: 5
"""


def test_words_flags_a_turn_strictly_above_the_threshold_with_its_value(nlp, tmp_path):
    transcript = conversation(("c", words(40)), ("a", words(5)), ("a", words(6)))
    findings = audit(nlp, tmp_path, WORDS, transcript)
    assert flagged(findings) == [(3, "6")]
    assert findings[0].match is None and findings[0].line == 3


def test_words_speaker_scope(nlp, tmp_path):
    transcript = conversation(("c", words(40)), ("a", words(2)))
    assert audit(nlp, tmp_path, WORDS, transcript) == []
    assert flagged(audit(nlp, tmp_path, WORDS + "speaker: customer\n", transcript)) == [(1, "40")]


def test_channel_scope(nlp, tmp_path):
    body = WORDS + "channels: [call, chat]\n"
    assert len(audit(nlp, tmp_path, body, conversation(("a", words(9)), channel="chat"))) == 1
    assert audit(nlp, tmp_path, body, conversation(("a", words(9)), channel="email")) == []


@pytest.mark.parametrize(("n", "found"), [(2, ["2"]), (3, []), (6, []), (10, [])])
def test_below_alone_flags_short_turns(nlp, tmp_path, n, found):
    body = "check: metric\nmeasure: words\nbelow: 3\n"
    assert [value for _, value in flagged(audit(nlp, tmp_path, body, conversation(("a", words(n)))))] == found


@pytest.mark.parametrize(("n", "found"), [(5, False), (6, True), (9, True), (10, False)])
def test_above_and_below_together_are_a_band(nlp, tmp_path, n, found):
    body = "check: metric\nmeasure: words\nabove: 5\nbelow: 10\n"
    assert bool(audit(nlp, tmp_path, body, conversation(("a", words(n))))) is found


def test_min_turns_applies_to_every_measure(nlp, tmp_path):
    body = WORDS + "min_turns: 3\n"
    assert audit(nlp, tmp_path, body, conversation(("c", "Allô ?"), ("a", words(9)))) == []
    assert len(audit(nlp, tmp_path, body, conversation(("c", "Allô ?"), ("a", words(9)), ("c", "Merci.")))) == 1


def test_unless_excuses_through_the_conversation(nlp, tmp_path):
    body = WORDS + "unless: {match: {phrases: [je récapitule]}}\n"
    transcript = conversation(("a", "Je récapitule : " + words(10)), ("a", words(10)))
    assert [turn for turn, _ in flagged(audit(nlp, tmp_path, body, transcript))] == [2]


def test_value_fills_message_and_suggestion(nlp, tmp_path):
    body = WORDS + 'suggestion: "Coupez ces {value} mots en deux."\n'
    findings = audit(nlp, tmp_path, body, conversation(("a", words(8))))
    assert findings[0].message == "mesuré : 8"
    assert findings[0].suggestion == "Coupez ces 8 mots en deux."


# ---------------------------------------------------------------- terms

TERMS = """
check: metric
measure: terms
above: 3
match:
  phrases: [plateforme, plateforme logistique, hub, transporteur, entrepôt, centre de tri, quai, palette]
"""


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("Votre colis est passé par la plateforme, le hub et le centre de tri.", None),  # 3 terms
        ("Votre colis est passé par la plateforme, le hub, le centre de tri et le transporteur.", "4"),
        # inflections of one phrase are one term
        ("Les entrepôts, l'entrepôt, les quais, le quai, les palettes et la palette.", None),
        ("Les entrepôts, les quais, les palettes, et enfin le hub.", "4"),
        # a term said four times is one term
        ("Le transporteur, le transporteur, le transporteur et encore le transporteur.", None),
        # the longer phrase is one term: "plateforme logistique" and "plateforme" are two phrases
        ("La plateforme logistique, puis la plateforme, le hub et le quai.", "4"),
    ],
)
def test_terms_counts_distinct_terms(nlp, tmp_path, text, value):
    findings = audit(nlp, tmp_path, TERMS, conversation(("a", text)))
    assert [v for _, v in flagged(findings)] == ([value] if value else [])


def test_terms_points_at_the_first_term(nlp, tmp_path):
    transcript = conversation(("c", "Bonjour."), ("a", "Alors : le hub, la plateforme, le quai, la palette."))
    (finding,) = audit(nlp, tmp_path, TERMS, transcript)
    assert (finding.turn, finding.match, finding.column) == (2, "hub", 1 + len("Alors : le "))


def test_terms_of_the_customer_are_not_the_agents(nlp, tmp_path):
    transcript = conversation(("c", "Votre hub, votre plateforme, votre quai, vos palettes !"), ("a", "Je regarde."))
    assert audit(nlp, tmp_path, TERMS, transcript) == []


def test_terms_with_patterns_count_by_words(nlp, tmp_path):
    body = "check: metric\nmeasure: terms\nabove: 1\nmatch: {regex: ['\\bflux\\b', '\\bquai\\b']}\n"
    assert audit(nlp, tmp_path, body, conversation(("a", "Le flux, le flux, le flux."))) == []
    assert flagged(audit(nlp, tmp_path, body, conversation(("a", "Le flux arrive à quai.")))) == [(1, "2")]


# ---------------------------------------------------------------- talk_share

SHARE = """
check: metric
measure: talk_share
above: 70
min_turns: 4
"""


def test_talk_share_points_at_the_longest_turn_of_the_speaker(nlp, tmp_path):
    transcript = conversation(("a", words(20)), ("c", words(5)), ("a", words(30)), ("c", words(5)))
    assert flagged(audit(nlp, tmp_path, SHARE, transcript)) == [(3, "83,3")]


@pytest.mark.parametrize(("agent", "customer", "found"), [(70, 30, False), (71, 29, True), (65, 35, False)])
def test_talk_share_boundary(nlp, tmp_path, agent, customer, found):
    transcript = conversation(("a", words(agent - 3)), ("c", words(customer - 1)), ("a", words(3)), ("c", words(1)))
    assert bool(audit(nlp, tmp_path, SHARE, transcript)) is found


def test_talk_share_needs_min_turns(nlp, tmp_path):
    short = conversation(("a", words(50)), ("c", words(1)), ("a", words(50)))
    assert audit(nlp, tmp_path, SHARE, short) == []


def test_talk_share_of_the_customer_and_of_an_absent_speaker(nlp, tmp_path):
    transcript = conversation(("c", words(50)), ("a", words(1)), ("c", words(50)), ("a", words(1)))
    assert audit(nlp, tmp_path, SHARE, transcript) == []
    assert flagged(audit(nlp, tmp_path, SHARE + "speaker: customer\n", transcript)) == [(1, "98")]
    silent_agent = conversation(("c", words(5)), ("c", words(5)), ("c", words(5)), ("c", words(5)))
    assert audit(nlp, tmp_path, SHARE.replace("above: 70", "below: 10"), silent_agent) == []  # no turn to point at


# ---------------------------------------------------------------- gap

GAP = """
check: metric
measure: gap
above: 60
"""


def test_gap_counts_from_the_previous_end(nlp, tmp_path):
    transcript = conversation(("c", "Le 4412.", 10.0, 20.0), ("a", "Voilà.", 81.0, 85.0), ("a", "Autre chose ?", 145.0))
    assert flagged(audit(nlp, tmp_path, GAP, transcript)) == [(2, "61")]  # 145 - 85 = 60: not above


def test_gap_counts_from_the_previous_start_when_no_end(nlp, tmp_path):
    transcript = labelled(
        """
        [00:00:10] Client : Le 4412.
        [00:01:11] Conseiller : Voilà.
        [00:01:20] Client : Merci.
        [00:02:20] Conseiller : Autre chose ?
        """
    )
    assert flagged(audit(nlp, tmp_path, GAP, transcript)) == [(2, "61")]


def test_gap_before_a_customer_turn_is_the_customers(nlp, tmp_path):
    transcript = conversation(("a", "Votre facture ?", 0.0), ("c", "La voilà.", 200.0), ("a", "Merci.", 205.0))
    assert audit(nlp, tmp_path, GAP, transcript) == []
    assert flagged(audit(nlp, tmp_path, GAP + "speaker: customer\n", transcript)) == [(2, "200")]


@pytest.mark.parametrize(
    "turns",
    [
        [("c", "Le 4412."), ("a", "Voilà.")],  # no times at all
        [("c", "Le 4412."), ("a", "Voilà.", 300.0)],  # the previous turn has no time
        [("c", "Le 4412.", 0.0), ("a", "Voilà.")],  # the turn itself has no time
        [("a", "Bonjour.", 300.0)],  # the first turn has nothing before it
    ],
)
def test_gap_needs_times(nlp, tmp_path, turns):
    assert audit(nlp, tmp_path, GAP, conversation(*turns)) == []


def test_gap_can_be_excused_by_an_announced_hold(nlp, tmp_path):
    body = GAP + "unless: {before: 1, match: {phrases: [je vous mets en attente]}}\n"
    held = labelled(
        """
        [00:00:10] Conseiller : Je vous mets en attente.
        [00:00:12] Client : D'accord.
        [00:01:30] Conseiller : Merci de votre patience.
        """
    )
    silent = labelled(
        """
        [00:00:10] Conseiller : Je regarde.
        [00:00:12] Client : D'accord.
        [00:01:30] Conseiller : Voilà.
        """
    )
    assert audit(nlp, tmp_path, body, held) == []
    assert flagged(audit(nlp, tmp_path, body, silent)) == [(3, "78")]


# ---------------------------------------------------------------- reply_delay

DELAY = """
check: metric
measure: reply_delay
above: 48
"""


def test_reply_delay_in_hours_from_the_first_unanswered_message(nlp, tmp_path):
    transcript = conversation(
        ("c", "Où est ma commande ?", DAY),
        ("c", "Je relance.", DAY + 30 * HOUR),
        ("c", "Toujours rien ?", DAY + 47 * HOUR),
        ("a", "Elle arrive.", DAY + 50.5 * HOUR),
        channel="email",
    )
    assert flagged(audit(nlp, tmp_path, DELAY, transcript)) == [(4, "50,5")]


@pytest.mark.parametrize(("hours", "found"), [(30, False), (48, False), (48.5, True), (100, True)])
def test_reply_delay_boundary(nlp, tmp_path, hours, found):
    transcript = conversation(("c", "Bonjour ?", DAY), ("a", "Bonjour.", DAY + hours * HOUR), channel="email")
    assert bool(audit(nlp, tmp_path, DELAY, transcript)) is found


def test_reply_delay_judges_only_the_speakers_replies(nlp, tmp_path):
    transcript = conversation(
        ("a", "Une photo du carton ?", DAY),
        ("c", "La voici.", DAY + 100 * HOUR),  # the customer's delay
        ("a", "Merci.", DAY + 101 * HOUR),
        ("c", "Et la facture ?", DAY + 102 * HOUR),  # never answered: not judged
        channel="email",
    )
    assert audit(nlp, tmp_path, DELAY, transcript) == []
    assert flagged(audit(nlp, tmp_path, DELAY + "speaker: customer\n", transcript)) == [(2, "100")]


def test_reply_delay_after_an_agent_reply_counts_from_the_next_customer_message(nlp, tmp_path):
    transcript = conversation(
        ("c", "Bonjour ?", DAY),
        ("a", "Je regarde.", DAY + 1 * HOUR),
        ("c", "Alors ?", DAY + 10 * HOUR),
        ("a", "C'est réglé.", DAY + 70 * HOUR),
        channel="email",
    )
    assert flagged(audit(nlp, tmp_path, DELAY, transcript)) == [(4, "60")]


@pytest.mark.parametrize(
    "turns",
    [
        [("c", "Bonjour ?"), ("a", "Bonjour.")],  # no dates
        [("c", "Bonjour ?"), ("a", "Bonjour.", DAY + 100 * HOUR)],  # the message has no date
        [("c", "Bonjour ?", DAY + 100 * HOUR), ("a", "Bonjour.", DAY)],  # a reply dated before: not a reply
        [("c", "Bonjour ?", DAY), ("?", "Transmis.", DAY + 60 * HOUR)],  # an unknown speaker answers nothing
    ],
)
def test_reply_delay_needs_dates_in_order(nlp, tmp_path, turns):
    assert audit(nlp, tmp_path, DELAY, conversation(*turns, channel="email")) == []


def test_reply_delay_from_labelled_dates(nlp, tmp_path):
    transcript = labelled(
        """
        [2024-03-04 09:15] Client : Ma commande n'est pas arrivée.
        [2024-03-07 11:00] Conseiller : Elle a été livrée ce matin.
        """,
        channel="email",
    )
    assert flagged(audit(nlp, tmp_path, DELAY, transcript)) == [(2, "73,8")]


# ---------------------------------------------------------------- loading


def test_a_metric_rule_loads_with_its_defaults(tmp_path):
    rules, errors = load(tmp_path, pack(WORDS))
    assert errors == []
    assert rules[0].options == {"measure": "words", "above": 5, "below": None, "match": None, "min_turns": 1}


@pytest.mark.parametrize(
    ("body", "needle"),
    [
        ("check: metric\nmeasure: length\nabove: 5\n", "must be one of: words, terms, talk_share, gap, reply_delay (got 'length')"),
        ("check: metric\nmeasure: words\nabove: beaucoup\n", "must be a number, 0 or more"),
        ("check: metric\nmeasure: words\nabove: -5\n", "must be a number, 0 or more"),
        ("check: metric\nmeasure: words\nabove: true\n", "must be a number, 0 or more"),
        ("check: metric\nmeasure: words\nabove: .inf\n", "must be a number, 0 or more"),
        ("check: metric\nmeasure: words\nabove: 5\nmin_turns: 0\n", "must be a whole number of turns, 1 or more"),
        ("check: metric\nmeasure: words\nabove: 5\nmin_turns: 2.5\n", "must be a whole number of turns, 1 or more"),
        ("check: metric\nmeasure: words\nabvoe: 5\n", "unknown key 'abvoe' (did you mean 'above'?)"),
        ("check: metric\nabove: 5\n", "missing required key 'measure'"),
        ("check: metric\nmeasure: terms\nabove: 3\nmatch: {phrase: [hub]}\n", "unknown key 'phrase' (did you mean 'phrases'?)"),
    ],
)
def test_invalid_keys_are_load_errors(tmp_path, body, needle):
    rules, errors = load(tmp_path, pack(body))
    assert rules == []
    assert any(needle in error.message for error in errors), [str(error) for error in errors]
    assert all(error.line is not None for error in errors)


def test_a_decimal_threshold_loads(tmp_path):
    rules, errors = load(tmp_path, pack("check: metric\nmeasure: reply_delay\nabove: 0.5\n"))
    assert errors == [] and rules[0].options["above"] == 0.5


def test_an_unknown_placeholder_names_value_among_the_available_ones(tmp_path):
    rules, errors = load(tmp_path, pack(WORDS).replace("{value}", "{valeur}"))
    assert rules == [] and "unknown placeholder '{valeur}'" in errors[0].message and "{value}" in errors[0].message


CROSS_KEY_PROBLEMS = [
    ({"measure": "words", "above": None, "below": None, "match": None}, None, "needs 'above', 'below' or both"),
    ({"measure": "words", "above": 10, "below": 10, "match": None}, "below", "must be more than 'above'"),
    ({"measure": "terms", "above": 3, "below": None, "match": None}, "measure", "measure 'terms' needs 'match'"),
    ({"measure": "gap", "above": 60, "below": None, "match": object()}, "match", "only used by measure 'terms'"),
]


@pytest.mark.parametrize(("options", "key", "needle"), CROSS_KEY_PROBLEMS)
def test_problems_between_keys(options, key, needle):
    ((where, message),) = Metric.validate(options)
    assert where == key and needle in message


def test_a_rule_with_problems_between_keys_cannot_run(tmp_path):
    rules, errors = load(tmp_path, pack(TERMS))
    rules[0].options["match"] = None  # however it was built, a terms rule without terms is refused
    with pytest.raises(ValueError, match="measure 'terms' needs 'match'"):
        Metric(rules[0])


@pytest.mark.parametrize(
    "body",
    [
        "check: metric\nmeasure: words\n",
        "check: metric\nmeasure: terms\nabove: 3\n",
        "check: metric\nmeasure: words\nabove: 10\nbelow: 5\n",
    ],
)
def test_problems_between_keys_are_load_errors(tmp_path, body):
    rules, errors = load(tmp_path, pack(body))
    assert rules == [] and len(errors) == 1 and errors[0].line is not None
