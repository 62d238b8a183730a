"""Rule packs are validated on load: every problem, located at file:line:column.

Only one test validates spaCy token patterns (it imports ``spacy.schemas``,
never a model); every other test loads with ``validate_patterns=False``.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from transcript_audit.model import CHANNELS, Severity
from transcript_audit.rule_loader import RuleLoadError, builtin_rules_dir, load_rules, rule_files
from transcript_audit.rule_model import ALL, Expression, Phrase, Trigger, Unless

from .conftest import rules_and_errors

FORBIDDEN = """\
rules:
  - id: jargon-marchandise
    category: jargon
    severity: warning
    check: forbidden
    message: "« {match} » : dites plutôt « votre colis »."
    rationale: "Le client ne parle pas de marchandise."
    examples:
      flag: ["Votre marchandise part demain."]
      pass: ["Votre colis part demain."]
    match:
      phrases: [votre marchandise]
"""

REQUIRED = """\
rules:
  - id: greeting-missing
    category: greeting
    severity: info
    check: required
    message: "Le conseiller ne salue pas."
    rationale: "Un accueil sans bonjour est sec."
    examples: {flag: ["Oui ?"], pass: ["Bonjour !"]}
    match: {phrases: [bonjour]}
"""

RESPONSE = """\
rules:
  - id: empathy-missing
    category: empathy
    severity: error
    check: response
    message: "Le client dit « {trigger} » et le conseiller n'en dit rien."
    rationale: "Un client en colère a d'abord besoin d'être entendu."
    examples: {flag: ["Votre numéro ?"], pass: ["Je comprends."]}
    trigger:
      match: {phrases: [c'est inadmissible]}
    match:
      phrases: [je comprends]
"""


def write(tmp_path: Path, text: str, name: str = "pack.yaml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def load(tmp_path: Path, text: str, name: str = "pack.yaml"):
    return rules_and_errors(write(tmp_path, text, name), validate_patterns=False)


def load_one(tmp_path: Path, text: str):
    rules, errors = load(tmp_path, text)
    assert errors == [], [str(error) for error in errors]
    assert len(rules) == 1
    return rules[0]


def where(text: str, needle: str, occurrence: int = 1) -> tuple[int, int]:
    """1-based (line, column) of the ``occurrence``-th ``needle`` in ``text``."""
    index = -1
    for _ in range(occurrence):
        index = text.index(needle, index + 1)
    line = text.count("\n", 0, index) + 1
    column = index - (text.rfind("\n", 0, index) + 1) + 1
    return line, column


def where_last(text: str, needle: str) -> tuple[int, int]:
    """1-based (line, column) of the last ``needle`` in ``text``."""
    index = text.rindex(needle)
    return text.count("\n", 0, index) + 1, index - (text.rfind("\n", 0, index) + 1) + 1


def located(errors) -> list[tuple[int | None, int | None]]:
    return [(error.line, error.column) for error in errors]


def error_at(errors, line: int, column: int | None = None):
    """The one error at ``line`` (and ``column``), failing with every error otherwise."""
    found = [e for e in errors if e.line == line and (column is None or e.column == column)]
    assert len(found) == 1, [str(error) for error in errors]
    return found[0]


# ---------------------------------------------------------------- valid rules and defaults


def test_minimal_forbidden_rule_loads_with_its_fields_and_defaults(tmp_path):
    path = write(tmp_path, FORBIDDEN)
    rules, errors = rules_and_errors(path, validate_patterns=False)
    assert errors == []
    (rule,) = rules
    assert (rule.id, rule.category, rule.severity, rule.check) == ("jargon-marchandise", "jargon", Severity.WARNING, "forbidden")
    assert rule.message == "« {match} » : dites plutôt « votre colis »."
    assert rule.rationale == "Le client ne parle pas de marchandise."
    assert (rule.speaker, rule.channels, rule.suggestion, rule.unless) == ("agent", CHANNELS, (), ())
    assert [e.text for e in rule.flag_examples] == ["Votre marchandise part demain."]
    assert [e.text for e in rule.pass_examples] == ["Votre colis part demain."]
    assert rule.flag_examples[0].line == where(FORBIDDEN, "flag:")[0]
    assert rule.options == {"match": Expression(phrases=(Phrase("votre marchandise"),))}
    assert (rule.source, rule.line) == (path.as_posix(), 2)


def test_minimal_required_rule_defaults_to_the_first_turn(tmp_path):
    rule = load_one(tmp_path, REQUIRED)
    assert (rule.check, rule.severity, rule.speaker, rule.channels) == ("required", Severity.INFO, "agent", CHANNELS)
    assert rule.options == {"match": Expression(phrases=(Phrase("bonjour"),)), "position": "first", "turns": 1}


def test_minimal_response_rule_defaults_to_a_customer_trigger_and_one_turn(tmp_path):
    rule = load_one(tmp_path, RESPONSE)
    assert (rule.check, rule.severity, rule.speaker) == ("response", Severity.ERROR, "agent")
    assert rule.options == {
        "trigger": Trigger(speaker="customer", match=Expression(phrases=(Phrase("c'est inadmissible"),))),
        "match": Expression(phrases=(Phrase("je comprends"),)),
        "turns": 1,
    }


def test_explicit_values_replace_the_defaults(tmp_path):
    text = REQUIRED + textwrap.indent(
        textwrap.dedent(
            """\
            speaker: customer
            channels: [email, chat]
            position: last
            turns: 2
            suggestion: "Dites bonjour."
            """
        ),
        "    ",
    )
    rule = load_one(tmp_path, text)
    assert (rule.speaker, rule.channels, rule.suggestion) == ("customer", ("email", "chat"), ("Dites bonjour.",))
    assert (rule.options["position"], rule.options["turns"]) == ("last", 2)


def test_phrases_with_a_suggestion_forms_patterns_and_regex_load(tmp_path):
    text = FORBIDDEN.replace(
        "      phrases: [votre marchandise]\n",
        "      phrases:\n"
        "        - votre marchandise\n"
        "        - {phrase: back-office, suggestion: notre équipe}\n"
        "      forms: [normalement]\n"
        "      patterns:\n"
        "        - [{LEMMA: produit, POS: NOUN}]\n"
        "      regex: ['\\bN\\s?\\+\\s?[12]\\b']\n",
    )
    match = load_one(tmp_path, text).options["match"]
    assert match.phrases == (Phrase("votre marchandise"), Phrase("back-office", "notre équipe"))
    assert match.forms == (Phrase("normalement"),)
    assert match.patterns == (({"LEMMA": "produit", "POS": "NOUN"},),)
    assert match.regex == (r"\bN\s?\+\s?[12]\b",)


# ---------------------------------------------------------------- unknown keys and wrong values


def test_a_typo_in_a_key_is_located_and_gets_the_nearest_key(tmp_path):
    text = FORBIDDEN.replace("    severity: warning\n", "    sevrity: warning\n")
    path = write(tmp_path, text)
    rules, errors = rules_and_errors(path, validate_patterns=False)
    assert rules == []
    line, column = where(text, "sevrity")
    typo = error_at(errors, line, column)
    assert "unknown key 'sevrity'" in typo.message and "did you mean 'severity'" in typo.message
    assert str(typo).startswith(f"{path.as_posix()}:{line}:{column}: ")
    assert any("missing required key 'severity'" in e.message for e in errors)


@pytest.mark.parametrize(
    ("pack", "old", "new", "needle", "fragment"),
    [
        (FORBIDDEN, "severity: warning", "severity: fatal", "fatal", "'severity' must be one of: info, warning, error"),
        (FORBIDDEN, "severity: warning", "severity: Warning", "Warning", "'severity' must be one of"),
        (FORBIDDEN, "check: forbidden", "check: banned", "banned", "unknown check 'banned'"),
        (FORBIDDEN, "severity: warning", "severity: warning\n    channels: [call, fax]", "fax", "unknown channel 'fax'"),
        (FORBIDDEN, "severity: warning", "severity: warning\n    channels: phone", "phone", "phone"),
        (FORBIDDEN, "severity: warning", "severity: warning\n    speaker: boss", "boss", "'speaker' must be one of"),
        (REQUIRED, "check: required", "check: required\n    turns: 0", "0", "1 or more"),
        (REQUIRED, "check: required", 'check: required\n    turns: "two"', 'two"', "whole number"),
        (REQUIRED, "check: required", "check: required\n    turns: true", "true", "whole number"),
        (REQUIRED, "check: required", "check: required\n    turns: 1.5", "1.5", "whole number"),
        (REQUIRED, "check: required", "check: required\n    position: middle", "middle", "first, last, each"),
        (RESPONSE, "check: response", "check: response\n    turns: -1", "-1", "1 or more"),
        (FORBIDDEN, "phrases: [votre marchandise]", "phrases: votre marchandise", "votre marchandise", "'phrases' must be a list"),
        (FORBIDDEN, "phrases: [votre marchandise]", "phrases: [votre marchandise, 42]", "42", "a phrase is a text"),
        (FORBIDDEN, "phrases: [votre marchandise]", "phrases: [{phrase: x, suggestion: 3}]", "3}", "'suggestion' must be a text"),
        (FORBIDDEN, 'flag: ["Votre marchandise part demain."]', "flag: [12]", "12", "an example is a text"),
        (FORBIDDEN, 'pass: ["Votre colis part demain."]', "pass: [Votre colis, 3.5]", "3.5", "an example is a text"),
        (FORBIDDEN, 'pass: ["Votre colis part demain."]', "pass: [{text: x, channel: fax}]", "fax", "'channel' must be one of"),
        (FORBIDDEN, 'message: "« {match} » : dites plutôt « votre colis »."', "message: 12", "12", "'message' must be a non-empty text"),
        (FORBIDDEN, 'rationale: "Le client ne parle pas de marchandise."', 'rationale: "  "', '  "', "'rationale' must be a non-empty text"),
        (FORBIDDEN, "category: jargon", "category: Jargon", "Jargon", "category 'Jargon'"),
        (RESPONSE, "      match: {phrases: [c'est inadmissible]}", "      speaker: boss\n      match: {phrases: [x]}", "boss", "'speaker' must be one of"),
    ],
    ids=[
        "severity-unknown", "severity-capitalised", "check-unknown", "channels-unknown", "channels-unknown-text",
        "speaker-unknown", "turns-zero", "turns-text", "turns-bool", "turns-float", "position-unknown",
        "turns-negative", "phrases-not-a-list", "phrase-number", "phrase-suggestion-number", "example-number",
        "example-float", "example-channel-unknown", "message-number", "rationale-empty", "category-capitalised",
        "trigger-speaker-unknown",
    ],
)
def test_a_wrong_value_is_reported_where_it_is(tmp_path, pack, old, new, needle, fragment):
    assert old in pack
    text = pack.replace(old, new, 1)
    rules, errors = load(tmp_path, text)
    assert rules == []
    index = text.index(new) + new.index(needle)  # the needle inside the replaced text
    error = error_at(errors, *where_last(text[: index + len(needle)], needle))
    assert fragment in error.message


@pytest.mark.parametrize(
    ("pack", "key"),
    [
        (FORBIDDEN, "message"),
        (FORBIDDEN, "rationale"),
        (FORBIDDEN, "examples"),
        (FORBIDDEN, "match"),
        (FORBIDDEN, "id"),
        (FORBIDDEN, "category"),
        (FORBIDDEN, "severity"),
        (FORBIDDEN, "check"),
        (REQUIRED, "match"),
        (RESPONSE, "trigger"),
        (RESPONSE, "match"),
    ],
)
def test_a_missing_required_key_is_reported_at_its_rule(tmp_path, pack, key):
    lines = pack.splitlines(keepends=True)
    start = next(i for i, line in enumerate(lines) if line.startswith(f"    {key}:") or line.startswith(f"  - {key}:"))
    end = start + 1
    while end < len(lines) and lines[end].startswith("      "):  # the key's nested block
        end += 1
    head = "  - " if lines[start].startswith("  - ") else ""
    if head:  # removing the first key: the next one opens the list item
        lines[end] = "  - " + lines[end][4:]
    text = "".join(lines[:start] + lines[end:])
    rules, errors = load(tmp_path, text)
    assert rules == []
    missing = [e for e in errors if e.message == f"missing required key '{key}'"]
    assert located(missing) == [(2, 5)], [str(error) for error in errors]


def test_examples_need_both_flag_and_pass(tmp_path):
    text = FORBIDDEN.replace('      pass: ["Votre colis part demain."]\n', "")
    rules, errors = load(tmp_path, text)
    assert rules == []
    assert [e.message for e in errors] == ["missing required key 'pass'"]
    assert errors[0].line == where(text, "flag:")[0]


def test_an_unknown_key_in_an_expression_gets_the_nearest_key(tmp_path):
    text = FORBIDDEN.replace("      phrases: [votre marchandise]", "      phrase: [votre marchandise]")
    rules, errors = load(tmp_path, text)
    error = error_at(errors, *where(text, "phrase:"))
    assert "did you mean 'phrases'" in error.message


def test_a_key_given_twice_is_an_error(tmp_path):
    text = FORBIDDEN + "    severity: error\n"
    rules, errors = load(tmp_path, text)
    assert rules == []
    error = error_at(errors, *where(text, "severity", occurrence=2))
    assert "duplicate key 'severity'" in error.message


# ---------------------------------------------------------------- regular expressions


def test_an_invalid_regex_is_reported_at_its_line_with_the_regex_error(tmp_path):
    text = FORBIDDEN.replace(
        "      phrases: [votre marchandise]\n",
        "      regex:\n        - '\\bok\\b'\n        - '(unclosed'\n",
    )
    rules, errors = load(tmp_path, text)
    assert rules == []
    line = where(text, "(unclosed")[0]
    error = error_at(errors, line)
    assert "invalid regex '(unclosed'" in error.message
    assert "missing ), unterminated subpattern at position 0" in error.message


@pytest.mark.parametrize("written", ["a(b", "'a(b'", '"a(b"'], ids=["plain", "single-quoted", "double-quoted"])
def test_an_invalid_regex_column_points_at_the_faulty_character(tmp_path, written):
    text = FORBIDDEN.replace("      phrases: [votre marchandise]\n", f"      regex:\n        - {written}\n")
    rules, errors = load(tmp_path, text)
    error = error_at(errors, where(text, written)[0])
    assert "at position 1" in error.message
    # Position 1 of the regex is its '(' : the column must point there, quotes or not.
    assert (error.line, error.column) == where(text, "(b")


# ---------------------------------------------------------------- the file as a whole


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("rules:\n  - id: a\n    category: test\n   severity: x\n", "severity"),
        ("rules:\n  - id: a\n    category: [test\n    severity: x\n", None),
        ("rules:\n  - id: a\n\tcategory: test\n", "\t"),
        ("rules: [\n", None),
    ],
    ids=["bad-indentation", "unclosed-list", "tab", "unclosed-flow"],
)
def test_invalid_yaml_is_one_error_with_line_and_column(tmp_path, text, needle):
    path = write(tmp_path, text)
    rules, errors = rules_and_errors(path, validate_patterns=False)
    assert rules == []
    assert len(errors) == 1
    (error,) = errors
    assert error.message.startswith("invalid YAML")
    assert error.line is not None and error.column is not None
    assert 1 <= error.line <= text.count("\n") + 1
    if needle:
        assert (error.line, error.column) == where(text, needle)
    assert str(error).startswith(f"{path.as_posix()}:{error.line}:{error.column}: ")


@pytest.mark.parametrize("text", ["- id: a\n  category: b\n", "just text\n", "", "# only a comment\n", "42\n"])
def test_a_pack_that_is_not_a_mapping_is_an_error(tmp_path, text):
    rules, errors = load(tmp_path, text)
    assert rules == []
    assert [(e.line, e.column) for e in errors] == [(1, 1)]
    assert errors[0].message.startswith("a rule pack is a mapping with a 'rules:' list")


@pytest.mark.parametrize("value", ["{id: a}", "a-rule", "42"])
def test_rules_must_be_a_list(tmp_path, value):
    text = f"rules: {value}\n"
    rules, errors = load(tmp_path, text)
    assert rules == []
    assert [(e.line, e.column, e.message) for e in errors] == [(1, 8, "'rules' must be a list of rules")]


def test_a_pack_without_rules_key_or_with_an_unknown_top_key(tmp_path):
    rules, errors = load(tmp_path, "rule:\n  - id: a\n")
    assert rules == []
    assert [(e.line, e.column) for e in errors] == [(1, 1), (1, 1)]
    assert "did you mean 'rules'" in errors[0].message
    assert errors[1].message == "missing required key 'rules'"


def test_each_rule_must_be_a_mapping(tmp_path):
    text = FORBIDDEN + "  - just a text\n"
    rules, errors = load(tmp_path, text)
    assert [r.id for r in rules] == ["jargon-marchandise"]  # the good rule still loads
    assert [(e.line, e.column, e.message) for e in errors] == [(*where(text, "just a text"), "each rule must be a mapping")]


def test_every_error_of_a_file_is_reported_not_only_the_first(tmp_path):
    text = FORBIDDEN.replace("    severity: warning\n", "    sevrity: warning\n    channels: [call, fax]\n").replace(
        "    match:\n", "    unless: {speaker: customer}\n    match:\n"
    ) + RESPONSE.replace("rules:\n", "").replace("check: response", "check: response\n    turns: 0")
    rules, errors = load(tmp_path, text)
    assert rules == []
    messages = [e.message for e in errors]
    assert located(errors) == [  # in file order
        (2, 5),  # missing severity, at the rule
        where(text, "sevrity"),
        where(text, "fax"),  # the wrong channel itself, not its list
        where(text, "{speaker: customer}"),
        where(text, "0\n"),
    ], messages
    assert "did you mean 'severity'" in messages[1]
    assert "fax" in messages[2]
    assert "'unless' needs 'match' or 'echo: true'" in messages[3]
    assert "1 or more" in messages[4]


def test_a_file_that_is_not_utf8_is_an_error_not_an_exception(tmp_path):
    path = tmp_path / "pack.yaml"
    path.write_bytes(FORBIDDEN.encode("cp1252"))
    rules, errors = rules_and_errors(path, validate_patterns=False)
    assert rules == []
    assert len(errors) == 1 and errors[0].path == path.as_posix()


def test_a_missing_rule_file_is_an_error_not_an_exception(tmp_path):
    rules, errors = rules_and_errors(tmp_path / "absent.yaml", validate_patterns=False)
    assert rules == [] and len(errors) == 1


def test_a_pack_with_a_bom_loads(tmp_path):
    path = tmp_path / "pack.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + FORBIDDEN.encode("utf-8"))
    rules, errors = rules_and_errors(path, validate_patterns=False)
    assert (errors, [r.id for r in rules]) == ([], ["jargon-marchandise"])


def test_anchors_and_aliases_are_plain_yaml_and_load(tmp_path):
    text = REQUIRED.replace("match: {phrases: [bonjour]}", "match: &hello {phrases: [bonjour]}") + REQUIRED.replace(
        "rules:\n", ""
    ).replace("greeting-missing", "greeting-missing-email").replace("match: {phrases: [bonjour]}", "match: *hello")
    rules, errors = load(tmp_path, text)
    assert errors == []
    assert rules[0].options["match"] == rules[1].options["match"] == Expression(phrases=(Phrase("bonjour"),))


# ---------------------------------------------------------------- placeholders


@pytest.mark.parametrize("placeholder", ["{match}", "{term}", "{customer_item}"])
def test_known_placeholders_are_accepted(tmp_path, placeholder):
    text = FORBIDDEN.replace("{match}", placeholder)
    rule = load_one(tmp_path, text + f'    suggestion: ["Dites {placeholder}.", "Nommez l\'objet."]\n')
    assert placeholder in rule.message and rule.suggestion == (f"Dites {placeholder}.", "Nommez l'objet.")


@pytest.mark.parametrize(
    ("addition", "key"),
    [("", "message"), ('    suggestion: ["Dites {client}."]\n', "suggestion"), ('    suggestion: "Dites {client}."\n', "suggestion")],
)
def test_an_unknown_placeholder_is_an_error(tmp_path, addition, key):
    if key == "message":
        text = FORBIDDEN.replace("{match}", "{foo}")
        name = "foo"
    else:
        text = FORBIDDEN + addition
        name = "client"
    rules, errors = load(tmp_path, text)
    assert rules == []
    assert len(errors) == 1
    assert f"unknown placeholder '{{{name}}}' in '{key}'" in errors[0].message
    assert errors[0].line == where(text, f"{{{name}}}")[0]


def test_a_placeholder_belongs_to_the_checks_that_fill_it(tmp_path):
    """``{trigger}`` is filled by response rules; in a forbidden rule it would stay as written."""
    assert "{trigger}" in load_one(tmp_path, RESPONSE).message
    rules, errors = load(tmp_path, FORBIDDEN.replace("{match}", "{trigger}"))
    assert rules == [] and [e.message for e in errors] == [
        "unknown placeholder '{trigger}' in 'message' (available: {match}, {term}, {customer_item})"
    ]


# ---------------------------------------------------------------- unless


def with_unless(block: str) -> str:
    return FORBIDDEN + textwrap.indent(textwrap.dedent(block), "    ")


def test_unless_accepts_windows_near_echo_and_all(tmp_path):
    rule = load_one(
        tmp_path,
        with_unless(
            """\
            unless:
              - match: {phrases: [je vous propose]}
                after: 1
              - echo: true
                speaker: customer
                before: all
              - match: {forms: [fonctionne]}
                near: 2
              - match: {phrases: [voir]}
                speaker: any
                before: 2
                after: all
            """
        ),
    )
    assert rule.unless == (
        Unless(match=Expression(phrases=(Phrase("je vous propose"),)), after=1),
        Unless(echo=True, speaker="customer", before=ALL),
        Unless(match=Expression(forms=(Phrase("fonctionne"),)), near=2),
        Unless(match=Expression(phrases=(Phrase("voir"),)), speaker="any", before=2, after=ALL),
    )


def test_a_single_unless_mapping_is_accepted(tmp_path):
    rule = load_one(tmp_path, with_unless("unless: {echo: true, speaker: customer, before: all}\n"))
    assert rule.unless == (Unless(echo=True, speaker="customer", before=ALL),)


@pytest.mark.parametrize(
    ("block", "needle", "fragment"),
    [
        ("unless: {speaker: customer, before: all}\n", "{speaker", "'unless' needs 'match' or 'echo: true'"),
        ("unless:\n  - after: 1\n", "after", "'unless' needs 'match' or 'echo: true'"),
        ("unless: {echo: true, near: 2}\n", "2}", "'near' needs 'match'"),
        ("unless: {match: {phrases: [x]}, near: -1}\n", "-1", "'near' must be a number of tokens"),
        ("unless: {match: {phrases: [x]}, before: some}\n", "some", "'before' must be a number of turns"),
        ("unless: {match: {phrases: [x]}, after: -2}\n", "-2", "'after' must be a number of turns"),
        ("unless: {match: {phrases: [x]}, speaker: boss}\n", "boss", "'speaker' must be one of"),
        ("unless: {echo: yes please}\n", "yes please", "'echo' must be true or false"),
        ("unless: {match: {phrases: [x]}, after: 1, uninterrupted: 1}\n", "1}", "'uninterrupted' must be true or false"),
        ("unless: {match: {phrases: [x]}, within: 2}\n", "within", "unknown key 'within'"),
        ("unless: [je vous propose]\n", "je vous propose", "'unless' is a mapping"),
        ("unless: {match: {}}\n", "{}", "empty expression"),
    ],
)
def test_a_wrong_unless_is_reported_where_it_is(tmp_path, block, needle, fragment):
    text = with_unless(block)
    rules, errors = load(tmp_path, text)
    assert rules == []
    matching = [e for e in errors if fragment in e.message]
    assert located(matching) == [where_last(text, needle)], [str(e) for e in errors]


# ---------------------------------------------------------------- several files


def test_load_rules_reads_every_pack_of_a_folder(tmp_path):
    write(tmp_path, FORBIDDEN, "a.yaml")
    write(tmp_path, REQUIRED, "b.yml")
    (tmp_path / "notes.txt").write_text("not a pack", encoding="utf-8")
    rules = load_rules([tmp_path], validate_patterns=False)
    assert [rule.id for rule in rules] == ["jargon-marchandise", "greeting-missing"]
    assert rule_files([tmp_path]) == [tmp_path / "a.yaml", tmp_path / "b.yml"]


def test_a_pack_named_twice_is_read_once(tmp_path):
    """`rules test rules/empathy.yaml` names a built-in pack the built-in folder has already."""
    write(tmp_path, FORBIDDEN, "a.yaml")
    rules = load_rules([tmp_path, tmp_path / "a.yaml", tmp_path / "." / "a.yaml"], validate_patterns=False)
    assert [rule.id for rule in rules] == ["jargon-marchandise"]


def test_duplicate_rule_ids_across_two_files_name_both_places(tmp_path):
    first = write(tmp_path, FORBIDDEN, "a.yaml")
    second = write(tmp_path, REQUIRED + FORBIDDEN.replace("rules:\n", ""), "b.yaml")
    with pytest.raises(RuleLoadError) as raised:
        load_rules([first, second], validate_patterns=False)
    (error,) = raised.value.errors
    assert (error.path, error.line) == (second.as_posix(), where(second.read_text(), "jargon-marchandise")[0])
    assert "duplicate rule id 'jargon-marchandise'" in error.message
    assert f"{first.as_posix()}:2" in error.message
    assert str(raised.value) == str(error)


def test_load_rules_reports_the_errors_of_every_file_at_once(tmp_path):
    write(tmp_path, FORBIDDEN.replace("severity: warning", "severity: fatal"), "a.yaml")
    write(tmp_path, REQUIRED.replace("check: required", "check: required\n    turns: 0"), "b.yaml")
    with pytest.raises(RuleLoadError) as raised:
        load_rules([tmp_path], validate_patterns=False)
    assert [Path(e.path).name for e in raised.value.errors] == ["a.yaml", "b.yaml"]
    assert "a.yaml:4:15: 'severity' must be one of" in str(raised.value)


def test_load_rules_reports_a_missing_folder(tmp_path):
    with pytest.raises(RuleLoadError) as raised:
        load_rules([tmp_path / "absent"], validate_patterns=False)
    assert [(e.path, e.message) for e in raised.value.errors] == [(str(tmp_path / "absent"), "no such rule file or folder")]


# ---------------------------------------------------------------- only plain YAML


@pytest.mark.parametrize(
    "place",
    ["top-level", "rule", "phrases", "match", "scalar"],
)
def test_python_tags_are_refused_and_never_executed(tmp_path, place):
    marker = tmp_path / "executed"
    command = f'!!python/object/apply:os.system ["touch {marker}"]'
    if place == "top-level":
        text = f"rules: {command}\n"
    elif place == "rule":
        text = f"rules:\n  - {command}\n"
    elif place == "phrases":
        text = FORBIDDEN.replace("phrases: [votre marchandise]", f"phrases: {command}")
    elif place == "match":
        text = FORBIDDEN.replace("match:\n      phrases: [votre marchandise]", "match: !!python/object:os.system {phrases: [x]}")
    else:
        text = FORBIDDEN + "    suggestion: !!python/name:os.system\n"
    rules, errors = load(tmp_path, text)
    assert not marker.exists()
    assert errors, "a Python tag was silently accepted"
    assert rules == []


# ---------------------------------------------------------------- token patterns (spaCy's validator, no model)


def test_an_invalid_token_pattern_is_reported_with_its_file_and_line(tmp_path):
    text = FORBIDDEN.replace(
        "      phrases: [votre marchandise]\n",
        "      patterns:\n        - [{LEMMA: produit}]\n        - [{LEMMAA: pouvoir}]\n",
    )
    path = write(tmp_path, text)
    rules, errors = rules_and_errors(path, validate_patterns=True)
    assert rules == []
    line, column = where(text, "[{LEMMAA")
    assert [(e.path, e.line, e.column) for e in errors] == [(path.as_posix(), line, column)]
    assert errors[0].message.startswith("invalid token pattern")
    assert "LEMMAA" in errors[0].message


@pytest.mark.parametrize(("pattern", "needle"), [("[]", "[]"), ("{LEMMA: x}", "{LEMMA: x}"), ("[LEMMA]", "LEMMA")])
def test_a_token_pattern_must_be_a_list_of_mappings(tmp_path, pattern, needle):
    text = FORBIDDEN.replace("      phrases: [votre marchandise]\n", f"      patterns:\n        - {pattern}\n")
    rules, errors = load(tmp_path, text)
    assert rules == []
    error = error_at(errors, *where(text, needle))  # a token that is not a mapping: the token itself
    assert "a token pattern is a non-empty list of token mappings" in error.message


# ---------------------------------------------------------------- rule ids


@pytest.mark.parametrize("rule_id", ["Bad Id", "bad id", "BadId", "bad-Id", "-bad", "bad-", "bad--id", "1bad", "bàd", "bad/id"])
def test_a_rule_id_must_be_lower_case_words_joined_by_dashes(tmp_path, rule_id):
    text = FORBIDDEN.replace("id: jargon-marchandise", f"id: {rule_id}")
    rules, errors = load(tmp_path, text)
    assert rules == []
    error = error_at(errors, *where(text, rule_id))
    assert "must be lower-case words joined by '-'" in error.message


@pytest.mark.parametrize("rule_id", ["greeting", "jargon-n-plus-1", "a1-b2", "company.greeting", "vague_promise"])
def test_well_formed_rule_ids(tmp_path, rule_id):
    assert load_one(tmp_path, FORBIDDEN.replace("id: jargon-marchandise", f"id: {rule_id}")).id == rule_id


# ---------------------------------------------------------------- the built-in packs


BUILTIN_PACKS = sorted(builtin_rules_dir().glob("*.yaml"))


def rules_with_too_few_examples(rules, minimum: int = 3) -> list[str]:
    return [rule.id for rule in rules if len(rule.flag_examples) < minimum or len(rule.pass_examples) < minimum]


def test_the_builtin_packs_are_found():
    assert {path.stem for path in BUILTIN_PACKS} >= {"jargon", "greeting", "closing", "blame", "empathy", "refusal", "dismissive", "vague"}


@pytest.mark.parametrize("pack", BUILTIN_PACKS, ids=lambda path: path.name)
def test_each_builtin_pack_loads_without_error(pack):
    rules, errors = rules_and_errors(pack, validate_patterns=False)
    assert errors == [], "\n".join(str(error) for error in errors)
    assert rules


def test_all_builtin_rules_load_together_with_unique_ids():
    rules = load_rules([builtin_rules_dir()], validate_patterns=False)
    assert len({rule.id for rule in rules}) == len(rules) >= 8


def test_every_builtin_rule_has_three_flag_and_three_pass_examples():
    rules = load_rules([builtin_rules_dir()], validate_patterns=False)
    assert rules_with_too_few_examples(rules) == []


def test_the_examples_meta_test_fails_on_a_rule_without_enough_examples(tmp_path):
    # FORBIDDEN has one example of each kind: the meta-test above must catch such a rule.
    assert rules_with_too_few_examples([load_one(tmp_path, FORBIDDEN)]) == ["jargon-marchandise"]


# ---------------------------------------------------------------- hostile regexes and patterns


@pytest.mark.parametrize("written", [r"'(a+)+$'", r"'(?:\w+\s?)*fin'", r"'((ab)*c)+'"])
def test_a_regex_that_can_backtrack_without_end_is_refused_where_it_is_written(tmp_path, written):
    text = FORBIDDEN.replace("      phrases: [votre marchandise]\n", f"      regex:\n        - {written}\n")
    rules, errors = load(tmp_path, text)
    assert rules == []
    error = error_at(errors, where(text, written)[0])
    assert "can take exponential time" in error.message and "repeat inside a repeat" in error.message


@pytest.mark.parametrize("written", [r"'(ab)+c'", r"'\b(?:lundi|mardi)\s+\d{1,2}'", r"'(?:[\s.]?\d{2}){4}'"])
def test_a_repeat_of_a_bounded_group_is_accepted(tmp_path, written):
    text = FORBIDDEN.replace("      phrases: [votre marchandise]\n", f"      regex:\n        - {written}\n")
    load_one(tmp_path, text)


def test_every_bad_token_pattern_of_a_pack_is_reported_at_once(tmp_path):
    text = FORBIDDEN.replace(
        "      phrases: [votre marchandise]\n",
        "      patterns:\n"
        "        - [{TEXT: {REGEX: '(\\w+\\s?)+$'}}]\n"
        "        - [{TEXT: {REGEX: '(unclosed'}}]\n"
        "        - [{LEMMAS: votre}]\n"
        "        - [{LOWER: votre}, {OP: '%'}]\n",
    )
    rules, errors = rules_and_errors(write(tmp_path, text), validate_patterns=True)
    assert rules == []
    messages = {error.line: error.message for error in errors}
    assert "exponential time" in messages[where(text, "(\\w+")[0]]
    assert "invalid REGEX '(unclosed'" in messages[where(text, "(unclosed")[0]]
    assert "invalid token pattern" in messages[where(text, "LEMMAS")[0]]
    assert "invalid token pattern" in messages[where(text, "OP: '%'")[0]]
