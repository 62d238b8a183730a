"""Speech-to-text JSON: the plain turns shape and the exports of six speech services.

Each layout is recognised by its structure, never by the file name, in this
order: the project's own plain shape (``{"id", "channel", "turns": [...]}``,
the documented format to convert anything else into, validated strictly),
Whisper / WhisperX, AWS Transcribe, AWS Transcribe Call Analytics / Contact
Lens, Deepgram, AssemblyAI and Google Contact Center AI Insights.

Speech services cut a call into small pieces (segments, words, utterances);
consecutive pieces of one speaker become one turn, as the analyst hears it.
Pieces whose speaker is unknown (no diarisation) are never merged. Every turn
points back to its first piece: a JSON path as locator (``segments[4]``) and
the line of its text in the file, found by one linear pass over the raw JSON
(``JsonLines``), whatever the escaping or the order of the keys.
"""

from __future__ import annotations

import bisect
import difflib
import json
import math
import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from json.decoder import scanstring
from pathlib import Path
from typing import Any

from ..model import CHANNELS, ReadError, Role, Transcript, Turn
from ..roles import role_for_label
from ..text import fold
from .base import JsonShape, ReadResult

JsonPath = tuple[str | int, ...]

# A JSON string, one punctuation character, or a bare literal (number, true, false, null).
_TOKEN = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[{}\[\],:]|[^\s{}\[\],:"]+')
_DECODER = json.JSONDecoder()
_WHITESPACE = re.compile(r"[ \t\n\r]*")
_SENTENCE_END = re.compile(r"[.?!…]$")

# What the analyst reads about a JSON value, after its path ("segments[3].text : absent"), in French
# like every report. A value's kind is named by ``_kind`` ("un nombre").
MESSAGES = {
    "at": "{path} : {problem}",
    "missing": "absent",
    "empty": "vide",
    "want-object": "il faut un objet, pas {kind}",
    "want-string": "il faut un texte, pas {kind}",
    "want-array": "il faut un tableau, pas {kind}",
    "want-non-empty-array": "il faut un tableau non vide, pas {kind}",
    "want-non-empty-string": "il faut un texte non vide, pas {kind}",
    "want-id": "il faut un texte non vide ou un nombre, pas {kind}",
    "want-conversation": "il faut un objet conversation avec « turns », pas {kind}",
    "want-turn": "il faut un objet tour avec « speaker », « role » et « text », pas {kind}",
    "want-name": "il faut le nom du {party} sous forme de texte, pas {kind}",
    "want-role": "il faut « agent », « customer » ou « unknown », pas {kind}",
    "want-seconds": "il faut un nombre de secondes depuis le début, pas {shown}",
    "no-speech-empty": "aucune parole (la liste est vide)",
    "no-speech-blank": "aucune parole (tous les textes sont vides)",
    "duplicate-id": "identifiant « {id} » en double (déjà utilisé en {first})",
    "unknown-channel": "canal inconnu « {value} » (valeurs possibles : {known})",
    "want-channel": "il faut un canal parmi {known}, pas {kind}",
    "no-turns": "absent (la liste des tours de parole)",
    "no-text-did-you-mean": "absent (« {close} » trouvé : vouliez-vous dire « text » ?)",
    "no-text": "absent (les mots du tour)",
    "no-speaker": "ni « speaker » ni « role » : indiquez qui parle",
    "end-before-start": "fin {end:g} avant le début {start:g}",
    "unknown-role": "rôle inconnu « {label} » (valeurs possibles : « agent », « customer » ou « unknown »)",
    "deepgram-no-utterances": "ni « utterances » ni paragraphes (demandez utterances=true et diarize=true)",
    "assemblyai-no-speakers": "null : l’appel a été transcrit sans séparation des locuteurs (demandez speaker_labels=true)",
}
_PARTIES = {"agent": "conseiller", "customer": "client"}

NO_SPEAKERS_NOTE = (
    "Transcription sans locuteurs (pas de diarisation) : les tours n'ont ni locuteur ni rôle, "
    "les règles sur le conseiller et le client ne s'appliquent pas ; transcrivez l'appel avec "
    "séparation des locuteurs."
)


class JsonLines:
    """The line of any value of a JSON text, by its path: ``("segments", 4, "text") -> 12``.

    One pass over the tokens records where each value down to ``max_depth``
    starts (the pieces of speech: ``segments[4]``); anything deeper is
    stepped over by the C parser. ``line`` then walks from the nearest
    recorded value down to the one asked for. Both are linear, and exact
    whatever the escaping, the key order or the nesting.

    Kept rather than a library (measured on a 51 MB Whisper export, line of
    each of 40,000 segment texts): tree-sitter-json gives the same lines in
    7.2 s and json-source-map in 70 s, against 1.0 s here (json.loads alone:
    1.2 s); ijson reports no positions.
    """

    def __init__(self, text: str, max_depth: int = 3):
        self._text = text
        self._places: dict[JsonPath, tuple[int, int]] = {}  # path -> (line, offset)
        path: list[str | int] = []
        in_object: list[bool] = []
        expect_key = False
        line, last = 1, 0
        tokens = _TOKEN.finditer(text)
        while (match := next(tokens, None)) is not None:
            token = match.group()
            first = token[0]
            if first == ",":
                if in_object and in_object[-1]:
                    expect_key = True
                elif in_object:
                    path[-1] = int(path[-1]) + 1
                continue
            if first == ":":
                continue
            if first in "}]":
                if in_object:
                    in_object.pop()
                    path.pop()
                expect_key = False
                continue
            if expect_key and in_object:
                path[-1] = _decode_key(token)
                expect_key = False
                continue
            start = match.start()
            line += text.count("\n", last, start)
            last = start
            self._places.setdefault(tuple(path), (line, start))
            if first in "{[" and len(path) >= max_depth:
                try:
                    tokens = _TOKEN.finditer(text, _DECODER.raw_decode(text, start)[1])
                except ValueError:
                    break
            elif first == "{":
                in_object.append(True)
                path.append("")
                expect_key = True
            elif first == "[":
                in_object.append(False)
                path.append(0)

    def line(self, path: JsonPath) -> int | None:
        """Line where the value at ``path`` starts; when it is missing, the line of its nearest ancestor."""
        for depth in range(len(path), -1, -1):
            place = self._places.get(path[:depth])
            if place is not None:
                line, offset = place
                return line + self._text.count("\n", offset, self._descend(offset, path[depth:]))
        return None

    def _descend(self, offset: int, rest: JsonPath) -> int:
        """Offset of the value at ``rest`` below the value at ``offset``, or of the deepest one found."""
        text = self._text
        try:
            for part in rest:
                if isinstance(part, int):
                    if not text.startswith("[", offset):
                        return offset
                    position = _WHITESPACE.match(text, offset + 1).end()
                    for _ in range(part):
                        if text.startswith("]", position):
                            return offset
                        position = _WHITESPACE.match(text, _DECODER.raw_decode(text, position)[1]).end()
                        if not text.startswith(",", position):
                            return offset
                        position = _WHITESPACE.match(text, position + 1).end()
                    if text.startswith("]", position):
                        return offset
                    offset = position
                    continue
                if not text.startswith("{", offset):
                    return offset
                position = _WHITESPACE.match(text, offset + 1).end()
                while text.startswith('"', position):
                    key, position = scanstring(text, position + 1)
                    position = _WHITESPACE.match(text, position).end()
                    if not text.startswith(":", position):
                        return offset
                    position = _WHITESPACE.match(text, position + 1).end()
                    if key == part:
                        break
                    position = _WHITESPACE.match(text, _DECODER.raw_decode(text, position)[1]).end()
                    if not text.startswith(",", position):
                        return offset
                    position = _WHITESPACE.match(text, position + 1).end()
                else:
                    return offset
                offset = position
        except ValueError:
            pass
        return offset


def _decode_key(token: str) -> str:
    if "\\" not in token:
        return token[1:-1]
    try:
        return str(json.loads(token))
    except ValueError:
        return token[1:-1]


def json_path(path: JsonPath) -> str:
    """``("results", "items", 3)`` -> ``results.items[3]``; ``(2, "turns")`` -> ``[2].turns``."""
    written = ""
    for part in path:
        written += f"[{part}]" if isinstance(part, int) else (f".{part}" if written else part)
    return written


def _kind(value: Any) -> str:
    """A JSON value's type, as an error message names it."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "un booléen (true/false)"
    if isinstance(value, (int, float)):
        return "un nombre"
    if isinstance(value, str):
        return "un texte"
    if isinstance(value, list):
        return "un tableau"
    return "un objet"


def _number(value: Any) -> float | None:
    """A finite number from a JSON number or a numeric string ("1.23" in AWS), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        try:
            value = float(value.strip())
        except ValueError:
            return None
    if isinstance(value, (int, float)):
        try:
            value = float(value)
        except OverflowError:  # a JSON integer of hundreds of digits
            return None
        if math.isfinite(value):
            return value
    return None


def _seconds(value: Any, unit: float) -> float | None:
    number = _number(value)
    return None if number is None else round(number / unit, 3)


def _speaker_id(value: Any) -> str:
    """A diarised speaker id as text: ``"SPEAKER_00"``, ``0`` -> ``"0"``; ``""`` when absent."""
    if isinstance(value, str):
        return " ".join(value.split())  # tidy, and roles.canonical_label is quadratic on long runs of spaces
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return ""


def _tidy(text: str) -> str:
    return " ".join(text.split())


@dataclass
class _Piece:
    """A piece of speech before merging: one segment, utterance or entry, or a run of AWS words."""

    speaker: str
    role: Role
    parts: list[str]  # joined without separator (AWS glues punctuation to the previous word)
    line: int | None
    locator: str
    start: float | None = None
    end: float | None = None

    @property
    def text(self) -> str:
        return "".join(self.parts)


class _Reading:
    """What one conversion collects: pieces, errors, and where values are in the file."""

    def __init__(self, source: str, raw_text: str, max_depth: int):
        self.source = source
        self.lines = JsonLines(raw_text, max_depth)
        self.pieces: list[_Piece] = []
        self.errors: list[ReadError] = []

    def error(self, path: JsonPath, problem: str, at: JsonPath | None = None) -> None:
        """A problem with the value at ``path``, on the line of ``at`` when that is a better place."""
        line = self.lines.line(path if at is None else at)
        self.errors.append(ReadError(self.source, line, MESSAGES["at"].format(path=json_path(path), problem=problem)))

    def text_at(self, container: Any, key: str, path: JsonPath) -> str | None:
        """The tidied text at ``container[key]``; None, with an error, when it is missing or not a string."""
        if not isinstance(container, dict):
            self.error(path, MESSAGES["want-object"].format(kind=_kind(container)))
            return None
        if key not in container:
            self.error(path + (key,), MESSAGES["missing"])
            return None
        value = container[key]
        if not isinstance(value, str):
            self.error(path + (key,), MESSAGES["want-string"].format(kind=_kind(value)))
            return None
        return _tidy(value)

    def add(
        self,
        path: JsonPath,
        text_path: JsonPath,
        speaker: str,
        text: str,
        *,
        role: Role | None = None,
        start: float | None = None,
        end: float | None = None,
    ) -> None:
        """One piece; without a role from the format, a speaker id such as "Conseiller" may still give one."""
        if role is None:
            role = (role_for_label(speaker) if speaker else None) or Role.UNKNOWN
        self.pieces.append(_Piece(speaker, role, [text], self.lines.line(text_path), json_path(path), start, end))

    def result(self, transcript_id: str, listed: JsonPath, items: list[Any]) -> ReadResult:
        """One call transcript from the pieces, or a "no speech" error when there are none."""
        if not items:
            self.error(listed, MESSAGES["no-speech-empty"])
            return [], self.errors
        if not self.pieces:
            if not self.errors:
                self.error(listed, MESSAGES["no-speech-blank"])
            return [], self.errors
        transcript = Transcript(id=transcript_id, path=self.source, channel="call", turns=merge_pieces(self.pieces))
        if not any(piece.speaker for piece in self.pieces):
            transcript.notes.append(NO_SPEAKERS_NOTE)
        return [transcript], self.errors


def merge_pieces(pieces: Iterable[_Piece]) -> list[Turn]:
    """Turns from pieces: consecutive pieces of one known speaker become one turn."""
    turns: list[Turn] = []
    texts: list[list[str]] = []
    lengths: list[int] = []  # length of each turn's text so far, joined with spaces
    for piece in pieces:
        last = turns[-1] if turns else None
        if last is not None and piece.speaker and last.speaker == piece.speaker and last.role is piece.role:
            last.pieces.append((lengths[-1] + 1, piece.line, piece.locator))
            lengths[-1] += 1 + len(piece.text)
            texts[-1].append(piece.text)
            last.start = last.start if last.start is not None else piece.start
            last.end = piece.end if piece.end is not None else last.end
            continue
        texts.append([piece.text])
        lengths.append(len(piece.text))
        turns.append(
            Turn(
                role=piece.role,
                speaker=piece.speaker,
                text="",
                line=piece.line,
                column=None,
                start=piece.start,
                end=piece.end,
                locator=piece.locator,
                pieces=[(0, piece.line, piece.locator)],
            )
        )
    for turn, parts in zip(turns, texts):
        turn.text = " ".join(parts)
    return turns


def _list_at(reading: _Reading, container: dict[str, Any], key: str, path: JsonPath) -> list[Any] | None:
    value = container.get(key)
    if isinstance(value, list):
        return value
    reading.error(path + (key,), MESSAGES["missing"] if key not in container else MESSAGES["want-array"].format(kind=_kind(value)))
    return None


def _stem(source: str) -> str:
    return Path(source).stem


# ---------------------------------------------------------------- 1. the plain shape

_PLAIN_ROLES = {"agent": Role.AGENT, "customer": Role.CUSTOMER, "unknown": Role.UNKNOWN}


def _plain_matches(document: Any) -> bool:
    if isinstance(document, dict):
        return "turns" in document
    return isinstance(document, list) and any(isinstance(item, dict) and "turns" in item for item in document)


def _plain_convert(document: Any, source: str, raw_text: str) -> ReadResult:
    reading = _Reading(source, raw_text, max_depth=3)
    several = isinstance(document, list)
    conversations = list(enumerate(document)) if several else [(0, document)]
    transcripts: list[Transcript] = []
    seen: dict[str, JsonPath] = {}
    for index, conversation in conversations:
        prefix: JsonPath = (index,) if several else ()
        default_id = f"{_stem(source)}#{index + 1}" if several else _stem(source)
        transcript = _plain_conversation(reading, conversation, prefix, default_id)
        if transcript is None:
            continue
        if transcript.id in seen:
            first = json_path(seen[transcript.id])
            reading.error(prefix + ("id",), MESSAGES["duplicate-id"].format(id=transcript.id, first=first))
        seen.setdefault(transcript.id, prefix + ("id",))
        transcripts.append(transcript)
    return transcripts, reading.errors


def _plain_conversation(reading: _Reading, conversation: Any, prefix: JsonPath, default_id: str) -> Transcript | None:
    if not isinstance(conversation, dict):
        reading.error(prefix, MESSAGES["want-conversation"].format(kind=_kind(conversation)))
        return None
    transcript_id = default_id
    if "id" in conversation:
        value = conversation["id"]
        if isinstance(value, str) and value.strip():
            transcript_id = value.strip()
        elif isinstance(value, int) and not isinstance(value, bool):
            transcript_id = str(value)
        else:
            reading.error(prefix + ("id",), MESSAGES["want-id"].format(kind=_kind(value)))
    channel = "call"
    if "channel" in conversation:
        value = conversation["channel"]
        if isinstance(value, str) and fold(value).strip() in CHANNELS:
            channel = fold(value).strip()
        else:
            key = "unknown-channel" if isinstance(value, str) else "want-channel"
            problem = MESSAGES[key].format(value=value, kind=_kind(value), known=", ".join(CHANNELS))
            reading.error(prefix + ("channel",), problem)
    # The names an export gives for the conversation's agent and customer (a chat widget's
    # display name, a CRM's contact): the customer-name rules judge them.
    people: dict[str, str | None] = {"agent": None, "customer": None}
    for key in people:
        value = conversation.get(key)
        if isinstance(value, str) and value.strip():
            people[key] = value.strip()
        elif key in conversation and value is not None:
            reading.error(prefix + (key,), MESSAGES["want-name"].format(party=_PARTIES[key], kind=_kind(value)))
    if "turns" not in conversation:
        reading.error(prefix + ("turns",), MESSAGES["no-turns"])
        return None
    turns_value = _list_at(reading, conversation, "turns", prefix)
    if turns_value is None:
        return None
    if not turns_value:
        reading.error(prefix + ("turns",), MESSAGES["no-speech-empty"])
        return None
    turns: list[Turn] = []
    for index, item in enumerate(turns_value):
        turn = _plain_turn(reading, item, prefix + ("turns", index))
        if turn is not None:
            turns.append(turn)
    if not turns:
        return None
    return Transcript(id=transcript_id, path=reading.source, channel=channel, turns=turns, **people)


def _plain_turn(reading: _Reading, item: Any, path: JsonPath) -> Turn | None:
    if not isinstance(item, dict):
        reading.error(path, MESSAGES["want-turn"].format(kind=_kind(item)))
        return None
    if "text" not in item:
        close = difflib.get_close_matches("text", [k for k in item if isinstance(k, str)], n=1)
        problem = MESSAGES["no-text-did-you-mean"].format(close=close[0]) if close else MESSAGES["no-text"]
        reading.error(path + ("text",), problem, at=path + (close[0],) if close else None)
        return None
    text = reading.text_at(item, "text", path)
    if text is None:
        return None
    if not text:
        reading.error(path + ("text",), MESSAGES["empty"])
        return None
    role, role_label = _plain_role(reading, item, path)
    speaker = role_label
    if "speaker" in item:
        value = item["speaker"]
        if isinstance(value, str) and value.strip():
            speaker = value.strip()
        else:
            reading.error(path + ("speaker",), MESSAGES["want-non-empty-string"].format(kind=_kind(value)))
            speaker = _speaker_id(value) or role_label
    elif "role" not in item:
        reading.error(path, MESSAGES["no-speaker"])
    if "role" not in item:
        role = (role_for_label(speaker) if speaker else None) or Role.UNKNOWN
    start = _plain_time(reading, item, path, "start")
    end = _plain_time(reading, item, path, "end")
    if start is not None and end is not None and end < start:
        reading.error(path + ("end",), MESSAGES["end-before-start"].format(end=end, start=start))
        end = None
    return Turn(
        role=role,
        speaker=speaker,
        text=text,
        line=reading.lines.line(path + ("text",)),
        column=None,
        start=start,
        end=end,
        locator=json_path(path),
    )


def _plain_role(reading: _Reading, item: dict[str, Any], path: JsonPath) -> tuple[Role, str]:
    """The turn's role and the label it was given ("" when there is none)."""
    if "role" not in item:
        return Role.UNKNOWN, ""
    value = item["role"]
    if not isinstance(value, str):
        reading.error(path + ("role",), MESSAGES["want-role"].format(kind=_kind(value)))
        return Role.UNKNOWN, ""
    label = value.strip()
    role = _PLAIN_ROLES.get(fold(label)) or role_for_label(label)
    if role is None:
        reading.error(path + ("role",), MESSAGES["unknown-role"].format(label=label))
        return Role.UNKNOWN, label
    return role, label


def _plain_time(reading: _Reading, item: dict[str, Any], path: JsonPath, key: str) -> float | None:
    if key not in item or item[key] is None:
        return None
    value = item[key]
    number = _number(value) if isinstance(value, (int, float)) else None
    if number is None or number < 0:
        shown = f"{value}" if isinstance(value, (int, float)) and not isinstance(value, bool) else _kind(value)
        reading.error(path + (key,), MESSAGES["want-seconds"].format(shown=shown))
        return None
    return number


# ---------------------------------------------------------------- 2. Whisper / WhisperX


def _whisper_matches(document: Any) -> bool:
    return isinstance(document, dict) and "segments" in document


def _whisper_convert(document: Any, source: str, raw_text: str) -> ReadResult:
    reading = _Reading(source, raw_text, max_depth=2)
    segments = _list_at(reading, document, "segments", ())
    if segments is None:
        return [], reading.errors
    for index, segment in enumerate(segments):
        path: JsonPath = ("segments", index)
        text = reading.text_at(segment, "text", path)
        if not text:
            continue
        speaker = _speaker_id(segment.get("speaker")) or _majority_speaker(segment.get("words"))
        start, end = _seconds(segment.get("start"), 1), _seconds(segment.get("end"), 1)
        reading.add(path, path + ("text",), speaker, text, start=start, end=end)
    return reading.result(_stem(source), ("segments",), segments)


def _majority_speaker(words: Any) -> str:
    """The speaker of most words of a WhisperX segment that has none of its own."""
    if not isinstance(words, list):
        return ""
    counts = Counter(_speaker_id(word.get("speaker")) for word in words if isinstance(word, dict))
    counts.pop("", None)
    return counts.most_common(1)[0][0] if counts else ""


# ---------------------------------------------------------------- 3. AWS Transcribe


def _aws_matches(document: Any) -> bool:
    return isinstance(document, dict) and isinstance(document.get("results"), dict) and "items" in document["results"]


def _aws_convert(document: Any, source: str, raw_text: str) -> ReadResult:
    reading = _Reading(source, raw_text, max_depth=3)
    results = document["results"]
    items = _list_at(reading, results, "items", ("results",))
    if items is None:
        return [], reading.errors
    speaker_at = _aws_speaker_finder(results.get("speaker_labels"))
    current: _Piece | None = None
    for index, item in enumerate(items):
        path: JsonPath = ("results", "items", index)
        alternative = _aws_alternative(reading, item, path)
        if alternative is None:
            continue
        content = reading.text_at(alternative, "content", path + ("alternatives", 0))
        if not content:
            continue
        if item.get("type") == "punctuation":
            if current is not None:  # glued to the previous word; a leading one is dropped
                current.parts.append(content)
                if not current.speaker and _SENTENCE_END.search(content):
                    current = None  # without speakers, one sentence is one turn
            continue
        start, end = _seconds(item.get("start_time"), 1), _seconds(item.get("end_time"), 1)
        speaker = _speaker_id(item.get("speaker_label")) or speaker_at(start)
        if current is not None and current.speaker == speaker:
            current.parts.append(f" {content}")
            current.end = end if end is not None else current.end
            continue
        reading.add(path, path + ("alternatives", 0, "content"), speaker, content, start=start, end=end)
        current = reading.pieces[-1]
    return reading.result(_stem(source), ("results", "items"), items)


def _aws_alternative(reading: _Reading, item: Any, path: JsonPath) -> dict[str, Any] | None:
    if not isinstance(item, dict):
        reading.error(path, MESSAGES["want-object"].format(kind=_kind(item)))
        return None
    alternatives = item.get("alternatives")
    if not isinstance(alternatives, list) or not alternatives:
        if "alternatives" not in item:
            problem = MESSAGES["missing"]
        else:
            problem = MESSAGES["empty"] if alternatives == [] else MESSAGES["want-non-empty-array"].format(kind=_kind(alternatives))
        reading.error(path + ("alternatives",), problem)
        return None
    if not isinstance(alternatives[0], dict):
        reading.error(path + ("alternatives", 0), MESSAGES["want-object"].format(kind=_kind(alternatives[0])))
        return None
    return alternatives[0]


def _aws_speaker_finder(labels: Any) -> Callable[[float | None], str]:
    """Speaker of a word from ``results.speaker_labels``, for items that carry no ``speaker_label``.

    A word's start time is looked up among the segments' items, then in the
    segments' time ranges.
    """
    exact: dict[float, str] = {}
    ranges: list[tuple[float, float, str]] = []
    segments = labels.get("segments") if isinstance(labels, dict) else None
    for segment in segments if isinstance(segments, list) else []:
        if not isinstance(segment, dict):
            continue
        label = _speaker_id(segment.get("speaker_label"))
        start, end = _number(segment.get("start_time")), _number(segment.get("end_time"))
        if label and start is not None and end is not None:
            ranges.append((start, end, label))
        items = segment.get("items")
        for item in items if isinstance(items, list) else []:
            if isinstance(item, dict):
                time, speaker = _number(item.get("start_time")), _speaker_id(item.get("speaker_label")) or label
                if time is not None and speaker:
                    exact.setdefault(round(time, 3), speaker)
    ranges.sort()
    starts = [start for start, _, _ in ranges]

    def speaker_at(time: float | None) -> str:
        if time is None:
            return ""
        if round(time, 3) in exact:
            return exact[round(time, 3)]
        index = bisect.bisect_right(starts, time) - 1
        if index >= 0 and ranges[index][0] <= time <= ranges[index][1]:
            return ranges[index][2]
        return ""

    return speaker_at


# ---------------------------------------------------------------- 4. AWS Call Analytics / Contact Lens

_ANALYTICS_ROLES = {"AGENT": Role.AGENT, "CUSTOMER": Role.CUSTOMER}


def _analytics_matches(document: Any) -> bool:
    return isinstance(document, dict) and "Transcript" in document


def _analytics_convert(document: Any, source: str, raw_text: str) -> ReadResult:
    reading = _Reading(source, raw_text, max_depth=2)
    entries = _list_at(reading, document, "Transcript", ())
    if entries is None:
        return [], reading.errors
    participants: dict[str, str] = {}
    listed = document.get("Participants")
    for participant in listed if isinstance(listed, list) else []:
        if isinstance(participant, dict):
            participant_id = _speaker_id(participant.get("ParticipantId"))
            participants[participant_id] = _speaker_id(participant.get("ParticipantRole"))
    for index, entry in enumerate(entries):
        path: JsonPath = ("Transcript", index)
        text = reading.text_at(entry, "Content", path)
        if not text:
            continue
        participant_id = _speaker_id(entry.get("ParticipantId"))
        raw_role = _speaker_id(entry.get("ParticipantRole")) or participants.get(participant_id, "")
        speaker = participant_id or raw_role
        role = _ANALYTICS_ROLES.get(raw_role.upper()) or role_for_label(speaker) or Role.UNKNOWN
        start = _seconds(entry.get("BeginOffsetMillis"), 1000)
        end = _seconds(entry.get("EndOffsetMillis"), 1000)
        reading.add(path, path + ("Content",), speaker, text, role=role, start=start, end=end)
    return reading.result(_stem(source), ("Transcript",), entries)


# ---------------------------------------------------------------- 5. Deepgram

_PARAGRAPHS: JsonPath = ("results", "channels", 0, "alternatives", 0, "paragraphs", "paragraphs")


def _deepgram_matches(document: Any) -> bool:
    results = document.get("results") if isinstance(document, dict) else None
    return isinstance(results, dict) and ("utterances" in results or "channels" in results)


def _deepgram_convert(document: Any, source: str, raw_text: str) -> ReadResult:
    results = document["results"]
    utterances = results.get("utterances")
    paragraphs = _deepgram_paragraphs(results)
    if not utterances and paragraphs is not None:
        return _deepgram_from_paragraphs(paragraphs, source, raw_text)
    reading = _Reading(source, raw_text, max_depth=3)
    if "utterances" not in results:
        reading.error(("results",), MESSAGES["deepgram-no-utterances"])
        return [], reading.errors
    utterances = _list_at(reading, results, "utterances", ("results",))
    if utterances is None:
        return [], reading.errors
    channels = {_speaker_id(u.get("channel")) for u in utterances if isinstance(u, dict)}
    for index, utterance in enumerate(utterances):
        path: JsonPath = ("results", "utterances", index)
        text = reading.text_at(utterance, "transcript", path)
        if not text:
            continue
        speaker = _deepgram_speaker(utterance, several_channels=len(channels) > 1)
        start, end = _seconds(utterance.get("start"), 1), _seconds(utterance.get("end"), 1)
        reading.add(path, path + ("transcript",), speaker, text, start=start, end=end)
    return reading.result(_stem(source), ("results", "utterances"), utterances)


def _deepgram_speaker(piece: dict[str, Any], several_channels: bool) -> str:
    """``0`` -> ``"0"``; on a multichannel call the channel tells parties apart: ``"ch1-0"``."""
    speaker = _speaker_id(piece.get("speaker"))
    if not several_channels:
        return speaker
    channel = f"ch{_speaker_id(piece.get('channel'))}"
    return f"{channel}-{speaker}" if speaker else channel


def _deepgram_paragraphs(results: dict[str, Any]) -> list[Any] | None:
    value: Any = results
    for key in _PARAGRAPHS[1:]:
        if isinstance(key, int):
            value = value[key] if isinstance(value, list) and len(value) > key else None
        else:
            value = value.get(key) if isinstance(value, dict) else None
    return value if isinstance(value, list) else None


def _deepgram_from_paragraphs(paragraphs: list[Any], source: str, raw_text: str) -> ReadResult:
    reading = _Reading(source, raw_text, max_depth=len(_PARAGRAPHS) + 1)
    for index, paragraph in enumerate(paragraphs):
        path: JsonPath = _PARAGRAPHS + (index,)
        if not isinstance(paragraph, dict):
            reading.error(path, MESSAGES["want-object"].format(kind=_kind(paragraph)))
            continue
        sentences = _list_at(reading, paragraph, "sentences", path)
        if sentences is None:
            continue
        texts = [reading.text_at(sentence, "text", path + ("sentences", n)) for n, sentence in enumerate(sentences)]
        text = " ".join(t for t in texts if t)
        if not text:
            continue
        speaker = _speaker_id(paragraph.get("speaker"))
        start, end = _seconds(paragraph.get("start"), 1), _seconds(paragraph.get("end"), 1)
        reading.add(path, path + ("sentences", 0, "text"), speaker, text, start=start, end=end)
    return reading.result(_stem(source), _PARAGRAPHS, paragraphs)


# ---------------------------------------------------------------- 6. AssemblyAI


def _assemblyai_matches(document: Any) -> bool:
    return isinstance(document, dict) and "utterances" in document


def _assemblyai_convert(document: Any, source: str, raw_text: str) -> ReadResult:
    reading = _Reading(source, raw_text, max_depth=2)
    if document.get("utterances") is None:
        problem = MESSAGES["assemblyai-no-speakers"]
        reading.error(("utterances",), problem)
        return [], reading.errors
    utterances = _list_at(reading, document, "utterances", ())
    if utterances is None:
        return [], reading.errors
    for index, utterance in enumerate(utterances):
        path: JsonPath = ("utterances", index)
        text = reading.text_at(utterance, "text", path)
        if not text:
            continue
        speaker = _speaker_id(utterance.get("speaker"))
        start, end = _seconds(utterance.get("start"), 1000), _seconds(utterance.get("end"), 1000)
        reading.add(path, path + ("text",), speaker, text, start=start, end=end)
    return reading.result(_stem(source), ("utterances",), utterances)


# ---------------------------------------------------------------- 7. Google Contact Center AI Insights

_CCAI_ROLES = {
    "AGENT": Role.AGENT,
    "HUMAN_AGENT": Role.AGENT,
    "AUTOMATED_AGENT": Role.AGENT,
    "CUSTOMER": Role.CUSTOMER,
    "END_USER": Role.CUSTOMER,
}


def _ccai_matches(document: Any) -> bool:
    return isinstance(document, dict) and "entries" in document


def _ccai_convert(document: Any, source: str, raw_text: str) -> ReadResult:
    reading = _Reading(source, raw_text, max_depth=2)
    entries = _list_at(reading, document, "entries", ())
    if entries is None:
        return [], reading.errors
    first: float | None = None
    for index, entry in enumerate(entries):
        path: JsonPath = ("entries", index)
        text = reading.text_at(entry, "text", path)
        if not text:
            continue
        raw_role = _speaker_id(entry.get("role"))
        user = _speaker_id(entry.get("user_id", entry.get("userId")))
        speaker = f"{raw_role} {user}" if raw_role and user else raw_role or user
        role = _CCAI_ROLES.get(raw_role.upper()) or role_for_label(raw_role) or Role.UNKNOWN
        usec = _number(entry.get("start_timestamp_usec", entry.get("startTimestampUsec")))
        if usec is not None and first is None:
            first = usec
        start = None if usec is None or first is None else round((usec - first) / 1_000_000, 3)
        reading.add(path, path + ("text",), speaker, text, role=role, start=start)
    return reading.result(_stem(source), ("entries",), entries)


SHAPES: list[JsonShape] = [
    JsonShape("plain turns", _plain_matches, _plain_convert),
    JsonShape("Whisper/WhisperX", _whisper_matches, _whisper_convert),
    JsonShape("AWS Transcribe", _aws_matches, _aws_convert),
    JsonShape("AWS Call Analytics/Contact Lens", _analytics_matches, _analytics_convert),
    JsonShape("Deepgram", _deepgram_matches, _deepgram_convert),
    JsonShape("AssemblyAI", _assemblyai_matches, _assemblyai_convert),
    JsonShape("Google CCAI Insights", _ccai_matches, _ccai_convert),
]
