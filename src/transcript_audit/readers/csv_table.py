"""CSV and TSV exports: ticket and chat histories, one row per message, and canned-response libraries.

Helpdesk and chat tools (Zendesk, Freshdesk, Intercom, in-house tools opened
in French Excel) export one row per message with a ticket id, an author or
author type, a date and a body. Rows are grouped into one conversation per
ticket id and put in time order. A table without a conversation column but
with a name or title column is a canned-response library: every row is one
response. Columns are recognised by their usual headers in English and
French; ``--columns`` names them when the export uses other headers.
"""

from __future__ import annotations

import csv
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from functools import lru_cache
from pathlib import Path

from ..model import ReadError, Role, Transcript, Turn
from ..roles import role_for_label
from ..text import fold
from .base import ReaderOptions, ReadResult, canned_transcript, decode_or_error
from .canned import html_to_text
from .decoding import UndecodableError, decode
from .labelled_text import guess_channel

FORMAT = "csv"
EXTENSIONS = (".csv", ".tsv")

# The fields ``--columns`` can name, then the ones only detected from headers.
FIELDS = ("conversation", "role", "speaker", "text", "time", "channel", "name")

# Usual headers of each field, best first, compared after ``_header_key``
# (lower case, no accents, any run of spaces, "_", "-" or punctuation as one space).
_ALIASES: dict[str, tuple[str, ...]] = {
    "conversation": (
        "ticket id", "ticket", "conversation id", "conversation", "thread id", "chat id", "case id",
        "case number", "id ticket", "numero ticket", "numero de ticket", "n ticket", "no ticket",
        "ticket number", "id conversation", "dossier", "numero dossier",
    ),
    "role": ("role", "author type", "sender type", "from type", "type auteur", "author role", "sender role",
             "type expediteur", "direction", "sens", "is agent"),
    "speaker": ("author", "author name", "sender", "sender name", "from", "speaker", "auteur", "nom auteur",
                "expediteur", "locuteur", "interlocuteur", "agent name"),
    "text": ("plain body", "body", "message", "text", "content", "comment", "texte", "contenu", "corps",
             "message body", "comment body", "html body"),
    "time": ("created at", "timestamp", "datetime", "date heure", "date et heure", "horodatage", "sent at",
             "date creation", "date envoi", "date", "time", "heure"),
    "channel": ("channel", "via", "canal", "source"),
    "name": ("name", "title", "titre", "nom", "intitule", "libelle", "macro"),
    # Only detected: a separate clock column completing a date column, the kind of
    # a canned response, and Zendesk's "public" flag (false: an internal note).
    "clock": ("heure", "time", "hour"),
    "kind": ("type", "kind", "categorie", "category"),
    "public": ("public", "is public"),
}

# Role values beyond what ``roles.role_for_label`` knows (compared after ``_header_key``).
_ROLE_VALUES = {
    **dict.fromkeys(
        ("end user", "enduser", "requester", "visitor", "visiteur", "contact", "lead", "prospect",
         "inbound", "incoming", "in", "entrant", "received", "recu"),
        Role.CUSTOMER,
    ),
    **dict.fromkeys(
        ("staff", "admin", "administrator", "administrateur", "bot", "chatbot", "assistant", "employee",
         "collaborateur", "team", "equipe", "outbound", "outgoing", "out", "sortant", "sent", "envoye"),
        Role.AGENT,
    ),
}
# Messages the tool wrote by itself ("Ticket assigned to Julie"): not part of the conversation.
_SYSTEM_VALUES = frozenset(
    {"system", "systeme", "automation", "automatisation", "automatic", "automatique", "trigger",
     "declencheur", "event", "evenement", "log"}
)
_TRUE = frozenset({"true", "1", "yes", "y", "t", "oui", "o", "vrai", "x"})
_FALSE = frozenset({"false", "0", "no", "n", "f", "non", "faux"})

_CHANNEL_VALUES = {
    **dict.fromkeys(("chat", "tchat", "live chat", "livechat", "messaging", "native messaging", "messenger",
                     "whatsapp", "sms", "instagram", "facebook", "twitter"), "chat"),
    # A web form starts an e-mail thread (Zendesk's "web" channel).
    **dict.fromkeys(("email", "e mail", "mail", "courriel", "web", "web form", "formulaire", "contact form"),
                    "email"),
    **dict.fromkeys(("phone", "voice", "telephone", "tel", "call", "appel", "voix"), "call"),
}
_SNIPPET_WORDS = ("snippet", "extrait", "fragment")

_DELIMITERS = ",;\t|"
_SNIFF_SAMPLE = 16_384
# csv.Sniffer's quote-guessing regexes are quadratic on runs of quotes and punctuation:
# 16 KiB of ',"' took 5 s. A few KiB of rows are plenty to choose between delimiters.
_DIALECT_SAMPLE = 4096
# Long e-mail bodies with quoted history exceed csv's default 128 KiB; a runaway
# quote should still fail rather than read the whole file into one field.
FIELD_SIZE_LIMIT = 8 * 1024 * 1024

_PHYSICAL_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+")
_NOT_WORD = re.compile(r"[^a-z0-9]+")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
# HTML in a column not named "html…" (some tools export the HTML body as "body").
_HTML_TAG = re.compile(
    r"</?(?:p|br|div|span|b|i|u|strong|em|ul|ol|li|a|table|tr|td|th|blockquote|font|img|hr|h[1-6])\b[^<>]*>",
    re.IGNORECASE,
)
_EMAIL = re.compile(r"[\w.+'-]+@([\w-]+(?:\.[\w-]+)+)")

_EPOCH = re.compile(r"^\d{9,17}(?:\.\d+)?$")
_CLOCK = r"(?P<h>\d{1,2})[:hH](?P<mi>\d{2})(?::(?P<s>\d{2})(?:[.,](?P<f>\d{1,9}))?)?"
_ZONE = r"\s*(?P<tz>Z|UTC|GMT|[+-]\d{2}:?\d{2})?"
_DAY_FIRST = re.compile(
    r"^(?P<a>\d{1,2})[/.-](?P<b>\d{1,2})[/.-](?P<y>\d{4}|\d{2})(?:(?:\s+|\s*[T,à]\s*)" + _CLOCK + _ZONE + r")?$"
)
_YEAR_FIRST = re.compile(r"^(?P<y>\d{4})[/.-](?P<mo>\d{1,2})[/.-](?P<d>\d{1,2})(?:(?:\s+|T)" + _CLOCK + _ZONE + r")?$")
_CLOCK_ONLY = re.compile(r"^" + _CLOCK + r"$")


@dataclass
class _Columns:
    """Index in the row of each field found, and the header names for messages."""

    headers: list[str]
    index: dict[str, int] = field(default_factory=dict)

    def value(self, name: str, fields: list[str]) -> str:
        position = self.index.get(name)
        return fields[position].strip() if position is not None else ""

    def header(self, name: str) -> str:
        return self.headers[self.index[name]]


@dataclass
class _Message:
    order: int
    time: float | None
    turn: Turn


@dataclass
class _Conversation:
    key: str
    messages: list[_Message] = field(default_factory=list)
    channel: str | None = None
    system_rows: int = 0
    internal_notes: int = 0


def sniff(data: bytes) -> bool:
    """Does the first line look like the header of a message export ("ticket_id;auteur;message")?"""
    try:
        text = decode(data[:_SNIFF_SAMPLE])
    except UndecodableError:
        return False
    first = next((line for line in _physical_lines(text) if line.strip()), "").lstrip("\ufeff")
    if first.lstrip()[:1] in ("{", "[", "<", "#"):
        return False
    delimiter = _delimiter_from_header(first)
    if delimiter is None:
        return False
    header = next(csv.reader([first], delimiter=delimiter), [])
    keys = {_header_key(name) for name in header}
    found = {name for name, aliases in _ALIASES.items() if keys & set(aliases)}
    return "text" in found and bool(found & {"conversation", "role", "speaker", "time", "name"})


def read(data: bytes, source: str, options: ReaderOptions | None = None) -> ReadResult:
    """Read one export's bytes; problems come back as located ``ReadError`` values."""
    options = options or ReaderOptions()
    text, errors = decode_or_error(data, source)
    if text is None:
        return [], errors
    return parse(text, source, options)


def parse(text: str, source: str, options: ReaderOptions | None = None) -> ReadResult:
    options = options or ReaderOptions()
    text = text.lstrip("\ufeff")
    if not text.strip():
        return [], [ReadError(source, None, "empty file: expected a header row, then one row per message")]
    errors: list[ReadError] = []
    lines = _physical_lines(text)
    delimiter = _delimiter(text, lines, source)
    records = _records(lines, delimiter, source, errors)
    first = next(records, None)
    if first is None:
        return [], errors or [ReadError(source, None, "no header row")]
    header_line, header = first
    columns = _find_columns(header, header_line, options, source, errors)
    if columns is None:
        return [], errors
    stem = Path(source).stem or "table"
    rows = list(_data_rows(records, header, source, errors))
    if not rows:
        errors.append(ReadError(source, header_line, "no data rows after the header row"))
        return [], errors
    if _is_canned_library(columns, options):
        transcripts = _canned(rows, columns, source, stem)
    else:
        if "role" not in columns.index and "speaker" not in columns.index:
            errors.append(ReadError(
                source, header_line,
                "no role or speaker column, so agent and customer messages cannot be told apart "
                f"(expected a header such as {_examples('role')} or {_examples('speaker')}; "
                f"found: {_listing(header)}); name it with --columns role=HEADER",
            ))
            return [], errors
        transcripts = _conversations(rows, columns, source, stem, options, errors)
    if not transcripts and not errors:
        errors.append(ReadError(
            source, header_line,
            f"no message to audit: every row has an empty '{columns.header('text')}' "
            "or is a system message or internal note",
        ))
    return transcripts, errors


# ---------------------------------------------------------------- dialect and rows


def _physical_lines(text: str) -> list[str]:
    """The file's lines with their endings (CRLF, CR or LF only, as editors count them)."""
    return _PHYSICAL_LINE.findall(text)


def _delimiter(text: str, lines: list[str], source: str) -> str:
    """Tab for ``.tsv``; else the candidate of the header line, asking ``csv.Sniffer`` when several appear."""
    if source.lower().endswith(".tsv"):
        return "\t"
    header = next((line for line in lines if line.strip()), "")
    counts = _delimiter_counts(header)
    present = "".join(d for d in _DELIMITERS if counts[d])
    if len(present) <= 1:
        return present or ","
    try:
        sniffed = csv.Sniffer().sniff(text[:_DIALECT_SAMPLE], delimiters=present).delimiter
    except csv.Error:
        sniffed = ""
    return sniffed if sniffed in present and sniffed else max(present, key=lambda d: counts[d])


def _delimiter_counts(line: str) -> dict[str, int]:
    counts = dict.fromkeys(_DELIMITERS, 0)
    quoted = False
    for char in line:
        if char == '"':
            quoted = not quoted
        elif not quoted and char in counts:
            counts[char] += 1
    return counts


def _delimiter_from_header(line: str) -> str | None:
    counts = _delimiter_counts(line)
    best = max(_DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else None


def _records(
    lines: list[str], delimiter: str, source: str, errors: list[ReadError]
) -> Iterator[tuple[int, list[str]]]:
    """Non-blank records with the physical line where each starts.

    ``csv.reader.line_num`` counts the lines read so far, so a record starts
    one line after the previous record ended, however many lines its quoted
    fields span.
    """
    csv.field_size_limit(max(csv.field_size_limit(), FIELD_SIZE_LIMIT))
    reader = csv.reader(iter(lines), delimiter=delimiter, quotechar='"', doublequote=True, strict=False)
    while True:
        start = reader.line_num + 1
        try:
            fields = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            errors.append(ReadError(source, start, f"unreadable row: {error}; row skipped"))
            continue
        if not any(value.strip() for value in fields):
            continue
        if reader.line_num >= len(lines) and _unterminated(lines[start - 1 :], delimiter):
            errors.append(ReadError(
                source, start,
                "a quoted field opened in this row is never closed: the rest of the file was read into it; row skipped",
            ))
            return
        yield start, fields


def _unterminated(record_lines: list[str], delimiter: str) -> bool:
    """Does the file end inside a quoted field (a truncated export)?"""
    try:
        for _ in csv.reader(iter(record_lines), delimiter=delimiter, strict=True):
            pass
    except csv.Error as error:
        return "unexpected end of data" in str(error)
    return False


@dataclass
class _Row:
    number: int  # 1-based data row, header excluded
    line: int
    fields: list[str]


def _data_rows(
    records: Iterator[tuple[int, list[str]]], header: list[str], source: str, errors: list[ReadError]
) -> Iterator[_Row]:
    """Data rows with as many fields as the header; a row with more or fewer is reported and skipped.

    Extra fields that are all empty (a trailing delimiter) are ignored.
    """
    width = len(header)
    for number, (line, fields) in enumerate(records, start=1):
        if len(fields) > width and not any(value.strip() for value in fields[width:]):
            fields = fields[:width]
        if len(fields) != width:
            hint = " (an unquoted delimiter inside a field?)" if len(fields) > width else ""
            errors.append(ReadError(
                source, line, f"row {number} has {len(fields)} fields but the header has {width}{hint}; row skipped"
            ))
            continue
        yield _Row(number, line, fields)


# ---------------------------------------------------------------- columns


@lru_cache(maxsize=4096)
def _header_key(name: str) -> str:
    """ "Numéro_Ticket", "numero-ticket" and "NUMERO TICKET" -> "numero ticket"."""
    return _NOT_WORD.sub(" ", fold(name)).strip()


def _find_columns(
    header: list[str], header_line: int, options: ReaderOptions, source: str, errors: list[ReadError]
) -> _Columns | None:
    """Where each field is: named by ``options.columns``, else recognised by its usual headers."""
    columns = _Columns(headers=header)
    keys = [_header_key(name) for name in header]
    positions: dict[str, int] = {}
    for position, key in enumerate(keys):
        positions.setdefault(key, position)
    failed = False
    for name, wanted in options.columns.items():
        if name not in FIELDS:
            errors.append(ReadError(source, None, f"unknown column field '{name}' (known: {', '.join(FIELDS)})"))
            failed = True
        elif _header_key(wanted) in positions:
            columns.index[name] = positions[_header_key(wanted)]
        else:
            errors.append(ReadError(
                source, header_line, f"no column '{wanted}' for the {name} field (columns: {_listing(header)})"
            ))
            failed = True
    if failed:
        return None
    taken = set(columns.index.values())
    for name, aliases in _ALIASES.items():
        if name in columns.index:
            continue
        position = next((positions[alias] for alias in aliases if alias in positions), None)
        if position is not None and position not in taken:
            columns.index[name] = position
            taken.add(position)
    if "text" not in columns.index:
        errors.append(ReadError(
            source, header_line,
            f"no message text column (expected a header such as {_examples('text')}; found: {_listing(header)}); "
            "name it with --columns text=HEADER",
        ))
        return None
    return columns


def _is_canned_library(columns: _Columns, options: ReaderOptions) -> bool:
    """Titled rows with no conversation or role: a canned-response library, one response a row."""
    conversational = {"conversation", "role"} & set(columns.index) or {"speaker", "time"} & set(options.columns)
    return "name" in columns.index and not conversational


def _is_html_column(columns: _Columns) -> bool:
    return "html" in _header_key(columns.header("text"))


def _examples(name: str) -> str:
    return ", ".join(f"'{alias.replace(' ', '_')}'" for alias in _ALIASES[name][:4])


_LISTED_HEADERS = 20  # a table of 10 000 columns must not make a message of 100 KB


def _listing(header: list[str]) -> str:
    listed = ", ".join(f"'{name}'" for name in header[:_LISTED_HEADERS]) or "none"
    more = len(header) - _LISTED_HEADERS
    return f"{listed} and {more:,} more" if more > 0 else listed


# ---------------------------------------------------------------- conversations


def _conversations(
    rows: list[_Row], columns: _Columns, source: str, stem: str, options: ReaderOptions, errors: list[ReadError]
) -> list[Transcript]:
    conversations: dict[str, _Conversation] = {}
    previous: _Conversation | None = None
    grouped = "conversation" in columns.index
    is_html = _is_html_column(columns)
    unknown_roles: set[str] = set()
    roles: dict[tuple[str, str], tuple[Role | None, str]] = {}  # few distinct (role, speaker) pairs
    for row in rows:
        key = columns.value("conversation", row.fields) if grouped else ""
        if grouped and not key:
            if previous is None:
                errors.append(ReadError(
                    source, row.line,
                    f"row {row.number} has no {columns.header('conversation')} and follows no other row; row skipped",
                ))
                continue
            key = previous.key  # exports that give the ticket id on its first row only
        conversation = conversations.get(key)
        if conversation is None:
            conversation = conversations[key] = _Conversation(key)
        previous = conversation
        if conversation.channel is None:
            conversation.channel = _CHANNEL_VALUES.get(_header_key(columns.value("channel", row.fields)))
        visibility = columns.value("public", row.fields)
        if visibility and _header_key(visibility) in _FALSE:
            conversation.internal_notes += 1
            continue
        text = _clean(columns.value("text", row.fields), is_html=is_html)
        if not text:
            continue
        pair = (columns.value("role", row.fields), columns.value("speaker", row.fields))
        if pair not in roles:
            roles[pair] = _role(columns, *pair, options)
        role, speaker = roles[pair]
        if role is None:
            conversation.system_rows += 1
            continue
        if role is Role.UNKNOWN and "role" in columns.index:
            raw = columns.value("role", row.fields)
            if raw and raw not in unknown_roles:
                unknown_roles.add(raw)
                errors.append(ReadError(
                    source, row.line,
                    f"row {row.number}: unknown {columns.header('role')} '{raw}' (expected values such as "
                    "'agent', 'end-user', 'inbound', 'outbound'); its messages keep an unknown role",
                ))
        time = _row_time(columns, row.fields)
        turn = Turn(role=role, speaker=speaker, text=text, line=row.line, column=None, start=time,
                    locator=f"row {row.number}")
        conversation.messages.append(_Message(len(conversation.messages), time, turn))
    fallback = guess_channel(source)
    fallback = fallback if fallback in ("chat", "email") else "chat"
    transcripts = []
    for conversation in conversations.values():
        if not conversation.messages:
            continue
        transcript = Transcript(
            id=f"{stem}#{conversation.key}" if grouped else stem,
            path=source,
            channel=conversation.channel or fallback,
            turns=[message.turn for message in _in_time_order(conversation.messages)],
        )
        if conversation.internal_notes:
            transcript.notes.append(f"{conversation.internal_notes} note(s) interne(s) (public = false) ignorée(s).")
        if conversation.system_rows:
            transcript.notes.append(f"{conversation.system_rows} message(s) système ignoré(s).")
        transcripts.append(transcript)
    return transcripts


def _in_time_order(messages: list[_Message]) -> list[_Message]:
    """Messages sorted by time; a row without a time stays right after the row before it."""
    keyed = []
    current = -math.inf
    for message in messages:
        if message.time is not None:
            current = message.time
        keyed.append((current, message.order, message))
    keyed.sort(key=lambda item: (item[0], item[1]))
    return [message for _, _, message in keyed]


def _role(columns: _Columns, raw: str, speaker: str, options: ReaderOptions) -> tuple[Role | None, str]:
    """The role of a row (None for a system message) and its speaker, from its role and speaker cells."""
    raw, speaker = " ".join(raw.split()), " ".join(speaker.split())  # canonical_label is quadratic on runs of spaces
    role: Role | None = Role.UNKNOWN
    if "role" in columns.index and raw:
        key = _header_key(raw)
        if _header_key(columns.header("role")) in ("is agent", "agent"):
            role = Role.AGENT if key in _TRUE else Role.CUSTOMER if key in _FALSE else Role.UNKNOWN
            raw = role.value if role is not Role.UNKNOWN else raw
        elif key in _SYSTEM_VALUES:
            return None, speaker or raw
        else:
            role = _ROLE_VALUES.get(key) or role_for_label(raw) or Role.UNKNOWN
    if role is Role.UNKNOWN and speaker:
        role = role_for_label(speaker) or _role_from_address(speaker, options.agent_domains) or Role.UNKNOWN
    return role, speaker or raw or "?"


def _role_from_address(speaker: str, agent_domains: tuple[str, ...]) -> Role | None:
    """With ``--agent-domain``, a sender's e-mail address tells agent from customer."""
    match = _EMAIL.search(speaker)
    if not agent_domains or not match:
        return None
    address, domain = match.group(0).lower(), match.group(1).lower()
    for wanted in (entry.lower().lstrip("@") for entry in agent_domains):
        if address == wanted or domain == wanted or domain.endswith("." + wanted):
            return Role.AGENT
    return Role.CUSTOMER


# ---------------------------------------------------------------- canned responses


def _canned(rows: list[_Row], columns: _Columns, source: str, stem: str) -> list[Transcript]:
    transcripts = []
    is_html = _is_html_column(columns)
    for row in rows:
        body = _clean(columns.value("text", row.fields), is_html=is_html)
        if not body:
            continue
        name = " ".join(columns.value("name", row.fields).split()) or f"{stem}#{row.number}"
        kind = _header_key(columns.value("kind", row.fields))
        transcripts.append(canned_transcript(
            name, body, source, line=row.line, column=None, locator=f"row {row.number}",
            snippet=any(word in kind for word in _SNIPPET_WORDS),
        ))
    return transcripts


# ---------------------------------------------------------------- values


def _clean(value: str, is_html: bool = False) -> str:
    """The words of a cell: markup removed when it is HTML, spaces tidied, one line per line, no blank lines
    (as the other readers give e-mail bodies)."""
    if is_html or ("<" in value and _HTML_TAG.search(value)):
        value = html_to_text(value)
    if "\n" not in value and "\r" not in value:
        return " ".join(value.split())
    return "\n".join(filter(None, (" ".join(line.split()) for line in _LINE_BREAK.split(value))))


def _row_time(columns: _Columns, fields: list[str]) -> float | None:
    """The row's time; a separate clock column ("heure") completes a date-only column."""
    value = columns.value("time", fields)
    clock = columns.value("clock", fields)
    if value and clock:
        combined = parse_time(f"{value} {clock}")
        if combined is not None:
            return combined
    return parse_time(value) if value else parse_time(clock)


def parse_time(value: str) -> float | None:
    """POSIX seconds from the time formats exports use; None when unrecognised.

    ISO 8601 with or without zone ("2024-03-05T14:02:11Z", "2024-03-05 14:02:11"),
    French day-first dates ("05/03/2024 14:02", "05/03/2024 à 14h02"; month-first
    only when the day-first reading is impossible), epoch seconds or
    milliseconds. Times without a zone are taken as UTC. A clock time alone
    ("14:02:11") gives seconds since midnight, enough to order a day's chat.
    """
    value = value.strip()
    if not value:
        return None
    if _EPOCH.match(value):
        number = float(value)
        while number > 1e11:  # milliseconds, microseconds…
            number /= 1000
        return number
    if value[:4].isdigit() and value[4:5] == "-":
        try:  # the common case, parsed in C
            moment = datetime.fromisoformat(value[:-1] + "+00:00" if value[-1:] in "Zz" else value)
            return (moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)).timestamp()
        except ValueError:
            pass
    match = _DAY_FIRST.match(value)
    if match:
        day, month = int(match["a"]), int(match["b"])
        if month > 12 >= day:
            day, month = month, day
        year = int(match["y"]) + (2000 if len(match["y"]) == 2 else 0)
        return _timestamp(year, month, day, match)
    match = _YEAR_FIRST.match(value)
    if match:
        return _timestamp(int(match["y"]), int(match["mo"]), int(match["d"]), match)
    match = _CLOCK_ONLY.match(value)
    if match:
        hours, minutes, seconds = int(match["h"]), int(match["mi"]), int(match["s"] or 0)
        if hours < 24 and minutes < 60 and seconds < 60:
            return hours * 3600 + minutes * 60 + seconds + float(f"0.{match['f'] or 0}")
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        return None
    return (moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)).timestamp()


def _timestamp(year: int, month: int, day: int, match: re.Match[str]) -> float | None:
    try:
        moment = datetime(
            year, month, day,
            int(match["h"] or 0), int(match["mi"] or 0), int(match["s"] or 0),
            int((match["f"] or "0").ljust(6, "0")[:6]),
            tzinfo=_zone(match["tz"]),
        )
    except ValueError:
        return None
    return moment.timestamp()


def _zone(text: str | None) -> timezone:
    if not text or text in ("Z", "UTC", "GMT"):
        return timezone.utc
    digits = text[1:].replace(":", "")
    offset = timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
    return timezone(offset if text[0] == "+" else -offset)
