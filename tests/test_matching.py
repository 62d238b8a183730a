"""Phrase matching copes with messy French: apostrophes, spaces, accents, spoken negation."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from transcript_audit import nlp as nlp_module
from transcript_audit.matching import ExpressionIndex
from transcript_audit.rule_model import Expression, Phrase

from .conftest import examples


def matched(nlp, expression: Expression, text: str) -> list[str]:
    index = ExpressionIndex(nlp_module.Parser(nlp=nlp), [expression])
    doc = next(nlp_module.parse(nlp, [text]))
    return [doc.text[h.start_char : h.end_char] for h in index.find(doc).get(index.key(expression), [])]


REFUSAL = Expression(phrases=(Phrase("ce n'est pas possible"),))
APOLOGY = Expression(phrases=(Phrase("désolé"), Phrase("je comprends")))


@pytest.mark.parametrize(
    "text",
    [
        "Ce n'est pas possible.",
        "Ce n’est pas possible.",  # curly apostrophe
        "CE N'EST PAS POSSIBLE",
        "ce n'est pas possible !",
        "c'est pas possible",  # spoken French drops "ne"
        "C’est pas possible",
    ],
)
def test_phrase_survives_typography_case_and_spoken_negation(nlp, text):
    assert matched(nlp, REFUSAL, text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Je suis désolée pour l'attente.", ["désolée"]),
        ("Desole pour l'attente", ["Desole"]),
        ("Nous sommes DÉSOLÉS.", ["DÉSOLÉS"]),
        ("Je ne suis pas désolé du tout.", []),  # negated: no apology
        ("Je comprends votre colère.", ["Je comprends"]),
        ("Je comprends pas ce que vous dites.", []),  # spoken negation
        ("je ne comprends pas", []),
    ],
)
def test_negation_and_inflection(nlp, text, expected):
    assert matched(nlp, APOLOGY, text) == expected


def test_lemmas_match_conjugations_and_plurals(nlp):
    expression = Expression(phrases=(Phrase("votre marchandise"), Phrase("vous auriez dû")))
    assert matched(nlp, expression, "Vos marchandises sont arrivées.") == ["Vos marchandises"]


def test_forms_do_not_match_other_tenses(nlp):
    expression = Expression(forms=(Phrase("il fallait"),))
    assert matched(nlp, expression, "Il fallait lire.") == ["Il fallait"]
    assert matched(nlp, expression, "Il faudra signer.") == []


def test_non_breaking_space_before_punctuation(nlp):
    expression = Expression(forms=(Phrase("calmez-vous"),))
    assert matched(nlp, expression, "Calmez-vous\u00a0!") == ["Calmez-vous"]
    assert matched(nlp, expression, "calmez vous\u202f!") == ["calmez vous"]


def test_token_pattern_lemma_values_are_accent_insensitive(nlp):
    expression = Expression(patterns=(({"LEMMA": "être"}, {"LOWER": "désolé"}),))
    assert matched(nlp, expression, "Je suis désolé.") == ["suis désolé"]


def test_regex_ignores_case_and_accents_and_maps_back_to_original_text(nlp):
    expression = Expression(regex=(r"\bdeja\s+dit\b",))
    assert matched(nlp, expression, "Je vous l'ai DÉJÀ dit.") == ["DÉJÀ dit"]


def test_adjacent_hits_are_reported_once(nlp):
    expression = Expression(forms=(Phrase("normalement"), Phrase("sous peu")))
    assert matched(nlp, expression, "Elle arrivera normalement sous peu.") == ["normalement sous peu"]
    assert matched(nlp, expression, "Normalement, elle arrivera sous peu.") == ["Normalement", "sous peu"]


def test_many_terms_compile_into_one_matcher_per_kind(nlp):
    phrases = tuple(Phrase(f"mot{i}") for i in range(500))
    index = ExpressionIndex(nlp_module.Parser(nlp=nlp), [Expression(phrases=phrases)])
    assert len(index._lemma_matcher) == 500
    assert len(index._stem_matcher) == 500


@pytest.mark.parametrize("text", ["Votre {{produit}} est parti.", "Votre [Produit] est parti.", "Votre %produit% est parti."])
def test_nothing_matches_inside_a_placeholder(nlp, text):
    expression = Expression(phrases=(Phrase("produit"), Phrase("votre produit")))
    assert matched(nlp, expression, text) == []


def test_token_patterns_run_only_where_their_required_words_are(auditor):
    """Skipping a pattern on a turn without its words never loses a match: on every
    example text of the built-in rules, the filtered matcher finds what one spaCy
    Matcher holding every pattern finds."""
    from spacy.matcher import Matcher

    index = auditor.index
    everything = Matcher(auditor.parser.vocab)
    for pattern in index._token_patterns:
        everything.add(pattern.match_key, [list(pattern.matcher.get(pattern.match_key)[1][0])])
    texts = [example.text for rule in auditor.rules for example in (*rule.flag_examples, *rule.pass_examples)]
    skipped = 0
    for doc in auditor.parser.parse_groups([texts])[0]:
        token_matches = {m for m in index._matches(doc, None) if auditor.parser.vocab.strings[m[0]].startswith("t")}
        assert token_matches == set(everything(doc)), doc.text
        skipped += len(index._token_patterns) - len({m[0] for m in token_matches})
    assert skipped > 0


def test_required_words_come_from_tokens_that_must_be_there(nlp):
    from transcript_audit.matching import required_words

    strings = nlp.vocab.strings
    required = required_words(
        [{"LOWER": {"IN": ["je", "nous"]}}, {"LEMMA": "aller", "OP": "?"}, {"lower": "vous"}, {"POS": "VERB"}, {"LEMMA": {"REGEX": "^rappel"}}],
        strings,
    )
    assert [(r.attribute, sorted(strings[v] for v in r.values)) for r in required if r.regex is None] == [
        ("LOWER", ["je", "nous"]),
        ("LOWER", ["vous"]),
    ]
    assert [r.regex.pattern for r in required if r.regex is not None] == ["^rappel"]


def test_regexes_run_only_where_their_required_strings_are(auditor):
    """On every example text of the built-in rules, a regex that matches passes its own shortcut."""
    from transcript_audit.text import strip_accents

    texts = [example.text for rule in auditor.rules for example in (*rule.flag_examples, *rule.pass_examples)]
    assert auditor.index._regexes
    skipped = 0
    for text in texts:
        folded = strip_accents(text)
        for pattern in auditor.index._regexes:
            if pattern.regex.search(folded):
                assert pattern.may_match(folded.lower()), (pattern.regex.pattern, text)
            skipped += not pattern.may_match(folded.lower())
    assert skipped > 0


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        (r"(?<!\bnon,)(?:pas|non)\s+nous\b", [{"pas", "non"}, {"nous"}]),
        (r"\b(?:sous|dans|d'ici)\s+\d+\s*(?:h|heures?)\b", [{"sous", "dans", "d'ici"}]),  # "h" is too short to help
        (r"(?:au plus )?tard", [{"tard"}]),  # an optional group requires nothing
        (r"(?-i:XX)yz", [{"xx"}, {"yz"}]),
        (r"[ab]+", []),
        (r"(unbalanced", []),  # never raises: no shortcut
    ],
)
def test_required_substrings_come_from_mandatory_literals(source, expected):
    from transcript_audit.regexes import required_substrings

    assert [set(strings) for strings in required_substrings(source)] == expected


_PIECES = ["ab", "cd", "e", r"\s", r"\d", "[ab]", "(?:ab|cd)", "(?:ab)?", "x+", "(?<=a)", r"\b", "(?:e|ab)", "c{2,3}", "(?i:AB)"]


@settings(max_examples=examples(1000))
@given(st.lists(st.sampled_from(_PIECES), min_size=1, max_size=6), st.text(alphabet="abcdexAB 12", max_size=30))
def test_a_regex_never_misses_a_turn_because_of_its_shortcut(pieces, text):
    import regex

    from transcript_audit.matching import RegexPattern
    from transcript_audit.regexes import required_substrings

    source = "".join(pieces)
    pattern = RegexPattern(0, regex.compile(source, regex.IGNORECASE | regex.VERSION0), required_substrings(source))
    if pattern.regex.search(text):
        assert pattern.may_match(text.lower())
