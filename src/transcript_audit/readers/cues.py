"""Timed cues, what the WebVTT and SRT readers share once each format has framed its cues.

A cue's text lines are cleaned of markup and mapped back to the file
(``MappedText``, ``clean_line``), split by speaker (voice tags, or
"Client :" / "[Client]" prefixes: ``pieces_of_cue``) and merged into turns
(``turns_of``); timings are parsed the same way in both formats.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

from ..model import ReadError, Role, Transcript, Turn
from ..roles import canonical_label, looks_like_name, role_for_label
from .base import ReadResult

CHANNEL = "call"

# Hours optional and of any length, minutes and seconds on two digits, fraction
# of a second after '.' (WebVTT) or ',' (SRT); both formats accept either.
_TIMESTAMP = r"(?:(\d+):)?(\d{2}):(\d{2})(?:[.,](\d{1,3}))?"
_TIMING = re.compile(r"^[ \t]*(?P<start>" + _TIMESTAMP + r")[ \t]*-->[ \t]*(?P<end>" + _TIMESTAMP + r")(?:[ \t]+.*)?$")
STARTS_LIKE_TIMING = re.compile(r"^[ \t]*\d+:\d")
_MAX_HOUR_DIGITS = 6  # 999999 hours is over a century of audio

# Markup inside cue text: tags (<v Name>, <c.loud>, </i>, <font color="red">),
# timestamps (<00:01.000>), entities (&amp; &#233;) and whitespace runs.
_MARKUP = re.compile(
    r"(?P<tag></?[A-Za-z][^<>]*>|<\d[\d:.]*>|\{\\[^{}]*\})"
    r"|(?P<entity>&(?:#\d{1,7}|#[xX][0-9A-Fa-f]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});)"
    r"|(?P<space>[ \t]{2,}|\t)"
)
_VOICE = re.compile(r"^<v(?:\.[^\s<>]*)?(?:[ \t]+(?P<name>[^<>]*))?>$")

# Speaker prefixes in the text itself: "Client : …", "- CLIENT: …", "[Conseillère] …".
_DASH = re.compile(r"^[-–—][ \t\u00a0]*")
_LABEL_PREFIX = re.compile(r"^(?P<label>[^\W\d][^:\[\]<>]{0,39}?)[ \t\u00a0\u202f]*:(?!//)[ \t\u00a0\u202f]*")
_BRACKET_PREFIX = re.compile(r"^\[(?P<label>[^\[\]]{1,40})\][ \t\u00a0]*")
# Bracketed annotations ("[rires]", "[inaudible]") describe sounds: they are not words.
_ANNOTATION = re.compile(r"\[[^\[\]]*\]")
# Sound descriptions written like a bracketed speaker ("[Rires] Oui"), compared folded.
_SOUNDS = frozenset(
    {
        "rires", "rire", "musique", "silence", "soupir", "soupirs", "bruit", "bruits", "toux",
        "inaudible", "applaudissements", "sonnerie", "bip", "attente", "pause", "hesitation",
        "brouhaha", "tonalite", "musique d'attente", "gresillements", "blanc",
    }
)

NO_SPEAKER = ""

# What the analyst reads about cues (WebVTT and SRT say "cue"; a French analyst says "sous-titre").
MESSAGES = {
    "ends-before-start": "le sous-titre {label} finit ({end}) avant de commencer ({start})",
    "no-cue": "aucun sous-titre trouvé ({expected})",
    "no-speech": "aucun sous-titre ne contient de paroles",
}


# ---------------------------------------------------------------- text mapped back to the file


@dataclass
class MappedText:
    """Text with, for each stretch copied verbatim from the file, where it starts there.

    ``starts`` holds (offset in ``text``, file line, 1-based file column), the
    shape of ``Turn.line_starts``: a new entry begins wherever the text stops
    being a verbatim copy (after a removed tag, a decoded entity, collapsed
    spaces), so every offset maps to its exact line and column.
    """

    text: str
    starts: list[tuple[int, int, int]] = field(default_factory=list)

    def slice(self, begin: int, end: int | None = None) -> MappedText:
        end = len(self.text) if end is None else end
        starts: list[tuple[int, int, int]] = []
        for offset, line, column in self.starts:
            if offset <= begin:
                starts = [(0, line, column + begin - offset)]
            elif offset < end:
                starts.append((offset - begin, line, column))
        return MappedText(self.text[begin:end], starts)

    def strip(self) -> MappedText:
        stripped = self.text.strip()
        if not stripped:
            return MappedText("", [])
        begin = len(self.text) - len(self.text.lstrip())
        return self.slice(begin, begin + len(stripped))


def join(parts: list[MappedText], separator: str = " ") -> MappedText:
    texts: list[str] = []
    starts: list[tuple[int, int, int]] = []
    length = 0
    for part in parts:
        if not part.text:
            continue
        if texts:
            texts.append(separator)
            length += len(separator)
        starts.extend((offset + length, line, column) for offset, line, column in part.starts)
        texts.append(part.text)
        length += len(part.text)
    return MappedText("".join(texts), starts)


def clean_line(raw: str, number: int) -> tuple[MappedText, list[tuple[int, str | None]]]:
    """The words of one cue line, and the voice tags met (offset in the words, name).

    Tags are removed, entities decoded and runs of spaces and tabs collapsed
    to one space; a voice tag without a name is reported with name ``None``.
    """
    out: list[str] = []
    starts: list[tuple[int, int, int]] = []
    voices: list[tuple[int, str | None]] = []
    length = 0
    shift: int | None = None  # file index minus text offset in the current verbatim stretch

    def emit(chunk: str, index: int) -> None:
        nonlocal length, shift
        if not chunk:  # an entity that decodes to nothing ("&#xE;": a control character)
            return
        if chunk[0] == " " and (not out or out[-1].endswith(" ")):
            chunk, index = chunk[1:], index + 1  # a space already there, or at the start
            if not chunk:
                return
        if shift != index - length:
            starts.append((length, number, index + 1))
            shift = index - length
        out.append(chunk)
        length += len(chunk)

    position = 0
    for match in _MARKUP.finditer(raw):
        if match.start() > position:
            emit(raw[position : match.start()], position)
        position = match.end()
        if match.group("tag"):
            shift = None
            voice = _VOICE.match(match.group("tag"))
            if voice:
                name = " ".join(html.unescape(voice.group("name") or "").split())
                voices.append((length, name or None))
        elif match.group("entity"):
            decoded = html.unescape(match.group("entity"))
            emit(decoded, match.start())
            shift = None
        else:
            emit(" ", match.start())
    if position < len(raw):
        emit(raw[position:], position)
    return MappedText("".join(out), starts).strip() if out else MappedText("", []), voices


# ---------------------------------------------------------------- speakers inside cue text


def _is_speaker(label: str) -> bool:
    return role_for_label(label) is not None or looks_like_name(label)


def split_prefix(line: MappedText) -> tuple[str | None, MappedText]:
    """The speaker a line names at its start ("Client : …", "- CLIENT: …", "[Client] …"), and the rest."""
    dash = _DASH.match(line.text)
    if dash:
        line = line.slice(dash.end())
    bracket = _BRACKET_PREFIX.match(line.text)
    if bracket:
        label = bracket.group("label").strip()
        if canonical_label(label) not in _SOUNDS and _is_speaker(label):
            return label, line.slice(bracket.end())
    prefix = _LABEL_PREFIX.match(line.text)
    if prefix:
        label = prefix.group("label").strip()
        if _is_speaker(label):
            return label, line.slice(prefix.end())
    return None, line


@dataclass
class Cue:
    """One cue as framed by its format: where it is, when, and its raw text lines."""

    label: str  # "12" or the WebVTT cue identifier
    start: float
    end: float
    lines: list[tuple[int, str]]  # (file line number, raw text)


@dataclass
class Piece:
    """What one speaker says in one cue. ``speaker`` None: the cue does not say who."""

    speaker: str | None
    cue: Cue
    parts: list[MappedText] = field(default_factory=list)


def pieces_of_cue(cue: Cue, voices: bool) -> list[Piece]:
    """Split a cue's text by speaker: voice tags (WebVTT), else prefixes on each line."""
    pieces: list[Piece] = []
    voiced = False
    for number, raw in cue.lines:
        cleaned, voice_tags = clean_line(raw, number)
        if not voices:
            voice_tags = []  # SRT has no voice tags: a stray <v> is markup like any other
        cuts = [0] + [offset for offset, _ in voice_tags] + [len(cleaned.text)]
        for index, chunk_bounds in enumerate(zip(cuts, cuts[1:])):
            chunk = cleaned.slice(*chunk_bounds).strip()
            if index > 0:
                voiced = True
                pieces.append(Piece(voice_tags[index - 1][1], cue))
            if not voiced:
                speaker, chunk = split_prefix(chunk)
                if speaker is not None:
                    pieces.append(Piece(speaker, cue))
            chunk = without_annotations(chunk)
            if not pieces:
                pieces.append(Piece(None, cue))
            if chunk.text:
                pieces[-1].parts.append(chunk)
    return [piece for piece in pieces if piece.parts]


def without_annotations(line: MappedText) -> MappedText:
    """The line without its bracketed sound descriptions, spaces tidied."""
    if "[" not in line.text:
        return line
    kept, position = [], 0
    for match in _ANNOTATION.finditer(line.text):
        kept.append(line.slice(position, match.start()).strip())
        position = match.end()
    kept.append(line.slice(position).strip())
    return join(kept)


# ---------------------------------------------------------------- pieces into turns


def turns_of(pieces: list[Piece], unnamed_continue: bool) -> list[Turn]:
    """Merge consecutive pieces of one speaker into turns.

    A piece whose cue names nobody continues the previous speaker when
    ``unnamed_continue`` (SRT), else it is a turn of its own with speaker ``""``
    (WebVTT). Pieces with speaker ``""`` never merge: nothing says they are one
    person.
    """
    groups: list[list[Piece]] = []
    previous = NO_SPEAKER
    for piece in pieces:
        if piece.speaker is None:
            piece.speaker = previous if unnamed_continue else NO_SPEAKER
        if groups and piece.speaker != NO_SPEAKER and _same(groups[-1][0].speaker, piece.speaker):
            groups[-1].append(piece)
        else:
            groups.append([piece])
        previous = piece.speaker
    return [_turn(group) for group in groups]


def _same(speaker: str | None, other: str) -> bool:
    """One speaker however the file spells it ("Client", "CLIENT")."""
    return canonical_label(speaker or NO_SPEAKER) == canonical_label(other)


def _turn(group: list[Piece]) -> Turn:
    mapped = join([part for piece in group for part in piece.parts])
    speaker = group[0].speaker or NO_SPEAKER
    first, last = group[0].cue, group[-1].cue
    locator = f"cue {first.label}" if first is last else f"cues {first.label}–{last.label}"
    _, line, column = mapped.starts[0]
    role = role_for_label(speaker) if speaker else None
    return Turn(
        role=role or Role.UNKNOWN,
        speaker=speaker,
        text=mapped.text,
        line=line,
        column=column,
        start=first.start,
        end=last.end,
        locator=locator,
        line_starts=mapped.starts,
    )


# ---------------------------------------------------------------- timings


def parse_timing(line: str) -> tuple[float, float] | None:
    """Start and end seconds of a ``start --> end [settings]`` line, None when malformed."""
    match = _TIMING.match(line)
    if not match:
        return None
    groups = match.groups()
    start, end = _seconds(groups[1:5]), _seconds(groups[6:10])
    if start is None or end is None:
        return None
    return start, end


def _seconds(parts: tuple[str | None, ...]) -> float | None:
    hours, minutes, seconds, fraction = parts
    if int(minutes) >= 60 or int(seconds) >= 60:
        return None
    if hours is not None and len(hours) > _MAX_HOUR_DIGITS:
        return None  # int() refuses 4300 digits and no float holds 400: a malformed timing, not a crash
    value = int(hours or 0) * 3600 + int(minutes) * 60 + int(seconds)
    return value + (int(fraction) / 10 ** len(fraction) if fraction else 0.0)


def format_time(seconds: float) -> str:
    whole, millis = divmod(round(seconds * 1000), 1000)
    return f"{whole // 3600:02d}:{whole % 3600 // 60:02d}:{whole % 60:02d}.{millis:03d}"


def quoted(line: str, limit: int = 60) -> str:
    line = line.strip()
    return f"« {line if len(line) <= limit else line[: limit - 1] + '…'} »"


def check_order(cue: Cue, source: str, number: int, errors: list[ReadError]) -> None:
    if cue.end < cue.start:
        errors.append(
            ReadError(
                source,
                number,
                MESSAGES["ends-before-start"].format(label=cue.label, end=format_time(cue.end), start=format_time(cue.start)),
            )
        )


def blocks(lines: list[str]) -> list[list[tuple[int, str]]]:
    """Runs of non-blank lines, each line with its 1-based number."""
    found: list[list[tuple[int, str]]] = []
    current: list[tuple[int, str]] = []
    for number, line in enumerate(lines, start=1):
        if line.strip():
            current.append((number, line))
        elif current:
            found.append(current)
            current = []
    if current:
        found.append(current)
    return found


# ---------------------------------------------------------------- cues into a call


def transcript_of_cues(
    cues: list[Cue], source: str, transcript_id: str, errors: list[ReadError], expected: str, *, voices: bool
) -> ReadResult:
    """The call made of the cues' pieces, or an error saying why there is none.

    With ``voices`` (WebVTT), a cue with no speaker stays its own turn; without
    (SRT), it continues the previous speaker.
    """
    if not cues:
        errors.append(ReadError(source, None, MESSAGES["no-cue"].format(expected=expected)))
        return [], errors
    pieces = [piece for cue in cues for piece in pieces_of_cue(cue, voices=voices)]
    if not pieces:
        errors.append(ReadError(source, None, MESSAGES["no-speech"]))
        return [], errors
    turns = turns_of(pieces, unnamed_continue=not voices)
    return [Transcript(id=transcript_id, path=source, channel=CHANNEL, turns=turns)], errors
