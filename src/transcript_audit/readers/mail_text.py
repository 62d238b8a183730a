"""What the e-mail readers share: the file's bytes, one message's own words, its sender.

``email_message`` (one ``.eml``) and ``mbox`` (a mailbox of many messages)
both ``prepare`` the file's bytes, then hand the raw bytes of each message to
``parse_message``, which returns a
``MailMessage``: headers that matter (sender, date, ids, subject) and the lines
the sender wrote, located in the file. The quoted history ("Le … a écrit :",
"-----Message d'origine-----", Outlook "De : … Envoyé : …" blocks, "> " lines),
the "-- " signature, legal disclaimers and "Envoyé de mon iPhone" lines are
dropped, so each message is one turn. The closing ("Cordialement,") and the
name under it stay: the closing rules read them.

Which senders are the agent is decided by ``roles.assign_email_roles``; HTML
bodies become text through ``html_text``. Only the standard library is used:
``email`` with ``policy.default`` for the MIME structure.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.errors import HeaderParseError
from email.header import decode_header, make_header
from email.message import Message
from email.utils import getaddresses, parseaddr

from ..model import ReadError, Role, Turn
from ..text import fold
from .dates import parse_mail_date
from .decoding import UTF16_WITHOUT_BOM, utf16_without_bom
from .html_text import html_to_text

# An e-mail bomb (thousands of nested multiparts) must not exhaust the parser.
MAX_DEPTH = 20
MAX_PARTS = 200
MAX_MULTIPARTS = 50

UNKNOWN_SENDER = "expéditeur inconnu"
# What the analyst reads about an e-mail that cannot be audited, in French like every report.
MESSAGES = {
    "empty-file": "fichier vide",
    "binary": "fichier binaire (il contient des octets NUL) : ce n’est pas {what}",
    "empty-message": "message vide",
    "no-headers": "pas d’en-têtes d’e-mail au début du message (lignes attendues du type « From: … »)",
    "too-many-parts": "trop de parties MIME imbriquées (plus de {limit} conteneurs multipart) : message ignoré",
    "too-deep": "parties MIME imbriquées trop profondément : message ignoré",
    "unparsable": "message illisible ({kind} : {error})",
    "truncated": "le message s’arrête au milieu de ses en-têtes (tronqué ?) : pas de corps de texte",
    "no-boundary": "structure MIME cassée : délimiteur « {boundary} » introuvable",
    "boundary-missing": "structure MIME cassée : partie multipart sans délimiteur (boundary)",
    "no-body-deep": "pas de corps de texte (les parties MIME imbriquées sur plus de {depth} niveaux n’ont pas été lues)",
    "no-body-parts": "pas de corps de texte dans les {parts} premières parties MIME (les suivantes n’ont pas été lues)",
    "no-body-empty": "pas de corps de texte (le corps est vide)",
    "no-body-attachments": "pas de corps de texte (seulement des pièces jointes ou des parties non textuelles)",
}
NO_OWN_TEXT = "le message n’a pas de texte propre (seulement l’historique cité, une signature ou une mention légale)"

_UNENCODED = frozenset({"", "7bit", "8bit", "binary"})
_HEADER_LINE = re.compile(rb"^[\x21-\x39\x3b-\x7e]+[ \t]*:")
_BOUNDARY_PARAM = re.compile(rb"boundary\s*=", re.IGNORECASE)
_MESSAGE_ID = re.compile(r"<[^<>\s]+>")


# ---------------------------------------------------------------- bytes of a mail file


def prepare(data: bytes) -> bytes:
    """The bytes with LF line ends and no byte-order mark (UTF-16 files re-encoded as UTF-8).

    Every line break stays one line break, so line numbers are unchanged.
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            data = data.decode("utf-16").encode("utf-8")
        except UnicodeDecodeError:
            pass
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    return data.replace(b"\r\n", b"\n").replace(b"\r", b"\n")


def unreadable(data: bytes, source: str, what: str) -> ReadError | None:
    """Why prepared bytes hold no mail at all (empty, binary), or None."""
    if not data.strip():
        return ReadError(source, None, MESSAGES["empty-file"])
    if b"\x00" in data:
        return ReadError(source, None, UTF16_WITHOUT_BOM if utf16_without_bom(data) else MESSAGES["binary"].format(what=what))
    return None


# ---------------------------------------------------------------- decoding


# Python codecs that a Content-Type may name but that are not character sets: they
# read backslash escapes or domain names, or always fail ("undefined").
_NOT_CHARSETS = frozenset({"unicode-escape", "raw-unicode-escape", "punycode", "idna", "undefined"})


def _is_charset(name: str) -> bool:
    try:
        return codecs.lookup(name).name not in _NOT_CHARSETS
    except LookupError:
        return False


def decode_bytes(data: bytes, charset: str | None) -> str:
    """Text of a body in its declared charset; UTF-8 then Windows-1252 when it is wrong or missing."""
    candidates = []
    if charset and charset.lower() not in ("us-ascii", "ascii") and _is_charset(charset):
        candidates.append(charset)
    candidates += ["utf-8", "cp1252"]
    for candidate in candidates:
        try:
            return data.decode(candidate)
        except (LookupError, UnicodeError):  # UnicodeError: a decoder that fails its own way (UTF-7)
            continue
    return data.decode("cp1252", errors="replace")


def header_text(message: Message, name: str) -> str | None:
    """One header's value, RFC 2047 words decoded and unfolded; None when absent.

    Read through ``raw_items`` so that a malformed header never reaches the
    stricter parsers of ``policy.default``.
    """
    wanted = name.lower()
    for key, value in message.raw_items():
        if key.lower() == wanted:
            return _decode_header_value(str(value))
    return None


def _decode_header_value(value: str) -> str:
    if any("\udc80" <= char <= "\udcff" for char in value):  # raw 8-bit bytes in a header
        value = decode_bytes(value.encode("utf-8", "surrogateescape"), None)
    value = re.sub(r"\r?\n[ \t]+", " ", value)
    try:
        value = str(make_header(decode_header(value)))
    except (ValueError, LookupError, UnicodeError, TypeError, HeaderParseError):  # "=?utf-8?b?////?=": bad base64
        pass
    return " ".join(value.split())


# ---------------------------------------------------------------- own words of a message

_WROTE_FR = re.compile(r"^\s*le\s.*\sa\s+[ée]crit\s*:?\s*$", re.IGNORECASE)
_WROTE_EN = re.compile(r"^\s*on\s.*\swrote\s*:?\s*$", re.IGNORECASE)
_HEADER_DETAIL = re.compile(r"@|\d{1,2}\s*[:h]\s*\d{2}|\d{4}")
# No "\s*X?\s*" in these line patterns: with X absent, the two runs share the
# spaces of a blank-padded line in every possible way (quadratic: 20 000 spaces
# took 28 s). "\s*(?:X\s*)?" matches the same lines in linear time.
_SEPARATOR = re.compile(
    r"^\s*(?:(?:-{2,}|_{2,}|={2,})\s*)?(?:message d.origine|original message|mail original|message transf[ée]r[ée]|"
    r"forwarded message|message initial)\s*(?:(?:-{2,}|_{2,}|={2,})\s*)?$"
    r"|^\s*(?:d[ée]but du message r[ée]exp[ée]di[ée]|begin forwarded message)\s*:\s*$",
    re.IGNORECASE,
)
_UNDERSCORES = re.compile(r"^\s*_{10,}\s*$")
_FROM_FIELD = re.compile(r"^\s*(?:\*+\s*)?(?:de|from)\s*(?:\*+\s*)?:\s*\S", re.IGNORECASE)
_SENT_FIELD = re.compile(r"^\s*(?:\*+\s*)?(?:envoy[ée]|sent|date)(?:\s+le)?\s*(?:\*+\s*)?:", re.IGNORECASE)
_SENT_FROM_DEVICE = re.compile(
    r"^(?:envoye (?:de|depuis|a partir de|avec) .{1,50}|sent (?:from|with) .{1,50}|"
    r"(?:get|obtenir|telecharger) outlook (?:for|pour) .{1,30})$"
)
_DISCLAIMER = re.compile(
    r"\b(?:ce|cet)\s+(?:message|courriel|e-?mail|mail)(?:\s+electronique)?\s+(?:et|ainsi que)\s+"
    r"(?:toutes\s+|tous\s+)?(?:les|ses|leurs)?\s*(?:pieces jointes|fichiers|documents)"
    r"|\b(?:ce|cet)\s+(?:message|courriel|e-?mail)(?:\s+electronique)?\s+(?:est|sont)\s+(?:strictement\s+)?confidentiel"
    r"|\bthis\s+(?:e-?mail|message)\b.{0,80}\bconfidential"
    r"|\bpensez a l'environnement\b|\bmerci de penser a l'environnement\b"
    r"|\bavant d'imprimer\b|\bconsider the environment before printing\b"
)


def own_lines(lines: Sequence[str]) -> list[int]:
    """Indices of the lines the sender wrote in this message.

    Everything from a reply header ("Le … a écrit :", possibly wrapped over two
    lines; "On … wrote:"; "-----Message d'origine-----"; an Outlook "De : …" /
    "Envoyé : …" block; a line of underscores) or a "-- " signature delimiter
    to the end is history or signature. Lines starting with ">" are quotes.
    A disclaimer paragraph and "Envoyé de mon iPhone" lines are dropped; the
    closing and the name under it are kept.
    """
    end = _history_start(lines)
    kept: list[int] = []
    in_disclaimer = False
    for index in range(end):
        line = lines[index]
        stripped = line.strip()
        if not stripped:
            in_disclaimer = False
            kept.append(index)
            continue
        if in_disclaimer or stripped.startswith(">"):
            continue
        folded = " ".join(fold(stripped).split())
        if _DISCLAIMER.search(folded):
            in_disclaimer = True
            continue
        if _SENT_FROM_DEVICE.match(folded):
            continue
        kept.append(index)
    return kept


def _history_start(lines: Sequence[str]) -> int:
    for index, line in enumerate(lines):
        if line.rstrip() == "--" or _SEPARATOR.match(line) or _UNDERSCORES.match(line):
            return index
        if _is_reply_header(line, lines[index + 1] if index + 1 < len(lines) else ""):
            return index
        if _FROM_FIELD.match(line) and any(_SENT_FIELD.match(nxt) for nxt in lines[index + 1 : index + 4]):
            return index
    return len(lines)


def _is_reply_header(line: str, following: str) -> bool:
    stripped = line.strip()
    if not re.match(r"(?i)(?:le|on)\s", stripped):
        return False
    for candidate in (stripped, f"{stripped} {following.strip()}"):
        if (_WROTE_FR.match(candidate) or _WROTE_EN.match(candidate)) and _HEADER_DETAIL.search(candidate):
            return True
    return False


# ---------------------------------------------------------------- one message


@dataclass
class MailMessage:
    """One parsed e-mail: what the readers need to build a turn and group threads."""

    number: int  # 1-based position in the file
    line: int  # file line where the message (its headers) starts
    sender_name: str
    sender_address: str
    recipients: list[str]
    subject: str
    date: float | None
    message_id: str | None
    references: list[str]  # In-Reply-To and References, oldest first
    helpdesk: bool  # sent through a help-desk tool (X-Zendesk-…, X-Freshdesk-… headers)
    text: str
    body_line: int
    column: int | None
    line_starts: list[tuple[int, int, int]] = field(default_factory=list)

    @property
    def speaker(self) -> str:
        return self.sender_name or self.sender_address or UNKNOWN_SENDER

    def turn(self, role: Role, locator: str | None) -> Turn:
        return Turn(
            role=role,
            speaker=self.speaker,
            text=self.text,
            line=self.body_line,
            column=self.column,
            start=self.date,
            locator=locator,
            line_starts=list(self.line_starts),
        )


_HELPDESK_HEADER = re.compile(
    r"^x-(?:zendesk|freshdesk|helpscout|help-scout|intercom|gorgias|front|kayako|zammad|otrs|glpi)", re.I
)
_HELPDESK_MAILER = re.compile(r"zendesk|freshdesk|help ?scout|intercom|gorgias|zammad|otrs|glpi|kayako", re.I)


def parse_message(
    raw: bytes, source: str, *, number: int, first_line: int, mboxrd: bool = False
) -> MailMessage | ReadError:
    """One message from its bytes (LF line ends, no mbox "From " line).

    ``first_line`` is the file line of ``raw``'s first byte. A message that
    cannot be read comes back as a ``ReadError`` located at its body (or its
    start) so the caller can go on with the next one.
    """
    if not raw.strip():
        return ReadError(source, first_line, MESSAGES["empty-message"])
    if not _HEADER_LINE.match(raw):
        return ReadError(source, first_line, MESSAGES["no-headers"])
    if len(_BOUNDARY_PARAM.findall(raw)) > MAX_MULTIPARTS:
        return ReadError(
            source,
            first_line,
            MESSAGES["too-many-parts"].format(limit=MAX_MULTIPARTS),
        )
    try:
        message = message_from_bytes(raw, policy=policy.default)
        return _read_message(message, raw, source, number, first_line, mboxrd)
    except RecursionError:
        return ReadError(source, first_line, MESSAGES["too-deep"])
    except Exception as error:  # noqa: BLE001 - the stdlib e-mail parser has known crashes on malformed input
        return ReadError(source, first_line, MESSAGES["unparsable"].format(kind=type(error).__name__, error=error))


def _read_message(
    message: Message, raw: bytes, source: str, number: int, first_line: int, mboxrd: bool
) -> MailMessage | ReadError:
    found = _text_part(message)
    header_end = _skip_headers(raw, 0, len(raw))
    body_line = first_line + raw.count(b"\n", 0, header_end if header_end is not None else len(raw))
    if header_end is None and not isinstance(found, tuple):
        return ReadError(source, body_line, MESSAGES["truncated"])
    if isinstance(found, str):
        return ReadError(source, body_line, found)
    part, path = found
    start, end = _locate_part(raw, message, path)
    if start is not None:
        body_line = first_line + raw.count(b"\n", 0, start)
    charset = part.get_content_charset()
    encoding = str(part.get("content-transfer-encoding", "") or "").strip().lower()
    located: list[tuple[str, int | None, int | None]]
    exact = part.get_content_type() == "text/plain" and encoding in _UNENCODED and start is not None
    if exact:
        decoded = decode_bytes(raw[start:end], charset)
        # A charset such as UTF-7 or UTF-16 makes or eats line breaks: then no line is exact.
        exact = decoded.count("\n") == raw.count(b"\n", start, end)
    if exact:
        lines = decoded.split("\n")
        located = []
        for offset, line in enumerate(lines):
            column = 1
            if mboxrd and re.match(r">+From ", line):
                line, column = line[1:], 2
            located.append((line, body_line + offset, column))
    else:
        payload = part.get_payload(decode=True) or b""
        text = decode_bytes(payload, charset).replace("\r\n", "\n").replace("\r", "\n")
        if part.get_content_type() == "text/html":
            text = html_to_text(text, drop_quotes=True)
        text = "\n".join(" ".join(line.split()) for line in text.split("\n"))
        located = [(line, None, None) for line in text.split("\n")]
    text, column, line_starts, text_line = _tidy([located[i] for i in own_lines([entry[0] for entry in located])])
    name, address = _sender(message)
    date = parse_mail_date(header_text(message, "date"))
    references = _MESSAGE_ID.findall(header_text(message, "references") or "")
    for reply_to in _MESSAGE_ID.findall(header_text(message, "in-reply-to") or ""):
        if reply_to not in references:
            references.append(reply_to)
    ids = _MESSAGE_ID.findall(header_text(message, "message-id") or "")
    recipients = [
        addr.lower() for _, addr in getaddresses([header_text(message, key) or "" for key in ("to", "cc")]) if addr
    ]
    helpdesk = any(_HELPDESK_HEADER.match(key) for key, _ in message.raw_items()) or bool(
        _HELPDESK_MAILER.search(header_text(message, "x-mailer") or "")
    )
    return MailMessage(
        number=number,
        line=first_line,
        sender_name=name,
        sender_address=address,
        recipients=recipients,
        subject=header_text(message, "subject") or "",
        date=date,
        message_id=ids[0] if ids else None,
        references=references,
        helpdesk=helpdesk,
        text=text,
        body_line=text_line if text_line is not None else body_line,
        column=column,
        line_starts=line_starts,
    )


def _text_part(message: Message) -> tuple[Message, list[int]] | str:
    """The body to read (text/plain preferred, else text/html) and its path of part indices.

    Attachments and attached messages are ignored; parts nested deeper than
    ``MAX_DEPTH`` or beyond the first ``MAX_PARTS`` are not visited. A string
    says why there is no body.
    """
    plain: tuple[Message, list[int]] | None = None
    html: tuple[Message, list[int]] | None = None
    visited = 0
    too_deep = False
    empty_text = False
    stack: list[tuple[Message, list[int]]] = [(message, [])]
    while stack and visited < MAX_PARTS:
        part, path = stack.pop()
        visited += 1
        content_type = part.get_content_type()
        if part.get_content_maintype() == "multipart":
            if not part.is_multipart():
                boundary = part.get_boundary()
                return (
                    MESSAGES["no-boundary"].format(boundary=boundary)
                    if boundary
                    else MESSAGES["boundary-missing"]
                )
            if len(path) >= MAX_DEPTH:
                too_deep = True
                continue
            children = part.get_payload()
            stack.extend((child, [*path, index]) for index, child in reversed(list(enumerate(children))))
            continue
        if part.get_content_disposition() == "attachment" or part.get_filename():
            continue
        if content_type == "text/plain" and plain is None:
            if (part.get_payload(decode=True) or b"").strip():
                plain = (part, path)
                break
            empty_text = True
        elif content_type == "text/html" and html is None:
            html = (part, path)
    found = plain or html
    if found is not None:
        return found
    if too_deep:
        return MESSAGES["no-body-deep"].format(depth=MAX_DEPTH)
    if stack:
        return MESSAGES["no-body-parts"].format(parts=MAX_PARTS)
    if empty_text:
        return MESSAGES["no-body-empty"]
    return MESSAGES["no-body-attachments"]


def _skip_headers(raw: bytes, start: int, end: int) -> int | None:
    """Offset of the content after the header block that begins at ``start``, None when there is none."""
    position = start
    while position < end:
        line_end = raw.find(b"\n", position, end)
        if line_end < 0:
            return None
        line = raw[position:line_end]
        if not line.strip():
            return line_end + 1
        if not (line[:1] in (b" ", b"\t") or _HEADER_LINE.match(line)):
            return position  # a header block without its blank line: the body starts here
        position = line_end + 1
    return None


def _locate_part(raw: bytes, message: Message, path: list[int]) -> tuple[int | None, int]:
    """Byte range of a part's content in ``raw``, following the MIME boundaries down ``path``."""
    end = len(raw)
    start = _skip_headers(raw, 0, end)
    node = message
    for index in path:
        if start is None:
            return None, end
        boundary = node.get_boundary() or ""
        delimiter = re.compile(
            rb"^--" + re.escape(boundary.encode("utf-8", "surrogateescape")) + rb"(?:--)?[ \t]*$", re.M
        )
        matches = []
        for match in delimiter.finditer(raw, start, end):
            matches.append(match)
            if len(matches) > index + 1:
                break
        if len(matches) <= index:
            return None, end
        part_start = matches[index].end() + 1
        end = matches[index + 1].start() - 1 if len(matches) > index + 1 else end
        start = _skip_headers(raw, part_start, end) if part_start <= end else None
        node = node.get_payload()[index]
    if start is not None and start > end:
        start = end
    return start, end


def _tidy(
    located: list[tuple[str, int | None, int | None]],
) -> tuple[str, int | None, list[tuple[int, int, int]], int | None]:
    """Text of the kept lines (blank runs become one blank line) and where each line came from."""
    pieces: list[str] = []
    line_starts: list[tuple[int, int, int]] = []
    length = 0
    pending_break = False
    exact = bool(located) and all(entry[1] is not None for entry in located)
    for line, number, column in located:
        stripped = line.strip()
        if not stripped:
            pending_break = bool(pieces)
            continue
        separator = ("\n\n" if pending_break else "\n") if pieces else ""
        pending_break = False
        length += len(separator)
        if exact and number is not None and column is not None:
            line_starts.append((length, number, column + len(line) - len(line.lstrip())))
        pieces.append(separator + stripped)
        length += len(stripped)
    text = "".join(pieces)
    if not line_starts:
        return text, None, [], None
    return text, line_starts[0][2], line_starts, line_starts[0][1]


def _sender(message: Message) -> tuple[str, str]:
    value = header_text(message, "from") or header_text(message, "sender") or ""
    name, address = parseaddr(value)
    name = " ".join(name.split()).strip("'\" ")
    if not address and value and "@" not in value:
        return value.strip(), ""
    return name, address.lower()


# ---------------------------------------------------------------- subjects and threads

_REPLY_PREFIX = re.compile(r"^\s*(?:(?:re|fwd?|tr|ref|rep|aw|wg|sv|vs)\s*(?:\[\d+\])?\s*:\s*)+", re.IGNORECASE)


def normalise_subject(subject: str) -> str:
    """A subject for grouping: reply and forward prefixes (Re:, RE :, Fwd:, TR:, Réf :) removed, folded."""
    folded = " ".join(fold(subject).split())
    return _REPLY_PREFIX.sub("", folded).strip()


def is_reply_subject(subject: str) -> bool:
    return bool(_REPLY_PREFIX.match(fold(subject)))
