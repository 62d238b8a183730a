"""Speaker-labelled lines into turns: the label rules of every text-like format.

``[00:01:23] Conseillère : Bonjour…``, one turn per line. The format is
documented in the README ("Input format"). Lines without a label continue the
previous turn, so a pasted e-mail stays one turn; an indented line is always a
continuation. ``.txt`` files (``labelled_text``), Word documents
(``docx_document``) and PDF text (``pdf_document``) all go through ``parse``.
"""

from __future__ import annotations

import bisect
import difflib
import re
from dataclasses import dataclass, field

from ..model import CHANNELS, ReadError, Role, Transcript, Turn
from ..roles import canonical_label, looks_like_label, looks_like_name, role_for_label
from ..text import fold
from .base import ReadResult, guess_channel
from .dates import parse_time
from .decoding import split_lines

HEADER_KEYS = ("channel", "id", "agent", "customer", "date")

# Applied to stripped lines; a lazy "(?P<value>.*?)\s*$" would be quadratic on inner runs of spaces.
_HEADER = re.compile(r"^#\s*(?P<key>[A-Za-z_-]+)\s*:\s*(?P<value>.*)$")
# "[00:01:23]", "[01:23]", "00:01:23", or a date and time for e-mail threads:
# "[2024-03-05 14:02]", "[2024-03-05T14:02:11]", "[05/03/2024 14h02]".
_TIMESTAMP = (
    r"(?:\[|\()?(?P<time>\d{4}-\d{2}-\d{2}[ T]\d{1,2}:\d{2}(?::\d{2})?"
    r"|\d{1,2}/\d{1,2}/\d{4}\s+\d{1,2}[:h]\d{2}"
    r"|(?:\d{1,2}:)?\d{1,2}:\d{2}(?:[.,]\d{1,3})?)(?:\]|\))?"
)
_TURN = re.compile(
    r"^(?:" + _TIMESTAMP + r"\s*(?:[-–]\s*)?)?"
    r"(?P<label>[^\W\d][^:\[\]]{0,39}?)[ \t\u00a0\u202f]*:(?!//)[ \t\u00a0\u202f]*(?P<text>.*)$"
)
# "# transcript-audit: disable=vague-promise,jargon" (rule ids, categories or globs).
_DISABLE = re.compile(r"^\s*#\s*transcript-audit\s*:\s*disable\s*=\s*(?P<rules>\S.*)$", re.IGNORECASE)
_TIME_ONLY = re.compile(r"^" + _TIMESTAMP + r"\s*$")

# What the analyst reads about a text transcript, in French like every report.
_EXPECTED_TURNS = "lignes attendues du type « Conseiller : Bonjour »"
MESSAGES = {
    "empty": f"fichier vide : aucun tour de parole ({_EXPECTED_TURNS})",
    "no-turn": f"aucun tour de parole trouvé ({_EXPECTED_TURNS})",
    "unknown-speaker": (
        "locuteur inconnu « {label} » : déclarez-le avec « # agent: {label} » ou « # customer: {label} », "
        "ou indentez la ligne si elle continue le tour précédent"
    ),
    "text-before-turn": "texte avant le premier tour de parole (attendu : « Locuteur : texte »)",
    "invalid-time": "date ou heure invalide « {time} »",
    "unknown-header": "en-tête inconnu « {key} »{hint}",
    "header-did-you-mean": " (vouliez-vous dire « {close} » ?)",
    "header-known": " (en-têtes reconnus : {known})",
    "unknown-channel": "canal inconnu « {value} » (valeurs possibles : {known})",
}
@dataclass
class _State:
    path: str
    channel: str | None = None
    transcript_id: str | None = None
    agent: str | None = None
    customer: str | None = None
    names: dict[str, Role] = field(default_factory=dict)
    turns: list[Turn] = field(default_factory=list)
    errors: list[ReadError] = field(default_factory=list)
    seen_turn: bool = False
    pending_time: str | None = None
    date: float | None = None  # "# date: 2026-12-04": when the conversation took place
    suppressions: list[tuple[int | None, tuple[str, ...]]] = field(default_factory=list)


def _moment(value: str) -> float | None:
    """Seconds from ``hh:mm:ss``, ``mm:ss`` or ``mm:ss.mmm`` (from the start of the call), or
    POSIX seconds from a date and time ("2024-03-05 14:02", "05/03/2024 14h02"); None for an
    impossible date."""
    if "-" in value or "/" in value:
        return parse_time(value)
    seconds = 0.0
    for part in value.replace(",", ".").split(":"):
        seconds = seconds * 60 + float(part)
    return seconds


def parse(text: str, path: str, default_id: str = "transcript") -> tuple[list[Transcript], list[ReadError]]:
    if not text.strip():
        return [], [ReadError(path, None, MESSAGES["empty"])]
    state = _State(path=path)
    for number, raw_line in enumerate(split_lines(text), start=1):
        _read_line(state, raw_line, number)
    _drop_empty_turns(state)
    if not state.turns:
        state.errors.append(ReadError(path, None, MESSAGES["no-turn"]))
        return [], state.errors
    transcript = Transcript(
        id=state.transcript_id or default_id,
        path=path,
        channel=state.channel or guess_channel(path),
        turns=state.turns,
        agent=state.agent,
        customer=state.customer,
        suppressions=state.suppressions,
        date=state.date,
        date_source="header" if state.date is not None else None,
    )
    return [transcript], state.errors


@dataclass(frozen=True)
class SourceLine:
    """One line of text taken from a document (Word, PDF), with where it is there.

    ``line`` is the number reported for it (a paragraph's number, a line of a page)
    and ``locator`` names its place in the document's own terms ("paragraph 12",
    "page 3"); ``text`` holds no line break."""

    text: str
    line: int
    locator: str


def parse_document_lines(lines: list[SourceLine], path: str, default_id: str) -> ReadResult:
    """``parse`` over lines extracted from a document, every turn and error placed in it.

    The extracted text is not a file the analyst can open, so turns carry no column:
    each piece of a turn keeps its source line's number and locator (``Turn.pieces``),
    and an error's message starts with the locator ("paragraph 4: unknown speaker…").
    """
    transcripts, errors = parse("\n".join(line.text for line in lines), path, default_id=default_id)
    for transcript in transcripts:
        for turn in transcript.turns:
            first = lines[turn.line - 1]
            turn.pieces = [(offset, lines[number - 1].line, lines[number - 1].locator) for offset, number, _ in turn.line_starts]
            turn.line, turn.column, turn.locator, turn.line_starts = first.line, None, first.locator, []
    placed = []
    for error in errors:
        source = lines[error.line - 1] if error.line else None
        message = f"{source.locator} : {error.message}" if source else error.message
        placed.append(ReadError(error.path, source.line if source else None, message))
    return transcripts, placed


def _drop_empty_turns(state: _State) -> None:
    """A label with no words ("Client :" and no continuation) is not a turn: no rule can judge it.

    A "disable" line before a dropped turn applies to the next turn kept.
    """
    kept = [index for index, turn in enumerate(state.turns) if turn.text.strip()]
    if len(kept) == len(state.turns):
        return
    state.turns = [state.turns[index] for index in kept]
    state.suppressions = [
        (None if turn is None else bisect.bisect_left(kept, turn), rules) for turn, rules in state.suppressions
    ]


def _read_line(state: _State, raw_line: str, number: int) -> None:
    if not raw_line.strip():
        return
    directive = _DISABLE.match(raw_line)
    if directive:
        # At the top: the whole file; later: the next turn.
        rules = tuple(name.strip() for name in directive.group("rules").split(",") if name.strip())
        state.suppressions.append((len(state.turns) if state.seen_turn else None, rules))
        return
    if not state.seen_turn and raw_line.lstrip().startswith("#"):
        _read_header(state, raw_line, number)
        return
    indented = raw_line[:1].isspace()
    match = None if indented else _TURN.match(raw_line)
    label = match.group("label").strip() if match else ""
    role = role_for_label(label, state.names) if match and looks_like_label(label) else None
    if match and (role is not None or looks_like_name(label)):
        if role is None:
            # An unknown speaker is reported, never guessed; its turn stays apart.
            state.errors.append(
                ReadError(
                    state.path,
                    number,
                    MESSAGES["unknown-speaker"].format(label=label),
                    column=match.start("label") + 1,
                )
            )
            role = Role.UNKNOWN
        time = match.group("time") or state.pending_time
        state.pending_time = None
        body = match.group("text")
        state.turns.append(
            Turn(
                role=role,
                speaker=label,
                text=body,
                line=number,
                column=match.start("text") + 1,
                start=_start(state, time, number),
                line_starts=[(0, number, match.start("text") + 1)],
            )
        )
        state.seen_turn = True
        return
    alone = _TIME_ONLY.match(raw_line.strip())
    if alone:  # a timestamp on its own line dates the next turn
        state.pending_time = alone.group("time")
        return
    if not state.turns:
        state.errors.append(
            ReadError(state.path, number, MESSAGES["text-before-turn"], column=1)
        )
        return
    _continue_turn(state.turns[-1], raw_line, number)


def _start(state: _State, time: str | None, number: int) -> float | None:
    if not time:
        return None
    moment = _moment(time)
    if moment is None:
        state.errors.append(ReadError(state.path, number, MESSAGES["invalid-time"].format(time=time), column=1))
    return moment


def _continue_turn(turn: Turn, raw_line: str, number: int) -> None:
    stripped = raw_line.lstrip()
    column = len(raw_line) - len(stripped) + 1
    separator = "\n" if turn.text else ""
    offset = len(turn.text) + len(separator)
    turn.text = f"{turn.text}{separator}{stripped.rstrip()}"
    turn.line_starts.append((offset, number, column))


def _read_header(state: _State, raw_line: str, number: int) -> None:
    match = _HEADER.match(raw_line.strip())
    if not match:
        return  # a comment
    key, value = match.group("key").lower(), match.group("value")
    if key not in HEADER_KEYS:
        close = difflib.get_close_matches(key, HEADER_KEYS, n=1)
        hint = (
            MESSAGES["header-did-you-mean"].format(close=close[0])
            if close
            else MESSAGES["header-known"].format(known=", ".join(HEADER_KEYS))
        )
        state.errors.append(ReadError(state.path, number, MESSAGES["unknown-header"].format(key=key, hint=hint), column=1))
        return
    if key == "channel":
        channel = fold(value).strip()
        if channel not in CHANNELS:
            state.errors.append(
                ReadError(
                    state.path,
                    number,
                    MESSAGES["unknown-channel"].format(value=value, known=", ".join(CHANNELS)),
                    column=raw_line.find(value) + 1 if value else 1,
                )
            )
            return
        state.channel = channel
    elif key == "id":
        state.transcript_id = value
    elif key == "date":
        state.date = parse_time(value.strip())
        if state.date is None:
            state.errors.append(ReadError(state.path, number, f"invalid date '{value.strip()}' (e.g. 2026-12-04 or 04/12/2026 14:02)", column=raw_line.find(value) + 1 if value else 1))
    elif key in ("agent", "customer"):
        value = " ".join(value.split())  # roles.canonical_label is quadratic on long runs of spaces
        role = Role.AGENT if key == "agent" else Role.CUSTOMER
        setattr(state, key, value)
        state.names[canonical_label(value)] = role
