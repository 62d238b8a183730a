"""Canned-response libraries in YAML (``.yaml``, ``.yml``), audited like replies.

Each response becomes one agent turn on the ``canned`` channel, a snippet one
on the ``snippet`` channel (see ``canned_library``, shared with the JSON
exports). YAML is loaded by ``located_yaml.load_verbatim``: no tag can run
code, each broken response is reported while the others are read, and values
keep their node, so a body's column is given exactly when its text is the
file's text character for character (a plain or quoted single-line scalar,
or each line of a literal ``|`` block).
"""

from __future__ import annotations

import re
from typing import Any

from ..located_yaml import YamlError, line_of, load_verbatim
from ..model import ReadError
from .base import ReaderOptions, ReadResult, decode_or_error
from .canned_library import NOT_A_LIBRARY, Placer, Where, find_library, read_library
from .decoding import decoded_head, split_lines

FORMAT = "canned"

# The YAML loader's messages (shared with rule packs, in English for their authors) in French.
_YAML_PROBLEMS = (
    ("invalid YAML: ", "YAML invalide : "),
    ("YAML nested too deeply", "YAML imbriqué trop profondément"),
    ("unsupported YAML tag", "étiquette YAML non prise en charge"),
)


_YAML_TOO_LARGE = re.compile(r"^YAML too large once aliases are expanded \(more than (\d+) values\)$")


def _yaml_problem(message: str) -> str:
    too_large = _YAML_TOO_LARGE.match(message)
    if too_large:
        return f"YAML trop volumineux une fois les alias développés (plus de {too_large[1]} valeurs)"
    for english, french in _YAML_PROBLEMS:
        if message.startswith(english):
            return french + message[len(english) :]
    return message


_LIBRARY_START = re.compile(
    r"^(?:responses|r[eé]ponses|canned[_ -]responses|templates|macros)\s*:", re.IGNORECASE
)


def sniff(data: bytes) -> bool:
    """A YAML library without a known extension: its first key names a list of responses."""
    for line in split_lines(decoded_head(data, 4096)):
        stripped = line.strip()
        if stripped and not stripped.startswith("#") and stripped != "---":
            return bool(_LIBRARY_START.match(stripped))
    return False


def read(data: bytes, source: str, options: ReaderOptions | None = None) -> ReadResult:
    """Read a YAML library; each broken response is a located ``ReadError``, the others are read."""
    text, errors = decode_or_error(data, source)
    if text is None:
        return [], errors
    try:
        document = load_verbatim(text)
    except YamlError as error:
        line, column = (error.mark.line, error.mark.column) if error.mark else (None, None)
        return [], [ReadError(source, line, _yaml_problem(error.message), column=column)]
    if document is None:  # nothing, comments only, or an empty document
        return [], [ReadError(source, None, f"fichier vide : {NOT_A_LIBRARY}")]
    library = find_library(document)
    if library is None:
        return [], [ReadError(source, line_of(document), NOT_A_LIBRARY)]
    return read_library(library, source, _YamlPlacer(text), line_of(document))


class _YamlPlacer(Placer):
    def __init__(self, text: str):
        self._lines = split_lines(text)

    def _line(self, index: int) -> str:
        return self._lines[index] if 0 <= index < len(self._lines) else ""

    def item_line(self, item: Any, name: Any) -> int | None:
        return line_of(item)

    def body(self, value: str) -> Where:
        node = getattr(value, "node", None)
        if node is None:
            return Where(None)
        first = node.start_mark.line  # 0-based; for a block scalar, the line of its indicator
        if node.style in ("|", ">"):
            leading_blank = len(value) - len(value.lstrip("\n"))
            line = first + 2 + leading_blank
            return Where(line, self._block_columns(value, first + 1) if node.style == "|" else None)
        if node.end_mark.line == first and "\n" not in value:
            start = node.start_mark.column + (1 if node.style in ("'", '"') else 0)
            if self._line(first)[start : start + len(value)] == value:  # no escapes, no folding
                return Where(first + 1, {0: (first + 1, start + 1)})
        return Where(first + 1)

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
