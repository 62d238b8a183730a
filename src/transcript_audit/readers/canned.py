"""Canned-response libraries (réponses types, macros, templates), audited like replies.

A team's canned responses are pasted into thousands of conversations, so one
dry or jargon-laden template does more harm than any single agent. Each
response becomes one agent turn on the ``canned`` channel; a snippet (a
fragment inserted into a reply, not a whole reply) goes on the ``snippet``
channel, where greeting and closing rules do not apply.

YAML libraries are read here (``read``). JSON exports (Zendesk macros,
Freshdesk canned responses, the generic list layout) end in ``.json``, so they
are shapes of ``json_document``: ``JSON_SHAPES``. Both go through the same
recognition and conversion; only locating a body in the file differs.

YAML is composed with PyYAML's safe composer and never constructed, so no tag
can run code, and nodes keep their marks and scalar style: a body's column is
given only when its text is the file's text character for character (a plain
or quoted single-line scalar, or each line of a literal ``|`` block).
``located_yaml`` is not used because it hides the style and stops at the first
problem, where a library must report each broken response and read the rest.
JSON values are found back in the raw text through an index of its string
tokens, built once, so locating stays linear.

Template placeholders ({{ticket.requester.first_name}}, [Prénom], %%NUMERO%%…)
are kept verbatim in the text. ``PLACEHOLDER`` matches them so the engine can
mask them before parsing; it is ``text.PLACEHOLDER`` (the pattern behind
``text.mask_placeholders``), re-exported so there is one definition.
"""

from __future__ import annotations

import bisect
import html
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from ..model import ReadError, Transcript
from ..text import PLACEHOLDER, fold
from .base import JsonShape, LineIndex, ReaderOptions, ReadResult, canned_transcript, decode_or_error
from .decoding import split_lines

__all__ = ["EXTENSIONS", "FORMAT", "JSON_SHAPES", "PLACEHOLDER", "html_to_text", "read", "sniff"]

FORMAT = "canned"
EXTENSIONS = (".yaml", ".yml")

# Keys are compared folded, with spaces and hyphens as underscores ("Réponses" -> "reponses").
LIBRARY_KEYS = ("responses", "reponses", "canned_responses", "templates", "macros")
NAME_KEYS = ("name", "title", "titre", "nom", "id")
BODY_KEYS = ("body", "content", "texte", "text", "message", "contenu")
HTML_KEYS = ("content_html", "body_html", "html")
SNIPPET_WORDS = frozenset({"snippet", "extrait", "fragment"})
ZENDESK_COMMENT_FIELDS = ("comment_value", "comment_value_html")
# Keys of conversation messages and speech segments: a bare list of these is not a library.
_CONVERSATION_KEYS = frozenset(
    {
        "start", "end", "speaker", "role", "words", "author", "author_id", "sender", "from",
        "from_email", "user_id", "incoming", "direction",
    }
)
_TRUE_WORDS = frozenset({"true", "yes", "y", "on", "oui", "vrai", "1"})

NOT_A_LIBRARY = "not a canned-response library (expected a list of responses with a name and a body)"
_EXPECTED_BODY = ", ".join(BODY_KEYS + HTML_KEYS)

_YAML_NULL = "tag:yaml.org,2002:null"
_YAML_MERGE = "tag:yaml.org,2002:merge"
_YAML_TAGS = frozenset(
    f"tag:yaml.org,2002:{name}" for name in ("str", "int", "float", "bool", "null", "timestamp", "map", "seq")
)
# PyYAML's scanner takes seconds on a line of a thousand '[' (each one is a possible
# simple key checked against all the others) before failing on the depth anyway.
_MAX_FLOW_DEPTH = 100
_DEEP_FLOW = re.compile(r"(?:[\[{][^\[\]{}\r\n]{0,3}){%d}" % _MAX_FLOW_DEPTH)
_LIBRARY_START = re.compile(
    r"^(?:responses|r[eé]ponses|canned[_ -]responses|templates|macros)\s*:", re.IGNORECASE
)


# ---------------------------------------------------------------- reading


def sniff(data: bytes) -> bool:
    """A YAML library without a known extension: its first key names a list of responses."""
    head = data[:4096].decode("utf-8", errors="replace").lstrip("\ufeff")
    for line in split_lines(head):
        stripped = line.strip()
        if stripped and not stripped.startswith("#") and stripped != "---":
            return bool(_LIBRARY_START.match(stripped))
    return False


def read(data: bytes, source: str, options: ReaderOptions | None = None) -> ReadResult:
    """Read a YAML library; each broken response is a located ``ReadError``, the others are read."""
    text, errors = decode_or_error(data, source)
    if text is None:
        return [], errors
    if _DEEP_FLOW.search(text):  # what PyYAML would say, after seconds of scanning
        return [], [ReadError(source, None, "invalid YAML: nested too deeply")]
    file_lines = _FileLines(text)
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        file_lines.fix_tree(root)
        document = _from_yaml(root) if root is not None else None
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        file_lines.fix(mark)
        line, column = (mark.line + 1, mark.column + 1) if mark else (None, None)
        problem = error.problem or error.context
        if error.context and problem.startswith("but "):  # "expected a single document…, but found another document"
            problem = f"{error.context}, {problem}"
        return [], [ReadError(source, line, f"invalid YAML: {problem}", column=column)]
    except yaml.YAMLError as error:
        return [], [ReadError(source, None, f"invalid YAML: {error}")]
    except RecursionError:
        return [], [ReadError(source, None, "invalid YAML: nested too deeply")]
    if document is None:  # nothing, comments only, or an empty document
        return [], [ReadError(source, None, f"empty file: {NOT_A_LIBRARY}")]
    library = _library(document)
    if library is None:
        return [], [ReadError(source, root.start_mark.line + 1, NOT_A_LIBRARY)]
    return _read_library(library, source, _YamlPlacer(text), root.start_mark.line + 1)


def _convert_json(document: Any, source: str, text: str, options: ReaderOptions) -> ReadResult:
    library = _library(document)
    if library is None:
        return [], [ReadError(source, 1, NOT_A_LIBRARY)]
    return _read_library(library, source, _JsonPlacer(text), 1)


def _is_zendesk_export(document: Any) -> bool:
    """``{"macros": [{"title", "actions": [...]}]}`` or one ``{"macro": {...}}``."""
    if not isinstance(document, dict):
        return False
    fields = _fields(document)
    macros = fields.get("macros")
    if isinstance(macros, list):
        return any(isinstance(macro, dict) and _is_macro(_fields(macro)) for macro in macros)
    macro = fields.get("macro")
    return isinstance(macro, dict) and _is_macro(_fields(macro))


def _is_library(document: Any) -> bool:
    return _library(document) is not None


JSON_SHAPES: list[JsonShape] = [
    JsonShape("zendesk-macros", _is_zendesk_export, _convert_json),
    JsonShape("canned-responses", _is_library, _convert_json),
]


# ---------------------------------------------------------------- recognising a library


@dataclass
class _Entry:
    """One response as found in the library, before it becomes a transcript."""

    item: Any
    index: int  # 1-based position in its list
    kind: str  # "response" or "macro", for messages and locators
    default_name: str | None = None  # its key, in a mapping ``name: response``


@dataclass
class _Library:
    entries: list[_Entry]
    problems: list[tuple[int | None, str]]  # (line, message) about the layout itself
    keys: list[str]  # the keys the responses were under, for messages


def _key(key: Any) -> str:
    return re.sub(r"[\s-]+", "_", fold(str(key)).strip())


def _fields(mapping: dict) -> dict[str, Any]:
    return {_key(key): value for key, value in mapping.items()}


def _is_macro(fields: dict[str, Any]) -> bool:
    return isinstance(fields.get("actions"), list) and not any(key in fields for key in BODY_KEYS + HTML_KEYS)


def _looks_like_response(item: Any) -> bool:
    """Strict enough that a list of chat messages or speech segments is not taken for a library."""
    if not isinstance(item, dict):
        return False
    fields = _fields(item)
    if _CONVERSATION_KEYS.intersection(fields):
        return False
    if _is_macro(fields):
        return True
    has_body = any(key in fields for key in BODY_KEYS + HTML_KEYS)
    return has_body and any(key in fields for key in NAME_KEYS if key != "id")


def _library(document: Any) -> _Library | None:
    """The responses of a canned library, or None when the document is not one."""
    if isinstance(document, list):
        if not any(_looks_like_response(item) for item in document):
            return None
        kind = "macro" if any(isinstance(i, dict) and _is_macro(_fields(i)) for i in document) else "response"
        return _Library([_Entry(item, i, kind) for i, item in enumerate(document, 1)], [], [])
    if not isinstance(document, dict):
        return None
    sections = [(key, value) for key, value in document.items() if _key(key) in LIBRARY_KEYS]
    if not sections:
        macro = _fields(document).get("macro")
        if isinstance(macro, dict) and _is_macro(_fields(macro)):
            return _Library([_Entry(macro, 1, "macro")], [], ["macro"])
        return None
    library = _Library([], [], [str(key) for key, _ in sections])
    for key, value in sections:
        kind = "macro" if _key(key) == "macros" else "response"
        if isinstance(value, list):
            library.entries += [_Entry(item, i, kind) for i, item in enumerate(value, 1)]
        elif isinstance(value, dict):  # ``name: {body: …}`` or ``name: body``
            library.entries += [_Entry(item, i, kind, str(name)) for i, (name, item) in enumerate(value.items(), 1)]
        elif value is not None:
            line = _line_of(value) or _line_of(document)
            library.problems.append((line, f"'{key}' must be a list of responses, not {_describe(value)}"))
    return library


# ---------------------------------------------------------------- converting responses


def _read_library(library: _Library, source: str, placer: _Placer, first_line: int) -> ReadResult:
    transcripts: list[Transcript] = []
    errors = [ReadError(source, line, message) for line, message in library.problems]
    used: set[str] = set()
    suffixes: dict[str, int] = {}  # the next "(n)" to try for a repeated name
    skipped = 0
    for entry in library.entries:
        placer.start()
        result = _response(entry, source, placer)
        if result is None:
            skipped += 1
        elif isinstance(result, ReadError):
            errors.append(result)
        else:
            name, build = result
            unique, n = name, suffixes.get(name, 2)
            while unique in used:  # each name's counter only moves forward: linear
                unique, n = f"{name} ({n})", n + 1
            suffixes[name] = n
            used.add(unique)
            transcripts.append(build(unique))
    if not transcripts and not errors:
        where = " or ".join(f"'{key}'" for key in library.keys) or "the list"
        if skipped:
            message = (
                f"no canned response found: none of the {skipped} macros sets a comment "
                "(comment_value or comment_value_html)"
            )
        else:
            message = f"no canned response found: {where} is empty"
        errors.append(ReadError(source, first_line, message))
    return transcripts, errors


def _response(entry: _Entry, source: str, placer: _Placer):
    """(name, build(unique_name) -> Transcript), a ``ReadError``, or None for a macro that sets no comment."""
    item = entry.item
    if isinstance(item, str) and entry.default_name is not None:
        item = {"body": item}  # ``name: body``
    if not isinstance(item, dict):
        return ReadError(
            source,
            _line_of(item),
            f"{entry.kind} {entry.index} is not a mapping with a name and a body (found {_describe(item)})",
        )
    fields = _fields(item)
    name_value = _name_value(fields)
    name = _clean_name(name_value) or entry.default_name
    item_line = placer.item_line(entry.item, name_value)
    is_macro = _is_macro(fields)
    kind = "macro" if is_macro else entry.kind
    label = f"{kind} '{name}'" if name else f"{kind} {entry.index}"  # also the turn's locator
    if is_macro:
        comment = _zendesk_comment(fields["actions"])
        if comment is None:
            return None  # a macro that only sets fields (status, tags…): nothing to audit
        candidates = [comment]
    else:
        candidates = [(fields.get(key), False) for key in BODY_KEYS if fields.get(key) is not None]
        candidates += [(fields.get(key), True) for key in HTML_KEYS if fields.get(key) is not None]
    if not candidates:
        return ReadError(source, item_line, f"{label} has no body (expected one of: {_EXPECTED_BODY})")
    texts = [(value, is_html) for value, is_html in candidates if isinstance(value, str) and value.strip()]
    if not texts:
        value = candidates[0][0]
        if isinstance(value, _Unsupported):
            tag = value.tag.replace("tag:yaml.org,2002:", "!!")
            message = f"{label}: unsupported YAML tag '{tag}' on its body (only plain text is read)"
            return ReadError(source, value.line, message)
        if isinstance(value, str):
            return ReadError(source, _line_of(value) or item_line, f"{label} has an empty body")
        message = f"{label}: the body must be text, not {_describe(value)}"
        return ReadError(source, _line_of(value) or item_line, message)
    value, is_html = texts[0]
    is_html = is_html or _looks_like_html(value)
    where = placer.body(value)
    text, line, column, starts = _located_text(value, is_html, where)
    if not text:
        return ReadError(source, where.line or item_line, f"{label} has an empty body once its HTML is removed")
    snippet = _is_snippet(fields)
    disabled = _disabled_rules(fields)

    def build(unique: str) -> Transcript:
        transcript = canned_transcript(
            unique, text, source, line=line or item_line, column=column, locator=label, snippet=snippet
        )
        transcript.turns[0].line_starts = starts
        if disabled:
            transcript.suppressions.append((None, disabled))
        return transcript

    return name or f"{Path(source).stem}#{entry.index}", build


def _name_value(fields: dict[str, Any]) -> Any:
    for key in NAME_KEYS:
        value = fields.get(key)
        if _as_text(value).strip():
            return value
    return None


def _clean_name(value: Any) -> str | None:
    return " ".join(_as_text(value).split()) or None


def _as_text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    return ""


def _zendesk_comment(actions: list) -> tuple[Any, bool] | None:
    """The comment a Zendesk macro writes: plain ``comment_value`` first, else ``comment_value_html``.

    A value is text or ``["channel:all", "text"]``.
    """
    found: list[tuple[Any, bool]] = []
    for action in actions:
        if not isinstance(action, dict):
            continue
        fields = _fields(action)
        if fields.get("field") not in ZENDESK_COMMENT_FIELDS:
            continue
        value = fields.get("value")
        if isinstance(value, list):
            texts = [v for v in value if isinstance(v, str) and not v.startswith("channel:")]
            value = texts[-1] if texts else None
        found.append((value, fields["field"] == "comment_value_html"))
    if not found:
        return None
    with_text = [pair for pair in found if isinstance(pair[0], str) and pair[0].strip()]
    return min(with_text or found, key=lambda pair: pair[1])


def _disabled_rules(fields: dict[str, Any]) -> tuple[str, ...]:
    """``disable: [vague-promise, closing]`` (or a comma-separated text): rules silenced for this response."""
    value = fields.get("disable")
    if isinstance(value, str):
        value = value.split(",")
    if not isinstance(value, list):
        return ()
    return tuple(item.strip() for item in value if isinstance(item, str) and item.strip())


def _is_snippet(fields: dict[str, Any]) -> bool:
    """``snippet: true``, ``type``/``kind`` snippet/extrait/fragment, or a ``snippet`` tag."""
    flag = fields.get("snippet")
    if flag is True or (isinstance(flag, str) and fold(flag).strip() in _TRUE_WORDS):
        return True
    for key in ("type", "kind"):
        if isinstance(fields.get(key), str) and fold(fields[key]).strip() in SNIPPET_WORDS:
            return True
    tags = fields.get("tags")
    if isinstance(tags, str):
        tags = re.split(r"[,\s]+", tags)
    return isinstance(tags, list) and any(isinstance(tag, str) and fold(tag).strip() in SNIPPET_WORDS for tag in tags)


def _describe(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, _Unsupported):
        return f"a value tagged '{value.tag}'"
    if value is None:
        return "nothing"
    return f"'{_as_text(value) or value}'"


# ---------------------------------------------------------------- text and its place in the file


@dataclass(frozen=True)
class _Where:
    """Where a body's raw value is in the file.

    ``columns`` maps the index of a line of the raw value to (file line,
    column where that line's text starts), only when that is exact.
    """

    line: int | None
    columns: dict[int, tuple[int, int]] | None = None


def _located_text(raw: str, is_html: bool, where: _Where) -> tuple[str, int | None, int | None, list]:
    """The tidy text (blank lines dropped, lines stripped), its line, column and ``line_starts``."""
    if is_html:
        raw, where = html_to_text(raw), _Where(where.line)
    parts: list[str] = []
    kept: list[tuple[int, int, int]] = []  # (offset in text, index of the raw line, columns stripped on the left)
    offset = 0
    for index, piece in enumerate(split_lines(raw)):
        stripped = piece.strip()
        if not stripped:
            continue
        kept.append((offset, index, len(piece) - len(piece.lstrip())))
        parts.append(stripped)
        offset += len(stripped) + 1
    text = "\n".join(parts)
    columns = where.columns
    if not kept or columns is None or any(index not in columns for _, index, _ in kept):
        return text, where.line, None, []
    starts = [(offset, columns[index][0], columns[index][1] + left) for offset, index, left in kept]
    return text, starts[0][1], starts[0][2], starts


_HTML_BLOCK = re.compile(r"<!--|<(script|style)\b", re.IGNORECASE)
_HTML_BREAK = re.compile(
    r"<br\b[^<>]*>|</?(?:p|div|li|ul|ol|h[1-6]|tr|table|blockquote|pre|section|article|header|footer)\b[^<>]*>",
    re.IGNORECASE,
)
_HTML_TAG = re.compile(r"</?[A-Za-z][^<>]*>")
_HTML_HINT = re.compile(
    r"<(?:br|p|div|span|strong|b|em|i|u|a|ul|ol|li|table|h[1-6])\b[^<>]*>"
    r"|&(?:[A-Za-z]{2,8}|#\d{1,7}|#x[0-9A-Fa-f]{1,6});",
    re.IGNORECASE,
)


def _looks_like_html(text: str) -> bool:
    """A plain body field that holds HTML anyway (``"content": "<p>Bonjour</p>"``)."""
    return bool(_HTML_HINT.search(text))


def html_to_text(fragment: str) -> str:
    """Text of an HTML body: ``<br>``/``<p>``/``<div>``/``<li>`` become line breaks,
    other tags go, comments, scripts and styles go with their content, entities
    are decoded, lines are stripped and blank ones dropped. Linear, even on
    unclosed tags and comments."""
    fragment = re.sub(r"\s+", " ", _drop_blocks(fragment))  # line breaks in HTML source are spaces
    fragment = html.unescape(_HTML_TAG.sub("", _HTML_BREAK.sub("\n", fragment)))
    return "\n".join(line.strip() for line in fragment.split("\n") if line.strip())


def _drop_blocks(fragment: str) -> str:
    kept, position = [], 0
    lower = fragment.lower()
    while (match := _HTML_BLOCK.search(fragment, position)) is not None:
        kept.append(fragment[position : match.start()])
        if match.group(1):
            close = lower.find(f"</{match.group(1).lower()}", match.end())
            end = lower.find(">", close) + 1 if close >= 0 else 0
        else:
            close = fragment.find("-->", match.end())
            end = close + 3 if close >= 0 else 0
        if end <= 0:
            return "".join(kept)  # unclosed: the rest is not text
        position = end
    kept.append(fragment[position:])
    return "".join(kept)


class _Placer:
    """Finds where responses and bodies are in the file."""

    def start(self) -> None:
        """A new response begins."""

    def item_line(self, item: Any, name: Any) -> int | None:
        raise NotImplementedError

    def body(self, value: str) -> _Where:
        raise NotImplementedError


class _YamlPlacer(_Placer):
    def __init__(self, text: str):
        self._lines = split_lines(text)

    def _line(self, index: int) -> str:
        return self._lines[index] if 0 <= index < len(self._lines) else ""

    def item_line(self, item: Any, name: Any) -> int | None:
        return _line_of(item)

    def body(self, value: str) -> _Where:
        node = getattr(value, "node", None)
        if node is None:
            return _Where(None)
        first = node.start_mark.line  # 0-based; for a block scalar, the line of its indicator
        if node.style in ("|", ">"):
            leading_blank = len(value) - len(value.lstrip("\n"))
            line = first + 2 + leading_blank
            return _Where(line, self._block_columns(value, first + 1) if node.style == "|" else None)
        if node.end_mark.line == first and "\n" not in value:
            start = node.start_mark.column + (1 if node.style in ("'", '"') else 0)
            if self._line(first)[start : start + len(value)] == value:  # no escapes, no folding
                return _Where(first + 1, {0: (first + 1, start + 1)})
        return _Where(first + 1)

    def _block_columns(self, value: str, first_content: int) -> dict[int, tuple[int, int]] | None:
        """Each line of a literal block is a file line minus the block's indentation."""
        columns = {}
        for index, piece in enumerate(value.split("\n")):
            if not piece.strip():
                continue
            raw = self._line(first_content + index)
            indent = len(raw) - len(piece)
            if indent < 0 or not raw.endswith(piece) or raw[:indent].strip():
                return None
            columns[index] = (first_content + index + 1, indent + 1)
        return columns


# A JSON string token; JSON outside strings has no quotes, so tokens are found in order.
_JSON_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"')


class _JsonPlacer(_Placer):
    """Finds string values back in the raw JSON: each is looked for from the start of its response."""

    def __init__(self, text: str):
        self._index = LineIndex(text)
        self._offsets: dict[str, list[int]] = {}
        for match in _JSON_STRING.finditer(text):
            token = match.group()
            if "\\" in token:
                try:
                    value = json.loads(token)
                except ValueError:
                    continue
            else:
                value = token[1:-1]
            self._offsets.setdefault(value, []).append(match.start())
        self._item_start = self._cursor = 0

    def start(self) -> None:
        self._item_start = self._cursor

    def _find(self, value: str) -> int | None:
        offsets = self._offsets.get(value)
        if not offsets:
            return None
        index = bisect.bisect_left(offsets, self._item_start)
        if index == len(offsets):
            return offsets[-1]
        self._cursor = max(self._cursor, offsets[index] + 1)
        return offsets[index]

    def item_line(self, item: Any, name: Any) -> int | None:
        offset = self._find(name) if isinstance(name, str) else None
        return None if offset is None else self._index.line_of(offset)

    def body(self, value: str) -> _Where:
        offset = self._find(value)
        return _Where(None if offset is None else self._index.line_of(offset))


# ---------------------------------------------------------------- YAML nodes to located values


class _YamlText(str):
    """A YAML scalar's text that remembers its node (marks and style)."""

    node: yaml.ScalarNode


class _YamlMapping(dict):
    line: int


class _YamlList(list):
    line: int


@dataclass(frozen=True)
class _Unsupported:
    """A value with a tag this reader does not read (``!!python/object``…): never constructed."""

    tag: str
    line: int


def _line_of(value: Any) -> int | None:
    if isinstance(value, _YamlText):
        return value.node.start_mark.line + 1
    return getattr(value, "line", None)


class _FileLines:
    """Puts YAML marks on the file's lines.

    PyYAML also ends a line at NEL, LS and PS (U+0085, U+2028, U+2029, pasted
    from web pages and Word); editors and the other readers end lines at CR,
    LF and CRLF only. Marks keep their character index, so line and column
    are recomputed from it, only when the text holds one of those characters.
    """

    def __init__(self, text: str):
        self._starts = None
        if _YAML_ONLY_BREAKS.search(text):
            self._starts = [0] + [match.end() for match in _LINE_BREAK.finditer(text)]

    def fix(self, mark: yaml.Mark | None) -> None:
        if self._starts is None or mark is None:
            return
        line = bisect.bisect_right(self._starts, mark.index) - 1
        mark.line, mark.column = line, mark.index - self._starts[line]

    def fix_tree(self, root: yaml.Node | None) -> None:
        if self._starts is None or root is None:
            return
        seen: set[int] = set()
        stack = [root]
        while stack:
            node = stack.pop()
            if id(node) in seen:  # aliases share nodes, a recursive one makes a cycle
                continue
            seen.add(id(node))
            self.fix(node.start_mark)
            self.fix(node.end_mark)
            if isinstance(node, yaml.SequenceNode):
                stack.extend(node.value)
            elif isinstance(node, yaml.MappingNode):
                stack.extend(child for pair in node.value for child in pair)


_YAML_ONLY_BREAKS = re.compile("[\x85\u2028\u2029]")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def _from_yaml(root: yaml.Node) -> Any:
    """Plain dicts, lists and strings that carry their lines; scalars stay text.

    Each node is converted once, so aliases share values (no "billion laughs")
    and a recursive alias makes a cycle rather than endless work. Merge keys
    (``<<: *defaults``) are honoured, without overriding the mapping's own keys.
    """
    done: dict[int, Any] = {}

    def convert(node: yaml.Node) -> Any:
        if id(node) in done:
            return done[id(node)]
        line = node.start_mark.line + 1
        if node.tag not in _YAML_TAGS:
            done[id(node)] = _Unsupported(node.tag, line)
        elif isinstance(node, yaml.ScalarNode):
            if node.tag == _YAML_NULL:
                done[id(node)] = None
            else:
                text = _YamlText(node.value)
                text.node = node
                done[id(node)] = text
        elif isinstance(node, yaml.SequenceNode):
            items = done[id(node)] = _YamlList()
            items.line = line
            items.extend(convert(item) for item in node.value)
        else:
            mapping = done[id(node)] = _YamlMapping()
            mapping.line = line
            merged: list[Any] = []
            for key_node, value_node in node.value:
                if not isinstance(key_node, yaml.ScalarNode):
                    continue
                if key_node.tag == _YAML_MERGE:
                    merged.append(convert(value_node))
                else:
                    mapping[key_node.value] = convert(value_node)
            for source in _merge_sources(merged):
                for key, value in source.items():
                    mapping.setdefault(key, value)
        return done[id(node)]

    return convert(root)


def _merge_sources(merged: list[Any]) -> Iterable[dict]:
    for value in merged:
        for source in value if isinstance(value, list) else [value]:
            if isinstance(source, dict):
                yield source
