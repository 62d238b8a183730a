"""Speech-to-text JSON shapes: plain turns, Whisper/WhisperX, AWS Transcribe, AWS Call Analytics /
Contact Lens, Deepgram, AssemblyAI, Google CCAI Insights.

Each shape is recognised by its structure; every turn points back to the line of its text and to
its JSON path; a broken piece is a located ``ReadError`` and never stops the others. No spaCy
model is needed here.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from transcript_audit.model import ReadError, Role, Transcript
from transcript_audit.readers import json_document, speech_json
from transcript_audit.readers.base import ReaderOptions
from transcript_audit.readers.speech_json import NO_SPEAKERS_NOTE, JsonLines, json_path
from transcript_audit.roles import infer_roles

from .conftest import examples

FIXTURES = Path(__file__).parent / "fixtures" / "speech_json"
SAMPLES = Path(__file__).resolve().parents[1] / "samples"

AGENT, CUSTOMER, UNKNOWN = Role.AGENT, Role.CUSTOMER, Role.UNKNOWN


def read_fixture(name: str) -> tuple[list[Transcript], list[ReadError]]:
    return json_document.read((FIXTURES / name).read_bytes(), name, ReaderOptions())


def read_one(name: str) -> Transcript:
    """The one transcript of a fixture, asserting the reader reported nothing."""
    transcripts, errors = read_fixture(name)
    assert errors == [], [str(error) for error in errors]
    assert len(transcripts) == 1
    return transcripts[0]


def convert(document: Any, source: str = "appel.json") -> tuple[list[Transcript], list[ReadError]]:
    """Convert a document written as pretty JSON, with the first speech shape that matches it."""
    raw = json.dumps(document, indent=2, ensure_ascii=False)
    shape = shape_of(document)
    assert shape is not None, "no speech shape matches"
    return shape.convert(json.loads(raw), source, raw)


def shape_of(document: Any) -> speech_json.JsonShape | None:
    return next((shape for shape in speech_json.SHAPES if shape.matches(document)), None)


def turns(transcript: Transcript) -> list[tuple[Role, str, str]]:
    return [(turn.role, turn.speaker, turn.text) for turn in transcript.turns]


def places(transcript: Transcript) -> list[tuple[int | None, str | None]]:
    return [(turn.line, turn.locator) for turn in transcript.turns]


def times(transcript: Transcript) -> list[tuple[float | None, float | None]]:
    return [(turn.start, turn.end) for turn in transcript.turns]


def located(errors: list[ReadError]) -> list[tuple[int | None, str]]:
    return [(error.line, error.message) for error in errors]


# ---------------------------------------------------------------- recognition


@pytest.mark.parametrize(
    ("name", "shape"),
    [
        ("plain-appel.json", "plain turns"),
        ("plain-plusieurs.json", "plain turns"),
        ("plain-casse.json", "plain turns"),
        ("whisperx-livraison.json", "Whisper/WhisperX"),
        ("whisper-sans-locuteurs.json", "Whisper/WhisperX"),
        ("whisper-segments-casses.json", "Whisper/WhisperX"),
        ("whisper-vide.json", "Whisper/WhisperX"),
        ("aws-transcribe-resiliation.json", "AWS Transcribe"),
        ("aws-transcribe-segments.json", "AWS Transcribe"),
        ("call-analytics-facture.json", "AWS Call Analytics/Contact Lens"),
        ("contact-lens-participants.json", "AWS Call Analytics/Contact Lens"),
        ("deepgram-utterances.json", "Deepgram"),
        ("deepgram-paragraphes.json", "Deepgram"),
        ("assemblyai-rendez-vous.json", "AssemblyAI"),
        ("assemblyai-sans-locuteurs.json", "AssemblyAI"),
        ("ccai-remboursement.json", "Google CCAI Insights"),
    ],
)
def test_each_fixture_is_recognised_by_its_structure(name, shape):
    document = json.loads((FIXTURES / name).read_text(encoding="utf-8"))
    assert shape_of(document).name == shape


@pytest.mark.parametrize("document", [{"foo": 1}, [], [1, 2], {"results": []}, {"results": {"other": 1}}, "texte", 3])
def test_other_documents_match_no_speech_shape(document):
    assert shape_of(document) is None


def test_the_shape_does_not_depend_on_the_file_name():
    data = (FIXTURES / "assemblyai-rendez-vous.json").read_bytes()
    transcripts, errors = json_document.read(data, "exports/whisper-contact-lens.json", ReaderOptions())
    assert errors == []
    assert transcripts[0].id == "whisper-contact-lens"
    assert transcripts[0].turns[0].speaker == "A"


# ---------------------------------------------------------------- 1. the plain shape


def test_plain_conversation_keeps_its_id_channel_roles_lines_and_times():
    transcript = read_one("plain-appel.json")
    assert (transcript.id, transcript.channel, transcript.path) == ("appel-2024-0612-017", "call", "plain-appel.json")
    assert turns(transcript) == [
        (AGENT, "Julie", "Assurances Méridia, Julie bonjour, que puis-je faire pour vous ?"),
        (CUSTOMER, "M. Garnier", "Bonjour, je vous appelle pour un dégât des eaux dans ma cuisine. Le plafond a coulé cette nuit."),
        (AGENT, "Julie", "Je suis désolée, ce n'est vraiment pas agréable. Je crée votre déclaration tout de suite."),
        (CUSTOMER, "M. Garnier", "Merci, c'est gentil."),
        (UNKNOWN, "SPEAKER_02", "Bonjour, c'est le plombier, je suis devant la porte."),
    ]
    assert places(transcript) == [(8, "turns[0]"), (15, "turns[1]"), (22, "turns[2]"), (29, "turns[3]"), (35, "turns[4]")]
    assert times(transcript) == [(0.0, 3.4), (3.9, 8.2), (8.6, 13.1), (13.5, None), (None, None)]
    assert all(turn.column is None for turn in transcript.turns)


def test_plain_consecutive_turns_of_one_speaker_are_not_merged():
    transcripts, errors = convert(
        {"turns": [{"role": "agent", "text": "Bonjour."}, {"role": "agent", "text": "Je vous écoute."}]}
    )
    assert errors == []
    assert turns(transcripts[0]) == [(AGENT, "agent", "Bonjour."), (AGENT, "agent", "Je vous écoute.")]
    assert transcripts[0].id == "appel"


def test_plain_speaker_without_role_takes_the_role_its_label_names():
    transcripts, errors = convert(
        {"turns": [{"speaker": "Conseillère", "text": "Bonjour."}, {"speaker": "SPEAKER_1", "text": "Allô ?"}]}
    )
    assert errors == []
    assert turns(transcripts[0]) == [(AGENT, "Conseillère", "Bonjour."), (UNKNOWN, "SPEAKER_1", "Allô ?")]


def test_plain_list_holds_several_conversations_and_a_broken_one_does_not_stop_the_others():
    transcripts, errors = read_fixture("plain-plusieurs.json")
    assert [(t.id, t.channel, len(t.turns)) for t in transcripts] == [
        ("chat-8841", "chat", 2),
        ("4512", "email", 1),
        ("plain-plusieurs#4", "call", 1),
        ("chat-8841", "chat", 1),
    ]
    assert places(transcripts[0]) == [(9, "[0].turns[0]"), (14, "[0].turns[1]")]
    assert located(errors) == [
        (29, "[2] : il faut un objet conversation avec « turns », pas un texte"),
        (40, "[4].id : identifiant « chat-8841 » en double (déjà utilisé en [0].id)"),
    ]


def test_plain_shape_is_validated_strictly_with_json_paths_and_lines():
    transcripts, errors = read_fixture("plain-casse.json")
    assert located(errors) == [
        (3, "channel : canal inconnu « téléphone » (valeurs possibles : call, chat, email, canned, snippet)"),
        (15, "turns[1].text : absent (« txt » trouvé : vouliez-vous dire « text » ?)"),
        (20, "turns[2].text : il faut un texte, pas un nombre"),
        (24, "turns[3].role : rôle inconnu « superviseuse » (valeurs possibles : « agent », « customer » ou « unknown »)"),
        (31, "turns[4].start : il faut un nombre de secondes depuis le début, pas un texte"),
        (38, "turns[5].end : fin 12.5 avant le début 14"),
        (40, "turns[6] : ni « speaker » ni « role » : indiquez qui parle"),
        (46, "turns[7].text : vide"),
        (48, "turns[8] : il faut un objet tour avec « speaker », « role » et « text », pas un texte"),
    ]
    assert all(error.path == "plain-casse.json" and error.column is None for error in errors)
    # The turns that still have words are read; a bad role or time does not lose the turn.
    (transcript,) = transcripts
    assert transcript.channel == "call"
    assert [(turn.locator, turn.role, turn.speaker, turn.start, turn.end) for turn in transcript.turns] == [
        ("turns[0]", AGENT, "Karim", 0.0, 2.5),
        ("turns[3]", UNKNOWN, "Mme Petit", None, None),
        ("turns[4]", AGENT, "Karim", None, None),
        ("turns[5]", AGENT, "Karim", 14.0, None),
        ("turns[6]", UNKNOWN, "", None, None),
    ]


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ({"id": "x", "turns": []}, "turns : aucune parole (la liste est vide)"),
        ({"id": "x", "turns": {"speaker": "A"}}, "turns : il faut un tableau, pas un objet"),
        ({"id": "x", "turns": None}, "turns : il faut un tableau, pas null"),
        ([{"id": "x", "text": "Bonjour"}, {"turns": [{"role": "agent", "text": "Oui ?"}]}], "[0].turns : absent (la liste des tours de parole)"),
        ({"id": ["x"], "turns": [{"role": "agent", "text": "Bonjour"}]}, "id : il faut un texte non vide ou un nombre, pas un tableau"),
        ({"channel": 3, "turns": [{"role": "agent", "text": "Bonjour"}]}, "channel : il faut un canal parmi call, chat, email, canned, snippet, pas un nombre"),
        ({"turns": [{"role": 1, "text": "Bonjour"}]}, "turns[0].role : il faut « agent », « customer » ou « unknown », pas un nombre"),
        ({"turns": [{"speaker": 7, "role": "agent", "text": "Bonjour"}]}, "turns[0].speaker : il faut un texte non vide, pas un nombre"),
        ({"turns": [{"role": "agent", "text": "Bonjour", "end": True}]}, "turns[0].end : il faut un nombre de secondes depuis le début, pas un booléen (true/false)"),
        ({"turns": [{"role": "agent", "text": "Bonjour", "start": -2}]}, "turns[0].start : il faut un nombre de secondes depuis le début, pas -2"),
        ({"turns": [{"role": "agent", "words": "Bonjour"}]}, "turns[0].text : absent (les mots du tour)"),
    ],
)
def test_plain_shape_reports_each_problem_with_its_json_path(document, message):
    _, errors = convert(document)
    assert message in [error.message for error in errors]


def test_plain_error_lines_point_at_the_value_or_its_object():
    raw = '{\n  "turns": [\n    {"role": "agent", "text": "Bonjour"},\n    {\n      "role": "agent",\n      "text": false\n    },\n    {\n      "role": "customer"\n    }\n  ]\n}\n'
    transcripts, errors = json_document.read(raw.encode(), "t.json", ReaderOptions())
    assert located(errors) == [
        (6, "turns[1].text : il faut un texte, pas un booléen (true/false)"),
        (8, "turns[2].text : absent (les mots du tour)"),
    ]
    assert places(transcripts[0]) == [(3, "turns[0]")]


# ---------------------------------------------------------------- 2. Whisper / WhisperX


def test_whisperx_segments_of_one_speaker_merge_and_keep_their_first_place_and_times():
    transcript = read_one("whisperx-livraison.json")
    assert (transcript.id, transcript.channel, transcript.notes) == ("whisperx-livraison", "call", [])
    assert turns(transcript) == [
        (UNKNOWN, "SPEAKER_01", "Bonjour, service client Maisonéa, Inès à l'appareil, que puis-je faire pour vous ?"),
        (UNKNOWN, "SPEAKER_00", "Oui, bonjour madame. J'appelle pour ma table basse, elle devait arriver hier."),
        # segments[3] has no speaker: most of its words are SPEAKER_01's, so it joins segments[4].
        (UNKNOWN, "SPEAKER_01", "Je regarde votre commande. Elle est partie ce matin du dépôt de Lyon."),
        (UNKNOWN, "SPEAKER_00", "Ah, très bien, merci."),
    ]
    assert places(transcript) == [(6, "segments[0]"), (26, "segments[1]"), (54, "segments[3]"), (82, "segments[5]")]
    assert times(transcript) == [(0.4, 5.87), (6.47, 12.36), (12.96, 18.47), (19.07, 20.78)]


def test_whisperx_agent_is_found_afterwards_by_what_it_says():
    transcript = read_one("whisperx-livraison.json")
    infer_roles(transcript)
    assert [turn.role for turn in transcript.turns] == [AGENT, CUSTOMER, AGENT, CUSTOMER]
    assert transcript.agent == "SPEAKER_01"


def test_whisperx_with_bom_and_crlf_reads_like_the_plain_file():
    transcript = read_one("whisperx-bom-crlf.json")
    reference = read_one("whisperx-livraison.json")
    assert turns(transcript) == turns(reference)[:2]
    assert places(transcript) == places(reference)[:2]


def test_plain_whisper_without_speakers_keeps_each_segment_and_says_roles_are_unknown():
    transcript = read_one("whisper-sans-locuteurs.json")
    assert turns(transcript) == [
        (UNKNOWN, "", "Bonjour, vous êtes bien au service client de la Mutuelle Aubépine."),
        (UNKNOWN, "", "Bonjour, j'ai reçu un courrier pour ma cotisation, je ne comprends pas le montant."),
        (UNKNOWN, "", "Je regarde ça avec vous, vous pouvez me donner votre numéro d'adhérent ?"),
        (UNKNOWN, "", "Oui, c'est le 55 18 204."),
    ]
    # Accents are escaped (\u00e9) in this file: the lines are still those of the texts.
    assert places(transcript) == [(9, "segments[0]"), (20, "segments[1]"), (42, "segments[3]"), (53, "segments[4]")]
    assert transcript.notes == [NO_SPEAKERS_NOTE]


def test_whisper_broken_segments_are_located_and_the_others_still_read():
    transcripts, errors = read_fixture("whisper-segments-casses.json")
    assert located(errors) == [
        (9, "segments[1].text : absent"),
        (17, "segments[2].text : il faut un texte, pas null"),
        (20, "segments[3] : il faut un objet, pas un texte"),
        (24, "segments[4].text : il faut un texte, pas un tableau"),
    ]
    (transcript,) = transcripts
    assert turns(transcript) == [
        (UNKNOWN, "SPEAKER_00", "Bonjour, Sandrine du service client."),
        (UNKNOWN, "SPEAKER_01", "Mon colis n'est jamais arrivé."),
    ]
    # "end": "9,8" is not a number: the time is dropped, the turn is kept.
    assert times(transcript) == [(0.0, 2.1), (7.5, None)]
    assert places(transcript) == [(6, "segments[0]"), (33, "segments[5]")]


def test_whisper_with_no_segment_is_no_speech():
    assert located(read_fixture("whisper-vide.json")[1]) == [(3, "segments : aucune parole (la liste est vide)")]


def test_whisper_with_only_silent_segments_is_no_speech():
    transcripts, errors = convert({"segments": [{"text": " "}, {"text": ""}], "language": "fr"})
    assert transcripts == []
    assert [error.message for error in errors] == ["segments : aucune parole (tous les textes sont vides)"]


@pytest.mark.parametrize("segments", [{"text": "Bonjour"}, "Bonjour", None])
def test_whisper_segments_that_are_not_a_list_are_reported(segments):
    transcripts, errors = convert({"segments": segments})
    assert transcripts == []
    assert errors[0].message.startswith("segments : il faut un tableau, pas ")


def test_truncated_file_is_invalid_json_with_line_and_column():
    transcripts, errors = read_fixture("whisperx-tronque.json")
    assert transcripts == []
    assert [(e.line, e.column, e.message) for e in errors] == [(26, 15, "JSON invalide : chaîne de caractères jamais fermée")]


# ---------------------------------------------------------------- 3. AWS Transcribe


def test_aws_items_group_by_speaker_label_with_punctuation_glued():
    transcript = read_one("aws-transcribe-resiliation.json")
    assert turns(transcript) == [
        (UNKNOWN, "spk_0", "Bonjour, Nicolas du service abonnés, je vous écoute."),
        (UNKNOWN, "spk_1", "Bonjour, je voudrais résilier mon abonnement, je déménage à l'étranger."),
        (UNKNOWN, "spk_0", "Très bien, je regarde votre contrat. Vous pouvez résilier dès aujourd'hui, sans frais."),
        (UNKNOWN, "spk_1", "Parfait, merci beaucoup!"),
    ]
    # spk_2 is announced ("speakers": 3) but never speaks: no turn for it.
    assert places(transcript) == [
        (87, "results.items[0]"),
        (98, "results.items[11]"),
        (111, "results.items[24]"),
        (128, "results.items[41]"),
    ]
    assert times(transcript) == [(0.3, 3.72), (4.39, 8.93), (9.6, 15.75), (16.42, 17.89)]


def test_aws_items_without_label_take_the_speaker_of_their_segment():
    transcripts, errors = read_fixture("aws-transcribe-segments.json")
    (transcript,) = transcripts
    assert turns(transcript) == [
        (UNKNOWN, "spk_1", "Allô, oui, bonjour."),
        (UNKNOWN, "spk_0", "Bonjour madame, Clément du service technique."),
        # "ce" starts at a time no segment item has, inside spk_1's segment.
        (UNKNOWN, "spk_1", "Ma chaudière s'est encore arrêtée ce matin."),
    ]
    # The whole file is on one line, as AWS writes it.
    assert places(transcript) == [(1, "results.items[0]"), (1, "results.items[6]"), (1, "results.items[15]")]
    assert located(errors) == [(1, "results.items[8].alternatives : absent")]


def aws_item(content: str, kind: str = "pronunciation", start: float | None = None, **extra: Any) -> dict[str, Any]:
    item: dict[str, Any] = {"type": kind, "alternatives": [{"confidence": "0.9", "content": content}], **extra}
    if start is not None:
        item.update(start_time=f"{start:.2f}", end_time=f"{start + 0.3:.2f}")
    return item


def test_aws_without_speaker_labels_makes_one_turn_per_sentence():
    items = [
        aws_item("?", "punctuation"),  # a leading punctuation mark has no word to stick to
        aws_item("Bonjour", start=0.1),
        aws_item(".", "punctuation"),
        aws_item("Je", start=0.9),
        aws_item("vous", start=1.1),
        aws_item("écoute", start=1.3),
        aws_item(".", "punctuation"),
    ]
    transcripts, errors = convert({"results": {"transcripts": [{"transcript": "Bonjour. Je vous écoute."}], "items": items}})
    assert errors == []
    assert turns(transcripts[0]) == [(UNKNOWN, "", "Bonjour."), (UNKNOWN, "", "Je vous écoute.")]
    assert times(transcripts[0]) == [(0.1, 0.4), (0.9, 1.6)]
    assert transcripts[0].notes == [NO_SPEAKERS_NOTE]


@pytest.mark.parametrize(
    ("item", "message"),
    [
        ("mot", "results.items[1] : il faut un objet, pas un texte"),
        ({"type": "pronunciation", "alternatives": []}, "results.items[1].alternatives : vide"),
        ({"type": "pronunciation", "alternatives": ["oui"]}, "results.items[1].alternatives[0] : il faut un objet, pas un texte"),
        ({"type": "pronunciation", "alternatives": [{"confidence": "0.9"}]}, "results.items[1].alternatives[0].content : absent"),
        ({"type": "pronunciation", "alternatives": [{"content": 12}]}, "results.items[1].alternatives[0].content : il faut un texte, pas un nombre"),
    ],
)
def test_aws_broken_items_are_reported_and_skipped(item, message):
    items = [aws_item("Bonjour", start=0.1, speaker_label="spk_0"), item, aws_item("madame", start=0.5, speaker_label="spk_0")]
    transcripts, errors = convert({"results": {"items": items}})
    assert [error.message for error in errors] == [message]
    assert turns(transcripts[0]) == [(UNKNOWN, "spk_0", "Bonjour madame")]


def test_aws_empty_items_is_no_speech():
    _, errors = convert({"results": {"transcripts": [{"transcript": ""}], "items": []}})
    assert [error.message for error in errors] == ["results.items : aucune parole (la liste est vide)"]


# ---------------------------------------------------------------- 4. AWS Call Analytics / Contact Lens


def test_call_analytics_roles_come_from_participant_role_and_times_from_milliseconds():
    transcripts, errors = read_fixture("call-analytics-facture.json")
    (transcript,) = transcripts
    assert turns(transcript) == [
        (AGENT, "AGENT", "Électricité du Val, Samia bonjour."),
        (CUSTOMER, "CUSTOMER", "Bonjour madame. Ma facture de juin est deux fois plus élevée que d'habitude."),
        (AGENT, "AGENT", "Je vois un relevé estimé, je le corrige avec votre relevé réel."),
        (CUSTOMER, "CUSTOMER", "Merci beaucoup."),
    ]
    assert places(transcript) == [(7, "Transcript[0]"), (15, "Transcript[1]"), (39, "Transcript[4]"), (47, "Transcript[5]")]
    assert times(transcript)[:2] == [(0.8, 3.34), (3.74, 9.64)]
    assert located(errors) == [(31, "Transcript[3].Content : il faut un texte, pas null")]


def test_contact_lens_roles_come_from_the_participants_list():
    transcript = read_one("contact-lens-participants.json")
    assert turns(transcript) == [
        (AGENT, "AGENT", "Bienvenue chez Vélorapide, Hugo à votre écoute."),
        (CUSTOMER, "CUSTOMER", "Bonjour, mon vélo électrique ne charge plus."),
        (AGENT, "AGENT", "Je vous envoie un chargeur neuf aujourd'hui."),
    ]
    # The supervisor is listed but never speaks.
    assert "SUPERVISOR" not in {turn.speaker for turn in transcript.turns}
    infer_roles(transcript)
    assert transcript.notes == []


def test_contact_lens_unknown_participant_stays_unknown():
    transcripts, errors = convert(
        {"Transcript": [{"ParticipantId": "BOT", "Content": "Bienvenue.", "BeginOffsetMillis": 0, "EndOffsetMillis": 900}]}
    )
    assert errors == []
    assert turns(transcripts[0]) == [(UNKNOWN, "BOT", "Bienvenue.")]


# ---------------------------------------------------------------- 5. Deepgram


def test_deepgram_utterances_merge_by_speaker_and_point_at_their_own_text():
    transcript = read_one("deepgram-utterances.json")
    assert turns(transcript) == [
        (UNKNOWN, "0", "Bonjour, Camille de la Banque Horizon, je vous écoute."),
        (UNKNOWN, "1", "Bonjour, ma carte a été avalée par le distributeur. Ce matin."),
        (UNKNOWN, "0", "Je la fais opposer et je vous en commande une nouvelle."),
    ]
    # The same sentences appear earlier, in the paragraphs: the lines are the utterances' own.
    assert places(transcript) == [(65, "results.utterances[0]"), (85, "results.utterances[1]"), (118, "results.utterances[3]")]
    assert times(transcript) == [(0.32, 3.1), (3.6, 9.4), (9.9, 14.2)]


def test_deepgram_without_utterances_reads_the_paragraphs():
    transcripts, errors = read_fixture("deepgram-paragraphes.json")
    (transcript,) = transcripts
    prefix = "results.channels[0].alternatives[0].paragraphs.paragraphs"
    assert turns(transcript) == [
        (UNKNOWN, "0", "Bonjour, Camille de la Banque Horizon, je vous écoute."),
        (UNKNOWN, "1", "Bonjour, ma carte a été avalée par le distributeur. Ce matin. Vers huit heures."),
    ]
    assert places(transcript) == [(20, f"{prefix}[0]"), (33, f"{prefix}[1]")]
    assert located(errors) == [(60, f"{prefix}[3].sentences : absent")]


def test_deepgram_multichannel_speakers_are_told_apart_by_channel():
    utterances = [
        {"channel": 0, "speaker": 0, "transcript": "Bonjour, je vous écoute.", "start": 0.2, "end": 1.5},
        {"channel": 1, "speaker": 0, "transcript": "Bonjour, j'ai un souci.", "start": 1.9, "end": 3.0},
    ]
    transcripts, _ = convert({"results": {"utterances": utterances}})
    assert [turn.speaker for turn in transcripts[0].turns] == ["ch0-0", "ch1-0"]


def test_deepgram_without_utterances_or_paragraphs_says_what_to_request():
    _, errors = convert({"results": {"channels": [{"alternatives": [{"transcript": "Bonjour."}]}]}})
    assert [error.message for error in errors] == [
        "results : ni « utterances » ni paragraphes (demandez utterances=true et diarize=true)"
    ]


# ---------------------------------------------------------------- 6. AssemblyAI


def test_assemblyai_utterances_in_milliseconds():
    transcript = read_one("assemblyai-rendez-vous.json")
    assert turns(transcript) == [
        (UNKNOWN, "A", "Bonjour, Chauffage Dumas, Manon à l'appareil."),
        (UNKNOWN, "B", "Bonjour, je voudrais un rendez-vous pour l'entretien de ma chaudière."),
        (UNKNOWN, "A", "Je peux vous proposer mardi 18 entre 8 heures et midi. Ça vous convient ?"),
        (UNKNOWN, "B", "Parfait, merci."),
    ]
    assert times(transcript) == [(0.24, 4.1), (4.5, 9.8), (10.2, 17.2), (17.6, 19.0)]
    assert places(transcript) == [(13, "utterances[0]"), (20, "utterances[1]"), (27, "utterances[2]"), (41, "utterances[4]")]


def test_assemblyai_without_speaker_labels_is_reported():
    transcripts, errors = read_fixture("assemblyai-sans-locuteurs.json")
    assert transcripts == []
    assert located(errors) == [
        (6, "utterances : null : l’appel a été transcrit sans séparation des locuteurs (demandez speaker_labels=true)")
    ]


# ---------------------------------------------------------------- 7. Google CCAI Insights


def test_ccai_roles_speakers_and_times_relative_to_the_first_entry():
    transcript = read_one("ccai-remboursement.json")
    assert turns(transcript) == [
        (AGENT, "AUTOMATED_AGENT 1", "Bonjour, je suis l'assistant virtuel de Voyages Alizé. Que puis-je faire pour vous ?"),
        (CUSTOMER, "END_USER 2", "Je veux être remboursée de mon vol annulé."),
        (AGENT, "AUTOMATED_AGENT 1", "Je vous mets en relation avec un conseiller."),
        (AGENT, "HUMAN_AGENT 3", "Bonjour, Yanis à votre écoute. Je vois votre vol Nice-Lille du 3 juin."),
        (CUSTOMER, "END_USER 2", "Oui, c'est celui-là. Et il a été annulé la veille."),
        (AGENT, "HUMAN_AGENT 3", "Je lance le remboursement, vous le recevrez sous sept jours."),
    ]
    # The third timestamp is a string, as protobuf JSON writes 64-bit integers.
    assert [turn.start for turn in transcript.turns] == [0.0, 4.2, 9.5, 31.25, 38.0, 45.0]
    assert places(transcript)[:2] == [(5, "entries[0]"), (11, "entries[1]")]


# ---------------------------------------------------------------- encodings


@pytest.mark.parametrize("name", ["plain-cp1252.json", "plain-utf16.json"])
def test_legacy_encodings_are_decoded(name):
    transcript = read_one(name)
    assert turns(transcript) == [
        (AGENT, "Conseillère", "Bonjour, c’est noté : 49,90 € remboursés."),
        (CUSTOMER, "Client", "Très bien, merci."),
    ]
    assert places(transcript) == [(7, "turns[0]"), (12, "turns[1]")]


# ---------------------------------------------------------------- samples


def test_whisperx_sample_reads_as_one_call_whose_agent_is_inferred():
    data = (SAMPLES / "appel-whisperx-colis.json").read_bytes()
    (transcript,), errors = json_document.read(data, "appel-whisperx-colis.json", ReaderOptions())
    assert errors == []
    infer_roles(transcript)
    assert transcript.agent == "SPEAKER_01"
    assert transcript.turns[0].role is AGENT
    assert "que puis-je faire pour vous" in transcript.turns[0].text
    assert any("faute du transporteur" in turn.text for turn in transcript.turns if turn.role is AGENT)


def test_contact_lens_sample_has_known_roles():
    data = (SAMPLES / "appel-contact-lens-abonnement.json").read_bytes()
    (transcript,), errors = json_document.read(data, "appel-contact-lens-abonnement.json", ReaderOptions())
    assert errors == []
    assert transcript.turns[0].role is AGENT and transcript.turns[0].text == "Oui, c'est pour quoi ?"
    assert {turn.role for turn in transcript.turns} == {AGENT, CUSTOMER}
    assert all(later.start > earlier.start for earlier, later in zip(transcript.turns, transcript.turns[1:]))


# ---------------------------------------------------------------- JsonLines


TEXT = """{
  "b": "premier",
  "a": [
    1,
    {"x": "d\\u00e9j\\u00e0",
     "y": [true, {"z": "caf\\u00e9 \\"noir\\""}]}
  ],
  "c": {}
}"""


@pytest.mark.parametrize("max_depth", [0, 1, 2, 3, 9])
@pytest.mark.parametrize(
    ("path", "line"),
    [
        ((), 1),
        (("b",), 2),
        (("a",), 3),
        (("a", 0), 4),
        (("a", 1), 5),
        (("a", 1, "x"), 5),
        (("a", 1, "y"), 6),
        (("a", 1, "y", 1, "z"), 6),
        (("c",), 8),
        # Missing values: the line of the nearest ancestor that exists.
        (("a", 1, "missing"), 5),
        (("a", 7), 3),
        (("b", 0), 2),
        (("nowhere", "deep"), 1),
    ],
)
def test_json_lines_finds_values_at_any_depth(max_depth, path, line):
    assert JsonLines(TEXT, max_depth).line(path) == line


def test_json_lines_of_empty_text_is_unknown():
    assert JsonLines("", 3).line(("segments", 0)) is None


def test_json_path_is_written_like_jq():
    assert json_path(("results", "items", 120)) == "results.items[120]"
    assert json_path((2, "turns", 3, "text")) == "[2].turns[3].text"
    assert json_path(()) == ""


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=5), children, max_size=4),
    max_leaves=25,
)


def all_paths(value: Any, path: tuple = ()) -> list[tuple]:
    found = [path]
    if isinstance(value, dict):
        for key, child in value.items():
            found += all_paths(child, path + (key,))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            found += all_paths(child, path + (index,))
    return found


@settings(max_examples=examples(150), suppress_health_check=[HealthCheck.too_slow])
@given(json_values, st.integers(0, 3), st.booleans())
def test_json_lines_agrees_with_a_full_scan_whatever_the_depth(document, max_depth, ascii_only):
    text = json.dumps(document, indent=1, ensure_ascii=ascii_only)
    full, shallow = JsonLines(text, 100), JsonLines(text, max_depth)
    for path in all_paths(document):
        assert shallow.line(path) == full.line(path) is not None


# ---------------------------------------------------------------- robustness

SKELETONS = [
    lambda v: {"turns": [{"speaker": v, "role": v, "text": v, "start": v, "end": v}, v], "id": v, "channel": v},
    lambda v: [v, {"turns": v}, {"turns": [v]}],
    lambda v: {"segments": [{"start": v, "end": v, "text": v, "speaker": v, "words": v}, {"text": "x", "words": [v, {"speaker": v}]}, v]},
    lambda v: {"results": {"items": [v, {"type": v, "alternatives": v}, {"alternatives": [v]}, {"alternatives": [{"content": v}], "start_time": v, "speaker_label": v}], "speaker_labels": v}},
    lambda v: {"results": {"items": [{"type": "pronunciation", "alternatives": [{"content": "oui"}], "start_time": "1.0"}], "speaker_labels": {"segments": [v, {"start_time": v, "end_time": v, "speaker_label": v, "items": v}, {"items": [v, {"start_time": v, "speaker_label": v}]}]}}},
    lambda v: {"Transcript": [v, {"Content": v, "ParticipantRole": v, "ParticipantId": v, "BeginOffsetMillis": v}], "Participants": v},
    lambda v: {"Transcript": [{"Content": "Bonjour", "ParticipantId": "A"}], "Participants": [v, {"ParticipantId": v, "ParticipantRole": v}]},
    lambda v: {"results": {"utterances": [v, {"transcript": v, "speaker": v, "channel": v, "start": v}]}},
    lambda v: {"results": {"utterances": v, "channels": [{"alternatives": [{"paragraphs": {"paragraphs": [v, {"sentences": v, "speaker": v}, {"sentences": [v, {"text": v}]}]}}]}]}},
    lambda v: {"results": {"channels": v}},
    lambda v: {"utterances": [v, {"text": v, "speaker": v, "start": v, "end": v}]},
    lambda v: {"utterances": v},
    lambda v: {"entries": [v, {"text": v, "role": v, "user_id": v, "start_timestamp_usec": v}]},
    lambda v: {"entries": v},
]


@settings(max_examples=examples(60), suppress_health_check=[HealthCheck.too_slow])
@given(json_values, st.sampled_from(range(len(SKELETONS))))
def test_wrong_types_anywhere_never_raise(value, skeleton):
    document = SKELETONS[skeleton](value)
    data = json.dumps(document, indent=2).encode()
    transcripts, errors = json_document.read(data, "x.json", ReaderOptions())
    assert all(isinstance(error, ReadError) and error.path == "x.json" for error in errors)
    assert transcripts or errors
    for transcript in transcripts:
        assert transcript.turns and all(turn.text.strip() for turn in transcript.turns)


@given(json_values)
@settings(max_examples=examples(100))
def test_any_document_either_matches_no_shape_or_converts_without_raising(document):
    shape = shape_of(document)
    if shape is not None:
        raw = json.dumps(document)
        transcripts, errors = shape.convert(document, "x.json", raw)
        assert transcripts or errors


# ---------------------------------------------------------------- size


@pytest.mark.slow
def test_big_files_read_in_linear_time():
    """20 000 segments of one speaker and 20 000 unlabelled AWS words: one long turn each."""
    segments = [{"start": i, "end": i + 0.5, "text": f" phrase {i}", "speaker": "SPEAKER_00"} for i in range(20000)]
    items = [aws_item(f"mot{i}", start=i * 0.3) for i in range(20000)]
    began = time.perf_counter()
    (whisper,), _ = convert({"segments": segments})
    (aws,), _ = convert({"results": {"items": items}})
    assert time.perf_counter() - began < 20  # quadratic joins or scans would take minutes
    assert len(whisper.turns) == 1 and whisper.turns[0].text.endswith("phrase 19999")
    assert len(aws.turns) == 1 and aws.turns[0].text.startswith("mot0 mot1 ")


def test_a_finding_in_a_merged_turn_points_at_its_own_piece():
    from transcript_audit.model import Role
    from transcript_audit.readers.speech_json import merge_pieces, _Piece

    turns = merge_pieces(
        [
            _Piece(role=Role.AGENT, speaker="A", parts=["Bonjour."], line=3, locator="segments[0]", start=0.0, end=1.0),
            _Piece(role=Role.AGENT, speaker="A", parts=["Votre colis part."], line=9, locator="segments[1]", start=1.0, end=2.0),
        ]
    )
    assert len(turns) == 1
    turn = turns[0]
    offset = turn.text.index("colis")
    assert turn.locate(offset) == (9, None)
    assert turn.locator_at(offset) == "segments[1]"
    assert turn.locator_at(0) == "segments[0]"
