"""The canned-response reader: YAML libraries, Zendesk macros and Freshdesk JSON exports.

Each response must become one agent turn on the ``canned`` channel (``snippet``
for fragments), with its placeholders verbatim, its line and, where exact, its
column; every broken response must come back as a located ``ReadError`` while
the others are read. No spaCy model is needed here.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from transcript_audit.model import ReadError, Role
from transcript_audit.text import PLACEHOLDER
from transcript_audit.readers import canned, canned_library, json_document, read_file
from transcript_audit.readers.base import ReaderOptions

from .conftest import examples

FIXTURES = Path(__file__).parent / "fixtures" / "canned"
SAMPLES = Path(__file__).resolve().parents[1] / "samples"
NOT_A_LIBRARY = "ce n’est pas une bibliothèque de réponses types (attendu : une liste de réponses, chacune avec un nom et un corps)"
EXPECTED_BODY = "(clés possibles : body, content, texte, text, message, contenu, content_html, body_html, html)"


def read_yaml(text: str, source: str = "lib.yaml"):
    return canned.read(text.encode("utf-8"), source, ReaderOptions())


def read_json(text: str, source: str = "lib.json"):
    """What ``json_document`` does with a canned export: the first canned shape that matches converts."""
    document = json.loads(text)
    for shape in canned_library.JSON_SHAPES:
        if shape.matches(document):
            return shape.convert(document, source, text)
    return None


def read_fixture(name: str):
    data = (FIXTURES / name).read_bytes()
    module = json_document if name.endswith(".json") else canned
    return module.read(data, name, ReaderOptions())


def only(text: str, source: str = "lib.yaml"):
    """The one transcript of a YAML library, asserting nothing was reported."""
    transcripts, errors = read_yaml(text, source)
    assert errors == [], [str(error) for error in errors]
    assert len(transcripts) == 1
    return transcripts[0]


def by_id(transcripts):
    return {transcript.id: transcript for transcript in transcripts}


def messages(errors):
    return [(error.line, error.message) for error in errors]


# ---------------------------------------------------------------- YAML library


def test_yaml_list_each_response_is_one_agent_turn_with_placeholders_kept():
    transcripts, errors = read_fixture("reponses-sav.yaml")
    assert errors == []
    assert [t.id for t in transcripts] == [
        "Retour produit", "Accusé de réception", "Relance paiement", "Délai de remboursement", "Signature",
    ]
    found = by_id(transcripts)
    assert [t.channel for t in transcripts] == ["canned", "canned", "canned", "snippet", "snippet"]
    for transcript in transcripts:
        assert transcript.path == "reponses-sav.yaml"
        (turn,) = transcript.turns
        assert (turn.role, turn.speaker) == (Role.AGENT, "réponse type")
    assert found["Retour produit"].turns[0].text == (
        "Bonjour {{prenom}},\n"
        "Je suis désolée que votre aspirateur ne fonctionne plus.\n"
        "Vous pouvez le déposer dans n'importe quel point relais avec l'étiquette jointe.\n"
        "Je reste à votre disposition, belle journée !\n"
        "[Prénom] du service client"
    )
    assert found["Accusé de réception"].turns[0].text == (
        "Bonjour {{ agent.name }}, nous avons bien reçu votre demande n° %%NUMERO%%."
    )
    assert found["Relance paiement"].turns[0].text == "Bonjour ${client}, votre échéance du {date} reste à régler."
    assert found["Signature"].turns[0].text == "Bien cordialement, [NOM]"


def test_literal_block_body_has_exact_lines_and_columns_per_line():
    text = (FIXTURES / "reponses-sav.yaml").read_text(encoding="utf-8")
    lines = text.split("\n")
    turn = by_id(read_fixture("reponses-sav.yaml")[0])["Retour produit"].turns[0]
    assert (turn.line, turn.column, turn.locator) == (5, 5, "response 'Retour produit'")
    assert [(line, column) for _, line, column in turn.line_starts] == [(5, 5), (7, 5), (8, 7), (9, 5), (10, 5)]
    for word in ("Bonjour", "aspirateur", "point relais", "disposition", "[Prénom]"):
        line, column = turn.locate(turn.text.index(word))
        assert lines[line - 1][column - 1 :].startswith(word), word


def test_plain_and_quoted_single_line_bodies_have_exact_columns():
    found = by_id(read_fixture("reponses-sav.yaml")[0])
    lines = (FIXTURES / "reponses-sav.yaml").read_text(encoding="utf-8").split("\n")
    for name, expected_line in (("Accusé de réception", 12), ("Relance paiement", 14), ("Délai de remboursement", 17)):
        turn = found[name].turns[0]
        assert turn.line == expected_line
        line, column = turn.locate(turn.text.index("votre"))
        assert (line, lines[line - 1][column - 1 :].startswith("votre")) == (expected_line, True)


def test_folded_block_has_its_first_content_line_and_no_column():
    turn = by_id(read_fixture("reponses-sav.yaml")[0])["Signature"].turns[0]
    assert (turn.line, turn.column, turn.line_starts) == (21, None, [])


@pytest.mark.parametrize(
    ("body", "column"),
    [
        ("Bonjour Madame, c'est noté.", 9),
        ("'Bonjour Madame, c''est noté.'", None),  # the doubled quote shifts every later column
        ('"Bonjour Madame, c\'est noté."', 10),
        ('"Bonjour Madame,\\tc\'est noté."', None),  # an escape
        ('"  Bonjour Madame, c\'est noté."', 12),  # leading spaces are tidied away, the column follows
    ],
)
def test_quoted_scalars_get_a_column_only_when_it_is_exact(body, column):
    turn = only(f"- name: Note\n  body: {body}\n").turns[0]
    assert turn.text == ("Bonjour Madame,\tc'est noté." if "\\t" in body else "Bonjour Madame, c'est noté.")
    assert (turn.line, turn.column) == (2, column)


def test_multi_line_plain_scalar_is_one_text_with_its_first_line():
    turn = only("- name: Note\n  body: Bonjour Madame,\n    votre dossier est à jour.\n").turns[0]
    assert (turn.text, turn.line, turn.column) == ("Bonjour Madame, votre dossier est à jour.", 2, None)


def test_literal_block_with_leading_blank_lines_and_trailing_spaces():
    text = "- name: Note\n  body: |+\n\n\n    Bonjour Madame,  \n      merci.\n\n"
    turn = only(text).turns[0]
    assert turn.text == "Bonjour Madame,\nmerci."
    assert (turn.line, turn.column) == (5, 5)
    assert turn.line_starts == [(0, 5, 5), (16, 6, 7)]


@pytest.mark.parametrize(
    "library",
    [
        "- name: A\n  body: Bonjour, à bientôt.\n",
        "responses:\n  - name: A\n    body: Bonjour, à bientôt.\n",
        "reponses:\n  - nom: A\n    texte: Bonjour, à bientôt.\n",
        "Réponses:\n  - Titre: A\n    Texte: Bonjour, à bientôt.\n",
        "canned_responses:\n  - title: A\n    content: Bonjour, à bientôt.\n",
        "templates:\n  - titre: A\n    contenu: Bonjour, à bientôt.\n",
        "macros:\n  - title: A\n    message: Bonjour, à bientôt.\n",
        "version: 2\nlangue: fr\nreponses:\n  - nom: A\n    text: Bonjour, à bientôt.\n",
        "reponses:\n  A: Bonjour, à bientôt.\n",
        "reponses:\n  A:\n    texte: Bonjour, à bientôt.\n",
        "reponses:\n  - id: A\n    texte: Bonjour, à bientôt.\n",
    ],
)
def test_every_library_layout_and_key_spelling(library):
    transcript = only(library)
    assert (transcript.id, transcript.channel, transcript.turns[0].text) == ("A", "canned", "Bonjour, à bientôt.")


def test_locator_says_macro_under_macros_and_response_elsewhere():
    assert only("macros:\n  - title: A\n    body: Bonjour.\n").turns[0].locator == "macro 'A'"
    assert only("templates:\n  - title: A\n    body: Bonjour.\n").turns[0].locator == "response 'A'"


def test_name_keys_in_order_and_a_nameless_response_gets_the_file_stem():
    assert only("- id: 12\n  titre: Retour\n  texte: Bonjour.\n").id == "Retour"
    assert only("- nom: '  Retour\n    colis '\n  texte: Bonjour.\n").id == "Retour colis"
    transcripts, errors = read_yaml("responses:\n  - body: Bonjour.\n  - body: Merci.\n", "sav/faq.yaml")
    assert errors == []
    assert [(t.id, t.turns[0].locator) for t in transcripts] == [("faq#1", "response 1"), ("faq#2", "response 2")]


def test_duplicate_names_are_made_unique_in_file_order():
    library = "".join(f"- name: {name}\n  body: Bonjour {i}.\n" for i, name in enumerate(["A", "A (2)", "A", "A"]))
    transcripts, errors = read_yaml(library)
    assert errors == []
    assert [t.id for t in transcripts] == ["A", "A (2)", "A (3)", "A (4)"]
    assert [t.turns[0].locator for t in transcripts] == ["response 'A'", "response 'A (2)'", "response 'A'", "response 'A'"]


@pytest.mark.parametrize(
    "marker",
    [
        "snippet: true", "snippet: yes", "snippet: oui", "snippet: 'True'", "type: snippet", "type: Extrait",
        "kind: fragment", "tags: [faq, snippet]", "tags: faq, Snippet", "tags: [extrait]",
    ],
)
def test_snippets_go_on_the_snippet_channel(marker):
    assert only(f"- name: A\n  {marker}\n  body: Sous 5 jours ouvrés.\n").channel == "snippet"


@pytest.mark.parametrize("marker", ["snippet: false", "snippet: non", "type: réponse", "tags: [livraison]", "kind: macro"])
def test_whole_replies_stay_on_the_canned_channel(marker):
    assert only(f"- name: A\n  {marker}\n  body: Bonjour, à bientôt.\n").channel == "canned"


def test_merge_keys_share_defaults_without_overriding():
    library = (
        "defauts: &extrait\n  type: extrait\n  texte: Texte par défaut.\n"
        "reponses:\n"
        "  - <<: *extrait\n    nom: Délai\n    texte: Sous 5 jours.\n"
        "  - <<: *extrait\n    nom: Défaut\n"
    )
    transcripts, errors = read_yaml(library)
    assert errors == []
    assert [(t.id, t.channel, t.turns[0].text, t.turns[0].line) for t in transcripts] == [
        ("Délai", "snippet", "Sous 5 jours.", 7),
        ("Défaut", "snippet", "Texte par défaut.", 3),
    ]


# ---------------------------------------------------------------- HTML bodies


def test_html_body_becomes_text_with_line_breaks_and_decoded_entities():
    library = (
        "- name: A\n"
        "  html: \"<p>Bonjour&nbsp;{{prenom}},</p>\\n<p>Votre colis &laquo;&nbsp;Maison&nbsp;&raquo;<br/>part demain.</p>"
        "<ul><li>Suivi&#160;: 48&#x202F;h</li></ul><p>&Agrave; bient&ocirc;t</p>\"\n"
    )
    turn = only(library).turns[0]
    assert turn.text == (
        "Bonjour\u00a0{{prenom}},\nVotre colis «\u00a0Maison\u00a0»\npart demain.\nSuivi\u00a0: 48\u202fh\nÀ bientôt"
    )
    assert (turn.line, turn.column) == (2, None)


def test_plain_body_is_preferred_and_html_is_the_fallback():
    both = "- name: A\n  content: Bonjour, texte brut.\n  content_html: <p>Bonjour, HTML.</p>\n"
    assert only(both).turns[0].text == "Bonjour, texte brut."
    empty_plain = "- name: A\n  content: ''\n  body_html: <p>Bonjour, HTML.</p>\n"
    assert only(empty_plain).turns[0].text == "Bonjour, HTML."


def test_html_in_a_plain_body_field_is_converted_too():
    turn = only("- name: A\n  body: '<div>Bonjour,</div><div>c&#39;est noté.</div>'\n").turns[0]
    assert (turn.text, turn.column) == ("Bonjour,\nc'est noté.", None)


@pytest.mark.parametrize(
    ("fragment", "text"),
    [
        ("Bonjour<br>Madame", "Bonjour\nMadame"),
        ("Bonjour<BR />Madame", "Bonjour\nMadame"),
        ("<p>Bonjour</p>\n\n<p>Madame</p>", "Bonjour\nMadame"),
        ("<div>Bonjour,</div><div><br></div><div>Madame</div>", "Bonjour,\nMadame"),
        ("Bonjour\n   Madame", "Bonjour Madame"),  # a line break in HTML source is a space
        ("<b>Bonjour</b> <i>Madame</i>", "Bonjour Madame"),
        ("Bonjour<!-- note interne : client difficile -->Madame", "BonjourMadame"),
        ("<style>p { color: red }</style>Bonjour", "Bonjour"),
        ("<script>alert(1)</script>Bonjour", "Bonjour"),
        ("Délai &lt;3 jours &amp; gratuit", "Délai <3 jours & gratuit"),
        ("Bonjour <!-- jamais fermé", "Bonjour"),
        ("Bonjour {{ ticket.requester.first_name }}", "Bonjour {{ ticket.requester.first_name }}"),
    ],
)
def test_an_html_body_is_its_text_without_blank_lines(fragment, text):
    library = json.dumps([{"name": "A", "body_html": fragment}])
    transcripts, errors = read_json(library)
    assert errors == [] and transcripts[0].turns[0].text == text


def test_html_bodies_are_read_in_linear_time_on_unclosed_tags_and_comments():
    started = time.perf_counter()
    library = json.dumps([{"name": "A", "body_html": "Bonjour <a " * 50_000 + "<!--" * 50_000 + "<script" * 50_000}])
    transcripts, _ = read_json(library)
    assert time.perf_counter() - started < 2
    assert transcripts[0].turns[0].text.startswith("Bonjour <a Bonjour")


# ---------------------------------------------------------------- broken YAML libraries


def test_broken_responses_are_reported_with_their_line_and_the_others_read():
    transcripts, errors = read_fixture("cassee.yaml")
    assert [t.id for t in transcripts] == ["Bienvenue", "Au revoir"]
    assert messages(errors) == [
        (4, f"réponse type « Oubli » sans corps {EXPECTED_BODY}"),
        (6, "réponse type 3 : il faut une table avec un nom et un corps (trouvé : « Bonjour, ceci n'est pas une réponse nommée. »)"),
        (8, "réponse type « Vide » a un corps vide"),
        (10, "réponse type « Liste » : le corps doit être du texte, pas une liste"),
    ]
    assert all(error.path == "cassee.yaml" for error in errors)


def test_a_rule_pack_is_not_a_canned_library():
    assert read_fixture("regles.yaml") == ([], [ReadError("regles.yaml", 1, NOT_A_LIBRARY)])


@pytest.mark.parametrize(
    "text", ["title: Retour\nbody: Bonjour.\n", "- Bonjour.\n- Merci.\n", "Bonjour tout le monde\n", "- name: A\n", "42\n"]
)
def test_other_yaml_is_not_a_canned_library(text):
    assert messages(read_yaml(text)[1]) == [(1, NOT_A_LIBRARY)]


@pytest.mark.parametrize("name", ["vide.yaml"])
def test_empty_file(name):
    assert messages(read_fixture(name)[1]) == [(None, f"fichier vide : {NOT_A_LIBRARY}")]


def test_comments_only_file_is_empty_too():
    assert messages(read_yaml("# rien ici\n---\n")[1]) == [(None, f"fichier vide : {NOT_A_LIBRARY}")]


def test_truncated_yaml_is_located():
    transcripts, errors = read_fixture("tronquee.yaml")
    assert transcripts == []
    assert [(e.line, e.column, e.message) for e in errors] == [(4, 1, "YAML invalide : found unexpected end of stream")]


def test_several_yaml_documents_are_refused_where_the_second_starts():
    transcripts, errors = read_yaml("- name: A\n  body: Bonjour.\n---\n- name: B\n  body: Merci.\n")
    assert transcripts == []
    assert [(e.line, e.message) for e in errors] == [
        (3, "YAML invalide : expected a single document in the stream, but found another document")
    ]


def test_python_tags_are_never_constructed_and_only_their_response_fails():
    transcripts, errors = read_fixture("balise-python.yaml")
    assert [t.id for t in transcripts] == ["Correcte"]
    assert messages(errors) == [
        (
            3,
            "réponse type « Piège » : étiquette YAML « !!python/object/apply:os.system » non prise en charge "
            "sur son corps (seul le texte simple est lu)",
        )
    ]


def test_library_key_that_is_not_a_list():
    transcripts, errors = read_yaml("titre: Bibliothèque SAV\nreponses: Bonjour\n")
    assert transcripts == []
    assert messages(errors) == [(2, "« reponses » doit être une liste de réponses, pas « Bonjour »")]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("reponses: []\n", "aucune réponse type trouvée : « reponses » est vide"),
        ("reponses:\n", "aucune réponse type trouvée : « reponses » est vide"),
    ],
)
def test_empty_library(text, message):
    assert messages(read_yaml(text)[1]) == [(1, message)]


def test_aliases_are_not_expanded_and_recursive_aliases_do_not_loop():
    bomb = ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    for level in range(1, 20):
        bomb.append(f"{chr(97 + level)}: &{chr(97 + level)} [" + ", ".join([f"*{chr(96 + level)}"] * 10) + "]")
    started = time.perf_counter()
    assert messages(read_yaml("\n".join(bomb) + "\n")[1]) == [(1, NOT_A_LIBRARY)]
    transcripts, errors = read_yaml("responses: &r\n  - *r\n  - name: A\n    body: Bonjour.\n")
    assert [t.id for t in transcripts] == ["A"]
    assert messages(errors) == [(1, "réponse type 1 : il faut une table avec un nom et un corps (trouvé : une liste)")]
    assert time.perf_counter() - started < 2


def test_deep_nesting_is_an_error_not_a_crash():
    transcripts, errors = read_yaml("[" * 600 + "]" * 600)
    assert (transcripts, messages(errors)) == ([], [(None, "YAML invalide : nested too deeply")])


# ---------------------------------------------------------------- encodings


@pytest.mark.parametrize("name", ["bom-crlf.yaml", "cp1252.yml"])
def test_bom_crlf_and_cp1252_files_read_alike(name):
    transcripts, errors = read_fixture(name)
    assert errors == []
    (transcript,) = transcripts
    turn = transcript.turns[0]
    assert transcript.id == "Geste commercial"
    assert turn.text == "Bonjour Madame,\nNous vous offrons un bon d’achat de 15 €.\nBonne journée !"
    assert turn.line_starts == [(0, 4, 7), (16, 5, 7), (58, 6, 7)]
    assert turn.locator == "macro 'Geste commercial'"


def test_undecodable_file():
    transcripts, errors = canned.read(b"- name: A\n  body: \x00\x01", "lib.yaml", ReaderOptions())
    assert transcripts == [] and messages(errors) == [(None, "fichier binaire (il contient des octets NUL) : ce n’est pas du texte")]


# ---------------------------------------------------------------- JSON exports


def test_zendesk_macros_export():
    transcripts, errors = read_fixture("macros-zendesk.json")
    assert errors == []
    assert [(t.id, t.channel, t.turns[0].line, t.turns[0].locator) for t in transcripts] == [
        ("SAV::Colis endommagé", "canned", 10, "macro 'SAV::Colis endommagé'"),
        ("Demande de photos", "canned", 26, "macro 'Demande de photos'"),
        ("Lien de suivi", "canned", 33, "macro 'Lien de suivi'"),
        ("Demande de photos (2)", "canned", 40, "macro 'Demande de photos'"),
    ]  # "Clôturer sans réponse" sets no comment: skipped silently
    found = by_id(transcripts)
    assert found["SAV::Colis endommagé"].turns[0].text == (
        "Bonjour {{ticket.requester.first_name}},\n"
        "Je suis désolé pour ce colis abîmé. Un nouvel envoi part demain.\n"
        "Bonne journée,\n{{current_user.first_name}}"
    )
    assert found["Demande de photos"].turns[0].text.startswith("Bonjour {{ticket.requester.first_name}}, pouvez-vous")
    assert found["Lien de suivi"].turns[0].text == "Bonjour,\nVotre colis est suivi ici\u00a0: suivi.\nBonne journée\u00a0!"
    assert all(t.turns[0].column is None and t.turns[0].role is Role.AGENT for t in transcripts)


def test_zendesk_single_macro_and_plain_comment_preferred_over_html():
    document = {
        "macro": {
            "title": "Relance",
            "actions": [
                {"field": "comment_value_html", "value": "<p>Bonjour, version HTML.</p>"},
                {"field": "comment_value", "value": "Bonjour, version texte."},
            ],
        }
    }
    transcripts, errors = read_json(json.dumps(document, indent=1))
    assert errors == []
    assert [(t.id, t.turns[0].text, t.turns[0].line) for t in transcripts] == [("Relance", "Bonjour, version texte.", 11)]


def test_zendesk_export_where_no_macro_writes_a_comment():
    document = {"macros": [{"title": "Fermer", "actions": [{"field": "status", "value": "solved"}]}] * 2}
    assert messages(read_json(json.dumps(document))[1]) == [
        (1, "aucune réponse type trouvée : aucune des 2 macros n’écrit de commentaire (comment_value ou comment_value_html)")
    ]


def test_zendesk_macro_with_an_empty_comment_is_reported():
    document = {"macros": [{"title": "Vide", "actions": [{"field": "comment_value", "value": ["channel:all", " "]}]}]}
    assert messages(read_json(json.dumps(document, indent=2))[1]) == [(4, "macro « Vide » a un corps vide")]


def test_freshdesk_list_with_html_entities():
    transcripts, errors = read_fixture("freshdesk-canned.json")
    assert errors == []
    found = by_id(transcripts)
    assert list(found) == ["Échange de taille", "Garantie et réparation", "Code promo"]
    assert found["Échange de taille"].turns[0].text == (
        "Bonjour,\nL'échange de taille est gratuit : renvoyez l'article avec le bon joint.\n"
        "Belle journée,\nL'équipe Textiles Durand"
    )
    assert found["Garantie et réparation"].turns[0].text == (
        "Bonjour\u00a0{{ticket.requester.name}},\n"
        "Votre produit est couvert par la garantie «\u00a0Sérénité\u00a0» jusqu'au 12/03/2026.\n"
        "Cordialement,"
    )
    assert found["Code promo"].turns[0].text == (
        "Bonjour, voici votre code : MERCI10 – valable 30 jours. À bientôt\u00a0!"
    )
    assert [t.turns[0].line for t in transcripts] == [6, 14, 20]
    assert [t.turns[0].locator for t in transcripts] == [
        "response 'Échange de taille'", "response 'Garantie et réparation'", "response 'Code promo'",
    ]


def test_freshdesk_folder_with_a_response_without_body():
    transcripts, errors = read_fixture("freshdesk-dossier.json")
    assert [(t.id, t.turns[0].line) for t in transcripts] == [("Retard de livraison", 2)]
    assert [(e.path, e.line, e.message) for e in errors] == [
        ("freshdesk-dossier.json", 3, f"réponse type « Sans texte » sans corps {EXPECTED_BODY}")
    ]


def test_truncated_json_is_reported_by_the_json_reader():
    transcripts, errors = read_fixture("tronquee.json")
    assert transcripts == [] and len(errors) == 1 and errors[0].message.startswith("JSON invalide")


def test_json_lines_are_found_whatever_the_escapes_and_repeated_bodies_move_forward():
    body = "Bonjour, c'est noté. À bientôt </p>"
    escaped = [
        json.dumps(body),  # \u00c0 and "/" as is
        json.dumps(body, ensure_ascii=False).replace("/", "\\/"),  # PHP style
        json.dumps(body).replace("\\u00c0", "\\u00C0"),  # .NET style, upper-case hex
    ]
    raw = "[\n" + ",\n".join(f'  {{"title": "A",\n   "content": {value}}}' for value in escaped * 2) + "\n]"
    transcripts, errors = read_json(raw)
    assert errors == []
    assert [t.turns[0].line for t in transcripts] == [3, 5, 7, 9, 11, 13]
    assert [t.id for t in transcripts] == ["A", "A (2)", "A (3)", "A (4)", "A (5)", "A (6)"]


def test_many_identical_json_responses_stay_fast_and_ordered():
    raw = json.dumps({"templates": [{"title": "Merci", "body": "Merci, bonne journée."}] * 3000}, indent=0)
    started = time.perf_counter()
    transcripts, errors = read_json(raw)
    assert errors == [] and len(transcripts) == 3000
    lines = [t.turns[0].line for t in transcripts]
    assert lines == sorted(set(lines)) and lines[0] == 5
    assert time.perf_counter() - started < 2


@pytest.mark.parametrize(
    "document",
    [
        [{"id": 1, "author_id": 42, "body": "Bonjour, ma commande ?"}],  # ticket comments
        [{"id": 0, "start": 0.0, "end": 2.5, "text": "Bonjour"}],  # speech segments
        [{"speaker": "Conseiller", "text": "Bonjour"}],
        [{"id": 3, "text": "Bonjour"}],  # an id alone does not make a named response
        {"text": "Bonjour", "segments": []},
        [],
        {},
        "Bonjour",
    ],
)
def test_conversations_and_speech_json_are_not_taken_for_a_library(document):
    assert not any(shape.matches(document) for shape in canned_library.JSON_SHAPES)


def test_json_shapes_have_names_for_the_unrecognised_layout_message():
    assert [shape.name for shape in canned_library.JSON_SHAPES] == ["zendesk-macros", "canned-responses"]


def test_json_files_go_through_the_registry_with_agent_roles(tmp_path):
    path = tmp_path / "macros.json"
    path.write_bytes((FIXTURES / "macros-zendesk.json").read_bytes())
    transcripts, errors = read_file(path, ReaderOptions())
    assert errors == []
    assert len(transcripts) == 4
    assert all(t.turns[0].role is Role.AGENT and t.notes == [] for t in transcripts)


# ---------------------------------------------------------------- placeholders


PLACEHOLDERS = [
    "{{ticket.requester.first_name}}", "{{prenom}}", "{{ agent.name }}", "[NOM]", "[Prénom]", "[Numéro de commande]",
    "%name%", "%%NUMERO%%", "${client}", "{client}",
]


@pytest.mark.parametrize("placeholder", PLACEHOLDERS)
def test_placeholder_regex_matches_each_form_whole(placeholder):
    text = f"Bonjour {placeholder}, votre colis part demain."
    assert [m.group() for m in PLACEHOLDER.finditer(text)] == [placeholder]


@pytest.mark.parametrize(
    "text",
    [
        "Remise de 100 % sur la livraison.",
        "Entre 20 % et 30 %.",
        "Une hausse de 50%.",
        "Il a écrit « livré » [sic] hier.",  # an editorial mark, not a slot to fill in
        "Voir la note [1] et le passage coupé […].",
        "Un { seul, ou deux {{ sans fin.",
        "Cochez [ ] ou [x].",
    ],
)
def test_placeholder_regex_leaves_ordinary_text_alone(text):
    assert PLACEHOLDER.search(text) is None


def test_placeholders_stay_verbatim_in_yaml_and_json_bodies():
    body = "Bonjour " + " ".join(PLACEHOLDERS) + ", à bientôt."
    assert only(f"- name: A\n  body: '{body}'\n").turns[0].text == body
    macro = {"title": "A", "actions": [{"field": "comment_value", "value": body}]}
    (transcript,), errors = read_json(json.dumps({"macros": [macro]}))
    assert errors == [] and transcript.turns[0].text == body


# ---------------------------------------------------------------- detection and robustness


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"# SAV\n---\nreponses:\n  - nom: A\n", True),
        (b"\xef\xbb\xbfR\xc3\xa9ponses:\n", True),
        (b"macros:\n", True),
        (b"rules:\n  - id: x\n", False),
        (b"Conseiller : Bonjour, reponses: oui\n", False),
        (b"", False),
    ],
)
def test_sniff(data, expected):
    assert canned.sniff(data) is expected


def test_reader_declares_its_format():
    from transcript_audit import readers

    assert (canned.FORMAT, readers.extensions("canned")) == ("canned", (".yaml", ".yml"))


_json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.sampled_from(["", " ", "Bonjour", "<p>a</p>", "comment_value", "channel:all"]),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(
        st.sampled_from(
            [
                "title", "name", "id", "body", "content", "content_html", "actions", "field", "value",
                "macros", "macro", "reponses", "tags", "snippet",
            ]
        ),
        children,
        max_size=4,
    ),
    max_leaves=20,
)


@settings(max_examples=examples(120))
@given(_json_values)
def test_json_shapes_never_raise(document):
    result = read_json(json.dumps(document, indent=1))
    if result is not None:
        transcripts, errors = result
        assert all(isinstance(error, ReadError) for error in errors)


# ---------------------------------------------------------------- samples


def test_zendesk_sample():
    data = (SAMPLES / "macros-zendesk-sav.json").read_bytes()
    transcripts, errors = json_document.read(data, "macros-zendesk-sav.json", ReaderOptions())
    assert errors == []
    assert [(t.id, t.channel) for t in transcripts] == [
        ("SAV::Accusé de réception", "canned"),
        ("SAV::Escalade atelier", "canned"),
        ("SAV::Reprise de l'ancien matelas", "canned"),
        ("Livraison::Créneau confirmé", "canned"),
        ("Extraits::Délai de remboursement", "snippet"),
    ]
    found = by_id(transcripts)
    assert found["SAV::Escalade atelier"].turns[0].text == (
        "Votre ticket a été escaladé au back-office, le process prend normalement 15 jours."
    )
    assert "Ce n'est pas possible." in found["SAV::Reprise de l'ancien matelas"].turns[0].text
    with_first_name = [t.id for t in transcripts if "{{ticket.requester.first_name}}" in t.turns[0].text]
    assert with_first_name == [
        "SAV::Accusé de réception", "SAV::Reprise de l'ancien matelas", "Livraison::Créneau confirmé",
    ]


def test_yaml_sample():
    data = (SAMPLES / "reponses-types-livraison.yaml").read_bytes()
    transcripts, errors = canned.read(data, "reponses-types-livraison.yaml")
    assert errors == []
    assert [(t.id, t.channel) for t in transcripts] == [
        ("Colis en retard", "canned"), ("Colis perdu", "canned"), ("Changement d'adresse", "canned"),
        ("Horaires du point relais", "snippet"),
    ]
    turn = by_id(transcripts)["Colis perdu"].turns[0]
    line, column = turn.locate(turn.text.index("c'est la faute du transporteur"))
    raw = (SAMPLES / "reponses-types-livraison.yaml").read_text(encoding="utf-8").split("\n")
    assert raw[line - 1][column - 1 :].startswith("c'est la faute du transporteur")
