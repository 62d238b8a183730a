"""Property-based tests: no input, however broken, makes a reader raise or hang (issue 7).

Every reader module's ``read(data, source, options)`` is fed random bytes and
random text shaped like its format (BOMs, UTF-16, NUL, lone surrogates, NBSP,
CR/CRLF mixes, very long lines, truncation), random JSON values and the
JSON shapes of the speech services and canned-response exports, random CSV
tables, random e-mails and mailboxes (MIME nesting, bad charsets, bad
base64/QP) and random YAML. For each input the reader must return
``(transcripts, errors)`` that keep the invariants the rest of the tool relies
on: errors are ``ReadError`` values on the file read, every turn has words,
every line number is inside the file, every transcript has a turn, and the
same bytes always give the same result. ``readers.read_file`` (the registry:
extension, then sniffing) is fed random bytes under random file names.

A per-example ``signal.alarm`` turns a hang into a failure that names the input.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import example, given
from hypothesis import strategies as st

from transcript_audit import located_yaml
from transcript_audit.model import CHANNELS, ReadError, Role, Transcript
from transcript_audit.readers import (
    canned,
    csv_table,
    display_path,
    email_message,
    formats,
    json_document,
    labelled_text,
    mbox,
    read_file,
    srt,
    vtt,
)
from transcript_audit.readers.base import ReaderOptions

from .conftest import cases

# A reading that hangs (a pipe opened, a runaway regex) fails its test instead of blocking CI.
pytestmark = pytest.mark.timeout(300)


# Cases per test in CI (--hypothesis-profile=full; a tenth in the inner loop): the whole
# file in about a minute and a half on 2 cores.
# Drawing a MIME tree, a JSON shape or a YAML library costs more than reading it,
# so those tests run 2000 cases and the line-based formats 3000.
MANY = 3000
FEWER = 2000
OPTIONS = ReaderOptions()


# ---------------------------------------------------------------- the invariants



_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def line_count(data: bytes) -> int:
    """Lines an editor shows (CR, LF or CRLF ends), whichever way the bytes are decoded."""
    counts = [len(_LINE_BREAK.split(data.decode("latin-1")))]
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        counts.append(len(_LINE_BREAK.split(data.decode("utf-16", errors="replace"))))
    return max(counts)


def check_line(line: int | None, lines: int, what: str) -> None:
    assert line is None or 1 <= line <= lines, f"{what}: line {line} outside 1..{lines}"


def check_result(result: Any, data: bytes, source: str) -> None:
    """What every reader promises the engine, the reporters and the analyst."""
    assert isinstance(result, tuple) and len(result) == 2
    transcripts, errors = result
    lines = line_count(data)
    for error in errors:
        assert isinstance(error, ReadError), error
        assert error.path == source
        assert isinstance(error.message, str) and error.message.strip()
        # The e-mail readers' last-resort catch names the exception: a crash turned into a message.
        assert "cannot parse message: " not in error.message, str(error)
        check_line(error.line, lines, f"error {error}")
        assert error.column is None or error.column >= 1, str(error)
    for transcript in transcripts:
        assert isinstance(transcript, Transcript)
        assert transcript.path == source
        assert isinstance(transcript.id, str)
        assert transcript.channel in CHANNELS
        assert transcript.turns, f"transcript {transcript.id} has no turn"
        for number, turn in enumerate(transcript.turns, start=1):
            where = f"{transcript.id} turn {number}"
            assert isinstance(turn.role, Role)
            assert turn.text.strip(), f"{where} has no words: {turn.text!r}"
            check_line(turn.line, lines, where)
            assert turn.column is None or turn.column >= 1, where
            for offset, line, column in turn.line_starts:
                assert 0 <= offset <= len(turn.text), where
                check_line(line, lines, f"{where} line_starts")
                assert column >= 1, where
            for offset, line, _ in turn.pieces:
                assert 0 <= offset <= len(turn.text), where
                check_line(line, lines, f"{where} pieces")
            for offset in {0, len(turn.text) // 2, len(turn.text) - 1}:
                line, column = turn.locate(offset)  # where a finding at that offset would point
                check_line(line, lines, f"{where} locate({offset})")
                assert column is None or column >= 1, where


def check_reader(module: Any, data: bytes, source: str, options: ReaderOptions = OPTIONS) -> Any:
    """Read twice: both results keep the invariants and are the same."""
    first = module.read(data, source, options)
    check_result(first, data, source)
    second = module.read(data, source, options)
    assert repr(second) == repr(first), "reading the same bytes twice gave different results"
    return first


# ---------------------------------------------------------------- text, whatever its encoding

# Characters that break naive code: NUL, BOMs, no-break spaces, Unicode line
# separators Python's splitlines() honours but editors do not, lone surrogates
# (encoded with surrogatepass: invalid UTF-8), zero-width and astral characters.
ODD_CHARACTERS = [
    "\x00", "\ufeff", "\u00a0", "\u202f", "\u2028", "\u2029", "\x85", "\x0b", "\x0c", "\x1c", "\t", " ",
    "\ud800", "\udcff", "\u200b", "\u0301", "é", "’", "«", "»", "…", "€", "\U0001f642", "\r", "\n",
    "\\", '"', "'", "<", ">", "&", ":", ";", ",", "|", "#", "[", "]", "-->", "٣",
]
LINE_ENDINGS = ["\n", "\r\n", "\r"]


def _long_run(piece: str, times: int) -> str:
    return piece * times


long_runs = st.builds(_long_run, st.sampled_from(["a", "é ", "<", "&", '"', "x,", " ", "ab:", "[", "9"]), st.integers(500, 6000))


def named(definition) -> st.SearchStrategy:
    """The strategy ``definition()`` returns, shown by its name: nested strategies repeat their
    reprs, and Hypothesis spends seconds writing reprs of megabytes (and warns past 50 kB)."""
    return st.deferred(definition)


def pick(items: list[str]) -> st.SearchStrategy[str]:
    """``sampled_from`` with a short repr: nested strategies repeat it (Hypothesis warns past 50 kB)."""

    def item(index: int) -> str:
        return items[index]

    return st.integers(0, len(items) - 1).map(item)


def documents(
    samples: list[str], long_lines: bool = True, max_pieces: int = 30, extra: tuple[st.SearchStrategy[str], ...] = ()
) -> st.SearchStrategy[str]:
    """Format-like lines and noise, ended by CR, LF or CRLF at random.

    Pieces are drawn flat (a whole line with its ending, a bare fragment, an odd
    character, random text): one draw each keeps generation cheap enough for
    thousands of examples.
    """
    lines = pick([sample + end for sample in samples for end in LINE_ENDINGS])
    noise = pick(samples + ODD_CHARACTERS + LINE_ENDINGS) | st.text(max_size=10)
    branches = [lines] * 6 + [noise] * 3 + ([long_runs] if long_lines else []) + list(extra)  # a long line now and then
    return st.lists(st.one_of(*branches), max_size=max_pieces).map("".join)


def _encode(text: str, encoding: str) -> bytes:
    if encoding == "utf-16-le-no-bom":
        return text.encode("utf-16-le", "surrogatepass")
    if encoding == "utf-16-be-bom":
        return b"\xfe\xff" + text.encode("utf-16-be", "surrogatepass")
    if encoding in ("cp1252", "latin-1"):
        return text.encode(encoding, "replace")
    return text.encode(encoding, "surrogatepass")


ENCODINGS = ["utf-8", "utf-8", "utf-8", "utf-8-sig", "utf-16", "utf-16-le-no-bom", "utf-16-be-bom", "cp1252", "latin-1"]


def _truncate(data: bytes, cut: int | None) -> bytes:
    return data if cut is None else data[: cut % (len(data) + 1)]


def encoded(texts: st.SearchStrategy[str]) -> st.SearchStrategy[bytes]:
    """Text in any encoding the tool meets (and some it refuses), sometimes cut short."""
    raw = st.builds(_encode, texts, st.sampled_from(ENCODINGS))
    return st.builds(_truncate, raw, st.none() | st.none() | st.integers(0, 10_000))


def inputs(samples: list[str], extra: tuple[st.SearchStrategy[str], ...] = ()) -> st.SearchStrategy[bytes]:
    return st.one_of(st.binary(max_size=300), *([encoded(documents(samples, extra=extra))] * 6))


def _huge_timing(digits: str, count: int, separator: str, at_start: bool, ending: str) -> str:
    """A cue timing whose hours have hundreds or thousands of digits (int() refuses 4300)."""
    huge = f"{digits * count}:00:00{separator}000"
    normal = f"00:00:01{separator}000"
    return (f"{huge} --> {normal}" if at_start else f"{normal} --> {huge}") + ending


huge_timings = st.builds(
    _huge_timing, st.sampled_from(["9", "0", "1"]), st.sampled_from([7, 320, 400, 4400, 5000]),
    st.sampled_from([".", ","]), st.booleans(), st.sampled_from(LINE_ENDINGS),
)


TEXT_SAMPLES = [
    "Client : Bonjour", "[00:00:07] Conseillère : ", "Conseiller(e) :", "Client (M. Durand) : oui", "# channel: chat",
    "# channel: fax", "# agent: Julie", "# customer: M. Roux", "# id: appel-1", "# id:", "# chanel: call",
    "# commentaire", "Julie : merci", "   continuation", "\tindentée", "# transcript-audit: disable=vague",
    "# transcript-audit: disable= ,", "Technicien : x", "00:01:23", "[00:01:23]", "[2024-03-05 14:02] Client: x",
    "[05/03/2024 14h02] Client : a", "[2024-13-45 23:59] Client : x", "[31/02/2024 14h02] Client : a",
    "[0000-01-01 00:00] Agent : a", "(00:01:23) Agent :", "Objet : x", "http://x.fr : y", "Client\u00a0: bonjour",
    "Client :\u2003", "Agent :  ", "99:99:99 - Client : x", "Mme Lefort : allô",
]


@cases(MANY)
@given(inputs(TEXT_SAMPLES), st.sampled_from(["appel.txt", "chat/tchat-12.txt", "x", "mails/courriel.txt"]))
@example(b"0:00B:", "appel.txt")  # was a turn with no words
@example(b"Client :\nAgent : \xe2\x80\x83\n# transcript-audit: disable=vague\nClient :\nClient : oui", "appel.txt")
def test_labelled_text_reader_never_raises_and_keeps_its_invariants(data, source):
    check_reader(labelled_text, data, source)


VTT_SAMPLES = [
    "WEBVTT", "WEBVTT - appel", "\ufeffWEBVTT", "NOTE commentaire", "STYLE", "REGION", "1", "cue-id",
    "00:00:01.000 --> 00:00:02.000", "00:01.000 --> 00:02.500 align:start", "99:00:00.000 --> 00:00:00.000",
    "00:61:00.000 --> 00:00:01.000", "00:00:01.000 -->", "-->", "00:00:0", "1:2", "<v Client>Bonjour</v>", "<v>",
    "<v.loud Conseillère>Oui", "<v   >", "<c.yellow>x</c>", "&amp; &#233; &#x10FFFF; &#99999999; &bogus;",
    "<00:00:01.500>", "[rires]", "[Client] Bonjour", "- CLIENT: x", "Conseillère : x", "{\\an8}", "<i>", "</v>",
    "12345678901234567890:00:00.000 --> 00:00:01.000",
]


@cases(MANY)
@given(inputs(VTT_SAMPLES, extra=(huge_timings,)))
@example(b"0:00:00,0-->0:00:00\n&#xE;")  # was IndexError: an entity decoding to nothing
@example(b"WEBVTT\n\n" + b"9" * 5000 + b":00:00.000 --> 00:00:01.000\nBonjour")  # was ValueError from int()
@example(b"WEBVTT\n\n00:00:01.000 --> " + b"9" * 400 + b":00:00.000\nBonjour")  # was OverflowError
def test_vtt_reader_never_raises_and_keeps_its_invariants(data):
    check_reader(vtt, data, "appel.vtt")


SRT_SAMPLES = [
    "1", "2", " 3 ", "00:00:01,000 --> 00:00:02,000", "00:00:01.000 --> 00:00:02,500", "00:00:05,300 --> 00:00:04,100",
    "00:00:01,000 -->", "00:61:00,000 --> 00:00:01,000", "Client : Mon lave-linge fuit.", "- CONSEILLÈRE: oui",
    "[Client] Bonjour", "[rires]", "<i>Bonjour</i>", "<v Client>x", "&amp;", "{\\an8}Bonjour", "texte",
    "1:2",
]


@cases(MANY)
@given(inputs(SRT_SAMPLES, extra=(huge_timings,)))
@example(b"1\n" + b"0" * 4400 + b":00:00,000 --> 00:00:01,000\nClient : Bonjour")  # was ValueError from int()
def test_srt_reader_never_raises_and_keeps_its_invariants(data):
    check_reader(srt, data, "appel.srt")


# ---------------------------------------------------------------- JSON: any value, and the real shapes

# Raw JSON tokens json.dumps cannot write: replaced in the serialised text.
RAW_TOKENS = {
    "@@BIG_INT@@": "9" * 5000,  # more digits than int() accepts
    "@@LARGE_INT@@": "-" + "9" * 400,  # an int no float can hold
    "@@HUGE_FLOAT@@": "1e99999",  # parsed as inf
    "@@DEEP@@": "[" * 3000 + "]" * 3000,  # deeper than the parser's recursion limit
    "@@NAN@@": "NaN",
}
KNOWN_KEYS = [
    "segments", "text", "speaker", "start", "end", "words", "results", "items", "alternatives", "content", "type",
    "start_time", "end_time", "speaker_label", "speaker_labels", "Transcript", "Participants", "ParticipantRole",
    "ParticipantId", "Content", "BeginOffsetMillis", "EndOffsetMillis", "utterances", "transcript", "channel",
    "channels", "paragraphs", "sentences", "entries", "role", "user_id", "start_timestamp_usec", "turns", "id",
    "macros", "macro", "actions", "field", "value", "title", "name", "body", "comment_value", "canned_responses",
    "reponses", "responses", "templates", "snippet", "tags", "disable", "content_html", "html", "texte",
]
TEXT_VALUES = [
    "", " ", "\u00a0", "Bonjour.", "SPEAKER_00", "spk_1", "A", "agent", "customer", "unknown", "Conseillère", "Client",
    "AGENT", "CUSTOMER", "HUMAN_AGENT", "END_USER", "punctuation", "pronunciation", ".", "?", "comment_value",
    "comment_value_html", "channel:all", "<p>Bonjour</p>", "<p>", "&nbsp;", "snippet", "extrait", "1.5", "-3", "nan",
    "inf", "1e999", "call", "chat", "fax", "Bonjour\nMadame", "\ud800", "{{prenom}}", *RAW_TOKENS,
]
json_texts = st.sampled_from(TEXT_VALUES) | st.text(max_size=15)
json_numbers = st.integers(-(2**70), 2**70) | st.floats() | st.sampled_from([0, -1, 0.5, 1e308, -1e308, 2**63])
json_scalars = st.none() | st.booleans() | json_numbers | json_texts
json_keys = st.sampled_from(KNOWN_KEYS) | st.text(max_size=6)
_json_values = st.recursive(
    json_scalars,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(json_keys, children, max_size=5),
    max_leaves=12,
)
json_values = named(lambda: _json_values)


def maybe(good: st.SearchStrategy) -> st.SearchStrategy:
    """Mostly the right kind of value, sometimes any JSON value at all."""
    return st.one_of(good, good, good, json_values)


def record(required: dict[str, st.SearchStrategy], optional: dict[str, st.SearchStrategy] | None = None):
    fields = {key: maybe(value) for key, value in required.items()}
    extra = {key: maybe(value) for key, value in (optional or {}).items()}
    return st.fixed_dictionaries(fields, optional=extra) | json_values


def records(required, optional=None, max_size=5):
    return maybe(st.lists(record(required, optional), max_size=max_size))


seconds = st.floats(-10, 1e4) | st.integers(0, 10_000) | st.sampled_from(["@@LARGE_INT@@", "@@HUGE_FLOAT@@", "@@NAN@@"])
speech = st.sampled_from(["Bonjour, que puis-je faire pour vous ?", "Ma commande n'est pas arrivée.", " ", ""]) | json_texts
speakers = st.sampled_from(["SPEAKER_00", "SPEAKER_01", "spk_0", "spk_1", "A", "B", "Conseillère", 0, 1]) | json_texts

whisper = st.fixed_dictionaries(
    {"segments": records({"text": speech}, {"start": seconds, "end": seconds, "speaker": speakers,
                                              "words": records({"word": speech}, {"speaker": speakers})})}
)
aws_item = record(
    {"alternatives": maybe(st.lists(record({"content": speech}), max_size=2))},
    {"type": st.sampled_from(["pronunciation", "punctuation"]), "start_time": seconds.map(str) | seconds,
     "end_time": seconds.map(str), "speaker_label": speakers},
)
aws = st.fixed_dictionaries(
    {"results": st.fixed_dictionaries(
        {"items": maybe(st.lists(aws_item, max_size=8))},
        optional={"speaker_labels": maybe(st.fixed_dictionaries({"segments": records(
            {"start_time": seconds.map(str), "end_time": seconds.map(str), "speaker_label": speakers},
            {"items": records({"start_time": seconds.map(str), "speaker_label": speakers})},
        )}))},
    )}
)
call_analytics = st.fixed_dictionaries(
    {"Transcript": records({"Content": speech}, {"ParticipantRole": st.sampled_from(["AGENT", "CUSTOMER", "x"]),
                                                 "ParticipantId": speakers, "BeginOffsetMillis": seconds,
                                                 "EndOffsetMillis": seconds})},
    optional={"Participants": records({"ParticipantId": speakers, "ParticipantRole": st.sampled_from(["AGENT", "CUSTOMER"])})},
)
deepgram = st.fixed_dictionaries(
    {"results": st.fixed_dictionaries(
        {},
        optional={
            "utterances": records({"transcript": speech}, {"speaker": speakers, "channel": st.integers(0, 2),
                                                           "start": seconds, "end": seconds}),
            "channels": maybe(st.lists(st.fixed_dictionaries({"alternatives": maybe(st.lists(st.fixed_dictionaries(
                {"paragraphs": maybe(st.fixed_dictionaries({"paragraphs": records(
                    {"sentences": records({"text": speech})}, {"speaker": speakers, "start": seconds})}))}
            ), max_size=2))}), max_size=2)),
        },
    )}
)
assemblyai = st.fixed_dictionaries(
    {"utterances": st.none() | records({"text": speech}, {"speaker": speakers, "start": seconds, "end": seconds})}
)
ccai = st.fixed_dictionaries(
    {"entries": records({"text": speech}, {"role": st.sampled_from(["AGENT", "END_USER", "HUMAN_AGENT"]),
                                           "user_id": speakers, "start_timestamp_usec": seconds})}
)
plain_conversation = st.fixed_dictionaries(
    {"turns": records({"text": speech}, {"speaker": speakers, "role": st.sampled_from(["agent", "customer", "Client", "x"]),
                                         "start": seconds, "end": seconds})},
    optional={"id": st.sampled_from(["appel-1", "appel-1", ""]) | json_values,
              "channel": st.sampled_from(["call", "chat", "EMAIL", "fax"])},
)
plain = plain_conversation | st.lists(plain_conversation | json_values, max_size=3)
zendesk_action = record({"field": st.sampled_from(["comment_value", "comment_value_html", "status"]),
                         "value": speech | st.lists(st.sampled_from(["channel:all", "Bonjour", ""]) | json_texts, max_size=3)})
zendesk_macro = record({"title": json_texts, "actions": maybe(st.lists(zendesk_action, max_size=3))})
zendesk = st.fixed_dictionaries({"macros": maybe(st.lists(zendesk_macro, max_size=4))}) | st.fixed_dictionaries({"macro": zendesk_macro})
_library_entry = record({"title": json_texts, "content": speech},
                       {"name": json_texts, "content_html": json_texts, "snippet": json_scalars, "type": json_texts,
                        "tags": json_values, "disable": json_values})
library_entry = named(lambda: _library_entry)
freshdesk = st.lists(library_entry, max_size=4) | st.fixed_dictionaries(
    {"canned_responses": maybe(st.lists(library_entry, max_size=4))}
)
generic_library = st.dictionaries(
    st.sampled_from(["reponses", "Réponses", "responses", "templates", "macros", "autre"]),
    maybe(st.lists(library_entry, max_size=3) | st.dictionaries(json_texts, speech | library_entry, max_size=3)),
    min_size=1, max_size=2,
)
_JSON_SHAPES = st.one_of(
    whisper, aws, call_analytics, deepgram, assemblyai, ccai, plain, zendesk, freshdesk, generic_library, json_values
)
JSON_SHAPES = named(lambda: _JSON_SHAPES)


def _serialise(document: Any, indent: int | None, ascii_only: bool, sort_keys: bool) -> str:
    text = json.dumps(document, indent=indent, ensure_ascii=ascii_only, sort_keys=sort_keys)
    for token, raw in RAW_TOKENS.items():
        text = text.replace(f'"{token}"', raw)
    return text


json_texts_serialised = st.builds(
    _serialise, JSON_SHAPES, st.sampled_from([None, 0, 1, 2]), st.booleans(), st.booleans()
)


def _crlf(text: str, ending: str) -> str:
    return text.replace("\n", ending)


_json_inputs = st.one_of(
    st.binary(max_size=200),
    encoded(st.builds(_crlf, json_texts_serialised, st.sampled_from(LINE_ENDINGS))),
    *([st.builds(_crlf, json_texts_serialised, st.sampled_from(LINE_ENDINGS)).map(lambda t: t.encode("utf-8", "surrogatepass"))] * 6),
)
json_inputs = named(lambda: _json_inputs)


@cases(FEWER)
@given(json_inputs)
@example(b'{"segments": [{"text": "Bonjour", "start": ' + b"9" * 5000 + b"}]}")  # was ValueError from int()
@example(b'{"Transcript": [{"Content": "Bonjour", "BeginOffsetMillis": -' + b"9" * 400 + b"}]}")  # was OverflowError
@example(b'{"turns": [{"text": "Bonjour", "role": "agent", "end": ' + b"9" * 400 + b"}]}")  # was OverflowError
def test_json_reader_never_raises_on_any_value_or_shape(data):
    check_reader(json_document, data, "appel-17.json")


# ---------------------------------------------------------------- CSV tables

CSV_HEADERS = [
    "ticket_id", "Ticket", "conversation_id", "dossier", "Numéro_Ticket", "author_type", "role", "is_agent", "direction",
    "author", "from", "auteur", "body", "plain_body", "html_body", "message", "texte", "created_at", "date", "heure",
    "timestamp", "channel", "via", "name", "titre", "type", "categorie", "public", "", " ", "Body", "body",
]
CSV_CELLS = [
    "", " ", "4512", "agent", "end-user", "system", "Conseillère", "Client", "inbound", "outbound", "oui", "non",
    "true", "false", "1", "0", "Julie", "julie@acme.fr", "2024-03-05T14:02:11Z", "2024-03-05 14:02:11",
    "05/03/2024 à 14h02", "13/13/2024 25:61", "0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-23:59",
    "01/01/0001 00:00+23:59", "31/12/9999 23:59-23:59", "1700000000000", "99999999999999999", "14:02:11", "99:99",
    "<p>Bonjour <b>Madame</b></p>", "<p", "Bonjour,\nma commande", "chat", "email", "téléphone", "snippet",
    '"', '""', 'a"b', "x" * 300,
]
csv_cell = st.sampled_from(CSV_CELLS) | st.text(max_size=10)


def _csv_text(header, rows, delimiter, style, line_end, bom):
    if style == "raw":  # no quoting at all: stray quotes and delimiters stay as they are
        lines = [delimiter.join(row) for row in [header, *rows]]
        text = line_end.join(lines) + line_end
    else:
        out = io.StringIO()
        quoting = {"minimal": csv.QUOTE_MINIMAL, "all": csv.QUOTE_ALL, "none": csv.QUOTE_NONE}[style]
        writer = csv.writer(out, delimiter=delimiter, quoting=quoting, escapechar="\\", lineterminator=line_end)
        try:
            writer.writerow(header)
            writer.writerows(rows)
        except csv.Error:  # QUOTE_NONE cannot write a lone empty field: write it raw
            return _csv_text(header, rows, delimiter, "raw", line_end, bom)
        text = out.getvalue()
    return ("\ufeff" if bom else "") + text


# Headers of real exports (ticket histories, chat logs, canned libraries), so that most
# tables get past column detection into grouping, roles, times and HTML.
EXPORT_HEADERS = [
    ["ticket_id", "author_type", "author", "created_at", "body"],
    ["Dossier", "Qui", "Message", "Date", "Heure"],
    ["conversation_id", "role", "text", "timestamp", "channel", "public"],
    ["ticket", "is_agent", "from", "plain_body", "html_body", "date"],
    ["chat_id", "direction", "auteur", "contenu", "datetime", "via"],
    ["name", "body", "type"],
    ["titre", "texte", "categorie"],
]


def _export_header(core: list[str], extra: list[str], seed: int) -> list[str]:
    names = core + extra
    order = sorted(range(len(names)), key=lambda index: (index * seed) % 101) if seed else range(len(names))
    return [names[index] for index in order]


def _table(header: list[str]) -> st.SearchStrategy[tuple[list[str], list[list[str]]]]:
    """Rows mostly as wide as the header, sometimes not."""
    row = st.lists(csv_cell, min_size=len(header), max_size=len(header)) | st.lists(csv_cell, max_size=9)
    return st.tuples(st.just(header), st.lists(row, min_size=1, max_size=8) | st.just([]))


csv_headers = st.one_of(
    st.lists(st.sampled_from(CSV_HEADERS) | st.text(max_size=8), max_size=8),
    *[st.builds(_export_header, st.sampled_from(EXPORT_HEADERS), st.lists(st.sampled_from(CSV_HEADERS), max_size=2),
                st.integers(0, 100))] * 5,
)
_csv_texts = st.builds(
    lambda table, *rest: _csv_text(*table, *rest),
    csv_headers.flatmap(_table),
    st.sampled_from([",", ";", "\t", "|"] * 3 + [":", " "]),  # the four the reader knows, and two it does not
    st.sampled_from(["minimal", "minimal", "all", "none", "raw"]),
    st.sampled_from(LINE_ENDINGS),
    st.booleans(),
)
csv_texts = named(lambda: _csv_texts)
csv_options = st.builds(
    lambda columns, domains: ReaderOptions(columns=columns, agent_domains=domains),
    st.dictionaries(st.sampled_from(["conversation", "role", "speaker", "text", "time", "channel", "name", "bogus"]),
                    st.sampled_from(CSV_HEADERS) | st.text(max_size=5), max_size=3)
    | st.just({}) | st.just({}),
    st.sampled_from([(), ("acme.fr",), ("@acme.fr", "julie@acme.fr")]),
)


@cases(MANY)
@given(
    st.one_of(encoded(csv_texts), encoded(csv_texts), encoded(csv_texts), inputs(CSV_CELLS + CSV_HEADERS)),
    st.sampled_from(["export.csv", "chat-log.tsv", "tickets-email.CSV", "x"]),
    csv_options,
)
def test_csv_reader_never_raises_on_any_table(data, source, options):
    check_reader(csv_table, data, source, options)


# ---------------------------------------------------------------- e-mails and mailboxes

HEADER_NAMES = [
    "From", "To", "Cc", "Subject", "Date", "Message-ID", "In-Reply-To", "References", "Content-Type",
    "Content-Transfer-Encoding", "Content-Disposition", "MIME-Version", "X-Zendesk-From-Account-Id", "X-Mailer",
    "Sender", "Received",
]
HEADER_VALUES = [
    "Claire Moreau <claire.moreau@gmail.com>", "Service client <service-client@acme.fr>", "sav@acme.fr", "<>", "",
    "=?utf-8?q?Re=3A_Commande_=C3=A9?=", "=?x-unknown?b?////?=", "=?utf-8?b?not base64?=", "Re: Commande 4512",
    "TR: RE : Réf : x", "Mon, 03 Mar 2025 10:02:00 +0100", "Mon, 01 Jan 0001 00:00:00 +2359", "31 Dec 9999 23:59 -2359",
    "garbage date", "<a@b>", "<a@b> <c@d>", "<unclosed", "1.0", "attachment; filename=x.pdf", "inline",
    "\xe9t\xe9 <ete@exemple.fr>", "Zendesk", "a\n b", "\ud800",
]
CONTENT_TYPES = [
    "text/plain", "text/plain; charset=utf-8", 'text/plain; charset="iso-8859-1"', "text/plain; charset=x-unknown",
    "text/plain; charset=utf-7", "text/plain; charset=unicode_escape", "text/plain; charset=utf-16",
    "text/plain; charset=idna", "text/plain; charset=undefined", "text/plain; charset*=utf-8''%FF", "text/html; charset=windows-1252", "text/html",
    "application/pdf", "message/rfc822", "text/plain; charset=", "text/plain; charset=\"", "bogus",
]
TRANSFER_ENCODINGS = ["7bit", "8bit", "binary", "base64", "quoted-printable", "x-uuencode", "BASE64 ", "garbage", ""]
BODY_SAMPLES = [
    "Bonjour Madame Moreau,", "Votre colis part demain.", "Cordialement,", "Julie", "-- ", "> Où est ma commande ?",
    "Le dim. 2 mars 2025 à 18:47, Claire <c@g.com> a écrit :", "-----Original Message-----", "De : x", "Envoyé : y",
    "From here on", ">From here on", "From a@b.fr Tue Mar  4 09:12:00 2025", "Envoyé de mon iPhone",
    "Ce message et toutes les pièces jointes sont confidentiels", "QUJD", "====", "QUJD\n!!!", "=C3=A9=", "=\n",
    "=ZZ", "=E9t=E9", "+AAo-", "\\n", "<p>Bonjour<br>Madame</p>", "<blockquote>cité</blockquote>", "<", "&amp;",
    "_" * 20, "\xe9t\xe9",
]
# Mostly known header lines (one draw each), sometimes a random name or value.
HEADER_LINES = [f"{name}: {value}" for name in HEADER_NAMES for value in HEADER_VALUES]
known_header_line = pick(HEADER_LINES)
header_line = st.one_of(
    *[known_header_line] * 4,
    st.builds("{}: {}".format, st.sampled_from(HEADER_NAMES) | st.text(max_size=6), st.text(max_size=20)),
)
body_text = documents(BODY_SAMPLES, long_lines=False, max_pieces=8)


def _part(headers, content_type, encoding, body):
    lines = list(headers)
    if content_type is not None:
        lines.append(f"Content-Type: {content_type}")
    if encoding is not None:
        lines.append(f"Content-Transfer-Encoding: {encoding}")
    return "\n".join(lines) + "\n\n" + body


def _multipart(headers, subtype, boundary, children, preamble, closed):
    head = list(headers)
    quoted_boundary = f'"{boundary}"' if boundary is not None else ""
    head.append(f"Content-Type: multipart/{subtype}" + (f"; boundary={quoted_boundary}" if boundary is not None else ""))
    marker = boundary if boundary is not None else "B"
    body = preamble + "\n" + "".join(f"--{marker}\n{child}\n" for child in children)
    if closed:
        body += f"--{marker}--\n"
    return "\n".join(head) + "\n\n" + body


leaf_part = st.builds(
    _part,
    st.lists(header_line, max_size=2),
    st.none() | st.sampled_from(CONTENT_TYPES),
    st.none() | st.sampled_from(TRANSFER_ENCODINGS),
    body_text,
) | st.builds(  # a declared charset whose decoder makes or eats line breaks, on an unencoded body
    _part,
    st.lists(header_line, max_size=1),
    st.sampled_from(["text/plain; charset=utf-7", "text/plain; charset=unicode_escape", "text/plain; charset=utf-16",
                     "text/plain; charset=utf-32", "text/plain; charset=punycode"]),
    st.sampled_from([None, "7bit", "8bit"]),
    st.lists(st.sampled_from(["Bonjour", "+AAo-", "+AA0-", "\\n", "\\r", "\n", "\r\n", "\x00", "x"]), max_size=8).map("".join),
)
_mime_tree = st.recursive(
    leaf_part,
    lambda children: st.builds(
        _multipart,
        st.lists(header_line, max_size=1),
        st.sampled_from(["alternative", "mixed", "related", "digest"]),
        st.none() | st.sampled_from(["B", "B", "=_x", "", "a b", "\u00e9t\u00e9", "B" * 80]),
        st.lists(children, max_size=4),
        st.sampled_from(["", "preamble", "--B"]),
        st.booleans(),
    ),
    max_leaves=5,
)
mime_tree = named(lambda: _mime_tree)


def _message(headers, tree):
    return "".join(f"{line}\n" for line in headers) + tree


_messages = st.builds(_message, st.lists(header_line, max_size=5), mime_tree)
messages = named(lambda: _messages)
# Mailboxes are about splitting and threading: mostly single-part messages, cheaper to draw.
simple_messages = st.builds(_message, st.lists(header_line, max_size=5), leaf_part)


@cases(FEWER)
@given(st.one_of(st.binary(max_size=300), *([encoded(messages.map(lambda m: m.replace("\n", "\r\n")) | messages)] * 6)))
@example(b"ContenT-type:charset=utf7\r\r+AAo\x01")  # UTF-7 made a line break: turn lines went past the file's end
def test_email_reader_never_raises_on_any_message(data):
    check_reader(email_message, data, "reponse.eml")


ENVELOPES = [
    "From claire@gmail.com Tue Mar  4 09:12:00 2025", "From - Mon Jan  1 00:00:00 2024", "From MAILER-DAEMON",
    "From here on", "From ", "From: claire@gmail.com", ">From x",
]


def _mailbox(stray, parts):
    return stray + "".join(f"{envelope}\n{message}\n" for envelope, message in parts)


_mailboxes = st.builds(
    _mailbox,
    st.sampled_from(["", "", "texte perdu\n", "\n\n"]),
    st.lists(st.tuples(st.sampled_from(ENVELOPES), simple_messages | simple_messages | messages), max_size=3),
)
mailboxes = named(lambda: _mailboxes)


@cases(FEWER)
@given(st.one_of(st.binary(max_size=300), *([encoded(mailboxes)] * 6)))
@example(b"From ")  # an empty last message was reported on line 2 of a 1-line file
def test_mbox_reader_never_raises_on_any_mailbox(data):
    check_reader(mbox, data, "fil.mbox", ReaderOptions(agent_domains=("acme.fr",)))


# ---------------------------------------------------------------- YAML canned-response libraries

YAML_SAMPLES = [
    "reponses:", "responses:", "Réponses :", "macros:", "rules:", "  - titre: Colis en retard", "  - name: x",
    "    texte: |", "    texte: >", "    body: Bonjour {{prenom}}", "      Bonjour,", "      Belle journée,",
    "    type: extrait", "    snippet: oui", "    tags: [snippet]", "    disable: vague, closing", "- a", "---", "...",
    "%YAML 1.1", "&a", "*a", "<<: *a", "!!python/object/apply:os.system", "!!binary", "? complexe", "[", "{", "\t",
    "  - &d {titre: a, texte: b}", "  - <<: *d", "  - *d", "x: &r [*r]", "'", '"\\x', "body: \"a\\nb\"",
]
_yaml_structures = st.dictionaries(
    st.sampled_from(["reponses", "responses", "Réponses", "templates", "macros", "canned_responses", "autre", "rules"]),
    json_values | st.lists(library_entry | json_values, max_size=4),
    max_size=2,
) | st.lists(library_entry, max_size=4) | json_values
yaml_structures = named(lambda: _yaml_structures)


def _yaml_text(value, style, unicode, width):
    try:
        return yaml.dump(value, default_style=style, allow_unicode=unicode, width=width, sort_keys=False)
    except (yaml.YAMLError, ValueError, UnicodeError):
        return ""


yaml_texts = st.builds(
    _yaml_text, yaml_structures, st.sampled_from([None, None, '"', "'", "|"]), st.booleans(), st.sampled_from([20, 80])
)


@cases(FEWER)
@given(st.one_of(inputs(YAML_SAMPLES), encoded(yaml_texts), encoded(yaml_texts), encoded(yaml_texts)))
@example("\u2028\u1000".encode())  # PyYAML counts U+2028 as a line break: line 2 of a 1-line file
@example("reponses:\u2028\n  - titre: a\u2029\n    texte: Bonjour\n".encode())
@example(b"[" * 3000)  # seconds in PyYAML's scanner before "nested too deeply"
def test_canned_yaml_reader_never_raises_on_any_library(data):
    check_reader(canned, data, "reponses-sav.yaml")


def _shape(value: Any) -> Any:
    """A verbatim value with everything a reader reads of it: text, lines, and each
    scalar's style and marks (line, column and character index of both ends)."""
    if isinstance(value, located_yaml.MarkedText):
        node = value.node
        ends = [(mark.line, mark.column, mark.index) for mark in (node.start_mark, node.end_mark)]
        return ("text", str(value), node.style, node.tag, ends)
    if isinstance(value, dict):
        return ("map", value.line, [(key, _shape(item)) for key, item in value.items()])
    if isinstance(value, list):
        return ("list", value.line, [_shape(item) for item in value])
    return value


def _outcome(load, text: str) -> Any:
    try:
        return _shape(load(text))
    except located_yaml.YamlError as error:
        return ("error", error.message, error.mark)
    except RecursionError:
        return ("error", "recursion")


@pytest.mark.skipif(located_yaml._FAST_LOADER is None, reason="PyYAML built without libyaml")
@cases(FEWER)
@given(st.one_of(inputs(YAML_SAMPLES), encoded(yaml_texts), encoded(yaml_texts)))
@example("reponses:\n  - titre: « Réponse é »\n    texte: |\n      Bonjour 😀 à vous,\n      c’est noté\n".encode())
@example(b"reponses:\r\n  - titre: 'a'\r\n    texte: \"b\\nc\"\r\n")
@example(b"x: &r [*r]\n")
@example(b"reponses:\n  - titre: a\n    texte: |-#note\n      Bonjour\n")  # libyaml reads it, PyYAML refuses
@example("\ufeffreponses:\n  - titre: a\n    texte: !\n".encode("utf-8-sig"))  # a second BOM, past libyaml's index
def test_libyaml_and_pyyaml_read_a_library_alike(data):
    """The fast path (libyaml) must give what the pure-Python composer gives, or an
    error worded by it: same values, styles, lines, columns and character indices."""
    text = data.decode("utf-8", "replace")
    text = text[1:] if text.startswith("\ufeff") else text  # one BOM, as the readers' decoding drops
    assert _outcome(located_yaml.load_verbatim, text) == _outcome(located_yaml._load_verbatim_slowly, text)


# ---------------------------------------------------------------- the registry: extension, sniffing, forced format

EXTENSIONS = [
    ".txt", ".vtt", ".srt", ".json", ".csv", ".tsv", ".eml", ".mbox", ".yaml", ".yml", ".TXT", ".Json", "", ".bin",
    ".json.gz", ".",
]
file_stems = st.text(
    alphabet=st.characters(blacklist_characters="/\x00", blacklist_categories=("Cs",)), min_size=1, max_size=20
).filter(lambda name: name not in (".", ".."))
any_input = st.one_of(
    st.binary(max_size=400),
    inputs(TEXT_SAMPLES + VTT_SAMPLES[:20] + SRT_SAMPLES[:10]),
    json_inputs,
    encoded(csv_texts),
    encoded(messages),
    encoded(mailboxes),
    encoded(yaml_texts),
)


@pytest.fixture(scope="module")
def scratch(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("registry")


@cases(FEWER)
@given(any_input, file_stems, st.sampled_from(EXTENSIONS), st.none() | st.none() | st.sampled_from(formats()))
def test_read_file_never_raises_whatever_the_name_and_bytes(scratch, data, stem, extension, forced):
    name = stem + extension
    if len(os.fsencode(name)) > 200:
        name = name[:40] + extension
    path = scratch / name
    path.write_bytes(data)
    try:
        result = read_file(path, ReaderOptions(agent_speakers=("SPEAKER_00",)), forced)
        check_result(result, data, display_path(path))
    finally:
        path.unlink()


# ---------------------------------------------------------------- Word and PDF documents


def _office_samples() -> list[bytes]:
    import docx
    from fpdf import FPDF

    document = docx.Document()
    document.add_paragraph("Conseiller : Bonjour, que puis-je faire pour vous ?")
    document.add_table(rows=1, cols=2).rows[0].cells[0].text = "Client"
    buffer = io.BytesIO()
    document.save(buffer)
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=11)
    pdf.text(20, 20, "Client : Ma box ne marche plus.")
    return [buffer.getvalue(), bytes(pdf.output())]


OFFICE_SAMPLES = _office_samples()


@cases(200)
@given(st.sampled_from(OFFICE_SAMPLES), st.integers(0, 10_000), st.binary(min_size=1, max_size=40), st.booleans())
def test_word_and_pdf_readers_never_raise_on_damaged_documents(sample, position, patch, truncate):
    from transcript_audit.readers import docx_document, pdf_document

    at = position % len(sample)
    data = sample[:at] if truncate else sample[:at] + patch + sample[at + len(patch):]
    for module in (docx_document, pdf_document):
        transcripts, errors = module.read(data, "document", OPTIONS)
        assert all(isinstance(error, ReadError) and error.message.strip() for error in errors)
        assert all(turn.text.strip() and turn.locator for transcript in transcripts for turn in transcript.turns)
