"""Speaker-labelled text: ``[00:01:23] Conseillère : Bonjour…``, one turn per line.

The format is documented in the README ("Input format"); its label rules live in
``speaker_lines``, shared with the Word and PDF readers.
"""

from __future__ import annotations

from .base import ReaderOptions, ReadResult, read_decoded
from .speaker_lines import HEADER_KEYS, parse

__all__ = ["FORMAT", "HEADER_KEYS", "parse", "read"]

FORMAT = "text"


def read(data: bytes, source: str, options: ReaderOptions | None = None) -> ReadResult:
    """Read one file's bytes; problems come back as located ``ReadError`` values."""
    return read_decoded(data, source, parse)
