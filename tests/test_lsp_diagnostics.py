"""Findings placed for editors: 0-based lines, UTF-16 columns, the disable edits (no server, no model)."""

from __future__ import annotations

from transcript_audit.lsp.diagnostics import (
    Lines,
    Problem,
    disable_edit,
    error_problem,
    finding_problem,
    finding_range,
    from_utf16,
    matched_case,
    to_utf16,
    utf16_length,
)
from transcript_audit.model import Finding, ReadError, Role, Severity, Transcript, Turn


def finding(line, column, span=None, severity=Severity.WARNING, turn=1, **more):
    start, end = span or (None, None)
    return Finding(
        rule="jargon-internal", category="jargon", severity=severity, message="m", rationale="r", suggestion="s",
        turn=turn, speaker="agent", role=Role.AGENT, line=line, column=column, excerpt="", match=None,
        span_start=start, span_end=end, **more,
    )


def test_utf16_counts_astral_characters_twice_and_curly_apostrophes_once():
    assert utf16_length("l’appareil") == 10
    assert utf16_length("😀a") == 3
    assert to_utf16("😀 ticket", 2) == 3
    assert from_utf16("😀 ticket", 3) == 2
    assert from_utf16("😀 ticket", 1) == 0  # inside the pair: the character's start


def test_a_span_after_an_emoji_is_shifted_by_one_unit():
    text = 'responses:\n  - name: A\n    body: "😀 Voici votre ticket."\n'
    lines = Lines(text)
    column = lines.text(2).index("votre") + 1
    where = finding_range(finding(3, column, (8, 20)), lines)
    assert where == ((2, column - 1 + 1), (2, column - 1 + 1 + 12))


def test_curly_apostrophes_keep_columns_in_utf16():
    lines = Lines("Conseiller : l’appareil est là\n")
    column = lines.text(0).index("l’appareil") + 1
    assert finding_range(finding(1, column, (0, 10)), lines) == ((0, 13), (0, 23))


def test_crlf_lines_are_counted_like_the_readers():
    lines = Lines("a\r\nb\r\nConseiller : votre ticket\r\n")
    assert lines.text(2) == "Conseiller : votre ticket"
    assert lines.newline == "\r\n"
    assert finding_range(finding(3, 14, (0, 12)), lines) == ((2, 13), (2, 25))


def test_a_span_over_two_lines_ends_where_its_turn_says():
    text = "Conseiller : votre\n  ticket ici\n"
    turn = Turn(Role.AGENT, "Conseiller", "votre ticket ici", 1, 14, line_starts=[(0, 1, 14), (6, 2, 3)])
    transcript = Transcript("t", "t.txt", "chat", [turn])
    assert finding_range(finding(1, 14, (0, 12)), Lines(text), transcript) == ((0, 13), (1, 8))


def test_without_a_column_the_whole_line_without_a_span_the_rest_of_it():
    lines = Lines('[\n  {"title": "A", "body": "Voici"}\n]\n')
    assert finding_range(finding(2, None), lines) == ((1, 2), (1, 33))
    lines = Lines("    body: Voici votre ticket.\n")
    assert finding_range(finding(1, 11), lines) == ((0, 10), (0, 29))


def test_severities_map_to_lsp_levels_and_the_hover_says_why_and_what_instead():
    lines = Lines("x\n")
    assert [finding_problem(finding(1, 1, severity=s), lines).severity for s in Severity] == [3, 2, 1]
    problem = finding_problem(finding(1, 1, replacement="votre demande"), lines)
    assert problem.code == "jargon-internal" and problem.replacement == "votre demande"
    assert "*Pourquoi :* r" in problem.hover() and "*Suggestion :* s" in problem.hover()


def test_a_located_read_error_covers_its_word():
    lines = Lines("rules:\n  - id: x\n    severty: error\n")
    problem = error_problem(ReadError("p.yaml", 3, "unknown key 'severty'", 5), lines)
    assert problem.range == ((2, 4), (2, 12)) and problem.severity == 1
    assert error_problem(ReadError("p.yaml", None, "bad"), lines).range == ((0, 0), (0, 6))


def test_disable_in_a_yaml_response_goes_before_its_first_key():
    text = "responses:\n  - name: Escalade\n    body: Nous avons escaladé votre ticket.\n"
    lines = Lines(text)
    edit = disable_edit("canned", lines, Problem(((2, 20), (2, 30)), 2, "m", "jargon-internal", turn_line=2))
    assert edit == (((1, 4), (1, 4)), "disable: [jargon-internal]\n    ")
    edited = _apply(text, edit)
    assert "  - disable: [jargon-internal]\n    name: Escalade\n" in edited


def test_disable_extends_an_existing_list_and_works_on_a_block_body():
    text = "responses:\n  - titre: A\n    disable: [closing]\n    texte: |\n      Bonjour,\n      - votre ticket\n"
    lines = Lines(text)
    edit = disable_edit("canned", lines, Problem(((5, 8), (5, 20)), 2, "m", "jargon-internal", turn_line=4))
    assert _apply(text, edit).splitlines()[2] == "    disable: [closing, jargon-internal]"


def test_disable_in_a_labelled_transcript_is_a_comment_above_the_turn():
    text = "Client : Bonjour\r\nConseiller : votre ticket\r\n"
    lines = Lines(text)
    edit = disable_edit("text", lines, Problem(((1, 13), (1, 25)), 2, "m", "jargon-internal", turn_line=1))
    assert _apply(text, edit) == "Client : Bonjour\r\n# transcript-audit: disable=jargon-internal\r\nConseiller : votre ticket\r\n"
    again = _apply(text, edit)
    second = disable_edit("text", Lines(again), Problem(((2, 0), (2, 1)), 2, "m", "closing", turn_line=2))
    assert "# transcript-audit: disable=jargon-internal,closing\r\n" in _apply(again, second)
    assert disable_edit("email", lines, Problem(((1, 0), (1, 1)), 2, "m", "x", turn_line=1)) is None


def test_a_replacement_takes_the_case_of_the_words_it_replaces():
    assert matched_case("votre demande", "Votre ticket") == "Votre demande"
    assert matched_case("votre demande", "votre ticket") == "votre demande"


def _suppressed(text: str) -> dict[str, tuple]:
    """Each response's name and the rules it disables, as the JSON reader reads ``text``."""
    from transcript_audit.readers import json_document
    from transcript_audit.readers.base import ReaderOptions

    transcripts, _ = json_document.read(text.encode("utf-8"), "lib.json", ReaderOptions())
    return {t.id: tuple(rule for turn, rules in t.suppressions if turn is None for rule in rules) for t in transcripts}


JSON_LIBRARY = """{
  "responses": [
    {"name": "Accueil", "body": "Bonjour, merci pour votre message."},
    {
      "name": "Escalade",
      "body": "Nous avons escaladé votre ticket."
    }
  ]
}
"""


def test_disable_in_a_json_response_goes_into_that_response_only():
    problem = Problem(((5, 20), (5, 30)), 2, "m", "jargon-internal", turn_line=5)
    edit = disable_edit("json", Lines(JSON_LIBRARY), problem)
    assert edit == (((3, 5), (3, 5)), '"disable": ["jargon-internal"], ')
    assert sorted(_suppressed(_apply(JSON_LIBRARY, edit)).values()) == [(), ("jargon-internal",)]
    # And on a response written on one line.
    first = disable_edit("json", Lines(JSON_LIBRARY), Problem(((2, 40), (2, 50)), 2, "m", "closing", turn_line=2))
    assert first == (((2, 5), (2, 5)), '"disable": ["closing"], ')


def test_disable_extends_a_json_list_and_finds_a_macro_around_its_action():
    text = JSON_LIBRARY.replace('"name": "Escalade",', '"name": "Escalade", "disable": ["closing"],')
    edited = _apply(text, disable_edit("json", Lines(text), Problem(((5, 0), (5, 1)), 2, "m", "jargon-internal", turn_line=5)))
    assert '"disable": ["closing", "jargon-internal"]' in edited and sorted(_suppressed(edited).values())[-1] == ("closing", "jargon-internal")
    macros = (
        '{"macros": [\n  {"title": "Escalade", "actions": [\n'
        '    {"field": "comment_value", "value": "Votre ticket a été escaladé."}\n  ]}\n]}\n'
    )
    edit = disable_edit("json", Lines(macros), Problem(((2, 0), (2, 1)), 2, "m", "jargon-internal", turn_line=2))
    assert edit == (((1, 3), (1, 3)), '"disable": ["jargon-internal"], ')  # the macro, not its action
    assert list(_suppressed(_apply(macros, edit)).values()) == [("jargon-internal",)]


def test_a_json_disable_goes_to_the_response_asked_for_never_to_another_one():
    """A review found the edit landing in a neighbour's "disable" (a text value, or a nested one)."""
    text = (
        '{"responses": [\n'
        '  {"name": "Accueil", "body": "Bonjour, merci pour votre message.",\n'
        '   "meta": {"disable": []}, "disable": "closing", "tags": ["x"]},\n'
        '  {"name": "Escalade", "body": "Nous avons escaladé votre ticket."}\n'
        ']}\n'
    )
    edit = disable_edit("json", Lines(text), Problem(((3, 0), (3, 1)), 2, "m", "jargon-internal", turn_line=3))
    assert _suppressed(_apply(text, edit)) == {"Accueil": ("closing",), "Escalade": ("jargon-internal",)}
    # On the first response: its own text "disable" is extended, the nested one left alone.
    edit = disable_edit("json", Lines(text), Problem(((1, 0), (1, 1)), 2, "m", "vague", turn_line=1))
    edited = _apply(text, edit)
    assert '"disable": "closing, vague"' in edited and '"meta": {"disable": []}' in edited
    assert _suppressed(edited) == {"Accueil": ("closing", "vague"), "Escalade": ()}


def test_no_json_disable_where_the_line_holds_several_responses():
    minified = '{"responses": [{"name": "A", "body": "Votre ticket."}, {"name": "B", "body": "Votre ticket."}]}'
    assert disable_edit("json", Lines(minified), Problem(((0, 0), (0, 1)), 2, "m", "jargon-internal", turn_line=0)) is None


def _apply(text: str, edit) -> str:
    """Apply a one-line insertion (UTF-16 columns equal code points in these texts)."""
    ((line, column), _), new_text = edit
    lines = text.splitlines(keepends=True)
    lines[line] = lines[line][:column] + new_text + lines[line][column:]
    return "".join(lines)
