"""The CSV/TSV reader: ticket and chat exports, canned-response libraries, dialects, times and errors.

Every problem with an input file must come back as a located ``ReadError``;
the reader never raises. No spaCy model is needed here.
"""

from __future__ import annotations

import csv
import io
from datetime import datetime, timezone
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from transcript_audit.model import Role
from transcript_audit.readers import csv_table
from transcript_audit.readers.dates import parse_time
from transcript_audit.readers.base import ReaderOptions

from .conftest import examples

FIXTURES = Path(__file__).parent / "fixtures" / "csv"
SAMPLES = Path(__file__).resolve().parents[1] / "samples"


def read_fixture(name: str, **options):
    return csv_table.read((FIXTURES / name).read_bytes(), name, ReaderOptions(**options))


def read_text(text: str, name: str = "export.csv", **options):
    return csv_table.read(text.encode("utf-8"), name, ReaderOptions(**options))


def read_ok(text: str, name: str = "export.csv", **options):
    transcripts, errors = read_text(text, name, **options)
    assert errors == [], [str(error) for error in errors]
    return transcripts


def posix(text: str) -> float:
    return datetime.fromisoformat(text).replace(tzinfo=timezone.utc).timestamp()


def summary(transcript):
    return [(turn.role, turn.speaker, turn.locator, turn.line) for turn in transcript.turns]


# ---------------------------------------------------------------- Zendesk-like comma export


def test_zendesk_export_groups_tickets_and_orders_messages_by_time():
    transcripts, errors = read_fixture("export-zendesk.csv")
    assert errors == []
    assert [t.id for t in transcripts] == ["export-zendesk#4512", "export-zendesk#4513"]
    first, second = transcripts
    # The export lists the agent's reply first; time order puts the customer first.
    assert summary(first) == [
        (Role.CUSTOMER, "Claire Roux", "row 2", 8),
        (Role.AGENT, "Julie Marchand", "row 1", 2),
    ]
    assert first.turns[0].start == posix("2024-03-05T18:40:12")
    assert first.turns[1].start == posix("2024-03-06T09:15:00")
    assert all(turn.column is None for turn in first.turns)
    assert (first.channel, second.channel) == ("email", "email")  # "email" and "web" (a web form)


def test_zendesk_quoted_body_keeps_paragraphs_commas_and_doubled_quotes():
    first = read_fixture("export-zendesk.csv")[0][0]
    assert first.turns[0].text == (
        "Bonjour,\nMa commande n°88-1204 devait arriver samedi, et toujours rien. "
        "Le suivi dit \"en cours d'acheminement\" depuis 4 jours.\nMerci de me répondre vite."
    )
    # Blank lines go, as in the other readers' e-mail bodies.
    assert first.turns[1].text.split("\n") == [
        "Bonjour Madame Roux,", "Je suis désolée pour ce retard. Votre colis est reparti ce matin, "
        "vous le recevrez jeudi.", "Bien cordialement,", "Julie",
    ]


def test_internal_notes_system_messages_and_empty_bodies_are_left_out_with_a_note():
    first, second = read_fixture("export-zendesk.csv")[0]
    assert "Transporteur" not in " ".join(turn.text for turn in first.turns)
    assert first.notes == ["1 note(s) interne(s) (public = false) ignorée(s)."]
    # Row 5 is written by the system, row 6 has an empty body.
    assert summary(second) == [
        (Role.CUSTOMER, "Paul Nguyen", "row 4", 12),
        (Role.AGENT, "Karim Belaïd", "row 7", 15),
    ]
    assert second.notes == ["1 message(s) système ignoré(s)."]
    assert second.turns[0].start == posix("2024-03-06T09:02:00")  # +01:00 taken into account


# ---------------------------------------------------------------- French Excel: semicolons, cp1252, CRLF


def test_french_excel_export_in_cp1252_with_semicolons_and_multiline_bodies():
    transcripts, errors = read_fixture("export-sav-excel.csv")
    assert errors == []
    assert [t.id for t in transcripts] == ["export-sav-excel#SAV-3301", "export-sav-excel#SAV-3302"]
    ticket = transcripts[0]
    assert ticket.channel == "chat"  # no channel column, nothing in the file name
    assert ticket.turns[0].text == (
        "Bonjour,\nmon lave-linge affiche l’erreur « E21 » ; il ne vidange plus.\nFacture de 489 € jointe."
    )
    assert ticket.turns[2].text == (
        "Madame,\nvotre article sera pris en charge par le back-office ; "
        'un technicien passera "prochainement".\nCordialement'
    )


def test_date_and_clock_columns_combine_and_rows_without_time_keep_their_place():
    ticket = read_fixture("export-sav-excel.csv")[0][0]
    # Rows 1 (09:12), 2 (11:47), 3 (no date: stays after row 2), 5 (10:03).
    assert summary(ticket) == [
        (Role.CUSTOMER, "Mme Lefort", "row 1", 2),
        (Role.CUSTOMER, "Mme Lefort", "row 5", 11),
        (Role.AGENT, "Sébastien", "row 2", 5),
        (Role.CUSTOMER, "Mme Lefort", "row 3", 9),
    ]
    assert [turn.start for turn in ticket.turns] == [
        posix("2024-02-12T09:12"), posix("2024-02-12T10:03"), posix("2024-02-12T11:47"), None,
    ]


# ---------------------------------------------------------------- TSV chat log


def test_tsv_chat_log_with_bom_direction_roles_and_epoch_milliseconds():
    transcripts, errors = read_fixture("chat-log.tsv")
    assert errors == []
    assert [t.id for t in transcripts] == ["chat-log#c-77", "chat-log#c-78"]
    chat = transcripts[0]
    assert chat.channel == "chat"
    # The assistant's row is empty: that speaker never speaks and gets no turn.
    assert summary(chat) == [
        (Role.CUSTOMER, "visiteur-5521", "row 1", 2),
        (Role.AGENT, "Nadia", "row 3", 4),
        (Role.CUSTOMER, "visiteur-5521", "row 4", 5),
        (Role.AGENT, "Nadia", "row 5", 6),
    ]
    assert chat.turns[0].start == 1709200800.0
    assert chat.turns[2].start is None
    assert chat.turns[2].text == "0412 887 301"


# ---------------------------------------------------------------- HTML bodies and e-mail senders


def test_html_body_is_reduced_to_its_words():
    chat = read_fixture("helpdesk-html.csv")[0][0]
    assert [turn.role for turn in chat.turns] == [Role.CUSTOMER, Role.AGENT]  # "customer", "operator"
    assert chat.turns[0].text == "Bonjour,\nje n'arrive pas à me connecter.\nMerci !"
    assert chat.turns[1].text == "Bonjour Léa,\nVotre mot de passe a été réinitialisé."
    assert chat.turns[1].line == 4


def test_agent_domain_tells_senders_apart_when_there_is_no_role_column():
    text = (
        "ticket,from,body\n"
        "1,Léa Martin <lea.martin@example.org>,Bonjour j'ai une question\n"
        "1,Julie Petit <julie@support.boutique.fr>,Bonjour Léa\n"
    )
    unknown = read_ok(text)[0]
    assert [turn.role for turn in unknown.turns] == [Role.UNKNOWN, Role.UNKNOWN]
    known = read_ok(text, agent_domains=("boutique.fr",))[0]
    assert [turn.role for turn in known.turns] == [Role.CUSTOMER, Role.AGENT]


# ---------------------------------------------------------------- roles


@pytest.mark.parametrize(
    ("value", "role"),
    [
        ("end-user", Role.CUSTOMER), ("End_User", Role.CUSTOMER), ("requester", Role.CUSTOMER),
        ("visitor", Role.CUSTOMER), ("Client", Role.CUSTOMER), ("customer", Role.CUSTOMER),
        ("user", Role.CUSTOMER), ("inbound", Role.CUSTOMER),
        ("agent", Role.AGENT), ("Staff", Role.AGENT), ("admin", Role.AGENT), ("operator", Role.AGENT),
        ("bot", Role.AGENT), ("Conseillère", Role.AGENT), ("outbound", Role.AGENT),
    ],
)
def test_role_values(value, role):
    turn = read_ok(f"ticket,role,author,body\n1,{value},Sam,Bonjour\n")[0].turns[0]
    assert (turn.role, turn.speaker) == (role, "Sam")


@pytest.mark.parametrize(("value", "role"), [("true", Role.AGENT), ("1", Role.AGENT), ("false", Role.CUSTOMER), ("non", Role.CUSTOMER)])
def test_is_agent_column(value, role):
    turn = read_ok(f"chat_id;is_agent;message\n1;{value};Bonjour\n")[0].turns[0]
    assert turn.role is role


def test_system_rows_are_skipped_without_error():
    transcript = read_ok("ticket,author_type,body\n1,end-user,Bonjour\n1,system,Ticket fermé\n")[0]
    assert [turn.text for turn in transcript.turns] == ["Bonjour"]


def test_unknown_role_value_is_reported_once_and_the_speaker_is_kept():
    transcripts, errors = read_text(
        "ticket,author_type,author,body\n1,moderator,Alex,Bonjour\n1,moderator,Alex,Encore\n1,agent,Julie,Oui\n"
    )
    assert [str(error) for error in errors] == [
        "export.csv:2: ligne de données 1 : valeur inconnue « moderator » dans la colonne « author_type » (valeurs "
        "attendues du type « agent », « end-user », « inbound », « outbound ») ; ses messages gardent un rôle inconnu"
    ]
    assert [(turn.role, turn.speaker) for turn in transcripts[0].turns] == [
        (Role.UNKNOWN, "Alex"), (Role.UNKNOWN, "Alex"), (Role.AGENT, "Julie"),
    ]


def test_without_role_column_speaker_labels_give_roles_else_unknown_for_the_registry():
    transcript = read_ok("auteur;message\nConseiller;Bonjour\nClient;Salut\nSPEAKER_01;Euh\n")[0]
    assert [(turn.role, turn.speaker) for turn in transcript.turns] == [
        (Role.AGENT, "Conseiller"), (Role.CUSTOMER, "Client"), (Role.UNKNOWN, "SPEAKER_01"),
    ]
    assert transcript.id == "export"  # no conversation column: the whole file is one conversation


def test_no_role_and_no_speaker_column_is_an_error():
    transcripts, errors = read_text("ticket,body\n1,Bonjour\n")
    assert transcripts == []
    assert len(errors) == 1 and errors[0].line == 1
    assert "aucune colonne de rôle ni d’auteur" in errors[0].message and "« ticket », « body »" in errors[0].message


# ---------------------------------------------------------------- headers and --columns


def test_headers_are_recognised_whatever_the_case_accents_and_separators():
    transcript = read_ok(
        "NUMÉRO-TICKET;Date_Création;Type Auteur;CORPS\n"
        "T1;2024-03-05 14:02:11;client;Bonjour\n"
        "T1;05/03/2024 14:05;conseiller;Bonjour madame\n"
    )[0]
    assert transcript.id == "export#T1"
    assert [(turn.role, turn.text, turn.start) for turn in transcript.turns] == [
        (Role.CUSTOMER, "Bonjour", posix("2024-03-05T14:02:11")),
        (Role.AGENT, "Bonjour madame", posix("2024-03-05T14:05")),
    ]


def test_columns_option_overrides_detection():
    text = "Dossier client,Qui,Quand,Mot\n9,Client,2024-01-02 10:00,Bonjour\n9,Conseiller,2024-01-02 09:00,Avant\n"
    transcripts, errors = read_text(text)
    assert errors and "aucune colonne de texte des messages" in errors[0].message
    columns = {"conversation": "dossier client", "role": "QUI", "time": "Quand", "text": "mot"}
    transcript = read_ok(text, columns=columns)[0]
    assert transcript.id == "export#9"
    assert [(turn.role, turn.text) for turn in transcript.turns] == [(Role.AGENT, "Avant"), (Role.CUSTOMER, "Bonjour")]


def test_columns_option_naming_a_missing_header_lists_the_headers():
    transcripts, errors = read_text("ticket,role,body\n1,client,Bonjour\n", columns={"text": "Message"})
    assert transcripts == []
    assert [str(error) for error in errors] == [
        "export.csv:1: aucune colonne « Message » pour le champ text (colonnes : « ticket », « role », « body »)"
    ]


def test_columns_option_with_an_unknown_field():
    transcripts, errors = read_text("ticket,role,body\n1,client,Bonjour\n", columns={"corps": "body"})
    assert transcripts == []
    assert "champ de colonne inconnu « corps »" in errors[0].message


def test_rows_without_conversation_id_continue_the_previous_ticket():
    transcripts, errors = read_text("ticket,role,body\n,client,Orphelin\n5,client,Bonjour\n,conseiller,Bonjour !\n")
    assert [str(error) for error in errors] == [
        "export.csv:2: la ligne de données 1 n’a pas de « ticket » et ne suit aucune autre ligne : ligne ignorée"
    ]
    assert [(t.id, [turn.locator for turn in t.turns]) for t in transcripts] == [("export#5", ["row 2", "row 3"])]


# ---------------------------------------------------------------- dialects


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_delimiters(delimiter):
    rows = [["ticket", "role", "message"], ["1", "client", "Bonjour, j'ai un souci ; vraiment"], ["1", "agent", "Je regarde"]]
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator="\n").writerows(rows)
    transcript = read_ok(buffer.getvalue())[0]
    assert [turn.text for turn in transcript.turns] == ["Bonjour, j'ai un souci ; vraiment", "Je regarde"]


def test_tsv_extension_means_tabs_even_when_the_header_has_commas():
    transcript = read_ok("ticket\trole\tmessage\tdate, heure\n1\tclient\tBonjour, oui\t\n", name="log.tsv")[0]
    assert transcript.turns[0].text == "Bonjour, oui"


def test_sniffer_decides_between_delimiters_present_in_the_header():
    text = "N° ticket;Date, heure;Auteur;Message\n1;05/03/2024, 10:00;Client;Bonjour, oui\n2;;Conseiller;Salut, non\n"
    transcripts = read_ok(text)
    assert [(t.id, t.turns[0].text, t.turns[0].start) for t in transcripts] == [
        ("export#1", "Bonjour, oui", posix("2024-03-05T10:00")), ("export#2", "Salut, non", None),
    ]


def test_trailing_delimiters_are_tolerated():
    transcript = read_ok("ticket;role;message;\n1;client;Bonjour;\n1;agent;Oui;;\n")[0]
    assert [turn.text for turn in transcript.turns] == ["Bonjour", "Oui"]


def test_very_long_fields_are_read():
    body = "Bonjour " + "x" * 300_000
    transcript = read_ok(f'ticket,role,body\n1,client,"{body}"\n')[0]
    assert len(transcript.turns[0].text) == len(body)


def test_crlf_and_lone_cr_line_endings_count_lines_like_editors():
    for newline in ("\r\n", "\r"):
        text = newline.join(["ticket,role,body", '1,client,"a', 'b"', "1,agent,c", ""])
        transcript = read_ok(text)[0]
        assert [(turn.text, turn.line) for turn in transcript.turns] == [("a\nb", 2), ("c", 4)]


@settings(max_examples=examples(60))
@given(
    delimiter=st.sampled_from([",", ";", "\t"]),
    newline=st.sampled_from(["\n", "\r\n"]),
    bodies=st.lists(
        st.lists(
            st.lists(st.text(alphabet="abcéà,;|'\"0", min_size=1, max_size=6), min_size=1, max_size=4).map(" ".join),
            min_size=1, max_size=3,
        ),
        min_size=1, max_size=6,
    ),
)
def test_any_written_export_reads_back_with_start_lines(delimiter, newline, bodies):
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator=newline)
    writer.writerow(["ticket", "role", "body"])
    expected = []
    for number, lines in enumerate(bodies, start=1):
        start = buffer.getvalue().count("\n") + 1
        writer.writerow(["1", "client" if number % 2 else "agent", newline.join(lines)])
        expected.append(("\n".join(lines), start, f"row {number}"))
    transcript = read_ok(buffer.getvalue())[0]
    assert [(turn.text, turn.line, turn.locator) for turn in transcript.turns] == expected


# ---------------------------------------------------------------- canned-response libraries


def test_canned_library_gives_one_transcript_per_response():
    transcripts, errors = read_fixture("reponses-types.csv")
    assert errors == []
    assert [(t.id, t.channel, t.turns[0].locator, t.turns[0].line) for t in transcripts] == [
        ("Retard de livraison", "canned", "row 1", 2),
        ("Transmission back-office", "canned", "row 2", 8),
        ("Signature", "snippet", "row 3", 9),  # type "extrait"
        ("Remboursement", "canned", "row 5", 11),  # row 4 has an empty body
    ]
    assert all(t.turns[0].role is Role.AGENT for t in transcripts)
    assert transcripts[0].turns[0].text.split("\n")[:3] == [
        "Bonjour {{prénom}},", "Je suis désolé pour ce retard. Votre colis est reparti ce matin.", "Belle journée,",
    ]
    assert transcripts[3].turns[0].text == "Bonjour,\nLe remboursement de 59,90 € sera visible sous 5 jours."


def test_a_name_column_with_a_conversation_column_is_not_a_library():
    transcript = read_ok("ticket,nom,role,message\n1,Dupont,client,Bonjour\n")[0]
    assert (transcript.id, transcript.channel) == ("export#1", "chat")


# ---------------------------------------------------------------- channels


@pytest.mark.parametrize(
    ("value", "channel"),
    [("Email", "email"), ("mail", "email"), ("web", "email"), ("chat", "chat"), ("Téléphone", "call"),
     ("voice", "call"), ("api", "chat")],
)
def test_channel_column(value, channel):
    assert read_ok(f"ticket,canal,role,body\n1,{value},client,Bonjour\n")[0].channel == channel


def test_channel_from_the_file_name_when_there_is_no_channel_column():
    assert read_ok("ticket,role,body\n1,client,Bonjour\n", name="exports/emails-mars.csv")[0].channel == "email"
    assert read_ok("ticket,role,body\n1,client,Bonjour\n", name="exports/mars.csv")[0].channel == "chat"


# ---------------------------------------------------------------- times


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2024-03-05T14:02:11Z", posix("2024-03-05T14:02:11")),
        ("2024-03-05T14:02:11+01:00", posix("2024-03-05T13:02:11")),
        ("2024-03-05T14:02:11.250+0100", posix("2024-03-05T13:02:11.250")),
        ("2024-03-05 14:02:11", posix("2024-03-05T14:02:11")),
        ("2024/03/05 14:02", posix("2024-03-05T14:02")),
        ("05/03/2024 14:02", posix("2024-03-05T14:02")),
        ("05/03/2024 à 14h02", posix("2024-03-05T14:02")),
        ("05.03.2024", posix("2024-03-05T00:00")),
        ("03/25/2024 10:00", posix("2024-03-25T10:00")),  # month first only when day first is impossible
        ("1709647331", 1709647331.0),
        ("1709647331000", 1709647331.0),
        ("1709647331.5", 1709647331.5),
        ("14:02:11", 14 * 3600 + 2 * 60 + 11.0),
        ("", None), ("demain", None), ("2024-13-45", None), ("31/02/2024", None), ("25:61", None),
    ],
)
def test_parse_time(value, expected):
    assert parse_time(value) == expected


def test_unparseable_times_are_not_errors():
    transcript = read_ok("ticket,role,created_at,body\n1,client,hier soir,Bonjour\n")[0]
    assert transcript.turns[0].start is None


# ---------------------------------------------------------------- errors


def test_empty_file():
    for data in (b"", b"\xef\xbb\xbf", b"\n\r\n  \n"):
        transcripts, errors = csv_table.read(data, "vide.csv", ReaderOptions())
        assert transcripts == []
        assert [str(error) for error in errors] == ["vide.csv: fichier vide (il faut une ligne d’en-tête, puis une ligne par message)"]


def test_header_only():
    transcripts, errors = read_fixture("header-only.csv")
    assert transcripts == []
    assert [str(error) for error in errors] == ["header-only.csv:1: aucune ligne de données après la ligne d’en-tête"]


def test_no_text_column_names_the_headers_found():
    transcripts, errors = read_fixture("no-text-column.csv")
    assert transcripts == []
    assert [(error.line, error.message) for error in errors] == [(
        1,
        "aucune colonne de texte des messages (en-têtes attendus : « plain_body », « body », « message », « text » ; "
        "trouvés : « ticket_id », « author », « created_at », « status ») ; nommez-la avec --columns text=HEADER",
    )]


def test_rows_with_the_wrong_number_of_fields_are_reported_and_the_rest_is_read():
    transcripts, errors = read_fixture("field-count.csv")
    assert [str(error) for error in errors] == [
        "field-count.csv:3: la ligne de données 2 a 5 champs mais l’en-tête en a 3 "
        "(un séparateur non protégé par des guillemets dans un champ ?) : ligne ignorée",
        "field-count.csv:5: la ligne de données 4 a 2 champs mais l’en-tête en a 3 : ligne ignorée",
    ]
    assert [(t.id, [turn.locator for turn in t.turns]) for t in transcripts] == [
        ("field-count#7", ["row 1", "row 3"]),
        ("field-count#8", ["row 5"]),
    ]


def test_truncated_file_with_an_unclosed_quote():
    transcripts, errors = read_fixture("truncated.csv")
    assert [str(error) for error in errors] == [
        "truncated.csv:3: un champ entre guillemets ouvert sur cette ligne n’est jamais fermé : "
        "tout le reste du fichier y a été lu ; ligne ignorée"
    ]
    assert [turn.locator for turn in transcripts[0].turns] == ["row 1"]


def test_rows_without_any_text():
    transcripts, errors = read_text("ticket,role,body\n1,client,\n1,agent,  \n")
    assert transcripts == []
    assert [str(error) for error in errors] == [
        "export.csv:1: aucun message à auditer : chaque ligne a une colonne « body » vide, ou est un message système ou une note interne"
    ]


def test_binary_data_is_an_error_not_an_exception():
    transcripts, errors = csv_table.read(b"ticket,body\x00\x01", "x.csv", ReaderOptions())
    assert transcripts == [] and "fichier binaire" in errors[0].message


# ---------------------------------------------------------------- content sniffing and samples


def test_sniff_recognises_message_exports_only():
    assert csv_table.sniff((FIXTURES / "export-sav-excel.csv").read_bytes())
    assert csv_table.sniff((FIXTURES / "chat-log.tsv").read_bytes())
    assert csv_table.sniff((FIXTURES / "reponses-types.csv").read_bytes())
    assert not csv_table.sniff("Conseiller : Bonjour, message reçu\nClient : Merci\n".encode())
    assert not csv_table.sniff(b'[{"text": "Bonjour, oui", "speaker": "A"}]')
    assert not csv_table.sniff(b"")


def test_samples_read_without_errors():
    transcripts, errors = csv_table.read(
        (SAMPLES / "tickets-zendesk-export.csv").read_bytes(), "samples/tickets-zendesk-export.csv", ReaderOptions()
    )
    assert errors == []
    assert [(t.id, t.channel, len(t.turns)) for t in transcripts] == [
        ("tickets-zendesk-export#20731", "email", 4),
        ("tickets-zendesk-export#20748", "email", 3),
        ("tickets-zendesk-export#20755", "email", 4),
    ]
    canned, errors = csv_table.read(
        (SAMPLES / "reponses-types-sav.csv").read_bytes(), "samples/reponses-types-sav.csv", ReaderOptions()
    )
    assert errors == []
    assert [(t.id, t.channel) for t in canned] == [
        ("Accusé de réception", "canned"), ("Transmission au back-office", "canned"), ("Retard de livraison", "canned"),
        ("Remboursement effectué", "canned"), ("Excuses retard de réponse", "snippet"),
    ]


def test_utf16_export_with_bom():
    text = "conversation_id\tsender_type\ttext\r\nZ9\tvisitor\tBonjour, ça ne marche pas\r\nZ9\tagent\tJe regarde ça\r\n"
    transcripts, errors = csv_table.read(text.encode("utf-16"), "chat.csv", ReaderOptions())
    assert errors == []
    assert [(turn.role, turn.text, turn.line) for turn in transcripts[0].turns] == [
        (Role.CUSTOMER, "Bonjour, ça ne marche pas", 2), (Role.AGENT, "Je regarde ça", 3),
    ]


def test_an_empty_public_cell_is_not_an_internal_note():
    transcript = read_ok("ticket,public,role,body\n1,,client,Bonjour\n1,false,agent,Note\n1,true,agent,Oui\n")[0]
    assert [turn.text for turn in transcript.turns] == ["Bonjour", "Oui"]
