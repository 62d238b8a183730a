"""``metric``: a number the transcript gives, compared with a threshold.

Some problems are not words but sizes: a turn too long to follow, a turn
dense with internal vocabulary, an agent who takes all the talk, a silence
on the line, an e-mail answered days later. A metric rule names one
``measure`` and flags it when it is ``above`` a number, ``below`` one, or
both (a band: ``above: 24, below: 48``). Comparisons are strict: ``above:
120`` flags 121 words, not 120.

Measures, for the turns of the rule's speaker:

``words``
    words in one turn. A word is a run of letters or digits; an apostrophe
    or hyphen inside it keeps it whole ("c'est", "aujourd'hui", "peut-être"
    are one word each), as a word processor counts.
``terms``
    distinct terms of ``match`` in one turn. Each phrase or form of the
    list is one term whatever its inflection ("entrepôt" and "entrepôts"),
    so a word said five times is one term: the rule is about how many
    different notions the customer must follow, not repetition. Hits of
    token patterns and regexes count by their lemmas. Where two phrases
    overlap the longer one is the term ("plateforme logistique"), and
    touching terms merge into one hit, as everywhere in the rule language.
``talk_share``
    the speaker's share of all the words of the conversation, in percent.
    The finding points at the speaker's longest turn.
``gap``
    seconds of silence before a turn: its start minus the previous turn's
    end, or the previous turn's start when the format gives no end. Only
    where those times exist.
``reply_delay``
    hours between a message of the other party and the speaker's next
    turn (e-mail and ticket threads). Several messages in a row count from
    the first unanswered one; a message nobody answered is not judged; a
    reply dated before the message it answers is ignored.

``min_turns`` (default 1) leaves aside conversations with fewer turns, all
speakers counted. The measured value fills the ``{value}`` placeholder.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

from ..model import Role
from ..rule_model import SPEAKER_ROLES, Expression, Field, Rule

if TYPE_CHECKING:
    from ..conversation import Conversation
    from ..matching import Hit
    from ..model import Finding, Turn

MEASURES = ("words", "terms", "talk_share", "gap", "reply_delay")

# Letters or digits, an inner apostrophe or hyphen keeping the word whole.
_WORD = re.compile(r"[^\W_]+(?:['’\-][^\W_]+)*")
_OTHER = {Role.AGENT: Role.CUSTOMER, Role.CUSTOMER: Role.AGENT}


def count_words(text: str) -> int:
    return len(_WORD.findall(text))


def format_value(value: float) -> str:
    """French number for messages: "121", "72,5" (one decimal at most)."""
    rounded = round(value, 1)
    if rounded == int(rounded):
        return str(int(rounded))
    return f"{rounded:.1f}".replace(".", ",")


class Metric:
    NAME = "metric"
    FIELDS = {
        "measure": Field("choice", required=True, choices=MEASURES),
        "above": Field("number"),
        "below": Field("number"),
        "match": Field("expression"),
        "min_turns": Field("count", default=1),
    }
    PLACEHOLDERS = ("value",)  # the measured number, written the French way

    def __init__(self, rule: Rule):
        problems = self.validate(rule.options)
        if problems:
            raise ValueError(f"rule '{rule.id}': " + "; ".join(message for _, message in problems))
        self.rule = rule
        self.measure: str = rule.options["measure"]
        self.above: float | None = rule.options["above"]
        self.below: float | None = rule.options["below"]
        self.match: Expression | None = rule.options["match"]
        self.min_turns: int = rule.options["min_turns"]

    @staticmethod
    def validate(options: dict[str, Any]) -> list[tuple[str | None, str]]:
        """Problems between keys, as (key to point at or None for the rule, message).

        Each key is checked on its own by the rule loader; this says what no
        single key can: a threshold is needed, ``match`` goes with ``terms``.
        """
        problems: list[tuple[str | None, str]] = []
        measure, above, below = options.get("measure"), options.get("above"), options.get("below")
        if above is None and below is None:
            problems.append((None, "a metric rule needs 'above', 'below' or both"))
        elif above is not None and below is not None and below <= above:
            problems.append(("below", f"'below' ({below}) must be more than 'above' ({above}): nothing could be flagged"))
        if measure == "terms" and options.get("match") is None:
            problems.append(("measure", "measure 'terms' needs 'match': the terms to count"))
        elif measure in MEASURES and measure != "terms" and options.get("match") is not None:
            problems.append(("match", f"'match' is only used by measure 'terms', not '{measure}'"))
        return problems

    # ------------------------------------------------------------ run

    def run(self, conversation: Conversation) -> Iterator[Finding]:
        if len(conversation.transcript.turns) < self.min_turns:
            return
        for turn, value, hit in self._measured(conversation):
            if self._flags(value) and not conversation.excused(self.rule, turn, hit):
                yield conversation.finding(self.rule, turn, hit, {"value": format_value(value)})

    def _flags(self, value: float) -> bool:
        return (self.above is None or value > self.above) and (self.below is None or value < self.below)

    def _measured(self, conversation: Conversation) -> Iterator[tuple[int, float, Hit | None]]:
        """(turn to report, value, hit to point at) for every measurement."""
        turns = conversation.transcript.turns
        speaker_turns = conversation.turns_of(self.rule.speaker)
        if self.measure == "words":
            for index in speaker_turns:
                yield index, count_words(turns[index].text), None
        elif self.measure == "terms":
            for index in speaker_turns:
                hits = conversation.hits(index, self.match)
                if hits:
                    yield index, len(_distinct_terms(conversation, index, hits)), hits[0]
        elif self.measure == "talk_share":
            yield from _talk_share(turns, speaker_turns)
        elif self.measure == "gap":
            for index in speaker_turns:
                gap = _gap(turns, index)
                if gap is not None:
                    yield index, gap, None
        elif self.measure == "reply_delay":
            # A turn of unknown role answers no one: only the agent's and the customer's count.
            repliers = tuple(role for role in SPEAKER_ROLES[self.rule.speaker] if role in _OTHER)
            yield from _reply_delays(turns, repliers)


def _distinct_terms(conversation: Conversation, turn: int, hits: Sequence[Hit]) -> set[object]:
    """One key per term: the phrase that matched, or the folded lemmas of a pattern or regex hit."""
    doc = conversation.docs[turn]
    return {hit.phrase if hit.phrase is not None else " ".join(t.lemma_ for t in doc[hit.start : hit.end]) for hit in hits}


def _talk_share(turns: Sequence[Turn], speaker_turns: Sequence[int]) -> Iterator[tuple[int, float, None]]:
    words = [count_words(turn.text) for turn in turns]
    total = sum(words)
    if not total or not speaker_turns:
        return
    share = 100 * sum(words[index] for index in speaker_turns) / total
    longest = max(speaker_turns, key=lambda index: (words[index], -index))
    yield longest, share, None


def _gap(turns: Sequence[Turn], index: int) -> float | None:
    if index == 0 or turns[index].start is None:
        return None
    previous = turns[index - 1]
    silence_from = previous.end if previous.end is not None else previous.start
    return None if silence_from is None else turns[index].start - silence_from


def _reply_delays(turns: Sequence[Turn], replier_roles: Sequence[Role]) -> Iterator[tuple[int, float, None]]:
    """Hours from each party's first unanswered message to the other party's next turn."""
    unanswered: dict[Role, Turn] = {}
    for index, turn in enumerate(turns):
        if turn.role not in _OTHER:
            continue  # an unknown speaker neither asks nor answers
        waiting = unanswered.pop(_OTHER[turn.role], None)
        if waiting is not None and turn.role in replier_roles and waiting.start is not None and turn.start is not None:
            hours = (turn.start - waiting.start) / 3600
            if hours >= 0:
                yield index, hours, None
        unanswered.setdefault(turn.role, turn)
