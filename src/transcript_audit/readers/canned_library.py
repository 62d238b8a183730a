"""Canned-response libraries (réponses types, macros, templates), audited like replies.

A team's canned responses are pasted into thousands of conversations, so one
dry or jargon-laden template does more harm than any single agent. Each
response becomes one agent turn on the ``canned`` channel; a snippet (a
fragment inserted into a reply, not a whole reply) goes on the ``snippet``
channel, where greeting and closing rules do not apply.

This module is what the YAML reader (``canned``) and the JSON reader share
once a file is parsed: recognising a library (``library``), turning each
response into a transcript (``read_library``), and the JSON layouts
(Zendesk macros, Freshdesk canned responses, the generic list) as
``JSON_SHAPES`` of ``json_document``. Only locating a body in the file
differs: each format gives a ``Placer``. JSON values are found back in the
raw text through an index of its string tokens, built once, so locating
stays linear.

Template placeholders ({{ticket.requester.first_name}}, [Prénom], %%NUMERO%%…)
are kept verbatim in the text; the engine masks them with ``text.PLACEHOLDER``.
"""

from __future__ import annotations

import bisect
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..located_yaml import Unsupported, line_of
from ..model import ReadError, Transcript
from ..text import fold
from .base import JsonShape, LineIndex, ReadResult, canned_transcript
from .decoding import split_lines
from .html_text import html_to_text, looks_like_html

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

NOT_A_LIBRARY = "ce n’est pas une bibliothèque de réponses types (attendu : une liste de réponses, chacune avec un nom et un corps)"
# What the analyst reads about a canned-response library, in French like every report.
MESSAGES = {
    "not-a-list": "« {key} » doit être une liste de réponses, pas {found}",
    "no-comment": (
        "aucune réponse type trouvée : aucune des {count} macros n’écrit de commentaire "
        "(comment_value ou comment_value_html)"
    ),
    "empty-list": "aucune réponse type trouvée : {where} est vide",
    "the-list": "la liste",
    "or": " ou ",
    "not-a-mapping": "{kind} {index} : il faut une table avec un nom et un corps (trouvé : {found})",
    "no-body": "{label} sans corps (clés possibles : {keys})",
    "unsupported-tag": "{label} : étiquette YAML « {tag} » non prise en charge sur son corps (seul le texte simple est lu)",
    "empty-body": "{label} a un corps vide",
    "body-not-text": "{label} : le corps doit être du texte, pas {found}",
    "empty-once-html-removed": "{label} a un corps vide une fois le HTML retiré",
}
# How messages name a response ("réponse type 'Bonjour'"); the turn's locator keeps the English kind.
_KINDS = {"response": "réponse type", "macro": "macro"}
_EXPECTED_BODY = ", ".join(BODY_KEYS + HTML_KEYS)


# ---------------------------------------------------------------- JSON exports


def _convert_json(document: Any, source: str, text: str) -> ReadResult:
    library = find_library(document)
    if library is None:
        return [], [ReadError(source, 1, NOT_A_LIBRARY)]
    return read_library(library, source, _JsonPlacer(text), 1)


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
    return find_library(document) is not None


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
class Library:
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


def find_library(document: Any) -> Library | None:
    """The responses of a canned library, or None when the document is not one."""
    if isinstance(document, list):
        if not any(_looks_like_response(item) for item in document):
            return None
        kind = "macro" if any(isinstance(i, dict) and _is_macro(_fields(i)) for i in document) else "response"
        return Library([_Entry(item, i, kind) for i, item in enumerate(document, 1)], [], [])
    if not isinstance(document, dict):
        return None
    sections = [(key, value) for key, value in document.items() if _key(key) in LIBRARY_KEYS]
    if not sections:
        macro = _fields(document).get("macro")
        if isinstance(macro, dict) and _is_macro(_fields(macro)):
            return Library([_Entry(macro, 1, "macro")], [], ["macro"])
        return None
    library = Library([], [], [str(key) for key, _ in sections])
    for key, value in sections:
        kind = "macro" if _key(key) == "macros" else "response"
        if isinstance(value, list):
            library.entries += [_Entry(item, i, kind) for i, item in enumerate(value, 1)]
        elif isinstance(value, dict):  # ``name: {body: …}`` or ``name: body``
            library.entries += [_Entry(item, i, kind, str(name)) for i, (name, item) in enumerate(value.items(), 1)]
        elif value is not None:
            line = line_of(value) or line_of(document)
            library.problems.append((line, MESSAGES["not-a-list"].format(key=key, found=_describe(value))))
    return library


# ---------------------------------------------------------------- converting responses


def read_library(library: Library, source: str, placer: Placer, first_line: int) -> ReadResult:
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
        where = MESSAGES["or"].join(f"« {key} »" for key in library.keys) or MESSAGES["the-list"]
        if skipped:
            message = MESSAGES["no-comment"].format(count=skipped)
        else:
            message = MESSAGES["empty-list"].format(where=where)
        errors.append(ReadError(source, first_line, message))
    return transcripts, errors


def _response(entry: _Entry, source: str, placer: Placer):
    """(name, build(unique_name) -> Transcript), a ``ReadError``, or None for a macro that sets no comment."""
    item = entry.item
    if isinstance(item, str) and entry.default_name is not None:
        item = {"body": item}  # ``name: body``
    if not isinstance(item, dict):
        return ReadError(
            source,
            line_of(item),
            MESSAGES["not-a-mapping"].format(kind=_KINDS.get(entry.kind, entry.kind), index=entry.index, found=_describe(item)),
        )
    fields = _fields(item)
    name_value = _name_value(fields)
    name = _clean_name(name_value) or entry.default_name
    item_line = placer.item_line(entry.item, name_value)
    is_macro = _is_macro(fields)
    kind = "macro" if is_macro else entry.kind
    label = f"{kind} '{name}'" if name else f"{kind} {entry.index}"  # also the turn's locator
    shown = f"{_KINDS.get(kind, kind)} « {name} »" if name else f"{_KINDS.get(kind, kind)} {entry.index}"  # in messages
    if is_macro:
        comment = _zendesk_comment(fields["actions"])
        if comment is None:
            return None  # a macro that only sets fields (status, tags…): nothing to audit
        candidates = [comment]
    else:
        candidates = [(fields.get(key), False) for key in BODY_KEYS if fields.get(key) is not None]
        candidates += [(fields.get(key), True) for key in HTML_KEYS if fields.get(key) is not None]
    if not candidates:
        return ReadError(source, item_line, MESSAGES["no-body"].format(label=shown, keys=_EXPECTED_BODY))
    texts = [(value, is_html) for value, is_html in candidates if isinstance(value, str) and value.strip()]
    if not texts:
        value = candidates[0][0]
        if isinstance(value, Unsupported):
            tag = value.tag.replace("tag:yaml.org,2002:", "!!")
            message = MESSAGES["unsupported-tag"].format(label=shown, tag=tag)
            return ReadError(source, value.line, message)
        if isinstance(value, str):
            return ReadError(source, line_of(value) or item_line, MESSAGES["empty-body"].format(label=shown))
        message = MESSAGES["body-not-text"].format(label=shown, found=_describe(value))
        return ReadError(source, line_of(value) or item_line, message)
    value, is_html = texts[0]
    is_html = is_html or _looks_like_html(value)
    where = placer.body(value)
    text, line, column, starts = _located_text(value, is_html, where)
    if not text:
        return ReadError(source, where.line or item_line, MESSAGES["empty-once-html-removed"].format(label=shown))
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
        return "une table (mapping)"
    if isinstance(value, list):
        return "une liste"
    if isinstance(value, Unsupported):
        return f"une valeur d’étiquette « {value.tag} »"
    if value is None:
        return "rien"
    return f"« {_as_text(value) or value} »"


# ---------------------------------------------------------------- text and its place in the file


@dataclass(frozen=True)
class Where:
    """Where a body's raw value is in the file.

    ``columns`` maps the index of a line of the raw value to (file line,
    column where that line's text starts), only when that is exact.
    """

    line: int | None
    columns: dict[int, tuple[int, int]] | None = None


def _located_text(raw: str, is_html: bool, where: Where) -> tuple[str, int | None, int | None, list]:
    """The tidy text (blank lines dropped, lines stripped), its line, column and ``line_starts``."""
    if is_html:
        raw, where = html_to_text(raw), Where(where.line)
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


_HTML_ENTITY = re.compile(r"&(?:[A-Za-z]{2,8}|#\d{1,7}|#x[0-9A-Fa-f]{1,6});")


def _looks_like_html(text: str) -> bool:
    """A plain body field that holds HTML anyway (``"<p>Bonjour</p>"``, or only ``Bonjour&nbsp;!``)."""
    return looks_like_html(text) or bool(_HTML_ENTITY.search(text))


class Placer:
    """Finds where responses and bodies are in the file."""

    def start(self) -> None:
        """A new response begins."""

    def item_line(self, item: Any, name: Any) -> int | None:
        raise NotImplementedError

    def body(self, value: str) -> Where:
        raise NotImplementedError


# A JSON string token; JSON outside strings has no quotes, so tokens are found in order.
_JSON_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"')


class _JsonPlacer(Placer):
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

    def body(self, value: str) -> Where:
        offset = self._find(value)
        return Where(None if offset is None else self._index.line_of(offset))


