"""``.json`` files: parsed once, then recognised by shape.

Speech-to-text exports (Whisper, AWS Transcribe, Deepgram, AssemblyAI,
Google CCAI), the project's own plain shape and canned-response exports
(Zendesk, Freshdesk) all end in ``.json``; each shape module
(``speech_json``, ``canned_library``) lists the layouts it knows, and the
first that matches converts.
"""

from __future__ import annotations

import json
import re
import sys

from ..model import ReadError
from .base import JsonShape, ReaderOptions, ReadResult, decode_or_error

FORMAT = "json"
EXTENSIONS = (".json",)


def shapes() -> list[JsonShape]:
    from . import canned_library, speech_json

    return [*speech_json.SHAPES, *canned_library.JSON_SHAPES]


def sniff(data: bytes) -> bool:
    return data.lstrip()[:1] in (b"{", b"[")


def _too_many_digits(text: str, source: str) -> ReadError:
    limit = sys.get_int_max_str_digits()
    number = re.search(r"\d{%d,}" % (limit + 1), text)
    line = text.count("\n", 0, number.start()) + 1 if number else None
    return ReadError(source, line, f"invalid JSON: a number with more than {limit} digits")


def read(data: bytes, source: str, options: ReaderOptions) -> ReadResult:
    text, errors = decode_or_error(data, source)
    if text is None:
        return [], errors
    if not text.strip():
        return [], [ReadError(source, None, "empty file: no JSON document to read")]
    # Old Mac exports end lines with CR alone; the JSON parser and the line locator
    # count LF only. CR and LF are both plain whitespace in JSON (raw, both are invalid
    # inside strings), so the document means the same.
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        return [], [ReadError(source, error.lineno, f"invalid JSON: {error.msg}", column=error.colno)]
    except RecursionError:
        return [], [ReadError(source, None, "invalid JSON: nested too deeply")]
    except ValueError:  # int() refuses numbers of more than sys.get_int_max_str_digits() digits
        return [], [_too_many_digits(text, source)]
    for shape in shapes():
        if shape.matches(document):
            return shape.convert(document, source, text)
    known = ", ".join(shape.name for shape in shapes())
    return [], [ReadError(source, 1, f"unrecognised JSON layout (known: {known})")]
