"""Size limits that keep memory bounded whatever an export holds.

A 50 MB line (a transcript exported without line breaks) or a ten-hour
recording would otherwise be parsed as one spaCy ``Doc``, whose memory grows
with its length. Such input is split, never dropped, and a note on the
transcript says so:

* a turn longer than ``MAX_TURN_CHARACTERS`` becomes several consecutive turns
  of the same speaker, cut at a space where there is one; each keeps the file
  line and column where it starts;
* a transcript longer than ``MAX_TRANSCRIPT_CHARACTERS`` is audited in parts
  (``id#part2``…), each a transcript of its own.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

from .model import Transcript, Turn

MAX_TURN_CHARACTERS = 10_000  # about 1,600 words: ten minutes of one person speaking
MAX_TRANSCRIPT_CHARACTERS = 1_000_000  # about 160,000 words: a working week of calls


def within_limits(transcript: Transcript) -> Iterator[Transcript]:
    """The transcript, with long turns split, in parts if it is still too long."""
    if all(len(turn.text) <= MAX_TURN_CHARACTERS for turn in transcript.turns):
        if sum(len(turn.text) for turn in transcript.turns) <= MAX_TRANSCRIPT_CHARACTERS:
            yield transcript
            return
    turns: list[Turn] = []
    new_indexes: list[list[int]] = []  # original turn -> the turns it became
    notes = list(transcript.notes)
    for number, turn in enumerate(transcript.turns, 1):
        pieces = list(_split_turn(turn)) if len(turn.text) > MAX_TURN_CHARACTERS else [turn]
        if len(pieces) > 1:
            notes.append(
                f"tour {number} : {len(turn.text)} caractères, au-delà de la limite de {MAX_TURN_CHARACTERS} ; "
                f"audité en {len(pieces)} tours consécutifs"
            )
        new_indexes.append(list(range(len(turns), len(turns) + len(pieces))))
        turns.extend(pieces)
    # An inline "disable" on a turn applies to every piece of it.
    suppressions = [
        (new, patterns)
        for turn, patterns in transcript.suppressions
        for new in ([None] if turn is None else new_indexes[turn] if turn < len(new_indexes) else [])
    ]
    parts = list(_parts(turns))
    if len(parts) == 1:
        yield dataclasses.replace(transcript, turns=turns, notes=notes, suppressions=suppressions)
        return
    first = 0
    for index, part in enumerate(parts, 1):
        note = f"transcription de plus de {MAX_TRANSCRIPT_CHARACTERS} caractères : partie {index} sur {len(parts)}"
        in_part = [
            (None if turn is None else turn - first, patterns)
            for turn, patterns in suppressions
            if turn is None or first <= turn < first + len(part)
        ]
        yield dataclasses.replace(transcript, id=f"{transcript.id}#part{index}", turns=part, notes=[*notes, note], suppressions=in_part)
        first += len(part)


def _split_turn(turn: Turn) -> Iterator[Turn]:
    text, start = turn.text, 0
    while start < len(text):
        end = min(start + MAX_TURN_CHARACTERS, len(text))
        if end < len(text):
            space = text.rfind(" ", start + MAX_TURN_CHARACTERS // 2, end)
            end = space + 1 if space > 0 else end
        yield _piece(turn, start, end)
        start = end


def _piece(turn: Turn, start: int, end: int) -> Turn:
    """The characters start:end of a turn as a turn of their own, located in the file."""
    line, column = turn.locate(start)
    line_starts = [(offset - start, at_line, at_column) for offset, at_line, at_column in turn.line_starts if start < offset < end]
    pieces = [(offset - start, at_line, locator) for offset, at_line, locator in turn.pieces if start < offset < end]
    if turn.pieces:
        pieces.insert(0, (0, line, turn.locator_at(start)))
    return dataclasses.replace(
        turn,
        text=turn.text[start:end],
        line=line,
        column=column,
        line_starts=[(0, line, column), *line_starts] if turn.line_starts and column is not None else [],
        pieces=pieces,
        locator=turn.locator_at(start),
    )


def _parts(turns: list[Turn]) -> Iterator[list[Turn]]:
    part: list[Turn] = []
    size = 0
    for turn in turns:
        if part and size + len(turn.text) > MAX_TRANSCRIPT_CHARACTERS:
            yield part
            part, size = [], 0
        part.append(turn)
        size += len(turn.text)
    if part:
        yield part
