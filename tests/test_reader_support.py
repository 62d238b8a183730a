"""The modules readers share: html_text, dates, decoding, cues, located_yaml's verbatim loading.

That readers import these and never each other is checked by ``tests/test_layers.py``.
"""

from __future__ import annotations

import pytest

from transcript_audit.located_yaml import MarkedText, Unsupported, YamlError, line_of, load, load_verbatim
from transcript_audit.readers import srt, vtt
from transcript_audit.readers.dates import parse_mail_date, parse_time
from transcript_audit.readers.decoding import LINE_BREAK, split_lines
from transcript_audit.readers.html_text import html_to_text, looks_like_html


# ---------------------------------------------------------------- html_text


@pytest.mark.parametrize(
    ("html", "text"),
    [
        ("<p>Bonjour,</p><p>Madame</p>", "Bonjour,\nMadame"),
        ("Bonjour<br><br>Madame", "Bonjour\n\nMadame"),  # a paragraph break stays a blank line
        ("<p>Bonjour&nbsp;!</p>", "Bonjour\u00a0!"),  # a non-breaking space is text, not HTML whitespace
        ("Bonjour\n   <b>Madame</b>", "Bonjour Madame"),
        ('<a href="x>y">lien</a>', "lien"),  # a '>' inside a quoted attribute does not end the tag
        ("<pre>a\n  b</pre>", "a\nb"),  # a line break inside <pre> is a line break
        ("Bonjour<!-- note interne -->Madame", "BonjourMadame"),
        ("<script>x('<p>')</script><style>p {}</style>Visible", "Visible"),
        ("Bonjour <!-- jamais fermé <p>caché</p>", "Bonjour"),
        ("Délai &lt;3 jours &amp; gratuit", "Délai <3 jours & gratuit"),
        ("<p>Réponse</p><blockquote>Citation</blockquote>", "Réponse\nCitation"),
    ],
)
def test_html_to_text(html, text):
    assert html_to_text(html) == text


def test_quotes_are_dropped_only_when_asked():
    html = "<p>Réponse</p><blockquote>Ancien <b>message</b></blockquote><p>Suite</p>"
    assert html_to_text(html, drop_quotes=True) == "Réponse\nSuite"


@pytest.mark.parametrize("hostile", ["<" * 100_000, "<a " * 50_000, "<p" * 50_000, "</" * 50_000, "<!" * 50_000])
def test_unclosed_tags_are_text_and_the_whole_input_is_read(hostile):
    assert html_to_text(hostile + "<p>fin</p>") == hostile.strip() + "\nfin"


@pytest.mark.parametrize(
    ("value", "expected"),
    [("<p>Bonjour</p>", True), ("Bonjour<BR/>Madame", True), ("3 < 4 et 5 > 2", False), ("Bonjour &amp;", False)],
)
def test_looks_like_html(value, expected):
    assert looks_like_html(value) is expected


# ---------------------------------------------------------------- dates


@pytest.mark.parametrize(
    "value", ["", "  ", "demain", "2024-13-45", "31/02/2024", "25:61", "99999999999999999999", "05/03/2024 à 99h99"]
)
def test_an_unreadable_time_is_none_never_an_exception(value):
    assert parse_time(value) is None


def test_a_time_without_a_zone_is_utc():
    assert parse_time("2024-03-05 14:02") == parse_time("2024-03-05T14:02:00Z") == 1709647320.0


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Tue, 05 Mar 2024 15:02:00 +0100", 1709647320.0),
        ("Tue, 05 Mar 2024 14:02:00", 1709647320.0),  # no zone: UTC
        (None, None), ("", None), ("pas une date", None),
    ],
)
def test_parse_mail_date(value, expected):
    assert parse_mail_date(value) == expected


# ---------------------------------------------------------------- line ends


def test_lines_end_at_crlf_cr_and_lf_only():
    assert split_lines("a\r\nb\rc\nd\u2028e\x85f") == ["a", "b", "c", "d\u2028e\x85f"]
    assert LINE_BREAK.pattern == r"\r\n|\r|\n"


# ---------------------------------------------------------------- cues


def test_the_same_cues_read_the_same_in_webvtt_and_srt():
    cues = [
        ("00:00:01.000", "00:00:02.500", "Conseillère : Bonjour <b>madame</b> &amp; bienvenue."),
        ("00:00:02.500", "00:00:04.000", "[Client] Bonjour, [rires] j'appelle pour ma commande."),
        ("00:00:04.000", "00:00:05.000", "Client : Elle n'est pas arrivée."),
    ]
    webvtt = "WEBVTT\n\n" + "".join(f"{start} --> {end}\n{text}\n\n" for start, end, text in cues)
    subrip = "".join(
        f"{n}\n{start.replace('.', ',')} --> {end.replace('.', ',')}\n{text}\n\n"
        for n, (start, end, text) in enumerate(cues, 1)
    )
    (from_vtt,), vtt_errors = vtt.parse(webvtt, "appel.vtt")
    (from_srt,), srt_errors = srt.parse(subrip, "appel.srt")
    assert vtt_errors == srt_errors == []

    def said(transcript):
        return [(t.speaker, t.role, t.text, t.start, t.end, t.locator, t.column) for t in transcript.turns]

    assert said(from_vtt) == said(from_srt)
    assert said(from_vtt)[1][2] == "Bonjour, j'appelle pour ma commande. Elle n'est pas arrivée."


# ---------------------------------------------------------------- located YAML


def test_verbatim_values_stay_text_and_keep_their_lines():
    document = load_verbatim("responses:\n  - name: A\n    body: 1\n    actif: oui\n")
    response = document["responses"][0]
    assert response == {"name": "A", "body": "1", "actif": "oui"}
    assert isinstance(response["body"], MarkedText) and line_of(response["body"]) == 3
    assert (line_of(document), line_of(document["responses"])) == (1, 2)
    assert load("body: 1\n") == {"body": 1}  # the strict loader still types its scalars


def test_verbatim_lines_are_the_editor_lines_whatever_unicode_line_separators_hold():
    assert line_of(load_verbatim("a: 'un\u2028deux'\nb: c\n")["b"]) == 2


def test_verbatim_unknown_tags_are_values_to_report_and_merge_keys_are_honoured():
    document = load_verbatim("base: &b {body: Bonjour}\nr:\n  <<: *b\n  name: A\nt: !!python/object:os.system x\n")
    assert document["r"] == {"name": "A", "body": "Bonjour"}
    assert document["t"] == Unsupported("tag:yaml.org,2002:python/object:os.system", 5)


@pytest.mark.parametrize(
    ("text", "message", "line"),
    [
        ("a: [", "invalid YAML: expected the node content, but found '<stream end>'", 1),
        ("[" * 150, "invalid YAML: nested too deeply", None),
        ("a: 1\n---\nb: 2\n", "invalid YAML: expected a single document in the stream, but found another document", 2),
    ],
)
def test_verbatim_syntax_errors_are_located(text, message, line):
    with pytest.raises(YamlError) as raised:
        load_verbatim(text)
    assert raised.value.message == message
    assert (raised.value.mark.line if raised.value.mark else None) == line
