"""Turn the bytes analysts' tools export into text, whatever the encoding."""

from __future__ import annotations

import re

# The one definition of a line end for every reader: CRLF, CR or LF, as editors count lines
# (not NEL, LS or PS, which ``str.splitlines`` and PyYAML also break on).
LINE_BREAK = re.compile(r"\r\n|\r|\n")


class UndecodableError(ValueError):
    """The bytes are not text in any encoding the tool accepts."""


# What the analyst reads when the bytes are not text (in French, like every report).
UTF16_WITHOUT_BOM = "texte UTF-16 sans marque d’ordre des octets (BOM) : enregistrez-le en UTF-8, ou en UTF-16 avec BOM"
BINARY = "fichier binaire (il contient des octets NUL) : ce n’est pas du texte"
INVALID_UTF16 = "texte UTF-16 invalide ({reason} à la position {offset})"
NOT_TEXT = "texte ni en UTF-8 ni en Windows-1252 (octet 0x{byte:02x} à la position {offset})"
# Python's reasons for a UTF-16 decoding failure, in French.
_UTF16_REASONS = {
    "truncated data": "données tronquées",
    "illegal encoding": "encodage invalide",
    "illegal UTF-16 surrogate": "demi-code (surrogate) UTF-16 invalide",
}


def utf16_without_bom(data: bytes) -> bool:
    """Do the NUL bytes come from UTF-16 saved without its BOM (Latin text: every other byte is NUL)?"""
    sample = data[:4096]
    if len(sample) < 4:
        return False
    even, odd = sample[0::2], sample[1::2]
    return any(
        zeros.count(0) >= 0.9 * len(zeros) and text.count(0) <= 0.1 * len(text)
        for text, zeros in ((even, odd), (odd, even))
    )


def decode(data: bytes) -> str:
    """Decode UTF-8 (with or without BOM), falling back to Windows-1252.

    French exports from Excel and older contact-centre tools are cp1252;
    UTF-16 with a BOM is accepted too. NUL bytes mean a binary file.
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as error:
            raise UndecodableError(
                INVALID_UTF16.format(reason=_UTF16_REASONS.get(error.reason, error.reason), offset=error.start)
            ) from None
    if b"\x00" in data:
        raise UndecodableError(UTF16_WITHOUT_BOM if utf16_without_bom(data) else BINARY)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError as error:
        raise UndecodableError(NOT_TEXT.format(byte=data[error.start], offset=error.start)) from None


def split_lines(text: str) -> list[str]:
    """Split on CRLF, CR or LF only, so line numbers match what editors show."""
    return LINE_BREAK.split(text)


def decoded_head(data: bytes, size: int = 1024) -> str:
    """The start of the bytes as text, for sniffing (BOMs dropped, bad bytes replaced)."""
    head = data[:size]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return head[: len(head) // 2 * 2].decode("utf-16", errors="replace")
    return head.decode("utf-8", errors="replace").lstrip("\ufeff")
