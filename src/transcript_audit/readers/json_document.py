"""``.json`` files: parsed once, then recognised by shape.

Speech-to-text exports (Whisper, AWS Transcribe, Deepgram, AssemblyAI,
Google CCAI), the project's own plain shape and canned-response exports
(Zendesk, Freshdesk) all end in ``.json``; each shape module lists the
layouts it knows in ``SHAPES``, and the first that matches converts.
"""

from __future__ import annotations

import json

from ..model import ReadError
from .base import JsonShape, ReaderOptions, ReadResult, decode_or_error

FORMAT = "json"
EXTENSIONS = (".json",)


def shapes() -> list[JsonShape]:
    from . import canned, speech_json

    return [*speech_json.SHAPES, *canned.JSON_SHAPES]


def sniff(data: bytes) -> bool:
    return data.lstrip()[:1] in (b"{", b"[")


def read(data: bytes, source: str, options: ReaderOptions) -> ReadResult:
    text, errors = decode_or_error(data, source)
    if text is None:
        return [], errors
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        return [], [ReadError(source, error.lineno, f"invalid JSON: {error.msg}", column=error.colno)]
    except RecursionError:
        return [], [ReadError(source, None, "invalid JSON: nested too deeply")]
    for shape in shapes():
        if shape.matches(document):
            return shape.convert(document, source, text, options)
    known = ", ".join(shape.name for shape in shapes())
    return [], [ReadError(source, 1, f"unrecognised JSON layout (known: {known})")]
