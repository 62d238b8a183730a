"""Compile every rule expression into a few matchers and run them once per turn.

All phrase lists of all rules go into two ``PhraseMatcher`` objects (one on
folded lemmas, one on light stems of the surface form; ``forms`` lists use
only the second), all token patterns
into one ``Matcher``, and regexes into one list: matching cost grows with the
text, not with the number of terms. ``ExpressionIndex.find`` returns the hits
of every expression in one turn.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from spacy.language import Language
from spacy.matcher import Matcher, PhraseMatcher
from spacy.tokens import Doc

from . import nlp as nlp_module
from .rule_model import Expression, Phrase
from .text import fold, strip_accents

# Spoken French drops the "ne" of negations ("c'est pas possible").
_NEGATION_PARTICLES = frozenset({"ne", "n'"})
# A phrase without a negation of its own does not match where the text negates
# it: "je ne suis pas désolé" is no apology, "je comprends pas" no empathy.
_NEGATION_WORDS = frozenset({"ne", "n'", "pas", "plus", "jamais", "rien", "point", "guere", "aucun", "aucune", "sans", "non"})
_NEGATED_BEFORE = frozenset({"pas", "ne", "n'", "jamais"})
_NEGATED_AFTER = frozenset({"pas", "plus", "jamais", "point", "guere", "rien"})


@dataclass(frozen=True)
class Hit:
    start: int  # token index
    end: int  # token index, exclusive
    start_char: int
    end_char: int
    phrase: Phrase | None = None


class ExpressionIndex:
    def __init__(self, nlp: Language, expressions: Iterable[Expression]):
        self._vocab = nlp.vocab
        self._expressions: list[Expression] = []
        self._key_of: dict[int, int] = {}
        self._lemma_matcher = PhraseMatcher(nlp.vocab, attr="LEMMA")
        self._stem_matcher = PhraseMatcher(nlp.vocab, attr="NORM")
        self._token_matcher = Matcher(nlp.vocab, validate=True)
        self._regexes: list[tuple[int, re.Pattern[str]]] = []
        self._phrase_of: dict[str, tuple[int, Phrase | None]] = {}
        self._negatable: set[str] = set()  # phrase keys that a negation around them cancels
        phrase_jobs: list[tuple[str, str, bool]] = []  # (match key, text, match lemmas too)
        for expression in expressions:
            if id(expression) in self._key_of:
                continue
            key = len(self._expressions)
            self._key_of[id(expression)] = key
            self._expressions.append(expression)
            for kind, phrases in (("p", expression.phrases), ("f", expression.forms)):
                for number, phrase in enumerate(phrases):
                    match_key = f"{kind}{key}.{number}"
                    self._phrase_of[match_key] = (key, phrase)
                    phrase_jobs.append((match_key, phrase.text, kind == "p"))
            for number, pattern in enumerate(expression.patterns):
                match_key = f"t{key}.{number}"
                self._phrase_of[match_key] = (key, None)
                self._token_matcher.add(match_key, [fold_pattern(pattern)])
            for regex in expression.regex:
                self._regexes.append((key, re.compile(strip_accents(regex), re.IGNORECASE)))
        self._add_phrases(nlp, phrase_jobs)

    def _add_phrases(self, nlp: Language, jobs: list[tuple[str, str, bool]]) -> None:
        docs = nlp_module.parse(nlp, (text for _, text, _ in jobs))
        lemma_patterns: dict[str, list[Doc]] = defaultdict(list)
        stem_patterns: dict[str, list[Doc]] = defaultdict(list)
        for (match_key, _, with_lemmas), doc in zip(jobs, docs):
            if not any(token.lemma_ in _NEGATION_WORDS for token in doc):
                self._negatable.add(match_key)
            for variant in _variants(doc):
                lemmas = [token.lemma_ for token in variant]
                stems = [token.norm_ for token in variant]
                if with_lemmas:
                    lemma_patterns[match_key].append(Doc(self._vocab, words=lemmas, lemmas=lemmas))
                stem_doc = Doc(self._vocab, words=stems)
                for token, stem in zip(stem_doc, stems):
                    token.norm_ = stem
                stem_patterns[match_key].append(stem_doc)
        for match_key, patterns in lemma_patterns.items():
            self._lemma_matcher.add(match_key, patterns)
        for match_key, patterns in stem_patterns.items():
            self._stem_matcher.add(match_key, patterns)

    def key(self, expression: Expression) -> int:
        return self._key_of[id(expression)]

    def find(self, doc: Doc) -> dict[int, list[Hit]]:
        """Hits of every expression in ``doc``, longest first where they overlap."""
        found: dict[int, dict[tuple[int, int], Hit]] = defaultdict(dict)
        strings = self._vocab.strings
        for matcher in (self._lemma_matcher, self._stem_matcher, self._token_matcher):
            if len(matcher) == 0:
                continue
            for match_id, start, end in matcher(doc):
                match_key = strings[match_id]
                if match_key in self._negatable and _negated(doc, start, end):
                    continue
                key, phrase = self._phrase_of[match_key]
                span = doc[start:end]
                found[key].setdefault((start, end), Hit(start, end, span.start_char, span.end_char, phrase))
        if self._regexes:
            folded = strip_accents(doc.text)
            for key, regex in self._regexes:
                for match in regex.finditer(folded):
                    span = doc.char_span(match.start(), match.end(), alignment_mode="expand")
                    if span is not None and len(span):
                        found[key].setdefault(
                            (span.start, span.end), Hit(span.start, span.end, match.start(), match.end())
                        )
        return {key: _merge_adjacent(_longest_first(hits.values())) for key, hits in found.items()}


def _negated(doc: Doc, start: int, end: int) -> bool:
    """Is doc[start:end] under a negation ("pas désolé", "ne … pas", "comprends pas")?"""
    if start > 0 and doc[start - 1].lemma_ in _NEGATED_BEFORE:
        return True
    if end < len(doc) and doc[end].lemma_ in _NEGATED_AFTER:
        return True
    before = {token.lemma_ for token in doc[max(0, start - 3) : start]}
    after = {token.lemma_ for token in doc[end : end + 2]}
    return bool(before & {"ne", "n'"}) and bool(after & _NEGATED_AFTER)


def _longest_first(hits: Iterable[Hit]) -> list[Hit]:
    """Drop hits contained in or overlapping a longer one; keep text order."""
    kept: list[Hit] = []
    taken: set[int] = set()
    for hit in sorted(hits, key=lambda h: (h.start - h.end, h.start)):
        tokens = set(range(hit.start, hit.end))
        if tokens & taken:
            continue
        taken |= tokens
        kept.append(hit)
    return sorted(kept, key=lambda h: h.start)


def _merge_adjacent(hits: list[Hit]) -> list[Hit]:
    """One hit for touching matches: "normalement sous peu" is one hedge, not two."""
    merged: list[Hit] = []
    for hit in hits:
        if merged and hit.start == merged[-1].end:
            last = merged[-1]
            merged[-1] = Hit(last.start, hit.end, last.start_char, hit.end_char, last.phrase or hit.phrase)
        else:
            merged.append(hit)
    return merged


def _variants(doc: Doc) -> list[list]:
    """The phrase as written, and without "ne"/"n'" when it has one."""
    tokens = [token for token in doc if not token.is_space]
    variants = [tokens]
    without_ne = [token for token in tokens if token.lower_ not in _NEGATION_PARTICLES]
    if without_ne and len(without_ne) < len(tokens):
        variants.append(without_ne)
    return variants


def fold_pattern(pattern: Iterable[dict]) -> list[dict]:
    """Fold LEMMA values in a token pattern so they compare with folded lemmas."""
    return [{key: _fold_value(value) if key.upper() == "LEMMA" else value for key, value in token.items()} for token in pattern]


def _fold_value(value):
    if isinstance(value, str):
        return fold(value)
    if isinstance(value, list):
        return [_fold_value(item) for item in value]
    if isinstance(value, dict):
        return {
            operator: "(?i)" + strip_accents(operand) if operator.upper() == "REGEX" else _fold_value(operand)
            for operator, operand in value.items()
        }
    return value
