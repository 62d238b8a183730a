"""SubRip subtitles (``.srt``): call transcripts as numbered, timed cues.

A cue is a number line, a ``hh:mm:ss,mmm --> hh:mm:ss,mmm`` line and its text.
SRT has no voice tags: the speaker is a prefix in the text ("Conseillère :",
"- CLIENT:", "[Client]"), and a cue without one continues the previous
speaker. Consecutive cues of one speaker become one turn. The cue text is
cleaned and mapped back to the file by ``cues``, shared with the WebVTT
reader.
"""

from __future__ import annotations

import re

from ..model import ReadError
from .base import ReaderOptions, ReadResult, read_decoded
from .cues import STARTS_LIKE_TIMING, Cue, blocks, check_order, parse_timing, quoted, transcript_of_cues
from .decoding import decoded_head, split_lines

FORMAT = "srt"

_NUMBER = re.compile(r"^[ \t]*(\d+)[ \t]*$")
_EXPECTED = "attendu : « hh:mm:ss,mmm --> hh:mm:ss,mmm »"
_CUE_SHAPE = "un sous-titre est une ligne de numéro, une ligne de minutage puis son texte"
# What the analyst reads about an SRT file, in French like every report.
MESSAGES = {
    "empty": "fichier vide : aucun sous-titre à lire",
    "expected": f"{_CUE_SHAPE} ; {_EXPECTED}",
    "truncated": f"sous-titre {{label}} sans ligne de minutage ({_EXPECTED}) : fichier tronqué ?",
    "no-timing": f"sous-titre {{label}} sans ligne de minutage ({_EXPECTED}) : sous-titre ignoré",
    "outside": f"texte hors d’un sous-titre ({_CUE_SHAPE}) : bloc ignoré",
    "malformed": f"{{which}}ligne de minutage mal formée {{line}} ({_EXPECTED}) : sous-titre ignoré",
    "which": "sous-titre {label} : ",
}


def sniff(data: bytes) -> bool:
    """A number line, then a timing line, as the first non-blank lines."""
    lines = [line for line in split_lines(decoded_head(data)) if line.strip()]
    return len(lines) >= 2 and bool(_NUMBER.match(lines[0])) and parse_timing(lines[1]) is not None


def read(data: bytes, source: str, options: ReaderOptions | None = None) -> ReadResult:
    """Read one ``.srt`` file's bytes; problems come back as located ``ReadError`` values."""
    return read_decoded(data, source, parse)


def parse(text: str, source: str, default_id: str = "transcript") -> ReadResult:
    if not text.strip():
        return [], [ReadError(source, None, MESSAGES["empty"])]
    errors: list[ReadError] = []
    cues: list[Cue] = []
    seen = 0  # timing lines met, good or bad: a cue without a number is named by its rank
    for block in blocks(split_lines(text)):
        seen = _read_block(block, source, seen, cues, errors)
    return transcript_of_cues(cues, source, default_id, errors, MESSAGES["expected"], voices=False)


def _read_block(block: list[tuple[int, str]], source: str, seen: int, cues: list[Cue], errors: list[ReadError]) -> int:
    """Add the cues of one block to ``cues``; returns the timing lines met so far.

    A cue that follows another without a blank line (a number line then a
    timing line, or a timing line alone) still starts a new cue.
    """
    index = 0
    while index < len(block):
        number, line = block[index]
        label = None
        numbered = _NUMBER.match(line)
        if numbered:
            label = numbered.group(1)
            if index + 1 == len(block):
                errors.append(ReadError(source, number, MESSAGES["truncated"].format(label=label)))
                return seen
            index += 1
            number, line = block[index]
            if "-->" not in line and not STARTS_LIKE_TIMING.match(line):
                errors.append(ReadError(source, number, MESSAGES["no-timing"].format(label=label)))
                seen += 1
                index = _next_cue(block, index)
                continue
        elif "-->" not in line and not STARTS_LIKE_TIMING.match(line):
            errors.append(
                ReadError(
                    source,
                    number,
                    MESSAGES["outside"],
                )
            )
            return seen
        seen += 1
        end = _next_cue(block, index + 1)
        timing = parse_timing(line)
        if timing is None:
            which = MESSAGES["which"].format(label=label) if label else ""
            errors.append(ReadError(source, number, MESSAGES["malformed"].format(which=which, line=quoted(line))))
        else:
            cue = Cue(label or str(seen), *timing, block[index + 1 : end])
            check_order(cue, source, number, errors)
            cues.append(cue)
        index = end
    return seen


def _next_cue(block: list[tuple[int, str]], index: int) -> int:
    """Where the next cue starts in a block (its end when none does)."""
    for i in range(index, len(block)):
        line = block[i][1]
        if "-->" in line:
            return i
        if _NUMBER.match(line) and i + 1 < len(block):
            following = block[i + 1][1]
            if "-->" in following or STARTS_LIKE_TIMING.match(following):
                return i
    return len(block)
