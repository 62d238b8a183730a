"""PDF documents (``.pdf``): the text layer, page by page, read as speaker-labelled lines.

The text comes from pypdf's layout extraction, which keeps a line's words on one
line even when the label and the words sit in two columns or in a ruled table
(``benchmarks/pdf_extraction.py`` measures it against pdfminer.six; figures in
docs/formats.md). Runs of spaces inside a line are collapsed; an indented line
still continues the previous turn. Lines that are only a page number ("3",
"Page 3 / 12") are dropped, so footers do not end up inside turns. A turn's
locator is ``page 3`` and its ``line`` the line of that page, counting lines with
text. A PDF without a text layer (a scan) is reported, never read as empty.
"""

from __future__ import annotations

import io
import re
from pathlib import PurePath

from ..model import ReadError
from .base import ReaderOptions, ReadResult
from .decoding import split_lines
from .speaker_lines import SourceLine, parse_document_lines
from .unreadable import describe, message, reason

FORMAT = "pdf"

MAX_PAGES = 2000  # a two-hour call is ~40 pages; more is a book or a merged export

_PAGE_NUMBER = re.compile(r"^\s*(?:page\s*)?[-–]?\s*\d{1,4}\s*(?:(?:/|sur|of)\s*\d{1,4})?\s*[-–]?\s*$", re.IGNORECASE)
_INNER_SPACES = re.compile(r"(?<=\S) {2,}(?=\S)")


def sniff(data: bytes) -> bool:
    """``%PDF-`` at the start (the format allows it anywhere in the first 1024 bytes)."""
    return b"%PDF-" in data[:1024]


def read(data: bytes, source: str, options: ReaderOptions | None = None) -> ReadResult:
    if not sniff(data):
        return [], [ReadError(source, None, describe(data, PurePath(source).suffix) or message("pdf-not-pdf"))]
    try:
        from pypdf import PdfReader

        document = PdfReader(io.BytesIO(data))
        if document.is_encrypted and not document.decrypt(""):
            return [], [ReadError(source, None, message("pdf-encrypted"))]
        pages = len(document.pages)
    except Exception as error:  # pypdf raises many kinds of errors on a damaged file
        return [], [ReadError(source, None, _broken(error))]
    if pages > MAX_PAGES:
        return [], [ReadError(source, None, message("pdf-too-many-pages", pages=pages, limit=MAX_PAGES))]
    lines: list[SourceLine] = []
    errors: list[ReadError] = []
    scanned: list[int] = []
    for number in range(1, pages + 1):
        try:
            page = document.pages[number - 1]
            text = page.extract_text(extraction_mode="layout")
        except Exception as error:  # one damaged page does not stop the others
            errors.append(ReadError(source, None, message("pdf-page-broken", page=number, reason=reason(error))))
            continue
        page_lines = _page_lines(text, number)
        if not page_lines and _has_image(page):
            scanned.append(number)
        lines.extend(page_lines)
    if not any(line.text.strip() for line in lines):
        return [], [*errors, ReadError(source, None, message("pdf-no-text"))]
    if scanned:
        named = f"page {scanned[0]}" if len(scanned) == 1 else "pages " + ", ".join(map(str, scanned))
        errors.append(ReadError(source, None, message("pdf-pages-no-text", pages=named)))
    transcripts, parse_errors = parse_document_lines(lines, source, default_id=PurePath(source).stem)
    return transcripts, errors + parse_errors


def _page_lines(text: str, page: int) -> list[SourceLine]:
    """A page's lines with text, page numbers left out, numbered as they appear."""
    found = []
    for raw in split_lines(text):
        if not raw.strip() or _PAGE_NUMBER.match(raw):
            continue
        indent = " " if raw[:1].isspace() else ""
        found.append(SourceLine(indent + _INNER_SPACES.sub(" ", raw.strip()), len(found) + 1, f"page {page}"))
    return found


def _has_image(page) -> bool:
    """Does the page draw an image (a scan), as far as its resources tell?"""
    try:
        objects = page.get("/Resources", {}).get_object().get("/XObject", {}).get_object()
        return any(item.get_object().get("/Subtype") == "/Image" for item in objects.values())
    except Exception:  # a damaged resource dictionary: say nothing rather than guess
        return False


def _broken(error: Exception) -> str:
    if "password" in str(error).lower() or "decrypt" in str(error).lower() or "cryptography" in str(error).lower():
        return message("pdf-encrypted")
    return message("pdf-broken", reason=reason(error))
