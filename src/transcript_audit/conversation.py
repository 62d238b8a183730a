"""One parsed transcript as the checks see it: turns, their hits, and helpers.

Checks ask three questions of a conversation: which turns belong to a
speaker, where an expression matched, and whether an ``unless`` clause
excuses a match. They build findings with ``Conversation.finding`` so every
check words, locates and excerpts findings the same way.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence, Set as AbstractSet
from typing import TYPE_CHECKING, Any

from .model import Finding, Transcript
from .redaction import candidate_spans
from .rule_model import ALL, PLACEHOLDER, SPEAKER_ROLES, Expression, Rule, Unless

if TYPE_CHECKING:  # spaCy is imported only where text is parsed
    from spacy.tokens import Doc

    from .matching import ExpressionIndex, Hit

EXCERPT_CONTEXT = 50  # characters kept on each side of a match
EXCERPT_LENGTH = 110  # characters of a turn shown when nothing in it matched


class Conversation:
    def __init__(
        self,
        transcript: Transcript,
        docs: Sequence[Doc],
        index: ExpressionIndex,
        keys: AbstractSet[int] | None = None,
        fillers: Mapping[str, Callable[[Conversation, int], str | None]] | None = None,
    ):
        """``keys``: the expressions the checks to run will ask about (None: all).
        ``fillers``: placeholders filled from the conversation (``checks.PLACEHOLDER_FILLERS``)."""
        self.transcript = transcript
        self.docs = docs
        self._index = index
        self._keys = keys
        self._fillers = dict(fillers or {})
        self._hits: list[dict[int, list[Hit]] | None] = [None] * len(docs)  # found on first question
        self.memo: dict[Any, Any] = {}  # what a check computes once per conversation, by the function that does

    # ------------------------------------------------------------ questions

    def turns_of(self, speaker: str) -> list[int]:
        roles = SPEAKER_ROLES[speaker]
        return [i for i, turn in enumerate(self.transcript.turns) if turn.role in roles]

    def hits(self, turn: int, expression: Expression) -> list[Hit]:
        found = self._hits[turn]
        if found is None:
            found = self._hits[turn] = self._index.find(self.docs[turn], self._keys)
        key = self._index.key(expression)
        if key in self._index.timed_out:
            raise self._index.timed_out[key]
        return found.get(key, [])

    def matches_any(self, turns: Sequence[int], expression: Expression) -> bool:
        return any(self.hits(turn, expression) for turn in turns)

    def window(self, turn: int, speaker: str, before: int, after: int, uninterrupted: bool = False) -> list[int]:
        """``speaker``'s turns from ``before`` turns ahead of ``turn`` to ``after`` turns past it.

        The turn itself is included when ``speaker`` can be its speaker;
        ``uninterrupted`` stops the later turns at the first turn of anyone else.
        """
        turns = self.turns_of(speaker)
        earlier = [t for t in turns if t < turn]
        later = [t for t in turns if t > turn]
        if uninterrupted:
            later = [t for t in later if set(range(turn + 1, t)) <= set(turns)]
        earlier = earlier if before == ALL else earlier[len(earlier) - before :] if before else []
        later = later if after == ALL else later[:after]
        same = [turn] if turn in turns else []
        return earlier + same + later

    def excused(self, rule: Rule, turn: int, hit: Hit | None) -> bool:
        """Is a match not to be reported: an ``unless`` holds, or a ``when`` does not?"""
        return any(self._excuses(rule, unless, turn, hit) for unless in rule.unless) or not all(
            self._excuses(rule, condition, turn, hit) for condition in rule.when
        )

    def _excuses(self, rule: Rule, unless: Unless, turn: int, hit: Hit | None) -> bool:
        if unless.near is not None:
            if hit is None:
                return False
            return any(
                other.start - hit.end <= unless.near and hit.start - other.end <= unless.near
                for other in self.hits(turn, unless.match)
            )
        speaker = rule.speaker if unless.speaker == "same" else unless.speaker
        turns = self.window(turn, speaker, unless.before, unless.after, unless.uninterrupted)
        if not unless.match.is_empty() and self.matches_any(turns, unless.match):
            return True
        if unless.echo and hit is not None:
            return self._echoed(turn, hit, [t for t in turns if t != turn])
        return False

    def _echoed(self, turn: int, hit: Hit, turns: Sequence[int]) -> bool:
        """Were the content words of ``hit`` said in ``turns`` (the customer's own word)?"""
        words = {t.lemma_ for t in self.docs[turn][hit.start : hit.end] if not (t.is_stop or t.is_punct)}
        if not words:
            return False
        said = {t.lemma_ for other in turns for t in self.docs[other]}
        return words <= said

    # ------------------------------------------------------------ findings

    def finding(self, rule: Rule, turn_index: int, hit: Hit | None, values: dict[str, str] | None = None) -> Finding:
        turn = self.transcript.turns[turn_index]
        text = turn.text
        values = dict(values or {})
        if hit is not None:
            values["match"] = text[hit.start_char : hit.end_char]
            if hit.phrase is not None and hit.phrase.suggestion:
                values["term"] = hit.phrase.suggestion
            excerpt, match_start = _excerpt(text, hit.start_char, hit.end_char)
            offset = hit.start_char
        else:
            excerpt, match_start = _excerpt(text, 0, 0)
            match_start = None
            offset = 0
        line, column = turn.locate(offset)
        for name, filler in self._fillers.items():
            if name not in values and _uses(rule, name):
                filled = filler(self, turn_index)
                if filled:
                    values[name] = filled
        return Finding(
            rule=rule.id,
            category=rule.category,
            severity=rule.severity,
            message=fill(rule.message, values),
            rationale=rule.rationale,
            suggestion=first_filled(rule.suggestion, values),
            turn=turn_index + 1,
            speaker=turn.speaker,
            role=turn.role,
            line=line,
            column=column,
            excerpt=excerpt,
            match=values.get("match"),
            match_start=match_start,
            span_start=hit.start_char if hit is not None else None,
            span_end=hit.end_char if hit is not None else None,
            locator=turn.locator_at(offset),
            time=turn.start,
            critical=rule.critical,
            replacement=_replacement(rule, values) if hit is not None else None,
        )


# "Dites « votre demande »." : a suggestion that gives the words to write, quoted once.
_SAY_INSTEAD = re.compile(r"^\s*Dites(?:\s+simplement)?\s*«\s*(?P<words>[^«»]+?)\s*»\s*[.!]?\s*$")


_SUBJECTS = frozenset({"je", "j'", "nous", "on", "il", "elle", "vous"})


def _replacement(rule: Rule, values: dict[str, str]) -> str | None:
    """The words that can replace the match as they are: the customer's own name for
    their item (``{customer_item}``), or a phrase's suggestion that is one quoted wording."""
    if "customer_item" in values and any("{customer_item}" in suggestion for suggestion in rule.suggestion):
        return values["customer_item"]
    said = _SAY_INSTEAD.match(values.get("term") or "")
    if not said:
        return None
    words = said["words"].split()
    # A short wording that stands in for the words ("votre demande"), not a sentence to say instead.
    return said["words"] if len(words) <= 4 and words[0].lower() not in _SUBJECTS else None


def _uses(rule: Rule, placeholder: str) -> bool:
    mark = "{" + placeholder + "}"
    return mark in rule.message or any(mark in suggestion for suggestion in rule.suggestion)


def fill(template: str, values: dict[str, str]) -> str:
    return PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), template)


def first_filled(templates: Sequence[str], values: dict[str, str]) -> str | None:
    """The first template whose placeholders all have values, filled in."""
    for template in templates:
        if all(name in values for name in PLACEHOLDER.findall(template)):
            return fill(template, values)
    return None


def _excerpt(text: str, start: int, end: int) -> tuple[str, int]:
    """A one-line window of ``text`` around [start, end) and the match's offset in it."""
    if start == end == 0:
        left, right = 0, min(len(text), EXCERPT_LENGTH)
    else:
        left, right = max(0, start - EXCERPT_CONTEXT), min(len(text), end + EXCERPT_CONTEXT)
    if left > 0:
        space = text.find(" ", left, start)
        left = space + 1 if space != -1 else left
    if right < len(text):
        space = text.rfind(" ", end, right)
        right = space if space != -1 else right
    for span_start, span_end in candidate_spans(text):  # never cut a phone number or an IBAN in two
        if span_start < left < span_end:
            left = span_start
        if span_start < right < span_end:
            right = span_end
    prefix = "…" if left > 0 else ""
    suffix = "…" if right < len(text) else ""
    window = text[left:right].replace("\n", " ")
    return f"{prefix}{window}{suffix}", start - left + len(prefix)
