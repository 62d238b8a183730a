"""WebVTT subtitles (``.vtt``): diarised call transcripts as timed cues.

Speech-to-text services and video tools export calls as WebVTT, with the
speaker in a voice tag (``<v Conseiller>Bonjour</v>``) or, failing that, as a
``Name:`` prefix. The header, ``NOTE``, ``STYLE`` and ``REGION`` blocks are
skipped; cue settings are ignored; markup is stripped and entities decoded.
Consecutive cues of one speaker become one turn. This module frames the
cues; what a cue says is read by ``cues``, shared with the SRT reader.
"""

from __future__ import annotations

import re

from ..model import ReadError
from .base import ReaderOptions, ReadResult, read_decoded
from .cues import STARTS_LIKE_TIMING, Cue, blocks, check_order, parse_timing, quoted, transcript_of_cues
from .decoding import decoded_head, split_lines

FORMAT = "vtt"

_HEADER = re.compile(r"^WEBVTT(?=[ \t\r\n]|$)")
_SKIPPED_BLOCK = re.compile(r"^(?:NOTE|STYLE|REGION)(?:[ \t]|$)")

_TIMING_LINE = "« hh:mm:ss.mmm --> hh:mm:ss.mmm »"
# What the analyst reads about a WebVTT file, in French like every report.
MESSAGES = {
    "empty": "fichier vide : aucun sous-titre WebVTT à lire",
    "no-header": "en-tête « WEBVTT » absent : un fichier WebVTT commence par une ligne « WEBVTT »",
    "expected": f"un sous-titre est une ligne {_TIMING_LINE} suivie de son texte",
    "outside": f"texte hors d’un sous-titre (un sous-titre commence par une ligne {_TIMING_LINE}) : bloc ignoré",
    "malformed": f"minutage de sous-titre mal formé {{line}} (attendu : {_TIMING_LINE}) : sous-titre ignoré",
}


# ---------------------------------------------------------------- the WebVTT reader


def sniff(data: bytes) -> bool:
    return bool(_HEADER.match(decoded_head(data, 64)))


def read(data: bytes, source: str, options: ReaderOptions | None = None) -> ReadResult:
    """Read one ``.vtt`` file's bytes; problems come back as located ``ReadError`` values."""
    return read_decoded(data, source, parse)


def parse(text: str, source: str, default_id: str = "transcript") -> ReadResult:
    errors: list[ReadError] = []
    if not text.strip():
        return [], [ReadError(source, None, MESSAGES["empty"])]
    found = blocks(split_lines(text))
    if _HEADER.match(text.lstrip("\ufeff")):
        header = found.pop(0)
        # A cue right under the header, without the blank line, is still a cue.
        rest = next((i for i, (_, line) in enumerate(header) if "-->" in line), None)
        if rest is not None:
            found.insert(0, header[rest:])
    else:
        errors.append(ReadError(source, 1, MESSAGES["no-header"], column=1))
    cues: list[Cue] = []
    seen = 0  # timing lines met, good or bad: cue numbers count them all
    for block in found:
        if not _SKIPPED_BLOCK.match(block[0][1]):
            seen = _read_block(block, source, seen, cues, errors)
    return transcript_of_cues(cues, source, default_id, errors, MESSAGES["expected"], voices=True)


def _read_block(block: list[tuple[int, str]], source: str, seen: int, cues: list[Cue], errors: list[ReadError]) -> int:
    """Add the cues of one block to ``cues``; returns the timing lines met so far.

    A timing line inside a cue's text starts the next cue, as the spec says.
    """
    index = 0
    while index < len(block):
        identifier = None
        number, line = block[index]
        if "-->" not in line:
            if index + 1 < len(block) and "-->" in block[index + 1][1]:
                identifier = line.strip()
                index += 1
                number, line = block[index]
            else:
                bad = next((item for item in block[index : index + 2] if STARTS_LIKE_TIMING.match(item[1])), None)
                if bad:
                    errors.append(_malformed(source, *bad))
                    return seen + 1
                errors.append(
                    ReadError(
                        source,
                        number,
                        MESSAGES["outside"],
                    )
                )
                return seen
        seen += 1
        end = next((i for i in range(index + 1, len(block)) if "-->" in block[i][1]), len(block))
        timing = parse_timing(line)
        if timing is None:
            errors.append(_malformed(source, number, line))
        else:
            cue = Cue(identifier or str(seen), *timing, block[index + 1 : end])
            check_order(cue, source, number, errors)
            cues.append(cue)
        index = end
    return seen


def _malformed(source: str, number: int, line: str) -> ReadError:
    return ReadError(source, number, MESSAGES["malformed"].format(line=quoted(line)))
