"""Normalisation keeps offsets: every change is one character for one."""

from __future__ import annotations

import pytest

from transcript_audit.text import fold, fold_preserving_length, light_stem, mask_placeholders, normalise_typography


def test_typography_is_normalised_one_character_for_one():
    text = "C’est\u00a0: l‘article\u202f? ʼok"
    normalised = normalise_typography(text)
    assert normalised == "C'est : l'article ? 'ok"
    assert len(normalised) == len(text)


def test_fold_strips_case_accents_and_ligatures():
    assert fold("DÉSOLÉE, Œuvre") == "desolee, oeuvre"
    assert fold_preserving_length("DÉJÀ Œ") == "deja œ"


@pytest.mark.parametrize(("a", "b"), [("désolée", "désolé"), ("Désolés", "desole"), ("marchandises", "marchandise"), ("-vous", "vous")])
def test_light_stem_joins_plural_feminine_and_accents(a, b):
    assert light_stem(a) == light_stem(b)


@pytest.mark.parametrize(
    "placeholder",
    [
        "{{ticket.requester.first_name}}", "{{ agent.name }}", "{prenom}", "{ client }", "${client}", "[NOM]",
        "[Prénom]", "%name%", "%prénom%", "%%NUMERO%%", "%%ÉTAT%%", "{% if ticket.requester.first_name %}",
    ],
)
def test_placeholders_are_masked_as_one_name_of_the_same_length(placeholder):
    text = f"Bonjour {placeholder}, votre colis"
    masked = mask_placeholders(text)
    assert len(masked) == len(text)
    assert masked.startswith("Bonjour X") and masked.endswith(", votre colis")
    assert " " not in masked[len("Bonjour ") : len("Bonjour ") + len(placeholder)]


@pytest.mark.parametrize(
    "text", ["Remise de 100 % sur la livraison.", "Voir [sic] plus haut.", "Un { seul.", "[Suivre mon colis](https://x.fr)", "20 % et 30 %"]
)
def test_ordinary_text_is_not_taken_for_a_placeholder(text):
    assert mask_placeholders(text) == text
