"""Compile every rule expression into a few matchers and run them once per turn.

All phrase lists of all rules go into two ``PhraseMatcher`` objects (one on
folded lemmas, one on light stems of the surface form; ``forms`` lists use
only the second) and regexes into one list: matching cost grows with the
text, not with the number of terms. spaCy's ``Matcher`` tries every token
pattern at every token, so token patterns are kept apart, each with the words
it cannot match without (``TokenPattern.required``): a pattern runs only on a
turn that has them all. Regexes likewise run only on turns holding the
literal strings they require (``required_substrings``). ``ExpressionIndex.find`` returns the hits of every
expression in one turn.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Set as AbstractSet
from dataclasses import dataclass

import regex as regex_engine
from spacy.matcher import Matcher, PhraseMatcher
from spacy.tokens import Doc

from . import nlp as nlp_module
from .regexes import REGEX_TIMEOUT, required_substrings
from .rule_model import Expression, Phrase
from .text import fold, strip_accents

# Spoken French drops the "ne" of negations ("c'est pas possible").
_NEGATION_PARTICLES = frozenset({"ne", "n'"})
# A phrase without a negation of its own does not match where the text negates
# it: "je ne suis pas désolé" is no apology, "je comprends pas" no empathy.
_NEGATION_WORDS = frozenset({"ne", "n'", "pas", "plus", "jamais", "rien", "point", "guere", "aucun", "aucune", "sans", "non"})
_NEGATED_BEFORE = frozenset({"pas", "ne", "n'", "jamais"})
_NEGATED_AFTER = frozenset({"pas", "plus", "jamais", "point", "guere", "rien"})


# Token attributes whose literal values a turn's own words can be checked against.
_WORD_ATTRIBUTES = {"LOWER": "LOWER", "ORTH": "ORTH", "TEXT": "ORTH", "LEMMA": "LEMMA", "NORM": "NORM"}
_OPTIONAL_OPERATORS = frozenset({"?", "*", "!"})
# Counted repeats that may be absent: "{0,6}", "{,3}" (spaCy's Matcher quantifiers).
_OPTIONAL_COUNT = re.compile(r"^\{0*,|^\{0*\}$|^\{0+,?\d*\}$")


class WordRequirement:
    """One token of a pattern that every match contains: an attribute and what it accepts.

    Either literal values (``{LOWER: {IN: [je, nous]}}``, compared by hash) or a
    regular expression (``{LEMMA: {REGEX: "^effondr"}}``, tried once per distinct
    word and remembered).
    """

    def __init__(self, attribute: str, values: frozenset[int] = frozenset(), regex: re.Pattern[str] | None = None):
        self.attribute = attribute
        self.values = values
        self.regex = regex
        self._regex_verdicts: dict[int, bool] = {}

    def met(self, words: dict[str, set[int]], strings) -> bool:
        if self.regex is None:
            return not self.values.isdisjoint(words[self.attribute])
        verdicts = self._regex_verdicts
        for word in words[self.attribute]:
            verdict = verdicts.get(word)
            if verdict is None:
                verdict = verdicts[word] = self.regex.search(strings[word]) is not None
            if verdict:
                return True
        return False


@dataclass(frozen=True)
class TokenPattern:
    """One token pattern, in a matcher of its own, with the words it requires:
    when a turn lacks one of them, the pattern cannot match there and is not run."""

    key: int  # the expression's
    match_key: str
    matcher: Matcher
    required: tuple[WordRequirement, ...]

    def may_match(self, words: dict[str, set[int]], strings) -> bool:
        return all(requirement.met(words, strings) for requirement in self.required)


def required_words(pattern: Iterable[dict], strings) -> tuple[WordRequirement, ...]:
    """What every match of ``pattern`` contains, from its tokens that are not optional."""
    required = []
    for token in pattern:
        spec = {str(key).upper(): value for key, value in token.items()}
        operator = spec.get("OP")
        if operator in _OPTIONAL_OPERATORS or (isinstance(operator, str) and _OPTIONAL_COUNT.match(operator)):
            continue
        for attribute, value in spec.items():
            if attribute not in _WORD_ATTRIBUTES:
                continue
            attribute = _WORD_ATTRIBUTES[attribute]
            if isinstance(value, str):
                required.append(WordRequirement(attribute, frozenset([strings.add(value)])))
            elif isinstance(value, dict):
                accepted = value.get("IN")
                if isinstance(accepted, list) and all(isinstance(v, str) for v in accepted):
                    required.append(WordRequirement(attribute, frozenset(strings.add(v) for v in accepted)))
                if isinstance(value.get("REGEX"), str):
                    required.append(WordRequirement(attribute, regex=re.compile(value["REGEX"])))
    return tuple(required)


@dataclass(frozen=True)
class RegexPattern:
    key: int  # the expression's
    regex: regex_engine.Pattern
    required: tuple[frozenset[str], ...]  # see regexes.required_substrings

    def may_match(self, lowered: str) -> bool:
        return all(any(text in lowered for text in strings) for strings in self.required)

    def finditer(self, text: str):
        try:
            yield from self.regex.finditer(text, timeout=REGEX_TIMEOUT)
        except TimeoutError:
            raise RegexTimeout(self.key, self.regex.pattern) from None


class RegexTimeout(Exception):
    """A rule's regex took longer than ``REGEX_TIMEOUT`` on one turn."""

    def __init__(self, key: int, pattern: str):
        super().__init__(f"the regex {pattern!r} took more than {REGEX_TIMEOUT} s on one turn")
        self.key = key


@dataclass(frozen=True)
class Hit:
    start: int  # token index
    end: int  # token index, exclusive
    start_char: int
    end_char: int
    phrase: Phrase | None = None


class ExpressionIndex:
    def __init__(self, parser: nlp_module.Parser, expressions: Iterable[Expression]):
        self._vocab = parser.vocab
        self._expressions: list[Expression] = []
        self._key_of: dict[int, int] = {}
        self._lemma_matcher = PhraseMatcher(self._vocab, attr="LEMMA")
        self._stem_matcher = PhraseMatcher(self._vocab, attr="NORM")
        self._token_patterns: list[TokenPattern] = []
        self._regexes: list[RegexPattern] = []
        self.timed_out: dict[int, RegexTimeout] = {}  # expressions whose regex ran out of time
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
                folded = fold_pattern(pattern)
                matcher = Matcher(self._vocab, validate=True)
                matcher.add(match_key, [folded])
                self._token_patterns.append(TokenPattern(key, match_key, matcher, required_words(folded, self._vocab.strings)))
            for pattern in expression.regex:
                source = strip_accents(pattern)
                compiled = regex_engine.compile(source, regex_engine.IGNORECASE | regex_engine.VERSION0)
                self._regexes.append(RegexPattern(key, compiled, required_substrings(source)))
        self._pattern_keys = {pattern.key for pattern in self._token_patterns}
        self._word_attributes = sorted({requirement.attribute for pattern in self._token_patterns for requirement in pattern.required})
        # Each pattern is filed under the values of its most selective literal requirement:
        # a turn's words then name the few patterns worth checking.
        self._patterns_by_word: dict[str, dict[int, list[int]]] = {attribute: defaultdict(list) for attribute in self._word_attributes}
        self._patterns_always_checked: list[int] = []
        for number, pattern in enumerate(self._token_patterns):
            literal = [requirement for requirement in pattern.required if requirement.regex is None]
            if not literal:
                self._patterns_always_checked.append(number)
                continue
            anchor = min(literal, key=lambda requirement: len(requirement.values))
            for value in anchor.values:
                self._patterns_by_word[anchor.attribute][value].append(number)
        self._add_phrases(parser, phrase_jobs)

    def _add_phrases(self, parser: nlp_module.Parser, jobs: list[tuple[str, str, bool]]) -> None:
        docs = parser.parse_groups([[text for _, text, _ in jobs]])[0] if jobs else []
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

    def keys_of(self, expressions: Iterable[Expression]) -> frozenset[int]:
        return frozenset(self._key_of[id(expression)] for expression in expressions)

    def find(self, doc: Doc, keys: AbstractSet[int] | None = None) -> dict[int, list[Hit]]:
        """Hits in ``doc`` of every expression (or of those whose ``keys`` are given),
        longest first where they overlap."""
        found: dict[int, dict[tuple[int, int], Hit]] = defaultdict(dict)
        strings = self._vocab.strings
        for match_id, start, end in self._matches(doc, keys):
            match_key = strings[match_id]
            key, phrase = self._phrase_of[match_key]
            if keys is not None and key not in keys:
                continue
            if match_key in self._negatable and _negated(doc, start, end):
                continue
            span = doc[start:end]
            found[key].setdefault((start, end), Hit(start, end, span.start_char, span.end_char, phrase))
        if self._regexes:
            folded = strip_accents(doc.text)
            lowered = folded.lower()
            for pattern in self._regexes:
                key = pattern.key
                if (keys is not None and key not in keys) or not pattern.may_match(lowered):
                    continue
                if key in self.timed_out:
                    continue
                try:
                    for match in pattern.finditer(folded):
                        span = doc.char_span(match.start(), match.end(), alignment_mode="expand")
                        if span is not None and len(span):
                            found[key].setdefault(
                                (span.start, span.end), Hit(span.start, span.end, match.start(), match.end())
                            )
                except RegexTimeout as timeout:
                    self.timed_out[key] = timeout  # the rules asking for this expression will be told
        return {key: _merge_adjacent(_longest_first(hits.values())) for key, hits in found.items()}


    def _matches(self, doc: Doc, keys: AbstractSet[int] | None) -> Iterable[tuple[int, int, int]]:
        """(match id, start, end) of every phrase and of the token patterns the turn's words allow."""
        for matcher in (self._lemma_matcher, self._stem_matcher):
            if len(matcher):
                yield from matcher(doc)
        if not self._token_patterns or (keys is not None and not keys & self._pattern_keys):
            return
        columns = doc.to_array(self._word_attributes).reshape(len(doc), len(self._word_attributes)).T.tolist()
        words = {attribute: set(column) for attribute, column in zip(self._word_attributes, columns)}
        candidates = set(self._patterns_always_checked)
        for attribute, by_word in self._patterns_by_word.items():
            for word in words[attribute]:
                numbers = by_word.get(word)
                if numbers:
                    candidates.update(numbers)
        for number in sorted(candidates):
            token_pattern = self._token_patterns[number]
            if (keys is None or token_pattern.key in keys) and token_pattern.may_match(words, self._vocab.strings):
                yield from token_pattern.matcher(doc)


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
