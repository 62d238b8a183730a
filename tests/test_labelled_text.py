"""The speaker-labelled text reader: labels, roles, timestamps, continuations, headers, encodings.

Every problem with an input file must come back as a located ``ReadError``;
the reader never raises. No spaCy model is needed here.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from transcript_audit.model import ReadError, Role
from transcript_audit.readers import discover, labelled_text, read_file
from transcript_audit.readers.base import ReaderOptions, guess_channel

from .conftest import examples


def parse(text: str, path: str = "t.txt"):
    """The one transcript of ``text``, asserting the reader reported nothing."""
    transcripts, errors = labelled_text.parse(text, path)
    assert errors == [], [str(error) for error in errors]
    assert len(transcripts) == 1
    return transcripts[0]


def read_bytes(tmp_path: Path, data: bytes, name: str = "conversation.txt"):
    path = tmp_path / name
    path.write_bytes(data)
    # A neutral display path, so the channel is never guessed from pytest's tmp folder names.
    return labelled_text.read(path.read_bytes(), name)


# ---------------------------------------------------------------- labels and spacing


@pytest.mark.parametrize(
    "line",
    [
        "Conseiller : Bonjour",
        "Conseiller: Bonjour",
        "Conseiller:Bonjour",
        "Conseiller  :  Bonjour",
        "Conseiller :   Bonjour",
        "Conseiller\t: Bonjour",
        "Conseiller\u00a0: Bonjour",  # French typography: non-breaking space before ':'
        "Conseiller\u202f: Bonjour",  # narrow non-breaking space
        "Conseiller\u202f:\u00a0Bonjour",
    ],
)
def test_label_colon_text_with_any_spacing(line):
    turn = parse(line).turns[0]
    assert (turn.role, turn.speaker, turn.text) == (Role.AGENT, "Conseiller", "Bonjour")
    assert (turn.line, line[turn.column - 1 :]) == (1, "Bonjour")


@pytest.mark.parametrize(
    ("label", "role"),
    [
        ("Conseiller", Role.AGENT),
        ("conseillère", Role.AGENT),
        ("CONSEILLERE", Role.AGENT),
        ("CONSEILLÈRE", Role.AGENT),
        ("Conseiller(e)", Role.AGENT),
        ("Agent", Role.AGENT),
        ("Opérateur", Role.AGENT),
        ("Opératrice", Role.AGENT),
        ("Téléconseiller", Role.AGENT),
        ("Téléconseillère", Role.AGENT),
        ("Téléconseiller(e)", Role.AGENT),
        ("Support", Role.AGENT),
        ("Service client", Role.AGENT),
        ("SERVICE CLIENT", Role.AGENT),
        ("Client", Role.CUSTOMER),
        ("Cliente", Role.CUSTOMER),
        ("Customer", Role.CUSTOMER),
        ("Appelant", Role.CUSTOMER),
        ("Appelante", Role.CUSTOMER),
        ("Appelant(e)", Role.CUSTOMER),
        ("Usager", Role.CUSTOMER),
        ("Abonné", Role.CUSTOMER),
        ("abonnee", Role.CUSTOMER),
        ("Abonné(e)", Role.CUSTOMER),
    ],
)
def test_known_labels_give_the_role_whatever_case_and_accents(label, role):
    turn = parse(f"{label} : Bonjour").turns[0]
    assert (turn.role, turn.speaker, turn.text) == (role, label, "Bonjour")


@pytest.mark.parametrize(
    ("label", "role"),
    [("Conseillère Julie", Role.AGENT), ("Client (M. Durand)", Role.CUSTOMER), ("Cliente Mme Lefort", Role.CUSTOMER)],
)
def test_a_label_followed_by_a_name_keeps_the_role_and_the_whole_speaker(label, role):
    turn = parse(f"{label} : Bonjour").turns[0]
    assert (turn.role, turn.speaker, turn.text) == (role, label, "Bonjour")


def test_turns_keep_their_order_lines_and_columns():
    transcript = parse("Client : Bonjour\nConseillère : Bonjour madame\nClient: Merci")
    assert [(t.role, t.line, t.column, t.text) for t in transcript.turns] == [
        (Role.CUSTOMER, 1, 10, "Bonjour"),
        (Role.AGENT, 2, 15, "Bonjour madame"),
        (Role.CUSTOMER, 3, 9, "Merci"),
    ]


# ---------------------------------------------------------------- timestamps


@pytest.mark.parametrize(
    ("line", "start"),
    [
        ("[00:01:23] Conseiller : Bonjour", 83.0),
        ("[01:23] Conseiller : Bonjour", 83.0),
        ("00:01:23 Conseiller : Bonjour", 83.0),
        ("(00:01:23) Conseiller : Bonjour", 83.0),
        ("[00:01:23] - Conseiller : Bonjour", 83.0),
        ("[1:02:03] Conseiller : Bonjour", 3723.0),
        ("[00:01:23.500] Conseiller : Bonjour", 83.5),
        ("Conseiller : Bonjour", None),
    ],
)
def test_timestamp_before_the_label_gives_the_start_in_seconds(line, start):
    turn = parse(line).turns[0]
    assert (turn.start, turn.speaker, turn.text) == (start, "Conseiller", "Bonjour")
    assert line[turn.column - 1 :] == "Bonjour"


def test_a_timestamp_alone_on_its_line_is_not_text():
    transcript = parse("Conseiller : Bonjour\n[00:00:12]\nClient : Merci")
    assert [t.text for t in transcript.turns] == ["Bonjour", "Merci"]


# ---------------------------------------------------------------- continuation lines


def test_unlabelled_lines_continue_the_previous_turn():
    transcript = parse(
        "Client : Bonjour,\n"
        "    je vous écris pour ma commande.\n"
        "\n"
        "Elle n'est jamais arrivée.\n"
        "Conseiller : Je regarde.\n"
    )
    assert [(t.role, t.line, t.text) for t in transcript.turns] == [
        (Role.CUSTOMER, 1, "Bonjour,\nje vous écris pour ma commande.\nElle n'est jamais arrivée."),
        (Role.AGENT, 5, "Je regarde."),
    ]


@pytest.mark.parametrize(
    "field_line",
    ["Objet : retard de livraison", "Tél : 06 12 34 56 78", "Tél. : 06 12 34 56 78", "Date : 12/03/2024", "Réf : AB-1234", "PS : merci"],
)
def test_a_form_field_inside_a_turn_is_a_continuation_not_a_label(field_line):
    transcript = parse(f"Client : Bonjour,\n{field_line}\nConseiller : Bien reçu.")
    assert [t.text for t in transcript.turns] == [f"Bonjour,\n{field_line}", "Bien reçu."]


def test_an_indented_line_that_looks_like_a_label_is_a_continuation():
    transcript = parse("Client : Bonjour,\n  Client : 4567 (mon numéro)\nConseiller : Merci.")
    assert [t.text for t in transcript.turns] == ["Bonjour,\nClient : 4567 (mon numéro)", "Merci."]


def test_locate_maps_an_offset_in_a_continuation_line_to_its_file_position():
    source = "Conseiller : Bonjour Madame,\n    votre colis arrive\n\nmardi prochain.\nClient : Merci"
    lines = source.split("\n")
    turn = parse(source).turns[0]
    assert turn.text == "Bonjour Madame,\nvotre colis arrive\nmardi prochain."
    assert turn.locate(turn.text.index("Madame")) == (1, 22)
    assert turn.locate(turn.text.index("colis")) == (2, 11)
    assert turn.locate(turn.text.index("prochain")) == (4, 7)
    line, column = turn.locate(turn.text.index("colis"))
    assert lines[line - 1][column - 1 :].startswith("colis arrive")


def test_locate_in_a_turn_whose_label_line_is_empty():
    turn = parse("Client :\n  Bonjour,\n  ma box ne marche plus.").turns[0]
    assert turn.text == "Bonjour,\nma box ne marche plus."
    assert turn.locate(0) == (2, 3)
    assert turn.locate(turn.text.index("box")) == (3, 6)


_WORDS = st.from_regex(r"[A-Za-zéèàçô][A-Za-zéèàçô0-9 ,.'’!?()-]{0,25}", fullmatch=True)


@settings(max_examples=examples(60))
@given(
    first=_WORDS,
    continuations=st.lists(st.tuples(st.sampled_from(["", " ", "  ", "\t", "    "]), _WORDS), max_size=5),
)
def test_every_character_of_a_turn_locates_back_to_the_same_character_in_the_file(first, continuations):
    # Indented lines are always continuations, whatever they contain.
    lines = [f"Client : {first}"] + [f"  {indent}{words}" for indent, words in continuations]
    turn = parse("\n".join(lines)).turns[0]
    for offset, char in enumerate(turn.text):
        if char == "\n":
            continue
        line, column = turn.locate(offset)
        assert lines[line - 1][column - 1] == char, (offset, line, column)


# ---------------------------------------------------------------- headers


def test_headers_set_channel_id_and_declared_speaker_names():
    transcript = parse(
        "# channel: email\n"
        "# id: abc\n"
        "# agent: Kevin\n"
        "# customer: Mme Lefort\n"
        "Mme Lefort : Bonjour, où est mon colis ?\n"
        "Kevin : Il arrive demain.\n",
        path="chat/export.txt",  # the header wins over the folder name
    )
    assert (transcript.channel, transcript.id, transcript.agent, transcript.customer) == ("email", "abc", "Kevin", "Mme Lefort")
    assert [(t.speaker, t.role, t.line) for t in transcript.turns] == [
        ("Mme Lefort", Role.CUSTOMER, 5),
        ("Kevin", Role.AGENT, 6),
    ]


def test_declared_names_are_matched_case_and_accent_insensitively():
    transcript = parse("# agent: Hélène\nHELENE : Bonjour\nClient : Bonjour")
    assert transcript.turns[0].role is Role.AGENT


def test_without_headers_the_channel_comes_from_the_path_and_the_id_is_the_default():
    transcripts, errors = labelled_text.parse("Conseiller : Bonjour", "exports/chat/conv.txt", default_id="conv")
    assert errors == []
    assert (transcripts[0].channel, transcripts[0].id, transcripts[0].agent) == ("chat", "conv", None)


def test_an_unknown_header_key_is_reported_with_its_line_and_a_hint():
    transcripts, errors = labelled_text.parse("# id: abc\n# chanel: email\nConseiller : Bonjour", "t.txt")
    assert [(e.path, e.line, e.column) for e in errors] == [("t.txt", 2, 1)]
    assert "chanel" in errors[0].message and "vouliez-vous dire « channel »" in errors[0].message
    assert str(errors[0]).startswith("t.txt:2:1: ")
    assert transcripts[0].id == "abc"  # the rest of the file is still read


def test_an_unknown_channel_value_is_reported_and_not_used():
    transcripts, errors = labelled_text.parse("# channel: fax\nConseiller : Bonjour", "t.txt")
    assert [(e.path, e.line) for e in errors] == [("t.txt", 1)]
    assert "fax" in errors[0].message
    assert transcripts[0].channel == "call"


def test_a_channel_header_is_case_and_accent_insensitive():
    assert parse("# channel: Chat\nConseiller : Bonjour").channel == "chat"
    assert parse("# Channel:  EMAIL \nConseiller : Bonjour").channel == "email"


def test_a_hash_line_after_the_first_turn_is_text_not_a_header():
    transcript = parse("Client : Ma commande\n# 12345\nConseiller : Merci")
    assert transcript.turns[0].text == "Ma commande\n# 12345"


# ---------------------------------------------------------------- errors in the text


def test_an_unknown_label_is_reported_at_its_line_and_column_and_kept_apart():
    transcripts, errors = labelled_text.parse("Conseiller : Bonjour\n[00:00:05] Technicien : Je passe demain.", "t.txt")
    assert [(e.path, e.line, e.column) for e in errors] == [("t.txt", 2, 12)]
    assert "Technicien" in errors[0].message
    assert str(errors[0]).startswith("t.txt:2:12: ")
    turn = transcripts[0].turns[1]
    assert (turn.role, turn.speaker, turn.text, turn.start) == (Role.UNKNOWN, "Technicien", "Je passe demain.", 5.0)


def test_text_before_the_first_turn_is_reported_with_its_line():
    transcripts, errors = labelled_text.parse("\nBonjour à tous\nConseiller : Bonjour", "t.txt")
    assert [(e.path, e.line, e.column) for e in errors] == [("t.txt", 2, 1)]
    assert [t.text for t in transcripts[0].turns] == ["Bonjour"]


@pytest.mark.parametrize("text", ["", "\n\n", "juste du texte, sans étiquette", "# channel: email\n# id: x\n"])
def test_a_text_without_any_turn_is_an_error_not_an_empty_transcript(text):
    transcripts, errors = labelled_text.parse(text, "t.txt")
    assert transcripts == []
    assert errors and all(isinstance(e, ReadError) and e.path == "t.txt" for e in errors)
    assert any("aucun tour de parole" in e.message for e in errors)


@settings(max_examples=examples(150))
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=200))
def test_parse_never_raises_and_locates_every_turn_inside_the_text(text):
    transcripts, errors = labelled_text.parse(text, "t.txt")
    line_count = len(text.replace("\r\n", "\n").replace("\r", "\n").split("\n"))
    assert all(isinstance(e, ReadError) for e in errors)
    assert all(e.line is None or 1 <= e.line <= line_count for e in errors)
    for transcript in transcripts:
        assert transcript.turns
        assert all(1 <= turn.line <= line_count for turn in transcript.turns)
    assert transcripts or errors


# ---------------------------------------------------------------- files and encodings


def test_read_uses_the_display_path_and_the_file_stem_as_id(tmp_path):
    path = tmp_path / "appel-42.txt"
    path.write_text("Conseiller : Bonjour", encoding="utf-8")
    transcripts, errors = labelled_text.read(path.read_bytes(), "exports/appel-42.txt")
    assert errors == []
    assert (transcripts[0].id, transcripts[0].path, transcripts[0].channel) == ("appel-42", "exports/appel-42.txt", "call")


def test_an_empty_file_is_a_read_error(tmp_path):
    transcripts, errors = read_bytes(tmp_path, b"")
    assert transcripts == []
    assert [e.path for e in errors] == ["conversation.txt"]


@pytest.mark.parametrize(
    "data",
    [
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00",
        b"Conseiller : Bonjour\x00\x00\x01\x02",
        b"PK\x03\x04\x14\x00\x00\x00\x08\x00",
        b"Conseiller : \x81\x8d\x8f",  # bytes undefined in Windows-1252 too
        b"\xff\xfe\x00",  # a UTF-16 BOM followed by an odd number of bytes
        b"\xfe\xff\xd8\x00\x00A",  # a UTF-16 BOM followed by a lone surrogate
    ],
    ids=["png", "nul-bytes", "zip", "not-cp1252", "utf16-odd-length", "utf16-lone-surrogate"],
)
def test_a_binary_file_is_a_read_error_never_an_exception(tmp_path, data):
    transcripts, errors = read_bytes(tmp_path, data)
    assert transcripts == []
    assert len(errors) == 1 and errors[0].path == "conversation.txt"


def test_a_missing_file_is_a_read_error(tmp_path):
    transcripts, errors = read_file(tmp_path / "absent.txt", ReaderOptions())
    assert transcripts == []
    assert [(e.path.rsplit("/", 1)[-1], e.line) for e in errors] == [("absent.txt", None)]
    assert "fichier illisible" in errors[0].message


def test_a_folder_given_as_a_file_is_a_read_error(tmp_path):
    transcripts, errors = read_file(tmp_path, ReaderOptions())
    assert transcripts == []
    assert len(errors) == 1 and "fichier illisible" in errors[0].message


def test_utf8_with_bom_reads_the_first_header(tmp_path):
    transcripts, errors = read_bytes(tmp_path, "\ufeff# channel: chat\nConseillère : Désolé".encode("utf-8"))
    assert errors == []
    assert transcripts[0].channel == "chat"
    assert transcripts[0].turns[0].line == 2


def test_utf8_with_bom_before_a_label(tmp_path):
    transcripts, errors = read_bytes(tmp_path, "\ufeffConseillère : Désolé".encode("utf-8"))
    assert errors == []
    assert (transcripts[0].turns[0].speaker, transcripts[0].turns[0].column) == ("Conseillère", 15)


def test_crlf_line_endings_keep_line_numbers_and_leave_no_carriage_return(tmp_path):
    source = "Conseiller : Bonjour\r\n  comment allez-vous ?\r\n\r\nClient : Mal.\r\n"
    transcripts, errors = read_bytes(tmp_path, source.encode("utf-8"))
    assert errors == []
    turns = transcripts[0].turns
    assert [(t.line, t.text) for t in turns] == [(1, "Bonjour\ncomment allez-vous ?"), (4, "Mal.")]
    assert not any("\r" in t.text or "\r" in t.speaker for t in turns)
    assert turns[0].locate(turns[0].text.index("comment")) == (2, 3)


def test_lone_carriage_returns_are_line_breaks(tmp_path):
    transcripts, errors = read_bytes(tmp_path, b"Conseiller : Bonjour\rClient : Merci\r")
    assert errors == []
    assert [(t.line, t.role, t.text) for t in transcripts[0].turns] == [(1, Role.AGENT, "Bonjour"), (2, Role.CUSTOMER, "Merci")]


def test_windows_1252_bytes_decode_correctly(tmp_path):
    source = "Conseillère : Désolé pour l’attente – 10 €\r\nClient : Ça ira.\r\n"
    transcripts, errors = read_bytes(tmp_path, source.encode("cp1252"))
    assert errors == []
    turns = transcripts[0].turns
    assert [(t.role, t.speaker, t.text) for t in turns] == [
        (Role.AGENT, "Conseillère", "Désolé pour l’attente – 10 €"),
        (Role.CUSTOMER, "Client", "Ça ira."),
    ]


def test_utf16_with_bom_decodes(tmp_path):
    transcripts, errors = read_bytes(tmp_path, "Conseillère : Désolé\nClient : Bien.".encode("utf-16"))
    assert errors == []
    assert [t.text for t in transcripts[0].turns] == ["Désolé", "Bien."]


# ---------------------------------------------------------------- channel from the path


@pytest.mark.parametrize(
    ("path", "channel"),
    [
        ("exports/emails/2024-03.txt", "email"),
        ("E-MAIL/relance.txt", "email"),
        ("courriels/x.txt", "email"),
        ("chat-billet-train.txt", "chat"),
        ("Tchat/conv-12.txt", "chat"),
        ("whatsapp/conv.txt", "chat"),
        ("macros/relance.txt", "canned"),
        ("templates/excuse.txt", "canned"),
        ("appel-energie.txt", "call"),
        ("details/retail.txt", "call"),  # "mail" inside a word is no hint
        ("conversation.txt", "call"),
    ],
)
def test_guess_channel_from_the_path(path, channel):
    assert guess_channel(path) == channel


# ---------------------------------------------------------------- discovering files


def make_tree(root: Path) -> None:
    for name in ["b/2.txt", "a/1.txt", "a/sub/3.TXT", "a/notes.md", ".cache/hidden.txt", "a/.git/x.txt", "z.txt"]:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("Conseiller : Bonjour", encoding="utf-8")


def test_discover_walks_a_folder_recursively_in_sorted_order_txt_only(tmp_path):
    make_tree(tmp_path)
    found = [path.relative_to(tmp_path).as_posix() for path in discover([tmp_path])]
    assert found == ["a/1.txt", "a/sub/3.TXT", "b/2.txt", "z.txt"]


def test_discover_include_patterns_replace_the_default(tmp_path):
    make_tree(tmp_path)
    found = [path.relative_to(tmp_path).as_posix() for path in discover([tmp_path], include=["*.md"])]
    assert found == ["a/notes.md"]


def test_discover_always_yields_a_file_named_explicitly(tmp_path):
    make_tree(tmp_path)
    assert list(discover([tmp_path / "a" / "notes.md"])) == [tmp_path / "a" / "notes.md"]


def test_discover_yields_a_read_error_for_a_missing_path_and_goes_on(tmp_path):
    make_tree(tmp_path)
    missing = tmp_path / "absent"
    found = list(discover([missing, tmp_path / "b"]))
    assert found == [ReadError(str(missing), None, "fichier ou dossier introuvable"), tmp_path / "b" / "2.txt"]


@pytest.mark.parametrize(
    "line",
    [
        "Voici le lien : https://exemple.fr/suivi",
        "Numéro de commande : 1234",
        "Rendez-vous demain à 14:30 chez vous.",
    ],
)
def test_an_unindented_sentence_with_a_colon_continues_the_turn(line):
    transcripts, errors = labelled_text.parse(f"Conseiller : Bonjour.\n{line}\nClient : Merci.", "t.txt")
    assert errors == []
    assert [turn.text for turn in transcripts[0].turns] == [f"Bonjour.\n{line}", "Merci."]


def test_a_name_like_unknown_label_is_still_reported():
    transcripts, errors = labelled_text.parse("Conseiller : Bonjour.\nMme Lefort : Bonjour.", "t.txt")
    assert [(e.line, e.column) for e in errors] == [(2, 1)]
    assert "Mme Lefort" in errors[0].message
    assert transcripts[0].turns[1].role is Role.UNKNOWN


def test_a_timestamp_alone_on_its_line_dates_the_next_turn():
    transcripts, errors = labelled_text.parse("[00:01:05]\nConseiller : Bonjour.\nClient : Bonjour.", "t.txt")
    assert errors == []
    assert [turn.start for turn in transcripts[0].turns] == [65.0, None]


@pytest.mark.parametrize(
    ("stamp", "expected"),
    [
        ("[2024-03-05 14:02]", 1709647320.0),
        ("[2024-03-05T14:02:30]", 1709647350.0),
        ("[05/03/2024 14h02]", 1709647320.0),
        ("05/03/2024 14:02", 1709647320.0),
    ],
)
def test_a_date_and_time_gives_posix_seconds_for_e_mail_threads(stamp, expected):
    transcripts, errors = labelled_text.parse(f"{stamp} Client : Bonjour,", "t.txt")
    assert errors == []
    assert transcripts[0].turns[0].start == expected


@pytest.mark.parametrize(
    ("stamp", "expected"),
    [
        ("[2024-03-05 9:02]", 1709629320.0),  # one-digit hours were reported as invalid dates
        ("[5/3/2024 9h02]", 1709629320.0),
        ("[03/25/2024 10:00]", 1711360800.0),  # month first when day first is impossible, as in CSV exports
    ],
)
def test_dates_are_read_by_the_same_rules_as_in_csv_exports(stamp, expected):
    transcripts, errors = labelled_text.parse(f"{stamp} Client : Bonjour,", "t.txt")
    assert errors == []
    assert transcripts[0].turns[0].start == expected


def test_an_impossible_date_is_reported_and_the_turn_kept():
    transcripts, errors = labelled_text.parse("[2024-13-45 14:02] Client : Bonjour,", "t.txt")
    assert [(e.line, "date ou heure invalide" in e.message) for e in errors] == [(1, True)]
    assert transcripts[0].turns[0].start is None
