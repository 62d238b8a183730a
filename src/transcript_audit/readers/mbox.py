"""A mailbox file (``.mbox``): many e-mails, grouped into threads, one transcript per thread.

Messages start at "From " lines (the mbox envelope). They are grouped by
Message-ID / In-Reply-To / References; a reply that lost those headers
("Re: …" subject, no references) joins the thread with the same subject.
Each thread is one transcript ``<file stem>#<n>`` (n counts threads in the
order their first message appears), its messages ordered by Date.
"""

from __future__ import annotations

import bisect
import re
from pathlib import Path

from ..model import ReadError, Role, Transcript
from ..roles import assign_email_roles, name_parties
from .base import ReaderOptions, ReadResult
from .mail_text import NO_OWN_TEXT, MailMessage, is_reply_subject, normalise_subject, parse_message, prepare, unreadable

FORMAT = "mbox"

# An envelope line as mbox writers put it: "From jean@exemple.fr Tue Mar  4 09:12:00 2025".
_ENVELOPE = re.compile(
    rb"^From (?:\S+@\S+|MAILER-DAEMON|-)(?:\s|$)|^From \S+ +(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) ", re.IGNORECASE
)
_HEADER_START = re.compile(rb"^[\x21-\x39\x3b-\x7e]+[ \t]*:")

# What the analyst reads about a mailbox, in French like every report.
MESSAGES = {
    "stray-text": "texte avant la première ligne « From … » : il n’appartient à aucun message",
    "not-mbox": "aucune ligne « From … » : ce n’est pas un fichier mbox",
    "in-message": "message {number} : {problem}",
    "empty-message": "message vide",
    "no-message": "aucun message trouvé",
}


def sniff(data: bytes) -> bool:
    """Starts with an mbox envelope line ("From " with no colon)."""
    first = prepare(data[:2000]).lstrip(b"\n").split(b"\n", 1)[0]
    return first.startswith(b"From ") and not first.startswith(b"From:")


def split_messages(data: bytes) -> tuple[list[tuple[int, bytes]], int | None]:
    """The messages of an mbox as (line of their "From " line, bytes after it).

    A "From " line separates messages when it opens the file, or when it
    follows a blank line or looks like a real envelope and the next line is a
    header (a body line "From here on…" does not split). Also returns the line
    of the first non-blank text before the first envelope, if any.
    """
    lines = data.split(b"\n")
    starts: list[int] = []
    first_text: int | None = None
    for index, line in enumerate(lines):
        if not line.startswith(b"From "):
            if first_text is None and not starts and line.strip():
                first_text = index
            continue
        previous_blank = index == 0 or not lines[index - 1].strip()
        next_is_header = index + 1 < len(lines) and bool(_HEADER_START.match(lines[index + 1]))
        envelope = bool(_ENVELOPE.match(line))
        opens_file = not starts and first_text is None
        if opens_file or (previous_blank and (envelope or next_is_header)) or (envelope and next_is_header):
            starts.append(index)
        elif first_text is None and not starts:
            first_text = index
    messages = []
    for position, start in enumerate(starts):
        end = starts[position + 1] if position + 1 < len(starts) else len(lines)
        messages.append((start + 1, b"\n".join(lines[start + 1 : end])))
    return messages, None if first_text is None else first_text + 1


def read(data: bytes, source: str, options: ReaderOptions | None = None) -> ReadResult:
    options = options or ReaderOptions()
    data = prepare(data)
    problem = unreadable(data, source, "une boîte mail (.mbox)")
    if problem:
        return [], [problem]
    chunks, stray_line = split_messages(data)
    errors: list[ReadError] = []
    if stray_line is not None:
        if chunks:
            errors.append(
                ReadError(source, stray_line, MESSAGES["stray-text"])
            )
        elif _HEADER_START.match(data.lstrip(b"\n")):
            # No envelope at all: a single e-mail saved with the .mbox extension.
            blank_lines = len(data) - len(data.lstrip(b"\n"))
            chunks = [(blank_lines, data[blank_lines:])]
        else:
            return [], [ReadError(source, stray_line, MESSAGES["not-mbox"])]
    messages: list[MailMessage] = []
    for number, (from_line, raw) in enumerate(chunks, start=1):
        if not raw.strip():  # nothing after the "From " line, maybe the file's last line: point at it
            errors.append(ReadError(source, max(from_line, 1), MESSAGES["in-message"].format(number=number, problem=MESSAGES["empty-message"])))
            continue
        parsed = parse_message(raw, source, number=number, first_line=from_line + 1, mboxrd=True)
        if isinstance(parsed, ReadError):
            errors.append(ReadError(source, parsed.line, MESSAGES["in-message"].format(number=number, problem=parsed.message), parsed.column))
        else:
            parsed.line = from_line
            messages.append(parsed)
    stem = Path(source).stem
    transcripts = []
    for thread_number, thread in enumerate(group_threads(messages), start=1):
        transcript = _transcript(thread, f"{stem}#{thread_number}", source, options)
        if transcript.turns:
            transcripts.append(transcript)
        else:
            errors.append(
                ReadError(
                    source,
                    thread[0].body_line,
                    MESSAGES["in-message"].format(number=thread[0].number, problem=NO_OWN_TEXT),
                )
            )
    if not transcripts and not errors:
        errors.append(ReadError(source, None, MESSAGES["no-message"]))
    return transcripts, errors


def group_threads(messages: list[MailMessage]) -> list[list[MailMessage]]:
    """Messages grouped into threads, threads in file order, messages by date (else file order)."""
    parent = list(range(len(messages)))

    def root(index: int) -> int:
        while parent[index] != index:
            parent[index] = parent[parent[index]]
            index = parent[index]
        return index

    def union(a: int, b: int) -> None:
        ra, rb = root(a), root(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)

    owner: dict[str, int] = {}
    for index, message in enumerate(messages):
        for key in ([message.message_id] if message.message_id else []) + message.references:
            if key in owner:
                union(index, owner[key])
            else:
                owner[key] = index
    by_subject: dict[str, list[int]] = {}
    for index, message in enumerate(messages):
        subject = normalise_subject(message.subject)
        if subject:
            by_subject.setdefault(subject, []).append(index)
    for index, message in enumerate(messages):
        if message.references or not is_reply_subject(message.subject):
            continue
        same = by_subject.get(normalise_subject(message.subject), [])
        position = bisect.bisect_left(same, index)  # ``same`` is in file order
        if position > 0:
            union(index, same[position - 1])  # the latest earlier message with that subject
        elif position + 1 < len(same):
            union(index, same[position + 1])
    groups: dict[int, list[MailMessage]] = {}
    for index, message in enumerate(messages):
        groups.setdefault(root(index), []).append(message)
    threads = []
    for _, thread in sorted(groups.items()):
        if all(message.date is not None for message in thread):
            thread.sort(key=lambda message: (message.date, message.number))
        threads.append(thread)
    return threads


def _transcript(thread: list[MailMessage], transcript_id: str, source: str, options: ReaderOptions) -> Transcript:
    speaking = [message for message in thread if message.text]
    roles, notes = assign_email_roles(speaking, options.agent_domains) if speaking else ({}, [])
    for message in thread:
        if not message.text:
            notes.append(
                f"Message {message.number} ignoré : il ne contient que l'historique cité, "
                "une signature ou une mention légale."
            )
    turns = [message.turn(roles.get(message.speaker, Role.UNKNOWN), _locator(message)) for message in speaking]
    transcript = Transcript(id=transcript_id, path=source, channel="email", turns=turns, notes=notes)
    name_parties(transcript)
    return transcript


def _locator(message: MailMessage) -> str:
    return f"message {message.number} {message.message_id}" if message.message_id else f"message {message.number}"
