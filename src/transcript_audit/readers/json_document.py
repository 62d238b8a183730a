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

# What the analyst reads about a JSON file, in French like every report.
MESSAGES = {
    "empty": "fichier vide : aucun document JSON à lire",
    "invalid": "JSON invalide : {problem}",
    "too-many-digits": "JSON invalide : un nombre de plus de {limit} chiffres",
    "too-deep": "JSON invalide : imbrication trop profonde",
    "unknown-layout": "structure JSON non reconnue (structures reconnues : {known})",
}
# The JSON parser's problems (``JSONDecodeError.msg``) in French; another one keeps the parser's wording.
_PROBLEMS = {
    "Expecting value": "une valeur est attendue ici",
    "Expecting ',' delimiter": "une virgule « , » manque ici",
    "Expecting ':' delimiter": "un deux-points « : » manque ici",
    "Expecting property name enclosed in double quotes": "un nom de clé entre guillemets droits « \" » est attendu ici",
    "Unterminated string starting at": "chaîne de caractères jamais fermée",
    "Invalid control character at": "caractère de contrôle interdit dans une chaîne",
    "Invalid control character": "caractère de contrôle interdit dans une chaîne",
    "Extra data": "du texte suit la fin du document",
    "Invalid \\escape": "séquence d’échappement « \\ » invalide",
    "Invalid \\uXXXX escape": "séquence « \\uXXXX » invalide",
    "Illegal trailing comma before end of object": "virgule en trop avant la fin de l’objet",
    "Illegal trailing comma before end of array": "virgule en trop avant la fin du tableau",
}


def _problem(msg: str) -> str:
    return _PROBLEMS.get(msg) or next((french for english, french in _PROBLEMS.items() if msg.startswith(english)), msg)


def shapes() -> list[JsonShape]:
    from . import canned_library, speech_json

    return [*speech_json.SHAPES, *canned_library.JSON_SHAPES]


def sniff(data: bytes) -> bool:
    return data.lstrip()[:1] in (b"{", b"[")


def _too_many_digits(text: str, source: str) -> ReadError:
    limit = sys.get_int_max_str_digits()
    number = re.search(r"\d{%d,}" % (limit + 1), text)
    line = text.count("\n", 0, number.start()) + 1 if number else None
    return ReadError(source, line, MESSAGES["too-many-digits"].format(limit=limit))


def read(data: bytes, source: str, options: ReaderOptions) -> ReadResult:
    text, errors = decode_or_error(data, source)
    if text is None:
        return [], errors
    if not text.strip():
        return [], [ReadError(source, None, MESSAGES["empty"])]
    # Old Mac exports end lines with CR alone; the JSON parser and the line locator
    # count LF only. CR and LF are both plain whitespace in JSON (raw, both are invalid
    # inside strings), so the document means the same.
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        return [], [ReadError(source, error.lineno, MESSAGES["invalid"].format(problem=_problem(error.msg)), column=error.colno)]
    except RecursionError:
        return [], [ReadError(source, None, MESSAGES["too-deep"])]
    except ValueError:  # int() refuses numbers of more than sys.get_int_max_str_digits() digits
        return [], [_too_many_digits(text, source)]
    for shape in shapes():
        if shape.matches(document):
            return shape.convert(document, source, text)
    known = ", ".join(shape.name for shape in shapes())
    return [], [ReadError(source, 1, MESSAGES["unknown-layout"].format(known=known))]
