"""Word documents (``.docx``): paragraphs and table rows read as speaker-labelled lines.

Analysts are often handed transcripts as Word files. Each paragraph of the body
is a line; a table row is one line too, its cells joined as ``Speaker : words``
(so a two-column "Intervenant | Message" table reads as turns); then the label
rules of ``.txt`` files apply (``speaker_lines``). Headings and titles are
document structure, not speech, and are skipped. Paragraphs and table rows are
numbered together in document order, empty paragraphs included: a turn's
``line`` is that number and its locator ``paragraph 12`` or ``table 1, row 3``.
Headers, footers, text boxes and comments are not read.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from pathlib import PurePath

from ..model import ReadError
from ..text import fold
from .base import ReaderOptions, ReadResult
from .speaker_lines import SourceLine, parse_document_lines
from .unreadable import describe, message, reason

FORMAT = "docx"

MAX_DOCUMENT_XML = 50 * 1024 * 1024  # word/document.xml, uncompressed: 50 MB is ~10,000 pages of text
MAX_PACKAGE = 500 * 1024 * 1024  # every part of the package, uncompressed (images included)
_MB = 1024 * 1024

# A first table row made only of these words is a header row ("Intervenant | Message").
_HEADER_WORDS = {
    "intervenant", "interlocuteur", "locuteur", "speaker", "qui", "role", "nom", "auteur",
    "message", "messages", "texte", "text", "propos", "paroles", "verbatim", "dialogue", "transcription",
    "heure", "horodatage", "time", "temps", "timestamp", "date",
}  # fmt: skip


def sniff(data: bytes) -> bool:
    """A ZIP package holding ``word/document.xml``."""
    if not data.startswith(b"PK\x03\x04"):
        return False
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return "word/document.xml" in archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, RuntimeError):
        return False


def read(data: bytes, source: str, options: ReaderOptions | None = None) -> ReadResult:
    problem = _package_problem(data, PurePath(source).suffix)
    if problem:
        return [], [_error(source, problem)]
    try:
        import docx

        document = docx.Document(io.BytesIO(data))
        lines = list(_lines(document))
    except Exception as error:  # python-docx raises whatever lxml and zipfile raise on a damaged file
        return [], [_error(source, message("docx-broken", reason=reason(error)))]
    if not any(line.text.strip() for line in lines):
        return [], [_error(source, message("docx-empty"))]
    return parse_document_lines(lines, source, default_id=PurePath(source).stem)


def _error(source: str, text: str) -> ReadError:
    return ReadError(source, None, text)


def _package_problem(data: bytes, suffix: str) -> str | None:
    """Why the bytes cannot be read as a Word document before parsing any XML, or None."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
            names = {info.filename for info in infos}
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, RuntimeError) as error:
        if not data.startswith(b"PK"):
            return describe(data, suffix) or message("docx-not-docx")
        return message("docx-broken", reason=reason(error))
    if "word/document.xml" not in names:
        return describe(data, suffix) or message("docx-broken", reason="pas de word/document.xml")
    document_size = next(info.file_size for info in infos if info.filename == "word/document.xml")
    if document_size > MAX_DOCUMENT_XML:
        return message("docx-too-big", size=document_size // _MB, limit=MAX_DOCUMENT_XML // _MB)
    total = sum(info.file_size for info in infos)
    if total > MAX_PACKAGE:
        return message("docx-too-big", size=total // _MB, limit=MAX_PACKAGE // _MB)
    return None



def _lines(document) -> Iterator[SourceLine]:
    from docx.table import Table

    number = tables = 0
    for block in document.iter_inner_content():
        number += 1
        if isinstance(block, Table):
            tables += 1
            for row_number, row in enumerate(block.rows, start=1):
                if row_number > 1:
                    number += 1
                texts = _row_lines(row, first=row_number == 1)
                yield from (SourceLine(text, number, f"table {tables}, row {row_number}") for text in texts)
            continue
        if _is_heading(block):
            continue
        for text in _split(block.text):
            yield SourceLine(text, number, f"paragraph {number}")


def _row_lines(row, first: bool) -> list[str]:
    """A table row as lines: "Speaker : words" for two or more cells, the cell's lines for one.

    Merged cells repeat in ``row.cells``; one copy is kept. The words' further
    paragraphs are indented, so they continue the turn whatever they say."""
    cells: list[str] = []
    for cell in row.cells:
        text = cell.text.strip()
        if text and (not cells or cells[-1] != text):
            cells.append(text)
    if not cells or (first and all(fold(cell).strip(" :") in _HEADER_WORDS for cell in cells)):
        return []
    if len(cells) == 1:
        return _split(cells[0])
    label = " ".join(" ".join(_split(cell)) for cell in cells[:-1]).rstrip(": \u00a0\u202f")
    words = _split(cells[-1]) or [""]
    return [f"{label} : {words[0]}", *(f" {more}" for more in words[1:])]


def _split(text: str) -> list[str]:
    """A paragraph's lines (Word's line breaks), without the CR/LF the label rules split on."""
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


def _is_heading(paragraph) -> bool:
    try:
        name = (paragraph.style.name or "").lower() if paragraph.style is not None else ""
    except (KeyError, ValueError, AttributeError):
        return False
    return name.startswith(("heading", "title", "subtitle", "titre", "sous-titre"))
