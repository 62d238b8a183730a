"""The subtitle readers: WebVTT (``vtt``) and SubRip (``srt``).

Cue framing, speakers (voice tags, prefixes), merging of one speaker's cues,
times, exact file locations after markup is removed, encodings, and located
errors for broken files. No spaCy model is needed here.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from transcript_audit.model import Role
from transcript_audit.readers import srt, vtt
from transcript_audit.readers.base import ReaderOptions

from .conftest import examples

FIXTURES = Path(__file__).parent / "fixtures" / "subtitles"
SAMPLES = Path(__file__).parent.parent / "samples"


def read_fixture(name: str):
    module = vtt if name.endswith(".vtt") else srt
    return module.read((FIXTURES / name).read_bytes(), name, ReaderOptions())


def only_transcript(name: str):
    transcripts, errors = read_fixture(name)
    assert errors == [], [str(error) for error in errors]
    assert len(transcripts) == 1
    return transcripts[0]


def summary(transcript):
    return [(turn.role, turn.speaker, turn.text) for turn in transcript.turns]


def file_lines(name: str, encoding: str = "utf-8-sig") -> list[str]:
    return (FIXTURES / name).read_bytes().decode(encoding).replace("\r\n", "\n").split("\n")


def assert_located(turn, lines: list[str], offset: int, length: int = 6) -> None:
    """The file holds, at the turn's location of ``offset``, the same characters as the text."""
    line, column = turn.locate(offset)
    expected = turn.text[offset : offset + length]
    assert lines[line - 1][column - 1 : column - 1 + len(expected)] == expected, (offset, line, column)


# ---------------------------------------------------------------- WebVTT: voices, markup, merging


def test_vtt_voices_give_speakers_roles_and_words_only():
    transcript = only_transcript("voix-resiliation.vtt")
    assert (transcript.id, transcript.channel, transcript.path) == ("voix-resiliation", "call", "voix-resiliation.vtt")
    assert summary(transcript) == [
        (Role.AGENT, "Conseillère", "Bonjour, vous êtes bien chez Fibrelia, Julie à votre écoute."),
        (Role.CUSTOMER, "Client", "Bonjour\u00a0! Je voudrais résilier mon abonnement fibre. C'est pour un déménagement."),
        (Role.AGENT, "Conseillère", "Très bien. Pouvez-vous me donner votre numéro client\u202f?"),
        (Role.CUSTOMER, "Client", "Oui : C&D 4471, B&B <pro> déjà noté."),
        (Role.UNKNOWN, "Maxime", "Moi c'est son fils."),
        (Role.AGENT, "Conseillère Julie", "Merci, je regarde."),
    ]


def test_vtt_header_style_region_and_note_blocks_are_skipped_and_identifiers_name_cues():
    turns = only_transcript("voix-resiliation.vtt").turns
    first = turns[0]
    assert (first.line, first.column, first.locator) == (16, 16, "cue ouverture")
    # Cues without an identifier are numbered from 1, counting every cue.
    assert [turn.locator for turn in turns] == ["cue ouverture", "cues 2–3", "cue 5", "cue 6", "cue 6", "cue 7"]


def test_vtt_times_in_both_forms_and_merged_cues_span_first_start_to_last_end():
    turns = only_transcript("voix-resiliation.vtt").turns
    assert [(turn.start, turn.end) for turn in turns[:3]] == [(1.0, 4.5), (4.8, 9.0), (10.0, 13.0)]


def test_vtt_speaker_who_never_speaks_gives_no_turn_and_does_not_split_the_other():
    turns = only_transcript("voix-resiliation.vtt").turns
    assert "Superviseur" not in {turn.speaker for turn in turns}
    assert turns[1].locator == "cues 2–3"  # the silent cue 4 sits after them, the merge is intact


def test_vtt_two_voices_in_one_cue_are_two_turns_of_that_cue():
    turns = only_transcript("voix-resiliation.vtt").turns
    assert [(t.speaker, t.line, t.column, t.start) for t in turns[3:5]] == [("Client", 32, 11, 13.5), ("Maxime", 33, 11, 13.5)]


def test_vtt_locations_stay_exact_after_tags_entities_and_timestamps():
    lines = file_lines("voix-resiliation.vtt")
    turns = only_transcript("voix-resiliation.vtt").turns
    opening = turns[0]
    assert_located(opening, lines, opening.text.index("Fibrelia"))  # after a removed <i>
    assert_located(opening, lines, opening.text.index("Julie"))  # after a removed </i>
    merged = turns[1]
    assert merged.line_starts[0] == (0, 19, 16)
    second_line = merged.text.index("mon abonnement")
    assert merged.locate(second_line) == (20, 1)  # the cue's second line, column 1
    assert_located(merged, lines, merged.text.index("C'est pour"))  # the next cue, line 23
    assert merged.locate(merged.text.index("C'est pour"))[0] == 23
    timed = turns[2]
    assert_located(timed, lines, timed.text.index("Pouvez-vous"))  # after a <00:00:11.200> timestamp
    decoded = turns[3]
    assert_located(decoded, lines, decoded.text.index("4471"))  # after '&amp;'
    assert_located(decoded, lines, decoded.text.index("noté"))  # after '&eacute;' and '&agrave;'


def test_vtt_without_voices_uses_name_prefixes_and_leaves_other_cues_unattributed():
    transcript = only_transcript("sans-voix.vtt")
    assert summary(transcript) == [
        (Role.AGENT, "Conseiller", "Bonjour, service client, je vous écoute."),
        (Role.UNKNOWN, "Mme Lefort", "Bonjour, j'ai un souci de facture."),
        (Role.UNKNOWN, "", "Ah bon ?"),
        # "Attention :" is not a speaker name.
        (Role.UNKNOWN, "", "Attention : il y a eu une coupure."),
        (Role.UNKNOWN, "", "Oui, d'accord."),
    ]
    # Cues that name nobody are not merged: nothing says they are one person.
    assert [turn.locator for turn in transcript.turns] == ["cue 1", "cue 2", "cue 3", "cue 4", "cue 5"]
    assert [(turn.line, turn.column) for turn in transcript.turns[:3]] == [(5, 14), (9, 13), (13, 1)]


def test_vtt_bom_and_crlf():
    transcript = only_transcript("bom-crlf.vtt")
    assert summary(transcript) == [
        (Role.AGENT, "Agent", "Bonjour Madame, que puis-je pour vous ?"),
        (Role.CUSTOMER, "Customer", "Ma box ne s’allume plus."),
    ]
    assert transcript.turns[0].line_starts == [(0, 4, 10), (16, 5, 1)]
    assert transcript.turns[1].start == 3.5


def test_vtt_utf16_with_bom():
    transcript = only_transcript("utf16.vtt")
    assert summary(transcript)[1] == (Role.CUSTOMER, "Client", "Mon décodeur affiche « E-204 ».")
    assert (transcript.turns[1].line, transcript.turns[1].column) == (7, 11)


def test_vtt_broken_cues_are_reported_and_the_rest_is_read():
    transcripts, errors = read_fixture("casse.vtt")
    assert [(error.path, error.line, error.message) for error in errors] == [
        (
            "casse.vtt",
            8,
            "minutage de sous-titre mal formé « 00:00:03.000 -> 00:00:05.000 » (attendu : « hh:mm:ss.mmm --> hh:mm:ss.mmm ») : sous-titre ignoré",
        ),
        ("casse.vtt", 11, "texte hors d’un sous-titre (un sous-titre commence par une ligne « hh:mm:ss.mmm --> hh:mm:ss.mmm ») : bloc ignoré"),
        ("casse.vtt", 14, "le sous-titre 3 finit (00:00:04.000) avant de commencer (00:00:05.000)"),
        (
            "casse.vtt",
            20,
            "minutage de sous-titre mal formé « 00:00:08.500 --> 00:01:75.000 » (attendu : « hh:mm:ss.mmm --> hh:mm:ss.mmm ») : sous-titre ignoré",
        ),
    ]
    (transcript,) = transcripts
    assert summary(transcript) == [
        (Role.AGENT, "Conseiller", "Bonjour, service client."),
        # A timing line inside a cue's text starts a new cue (no blank line needed).
        (Role.CUSTOMER, "Client", "Mon colis n'est pas arrivé. Il devait arriver mardi."),
        (Role.AGENT, "Conseiller", "Je regarde votre commande."),
    ]
    # Identifiers name cues; the cue without one (after "3") is named by its rank, 4.
    assert [turn.locator for turn in transcript.turns] == ["cue 1", "cues 3–4", "cue 5"]
    assert (transcript.turns[1].start, transcript.turns[1].end) == (5.0, 8.0)


def test_vtt_missing_header_is_reported_and_cues_still_read():
    transcripts, errors = read_fixture("sans-entete.vtt")
    assert [str(error) for error in errors] == [
        "sans-entete.vtt:1:1: en-tête « WEBVTT » absent : un fichier WebVTT commence par une ligne « WEBVTT »"
    ]
    assert summary(transcripts[0]) == [(Role.CUSTOMER, "Client", "Allô ?")]


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("vide.vtt", "fichier vide : aucun sous-titre WebVTT à lire"),
        ("entete-seule.vtt", "aucun sous-titre trouvé (un sous-titre est une ligne « hh:mm:ss.mmm --> hh:mm:ss.mmm » suivie de son texte)"),
        ("vide.srt", "fichier vide : aucun sous-titre à lire"),
    ],
)
def test_files_without_cues_are_errors(name, message):
    transcripts, errors = read_fixture(name)
    assert transcripts == []
    assert [(error.path, error.line, error.message) for error in errors] == [(name, None, message)]


def test_vtt_cue_right_under_the_header_and_empty_voice_name():
    text = "WEBVTT\n00:00:01.000 --> 00:00:02.000\n<v>Allô ?\n"
    transcripts, errors = vtt.parse(text, "x.vtt")
    assert errors == []
    assert summary(transcripts[0]) == [(Role.UNKNOWN, "", "Allô ?")]
    assert (transcripts[0].turns[0].line, transcripts[0].turns[0].column) == (3, 4)


def test_vtt_voice_tag_on_its_own_line_names_the_next_lines():
    text = "WEBVTT\n\n00:01.000 --> 00:02.000\n<v Client>\nJe voudrais\n<b>résilier</b>.\n"
    (transcript,), errors = vtt.parse(text, "x.vtt")
    assert errors == []
    turn = transcript.turns[0]
    assert (turn.speaker, turn.text, turn.line, turn.column) == ("Client", "Je voudrais résilier.", 5, 1)
    assert turn.locate(turn.text.index("résilier")) == (6, 4)


def test_undecodable_bytes_are_one_error():
    transcripts, errors = vtt.read(b"WEBVTT\x00\x01", "binaire.vtt", ReaderOptions())
    assert transcripts == []
    assert [error.message for error in errors] == ["fichier binaire (il contient des octets NUL) : ce n’est pas du texte"]


# ---------------------------------------------------------------- SRT


def test_srt_prefixes_continuations_dialogue_dashes_and_brackets():
    transcript = only_transcript("prefixes-sav.srt")
    assert (transcript.id, transcript.channel) == ("prefixes-sav", "call")
    assert summary(transcript) == [
        (Role.AGENT, "Conseillère", "Bonjour, service après-vente d'Électroménager Plus."),
        # A cue without a prefix continues the previous speaker.
        (Role.CUSTOMER, "CLIENT", "Bonjour. Mon four ne chauffe plus. Depuis dimanche."),
        (Role.AGENT, "CONSEILLÈRE", "Il est sous garantie ?"),
        (Role.CUSTOMER, "Client", "Oui, jusqu'en mai."),
        # "[Conseillère]" names the speaker; "[bip]" and "[Rires]" are sounds, dropped.
        (Role.AGENT, "Conseillère", "Je vous envoie un technicien. Il reste un créneau jeudi."),
        (Role.UNKNOWN, "Technicien", "Je passerai jeudi."),
    ]
    assert [turn.locator for turn in transcript.turns] == ["cue 1", "cues 2–3", "cue 4", "cue 4", "cues 5–7", "cue 8"]


def test_srt_times_with_comma_or_dot():
    turns = only_transcript("prefixes-sav.srt").turns
    assert [(turn.start, turn.end) for turn in turns[:3]] == [(1.0, 3.5), (4.0, 8.0), (8.5, 11.0)]


def test_srt_locations_are_exact_after_prefixes_and_tags():
    lines = file_lines("prefixes-sav.srt")
    turns = only_transcript("prefixes-sav.srt").turns
    assert [(turn.line, turn.column) for turn in turns] == [(3, 15), (8, 9), (16, 17), (17, 15), (21, 43), (33, 14)]
    opening = turns[0]
    assert_located(opening, lines, opening.text.index("d'Électro"))  # second line, after <i>
    assert opening.locate(opening.text.index("d'Électro")) == (4, 4)
    for turn in turns:
        for word in turn.text.split():
            if word.isalpha():
                assert_located(turn, lines, turn.text.index(word), len(word))
    continued = turns[4]
    assert continued.locate(continued.text.index("Il reste")) == (29, 9)  # after the dropped "[Rires] "


def test_srt_cp1252_and_crlf():
    transcript = only_transcript("cp1252-crlf.srt")
    assert summary(transcript)[1] == (Role.CUSTOMER, "Cliente", "J’ai été prélevée deux fois de 49 € !")
    assert (transcript.turns[1].line, transcript.turns[1].column, transcript.turns[1].start) == (7, 11, 3.5)
    lines = file_lines("cp1252-crlf.srt", "cp1252")
    assert_located(transcript.turns[1], lines, transcript.turns[1].text.index("49 €"))


def test_srt_broken_blocks_are_reported_and_the_rest_is_read():
    transcripts, errors = read_fixture("casse.srt")
    assert [(error.line, error.message) for error in errors] == [
        (6, "sous-titre 2 sans ligne de minutage (attendu : « hh:mm:ss,mmm --> hh:mm:ss,mmm ») : sous-titre ignoré"),
        (12, "texte hors d’un sous-titre (un sous-titre est une ligne de numéro, une ligne de minutage puis son texte) : bloc ignoré"),
    ]
    (transcript,) = transcripts
    assert [(turn.speaker, turn.text, turn.locator, turn.line) for turn in transcript.turns] == [
        ("Conseiller", "Bonjour, service client.", "cue 1", 3),
        ("Client", "Mon colis est abîmé.", "cue 3", 10),
        # Cues 4, 5 and 6 follow each other without blank lines; cue 6 has extra text after its timing.
        ("Conseiller", "Je suis désolé.", "cue 4", 16),
        ("Client", "Merci.", "cue 5", 19),
        ("Conseiller", "Je vous rembourse.", "cue 6", 22),
    ]


@pytest.mark.parametrize(
    ("name", "line", "message"),
    [
        (
            "tronque.srt",
            10,
            "sous-titre 3 : ligne de minutage mal formée « 00:00:05,500 --> 00:00:0 » (attendu : « hh:mm:ss,mmm --> hh:mm:ss,mmm ») : sous-titre ignoré",
        ),
        ("tronque-numero.srt", 5, "sous-titre 2 sans ligne de minutage (attendu : « hh:mm:ss,mmm --> hh:mm:ss,mmm ») : fichier tronqué ?"),
    ],
)
def test_srt_truncated_file_keeps_its_complete_cues(name, line, message):
    transcripts, errors = read_fixture(name)
    assert [(error.line, error.message) for error in errors] == [(line, message)]
    assert transcripts[0].turns[0].text.startswith("Bonjour")


def test_srt_first_cue_without_prefix_has_no_speaker_and_unknown_role():
    text = "1\n00:00:00,000 --> 00:00:01,000\nAllô ?\n\n2\n00:00:01,000 --> 00:00:02,000\nClient : Oui ?\n"
    (transcript,), errors = srt.parse(text, "x.srt")
    assert errors == []
    assert summary(transcript) == [(Role.UNKNOWN, "", "Allô ?"), (Role.CUSTOMER, "Client", "Oui ?")]


def test_srt_sound_descriptions_are_never_speakers_and_are_dropped():
    text = (
        "1\n00:00:00,000 --> 00:00:01,000\nClient : Bonjour.\n\n"
        "2\n00:00:01,000 --> 00:00:02,000\n[Hésitation] euh, [SONNERIE] oui\n"
    )
    (transcript,), errors = srt.parse(text, "x.srt")
    assert errors == []
    (turn,) = transcript.turns
    assert (turn.speaker, turn.text, turn.locator) == ("Client", "Bonjour. euh, oui", "cues 1–2")
    assert turn.locate(turn.text.index("oui")) == (7, 30)


def test_srt_without_numbers_names_cues_by_rank():
    text = "00:00:00,000 --> 00:00:01,000\nConseiller : Bonjour.\n\n00:00:01,000 --> 00:00:02,000\nClient : Bonjour.\n"
    (transcript,), errors = srt.parse(text, "x.srt")
    assert errors == []
    assert [turn.locator for turn in transcript.turns] == ["cue 1", "cue 2"]


# ---------------------------------------------------------------- timings and sniffing


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("00:00:01.000 --> 00:00:04.500", (1.0, 4.5)),
        ("00:01.000 --> 00:04.250 align:start position:10%", (1.0, 4.25)),
        ("01:02:03,040 --> 01:02:05,000", (3723.04, 3725.0)),
        ("100:00:00.000 --> 100:00:01.5", (360000.0, 360001.5)),
        ("00:00:01 --> 00:00:02", (1.0, 2.0)),
        ("00:00:01.000 -> 00:00:02.000", None),
        ("00:00:01.000 --> ", None),
        ("00:61:00.000 --> 00:62:00.000", None),
        ("0:0:1.000 --> 0:0:2.000", None),
        ("--> 00:00:02.000", None),
    ],
)
def test_timing_lines(line, expected):
    timing = vtt.parse_timing(line)
    assert timing == (pytest.approx(expected) if expected else None)


@pytest.mark.parametrize(
    ("data", "is_vtt", "is_srt"),
    [
        (b"WEBVTT\n\n00:01.000 --> 00:02.000\nAllo\n", True, False),
        (b"\xef\xbb\xbfWEBVTT - Kind\r\n", True, False),
        ("WEBVTT\n".encode("utf-16"), True, False),
        (b"WEBVTTX\n", False, False),
        (b"1\n00:00:01,000 --> 00:00:02,000\nAllo\n", False, True),
        (b"\n\r\n1\r\n00:00:01.000 --> 00:00:02.000\r\n", False, True),
        (b"1\nConseiller : Bonjour\n", False, False),
        (b"Conseiller : Bonjour\n", False, False),
        (b"", False, False),
    ],
)
def test_sniff(data, is_vtt, is_srt):
    assert (vtt.sniff(data), srt.sniff(data)) == (is_vtt, is_srt)


def test_module_constants():
    from transcript_audit import readers

    assert (vtt.FORMAT, readers.extensions("vtt"), srt.FORMAT, readers.extensions("srt")) == ("vtt", (".vtt",), "srt", (".srt",))


# ---------------------------------------------------------------- properties

_WORDS = st.sampled_from(["Bonjour", "madame", "votre", "colis", "arrive", "jeudi", "oui", "merci", "d'accord", "É"])
_MARKUP = st.sampled_from(["", "", " ", "  ", "\t", "<i>", "</i>", "<b>", "</b>", "<c.jaune>", "</c>", "<00:00:01.500>"])


@st.composite
def cue_lines(draw):
    """A cue text line: words with markup and spaces between them, and the words in order."""
    words = draw(st.lists(_WORDS, min_size=1, max_size=8))
    parts = [draw(_MARKUP)]
    for word in words:
        parts += [word, draw(_MARKUP), " ", draw(_MARKUP)]
    return "".join(parts), words


@settings(max_examples=examples(150))
@given(st.lists(cue_lines(), min_size=1, max_size=4), st.booleans())
def test_every_word_maps_back_to_its_place_in_the_file(cue_texts, as_srt):
    if as_srt:
        header, body = "1\n00:00:01,000 --> 00:00:02,000\n", "Client : "
    else:
        header, body = "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n", "<v Client>"
    text = header + body + "\n".join(line for line, _ in cue_texts) + "\n"
    module = srt if as_srt else vtt
    (transcript,), errors = module.parse(text, "p")
    assert errors == []
    (turn,) = transcript.turns
    assert turn.text.split() == [word for _, words in cue_texts for word in words]
    lines = text.split("\n")
    position = 0
    for word in turn.text.split():
        position = turn.text.index(word, position)
        line, column = turn.locate(position)
        assert lines[line - 1][column - 1 : column - 1 + len(word)] == word
        position += len(word)


# ---------------------------------------------------------------- samples


def test_samples_read_cleanly():
    call, errors = vtt.read((SAMPLES / "appel-resiliation-sous-titres.vtt").read_bytes(), "a.vtt", ReaderOptions())
    assert errors == []
    assert {(turn.role, turn.speaker) for turn in call[0].turns} == {(Role.AGENT, "Conseiller"), (Role.CUSTOMER, "Client")}
    assert call[0].turns[-1].locator == "cue 17"
    call, errors = srt.read((SAMPLES / "appel-sav-lave-linge.srt").read_bytes(), "a.srt", ReaderOptions())
    assert errors == []
    assert {(turn.role, turn.speaker) for turn in call[0].turns} == {(Role.AGENT, "Conseillère"), (Role.CUSTOMER, "Client")}
    assert call[0].turns[-1].text == "D'accord. Au revoir."
