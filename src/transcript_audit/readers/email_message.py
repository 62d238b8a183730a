"""One e-mail saved as a file (``.eml``): one message, one turn.

The body is the message's text/plain part (else its HTML part as text), with
the quoted history, signature and disclaimers removed (see ``mail_text``).
The sender is the speaker; ``--agent-domain`` or the service-mailbox
heuristic of ``roles.assign_email_roles`` gives the role.
"""

from __future__ import annotations

import re
from pathlib import Path

from ..model import ReadError, Transcript
from ..roles import assign_email_roles, name_parties
from .base import ReaderOptions, ReadResult
from .mail_text import NO_OWN_TEXT, parse_message, prepare, unreadable

FORMAT = "email"

_STRONG_HEADERS = re.compile(
    rb"^(?:from|received|return-path|message-id|mime-version|delivered-to|dkim-signature|arc-seal|"
    rb"authentication-results|x-[\w-]+)[ \t]*:",
    re.IGNORECASE,
)
_ANY_HEADER = re.compile(rb"^(?:[\x21-\x39\x3b-\x7e]+[ \t]*:|[ \t])")


def sniff(data: bytes) -> bool:
    """Starts with RFC 5322 headers such as ``From:``, ``Received:``, ``Message-ID:``."""
    lines = prepare(data)[:2000].split(b"\n", 2)
    return bool(_STRONG_HEADERS.match(lines[0])) and (len(lines) < 2 or bool(_ANY_HEADER.match(lines[1])))


def read(data: bytes, source: str, options: ReaderOptions | None = None) -> ReadResult:
    options = options or ReaderOptions()
    data = prepare(data)
    problem = unreadable(data, source, "un e-mail")
    if problem:
        return [], [problem]
    message = parse_message(data, source, number=1, first_line=1)
    if isinstance(message, ReadError):
        return [], [message]
    if not message.text:
        return [], [
            ReadError(
                source,
                message.body_line,
                NO_OWN_TEXT,
            )
        ]
    roles, notes = assign_email_roles([message], options.agent_domains)
    role = roles[message.speaker]
    transcript = Transcript(
        id=Path(source).stem,
        path=source,
        channel="email",
        turns=[message.turn(role, message.message_id)],
        notes=notes,
    )
    name_parties(transcript)
    return [transcript], []
