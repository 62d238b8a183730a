"""Turn the bytes analysts' tools export into text, whatever the encoding."""

from __future__ import annotations

import re

_LINE_BREAK = re.compile(r"\r\n|\r|\n")


class UndecodableError(ValueError):
    """The bytes are not text in any encoding the tool accepts."""


def decode(data: bytes) -> str:
    """Decode UTF-8 (with or without BOM), falling back to Windows-1252.

    French exports from Excel and older contact-centre tools are cp1252;
    UTF-16 with a BOM is accepted too. NUL bytes mean a binary file.
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as error:
            raise UndecodableError(f"invalid UTF-16 text ({error.reason} at offset {error.start})") from None
    if b"\x00" in data:
        raise UndecodableError("binary file (contains NUL bytes), not text")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError as error:
        raise UndecodableError(
            f"neither UTF-8 nor Windows-1252 text (byte 0x{data[error.start]:02x} at offset {error.start})"
        ) from None


def split_lines(text: str) -> list[str]:
    """Split on CRLF, CR or LF only, so line numbers match what editors show."""
    return _LINE_BREAK.split(text)
