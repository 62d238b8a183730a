"""What every reader shares: options, decoding, and building common transcripts.

The other shared modules: ``decoding`` (bytes to text, line ends), ``dates``,
``html_text``, ``cues`` (WebVTT and SRT), ``mail_text`` (.eml and .mbox),
``canned_library`` (canned-response libraries in YAML and JSON); roles come
from ``roles`` outside this package. A format module imports these, never
another format module (``tests/test_layers.py`` checks it).

A reader module exposes ``FORMAT`` (its name for ``--input-format``),
``read(data, source, options) -> (transcripts, errors)`` and,
when its content can be recognised without the extension,
``sniff(data) -> bool``; its file extensions are listed in the registry
(``readers/__init__._READERS``). A reader never raises on bad input: it returns
located ``ReadError`` values, and one bad conversation in a file does not
stop the others.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any

from ..model import ReadError, Role, Transcript, Turn
from ..text import fold
from .decoding import UndecodableError, decode

ReadResult = tuple[list[Transcript], list[ReadError]]


# The fields a CSV export's columns can be mapped to (``--columns``, ``columns:``).
COLUMN_FIELDS = ("conversation", "role", "speaker", "text", "time", "channel", "name")


@dataclass(frozen=True)
class ReaderOptions:
    """Choices the user makes about inputs (CLI options or configuration).

    ``agent_speakers``: diarised speaker ids or names that are the agent
    (``--agent SPEAKER_01``). ``agent_domains``: e-mail addresses or domains
    whose senders are agents (``--agent-domain acme.fr``). ``columns``: CSV
    column names for the fields ``conversation``, ``role``, ``speaker``,
    ``text``, ``time`` (``--columns text=Body,role=From``).
    """

    agent_speakers: tuple[str, ...] = ()
    agent_domains: tuple[str, ...] = ()
    columns: dict[str, str] = field(default_factory=dict)


def decode_or_error(data: bytes, source: str) -> tuple[str | None, list[ReadError]]:
    """Text of the bytes, or a ``ReadError`` saying why there is none."""
    try:
        return decode(data), []
    except UndecodableError as error:
        return None, [ReadError(source, None, str(error))]


def read_decoded(data: bytes, source: str, parse: Callable[..., ReadResult]) -> ReadResult:
    """Decode the bytes, then ``parse(text, source, default_id=<file stem>)`` them."""
    text, errors = decode_or_error(data, source)
    if text is None:
        return [], errors
    return parse(text, source, default_id=PurePath(source).stem)


class LineIndex:
    """Line numbers of character offsets in a text, for formats parsed as a whole."""

    def __init__(self, text: str):
        self._starts = [0] + [i + 1 for i, char in enumerate(text) if char == "\n"]

    def line_of(self, offset: int) -> int:
        return bisect.bisect_right(self._starts, offset)


def guess_channel(path: str) -> str:
    """A channel from the file or folder name, ``call`` when nothing hints otherwise."""
    words = set(re.split(r"[^a-z]+", fold(path)))
    if words & {"email", "emails", "mail", "mails", "courriel", "courriels", "eml"}:
        return "email"
    if words & {"chat", "chats", "tchat", "tchats", "messenger", "whatsapp", "sms"}:
        return "chat"
    if words & {"canned", "macro", "macros", "template", "templates"}:
        return "canned"
    return "call"


def canned_transcript(
    name: str,
    body: str,
    source: str,
    *,
    line: int | None,
    column: int | None = None,
    locator: str | None = None,
    snippet: bool = False,
) -> Transcript:
    """A canned response audited as one agent turn on the ``canned`` channel.

    A snippet (a fragment inserted into a reply, not a whole reply) goes on the
    ``snippet`` channel, where greeting and closing rules do not apply.
    """
    turn = Turn(role=Role.AGENT, speaker="réponse type", text=body, line=line, column=column, locator=locator)
    return Transcript(id=name, path=source, channel="snippet" if snippet else "canned", turns=[turn])


@dataclass(frozen=True)
class JsonShape:
    """One JSON layout (Whisper, AWS Transcribe, a Zendesk macro export…).

    ``matches`` recognises the parsed document; ``convert`` turns it into
    transcripts. ``text`` is the raw JSON text, for locating values by line.
    """

    name: str
    matches: Callable[[Any], bool]
    convert: Callable[[Any, str, str], ReadResult]  # document, source name, its raw text
