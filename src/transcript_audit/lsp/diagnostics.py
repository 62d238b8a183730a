"""Findings and read errors as editors want them: 0-based lines, UTF-16 columns.

The tool locates a finding by a 1-based line and a 1-based column counted in
code points (``Finding.line``, ``Finding.column``) and by offsets in its turn's
text (``span_start``, ``span_end``). The Language Server Protocol counts lines
from 0 and columns in UTF-16 code units by default: an emoji or any character
outside the Basic Multilingual Plane is two units, a curly apostrophe one.
Everything here is plain data (tuples and dataclasses), so it is tested
without a client; ``server`` turns it into lsprotocol types.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from typing import Any

from ..model import Finding, ReadError, Severity, Transcript
from ..readers.decoding import split_lines

SOURCE = "transcript-audit"

# LSP DiagnosticSeverity: 1 error, 2 warning, 3 information, 4 hint.
LSP_SEVERITY = {Severity.ERROR: 1, Severity.WARNING: 2, Severity.INFO: 3}

Position = tuple[int, int]  # (0-based line, UTF-16 column)
Range = tuple[Position, Position]


@dataclass
class Problem:
    """One diagnostic: where, how bad, which rule, what to say, and what can fix it."""

    range: Range
    severity: int
    message: str
    code: str | None = None
    rationale: str | None = None
    suggestion: str | None = None
    replacement: str | None = None  # the concrete words to put in ``range``
    turn_line: int | None = None  # 0-based first line of the finding's turn (where a disable goes)
    data: dict[str, Any] = field(default_factory=dict)

    def hover(self) -> str:
        """The hover text (Markdown): the message, why it matters, what to write instead."""
        parts = [f"**{self.code}** — {self.message}" if self.code else self.message]
        if self.rationale:
            parts.append(f"*Pourquoi :* {self.rationale}")
        if self.suggestion:
            parts.append(f"*Suggestion :* {self.suggestion}")
        return "\n\n".join(parts)


def utf16_length(text: str) -> int:
    """How many UTF-16 code units ``text`` takes (astral characters count two)."""
    return len(text) + sum(1 for character in text if ord(character) > 0xFFFF)


def to_utf16(line_text: str, column: int) -> int:
    """The UTF-16 column of the 0-based code-point ``column`` of a line (clamped to the line)."""
    return utf16_length(line_text[: max(0, column)])


def from_utf16(line_text: str, units: int) -> int:
    """The 0-based code-point column of a UTF-16 column (inside a pair: the character's start)."""
    count = 0
    for index, character in enumerate(line_text):
        width = 2 if ord(character) > 0xFFFF else 1
        if count + width > units:
            return index
        count += width
    return len(line_text)


def code_units(text: str, encoding: str = "utf-16") -> int:
    """The length of ``text`` in the position encoding agreed with the client."""
    if encoding == "utf-8":
        return len(text.encode("utf-8", errors="surrogatepass"))
    if encoding == "utf-32":
        return len(text)
    return utf16_length(text)


class Lines:
    """A document's lines as the readers count them (CRLF, CR or LF), for positions
    in the client's encoding (UTF-16 unless it asked for UTF-8 or UTF-32)."""

    def __init__(self, text: str, encoding: str = "utf-16"):
        self.encoding = encoding
        self.lines = split_lines(text.lstrip("\ufeff") if text.startswith("\ufeff") else text)
        self._bom = text.startswith("\ufeff")
        found = re.search(r"\r\n|\r|\n", text)
        self.newline = found.group(0) if found else "\n"  # what an inserted line ends with

    def text(self, line: int) -> str:
        return self.lines[line] if 0 <= line < len(self.lines) else ""

    def position(self, line: int, column: int) -> Position:
        """LSP position of a 0-based line and 0-based code-point column."""
        line = min(max(line, 0), max(len(self.lines) - 1, 0))
        units = code_units(self.text(line)[: max(0, column)], self.encoding)
        if line == 0 and self._bom:
            units += code_units("\ufeff", self.encoding)  # the BOM is a character of the editor's first line, not of the reader's
        return line, units

    def line_range(self, line: int, from_column: int = 0) -> Range:
        """From a column (default: the first non-blank character) to the end of the line."""
        text = self.text(line)
        start = from_column if from_column else len(text) - len(text.lstrip())
        return self.position(line, start), self.position(line, len(text))

    def code_point_column(self, line: int, units: int) -> int:
        text = self.text(line)
        if line == 0 and self._bom:
            units -= code_units("\ufeff", self.encoding)
        for index in range(len(text) + 1):
            if code_units(text[:index], self.encoding) > units:
                return index - 1
        return len(text)


def finding_range(finding: Finding, lines: Lines, transcript: Transcript | None = None) -> Range:
    """Where a finding is in the document.

    With a column and a span, the exact words (the end located through the turn
    when the span crosses a line); with a column and no span (a missing
    greeting), the rest of the line; without a column (JSON, CSV rows), the
    whole line.
    """
    if finding.line is None:
        return lines.line_range(0)
    line = finding.line - 1
    if finding.column is None:
        return lines.line_range(line)
    start = finding.column - 1
    if finding.span_start is None or finding.span_end is None:
        return lines.line_range(line, start)
    end_line, end_column = line, start + (finding.span_end - finding.span_start)
    turn = _turn(finding, transcript)
    if turn is not None:
        located_line, located_column = turn.locate(finding.span_end)
        if located_line is not None and located_column is not None:
            end_line, end_column = located_line - 1, located_column - 1
    if end_line == line and end_column > len(lines.text(line)):
        end_column = len(lines.text(line))
    return lines.position(line, start), lines.position(end_line, end_column)


def _turn(finding: Finding, transcript: Transcript | None):
    if transcript is None or not (0 < finding.turn <= len(transcript.turns)):
        return None
    return transcript.turns[finding.turn - 1]


def finding_problem(finding: Finding, lines: Lines, transcript: Transcript | None = None) -> Problem:
    turn = _turn(finding, transcript)
    turn_line = turn.line - 1 if turn is not None and turn.line is not None else (finding.line - 1 if finding.line else None)
    return Problem(
        range=finding_range(finding, lines, transcript),
        severity=LSP_SEVERITY[finding.severity],
        message=finding.message,
        code=finding.rule,
        rationale=finding.rationale,
        suggestion=finding.suggestion,
        replacement=getattr(finding, "replacement", None),
        turn_line=turn_line,
        data={"match": finding.match, "locator": finding.locator},
    )


def error_problem(error: ReadError, lines: Lines, code: str = "read-error") -> Problem:
    """A read or rule-load error: at its column when known, else its whole line (else the first)."""
    if error.line is None:
        where = lines.line_range(0)
    elif error.column is None:
        where = lines.line_range(error.line - 1)
    else:
        line, column = error.line - 1, error.column - 1
        text = lines.text(line)
        token = re.match(r"\S+", text[column:])
        end = column + (token.end() if token else 0)
        where = lines.position(line, column), lines.position(line, max(end, column + 1) if end <= len(text) else len(text))
    return Problem(range=where, severity=1, message=error.message, code=code)


def contains(where: Range, position: Position) -> bool:
    return where[0] <= position <= where[1]


def overlaps(a: Range, b: Range) -> bool:
    return a[0] <= b[1] and b[0] <= a[1]


def matched_case(replacement: str, original: str) -> str:
    """The replacement capitalised like the words it replaces (a sentence's first word)."""
    if original[:1].isupper() and replacement[:1].islower():
        return replacement[:1].upper() + replacement[1:]
    return replacement


# ------------------------------------------------------------ "disable this rule here"


Edit = tuple[Range, str]  # replace this range by this text

_YAML_ITEM = re.compile(r"^(?P<indent>\s*)-\s+(?P<key>\S)")
_YAML_KEY = re.compile(r"^(?P<indent>\s*)(?P<key>[^\s#:][^:]*):(\s|$)")
_FLOW_DISABLE = re.compile(r"^(?P<head>\s*(?:-\s+)?disable\s*:\s*\[)(?P<items>[^\]]*)\]\s*$")
_TEXT_DISABLE = re.compile(r"^(?P<head>\s*#\s*transcript-audit\s*:\s*disable\s*=\s*)(?P<rules>\S.*?)\s*$", re.IGNORECASE)


def disable_edit(format_name: str, lines: Lines, problem: Problem) -> Edit | None:
    """The edit that silences ``problem.code`` for its response or turn, in the format's own syntax.

    A canned response in YAML or JSON gets (or extends) its ``disable`` list; a
    speaker-labelled turn gets a ``# transcript-audit: disable=...`` line above it.
    Other formats (CSV rows, e-mails, subtitles) have no inline suppression: None.
    """
    if problem.code is None or problem.turn_line is None:
        return None
    if format_name == "canned":
        return _yaml_disable(lines, problem.turn_line, problem.code)
    if format_name == "text":
        return _text_disable(lines, problem.turn_line, problem.code)
    if format_name == "json":
        return _json_disable(lines, problem.turn_line, problem.code)
    return None


def _yaml_disable(lines: Lines, body_line: int, rule: str) -> Edit | None:
    body_indent = _indent(lines.text(body_line))
    for line in range(body_line, -1, -1):
        item = _YAML_ITEM.match(lines.text(line))
        if item and len(item["indent"]) < body_indent or (item and line == body_line):
            key_column = item.start("key")
            existing = _existing_yaml_disable(lines, line, key_column)
            if existing is not None:
                return existing(rule)
            position = lines.position(line, key_column)
            return (position, position), f"disable: [{rule}]{lines.newline}" + " " * key_column
    return None


def _existing_yaml_disable(lines: Lines, item_line: int, key_column: int):
    """A flow ``disable: [a, b]`` already in the response: extend it."""
    for line in range(item_line, len(lines.lines)):
        text = lines.text(line)
        if line > item_line and text.strip() and _indent(text) < key_column:
            break
        if line > item_line and _YAML_ITEM.match(text) and _indent(text) <= key_column - 2:
            break
        flow = _FLOW_DISABLE.match(text)
        if flow:
            end = flow.end("items")

            def extend(rule: str, line: int = line, end: int = end, items: str = flow["items"]) -> Edit:
                position = lines.position(line, end)
                return (position, position), (f", {rule}" if items.strip() else rule)

            return extend
    return None


def _text_disable(lines: Lines, turn_line: int, rule: str) -> Edit:
    above = turn_line - 1
    existing = _TEXT_DISABLE.match(lines.text(above)) if above >= 0 else None
    if existing:
        position = lines.position(above, existing.end("rules"))
        return (position, position), f",{rule}"
    position = lines.position(turn_line, 0)
    return (position, position), f"# transcript-audit: disable={rule}{lines.newline}"


def _json_disable(lines: Lines, body_line: int, rule: str) -> Edit | None:
    """``"disable": ["rule"]`` in the JSON object of the response whose body is on ``body_line``.

    JSON gives no column, and a response may be a macro whose body sits in a nested
    action object: the objects around that line are tried, innermost first, and an
    edit is kept only if the JSON reader, reading the edited text, finds that very
    response with the rule added to what it disabled and every other response as it
    was. Minified JSON, where several responses share the line, gets no edit: which
    one is meant is unknown."""
    text = "\n".join(lines.lines)
    starts = [0]
    for line in lines.lines:
        starts.append(starts[-1] + len(line) + 1)
    if body_line >= len(lines.lines):
        return None
    before = _json_responses(text)
    if before is None:
        return None
    targets = [index for index, (line, _) in enumerate(before) if line == body_line + 1]
    if len(targets) != 1:
        return None
    [target] = targets
    objects = _json_objects(text)
    first, last = starts[body_line], starts[body_line + 1] - 1
    around = sorted(((a, b) for a, b in objects if a <= last and b >= first), key=lambda span: span[1] - span[0])
    for start, end in around[:_JSON_TRIES]:
        inner = [(a, b) for a, b in objects if start < a and b < end]
        existing = next((m for m in _JSON_DISABLE.finditer(text, start, end) if not any(a < m.start() < b for a, b in inner)), None)
        if existing is None:
            at, inserted = start + 1, f'"disable": ["{rule}"], '
        elif existing["items"] is not None:
            at, inserted = existing.end("items"), (f', "{rule}"' if existing["items"].strip() else f'"{rule}"')
        else:  # "disable": "closing, vague"
            at, inserted = existing.end("text"), (f", {rule}" if existing["text"].strip() else rule)
        after = _json_responses(text[:at] + inserted + text[at:])
        expected = [*before]
        expected[target] = (before[target][0], before[target][1] | {rule})
        if after == expected and rule not in before[target][1]:
            line = bisect.bisect_right(starts, at) - 1
            position = lines.position(line, at - starts[line])
            return (position, position), inserted
    return None


_JSON_TRIES = 8  # objects tried around a line: a response, a macro around its action, a little more
_JSON_DISABLE = re.compile(r'"disable"\s*:\s*(?:\[(?P<items>[^\]]*)|"(?P<text>[^"\\]*))')


def _json_objects(text: str) -> list[tuple[int, int]]:
    """The (start, end) offsets of every JSON object in ``text``, strings skipped."""
    spans, open_at, in_string, escaped = [], [], False, False
    for index, character in enumerate(text):
        if in_string:
            if escaped:
                escaped = False
            elif character == "\\":
                escaped = True
            elif character == '"':
                in_string = False
        elif character == '"':
            in_string = True
        elif character == "{":
            open_at.append(index)
        elif character == "}" and open_at:
            spans.append((open_at.pop(), index))
    return spans


def _json_responses(text: str) -> list[tuple[int | None, frozenset[str]]] | None:
    """Each response's body line and the rules it disables, as the JSON reader reads ``text``; None if it does not read."""
    from ..readers import json_document
    from ..readers.base import ReaderOptions

    transcripts, errors = json_document.read(text.encode("utf-8", "surrogatepass"), "document.json", ReaderOptions())
    if errors and not transcripts:
        return None
    return [
        (t.turns[0].line if t.turns else None, frozenset(rule for turn, rules in t.suppressions if turn is None for rule in rules))
        for t in transcripts
    ]


def _indent(text: str) -> int:
    return len(text) - len(text.lstrip(" "))
