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
from functools import lru_cache
from pathlib import Path

from ..model import ReadError, Role, Transcript, Turn
from ..roles import NO_WORDS, cell_key, table_row_role
from .base import COLUMN_FIELDS, ReadResult, ReaderOptions, canned_transcript, decode_or_error, guess_channel
from .dates import parse_time
from .decoding import LINE_BREAK, UndecodableError, decode
from .html_text import html_to_text, looks_like_html

FORMAT = "csv"

# What the analyst reads about a table, in French like every report. A "ligne de données"
# is a row below the header, counted from 1; the error's line is the file's line.
MESSAGES = {
    "empty": "fichier vide (il faut une ligne d’en-tête, puis une ligne par message)",
    "no-header": "aucune ligne d’en-tête",
    "no-rows": "aucune ligne de données après la ligne d’en-tête",
    "no-role-column": (
        "aucune colonne de rôle ni d’auteur : impossible de distinguer les messages du conseiller et du client "
        "(en-têtes attendus : {roles} ou {speakers} ; trouvés : {found}) ; nommez-la avec --columns role=HEADER"
    ),
    "nothing-to-audit": (
        "aucun message à auditer : chaque ligne a une colonne « {text} » vide, "
        "ou est un message système ou une note interne"
    ),
    "unreadable-row": "ligne illisible ({error}) : ligne ignorée",
    "unclosed-quote": (
        "un champ entre guillemets ouvert sur cette ligne n’est jamais fermé : "
        "tout le reste du fichier y a été lu ; ligne ignorée"
    ),
    "wrong-width": "la ligne de données {number} a {count} champs mais l’en-tête en a {width}{hint} : ligne ignorée",
    "wrong-width-hint": " (un séparateur non protégé par des guillemets dans un champ ?)",
    "unknown-field": "champ de colonne inconnu « {name} » (champs reconnus : {known})",
    "no-such-column": "aucune colonne « {wanted} » pour le champ {name} (colonnes : {found})",
    "no-text-column": (
        "aucune colonne de texte des messages (en-têtes attendus : {texts} ; trouvés : {found}) ; "
        "nommez-la avec --columns text=HEADER"
    ),
    "no-conversation": "la ligne de données {number} n’a pas de « {column} » et ne suit aucune autre ligne : ligne ignorée",
    "unknown-role": (
        "ligne de données {number} : valeur inconnue « {value} » dans la colonne « {column} » (valeurs attendues "
        "du type « agent », « end-user », « inbound », « outbound ») ; ses messages gardent un rôle inconnu"
    ),
    "no-headers-listed": "aucun",
    "more-headers": "{listed} et {more} autres",
}
# The csv module's problems in French; another one keeps the module's wording.
_CSV_PROBLEMS = (("field larger than field limit", "champ plus grand que la limite"),)


def _csv_problem(error: Exception) -> str:
    text = str(error)
    return next((french + text[len(english) :] for english, french in _CSV_PROBLEMS if text.startswith(english)), text)

# The fields ``--columns`` can name, then the ones only detected from headers.

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
        return [], [ReadError(source, None, MESSAGES["empty"])]
    errors: list[ReadError] = []
    lines = _physical_lines(text)
    delimiter = _delimiter(text, lines, source)
    records = _records(lines, delimiter, source, errors)
    first = next(records, None)
    if first is None:
        return [], errors or [ReadError(source, None, MESSAGES["no-header"])]
    header_line, header = first
    columns = _find_columns(header, header_line, options, source, errors)
    if columns is None:
        return [], errors
    stem = Path(source).stem or "table"
    rows = list(_data_rows(records, header, source, errors))
    if not rows:
        errors.append(ReadError(source, header_line, MESSAGES["no-rows"]))
        return [], errors
    if _is_canned_library(columns, options):
        transcripts = _canned(rows, columns, source, stem)
    else:
        if "role" not in columns.index and "speaker" not in columns.index:
            errors.append(ReadError(
                source, header_line,
                MESSAGES["no-role-column"].format(
                    roles=_examples("role"), speakers=_examples("speaker"), found=_listing(header)
                ),
            ))
            return [], errors
        transcripts = _conversations(rows, columns, source, stem, options, errors)
    if not transcripts and not errors:
        errors.append(ReadError(
            source, header_line,
            MESSAGES["nothing-to-audit"].format(text=columns.header("text")),
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
            errors.append(ReadError(source, start, MESSAGES["unreadable-row"].format(error=_csv_problem(error))))
            continue
        if not any(value.strip() for value in fields):
            continue
        if reader.line_num >= len(lines) and _unterminated(lines[start - 1 :], delimiter):
            errors.append(ReadError(
                source, start,
                MESSAGES["unclosed-quote"],
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
            hint = MESSAGES["wrong-width-hint"] if len(fields) > width else ""
            errors.append(ReadError(
                source, line, MESSAGES["wrong-width"].format(number=number, count=len(fields), width=width, hint=hint)
            ))
            continue
        yield _Row(number, line, fields)


# ---------------------------------------------------------------- columns


_header_key = lru_cache(maxsize=4096)(cell_key)  # every row compares its cells: few distinct values


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
        if name not in COLUMN_FIELDS:
            errors.append(ReadError(source, None, MESSAGES["unknown-field"].format(name=name, known=", ".join(COLUMN_FIELDS))))
            failed = True
        elif _header_key(wanted) in positions:
            columns.index[name] = positions[_header_key(wanted)]
        else:
            errors.append(ReadError(
                source, header_line, MESSAGES["no-such-column"].format(wanted=wanted, name=name, found=_listing(header))
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
            MESSAGES["no-text-column"].format(texts=_examples("text"), found=_listing(header)),
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
    return ", ".join(f"« {alias.replace(' ', '_')} »" for alias in _ALIASES[name][:4])


_LISTED_HEADERS = 20  # a table of 10 000 columns must not make a message of 100 KB


def _listing(header: list[str]) -> str:
    listed = ", ".join(f"« {name} »" for name in header[:_LISTED_HEADERS]) or MESSAGES["no-headers-listed"]
    more = len(header) - _LISTED_HEADERS
    return MESSAGES["more-headers"].format(listed=listed, more=f"{more:,}".replace(",", "\u202f")) if more > 0 else listed


# ---------------------------------------------------------------- conversations


def _conversations(
    rows: list[_Row], columns: _Columns, source: str, stem: str, options: ReaderOptions, errors: list[ReadError]
) -> list[Transcript]:
    conversations: dict[str, _Conversation] = {}
    previous: _Conversation | None = None
    grouped = "conversation" in columns.index
    is_html = _is_html_column(columns)
    flag_column = "role" in columns.index and _header_key(columns.header("role")) in ("is agent", "agent")
    unknown_roles: set[str] = set()
    roles: dict[tuple[str, str], tuple[Role | None, str]] = {}  # few distinct (role, speaker) pairs
    for row in rows:
        key = columns.value("conversation", row.fields) if grouped else ""
        if grouped and not key:
            if previous is None:
                errors.append(ReadError(
                    source, row.line,
                    MESSAGES["no-conversation"].format(number=row.number, column=columns.header("conversation")),
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
        if visibility and _header_key(visibility) in NO_WORDS:
            conversation.internal_notes += 1
            continue
        text = _clean(columns.value("text", row.fields), is_html=is_html)
        if not text:
            continue
        pair = (columns.value("role", row.fields), columns.value("speaker", row.fields))
        if pair not in roles:
            roles[pair] = table_row_role(*pair, flag_column=flag_column, agent_domains=options.agent_domains)
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
                    MESSAGES["unknown-role"].format(number=row.number, value=raw, column=columns.header("role")),
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
    if is_html or looks_like_html(value):
        value = html_to_text(value)
    if "\n" not in value and "\r" not in value:
        return " ".join(value.split())
    return "\n".join(filter(None, (" ".join(line.split()) for line in LINE_BREAK.split(value))))


def _row_time(columns: _Columns, fields: list[str]) -> float | None:
    """The row's time; a separate clock column ("heure") completes a date-only column."""
    value = columns.value("time", fields)
    clock = columns.value("clock", fields)
    if value and clock:
        combined = parse_time(f"{value} {clock}")
        if combined is not None:
            return combined
    return parse_time(value) if value else parse_time(clock)
