"""``sequence``: something said after something else, that should not have been.

When a turn of ``first.speaker`` matches ``first.match`` and a LATER turn of
the rule's speaker matches ``match``, the later turn is a finding: an agent
promised an e-mail, and later the customer says they never received it. The
finding points at the later words (``{match}``) and quotes the earlier ones,
from the match to the end of their sentence, as ``{trigger}`` ("je vous
envoie un e-mail avec l'étiquette" rather than "je vous envoie").

``turns`` limits how far the later turn may be: at most that many of the
rule speaker's turns after the first one (default: any later turn). Each
earlier turn is answered once: the first later match after it is reported
and the following ones are not, until a new earlier turn matches again. When
several earlier turns precede one later turn, the later turn is reported once
and quotes the most recent of them.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from ..rule_model import Field, Rule

if TYPE_CHECKING:
    from ..conversation import Conversation
    from ..matching import Hit
    from ..model import Finding

SENTENCE_END = ".!?;\n"
QUOTE_MORE = 60  # characters of the sentence quoted after the match


class Sequence:
    NAME = "sequence"
    FIELDS = {
        "first": Field("trigger", required=True),
        "match": Field("expression", required=True),
        "turns": Field("count", default=None),
    }
    PLACEHOLDERS = ("trigger",)  # the earlier words, to the end of their sentence

    def __init__(self, rule: Rule):
        self.rule = rule
        self.first = rule.options["first"]
        self.match = rule.options["match"]
        self.turns = rule.options["turns"]

    def run(self, conversation: Conversation) -> Iterator[Finding]:
        firsts = set(conversation.turns_of(self.first.speaker))
        later = set(conversation.turns_of(self.rule.speaker))
        pending: list[tuple[int, Hit]] = []  # earlier turns not answered yet, with their first hit
        since: dict[int, int] = {}  # earlier turn -> how many of the speaker's turns came after it
        for turn in range(len(conversation.transcript.turns)):
            if turn in later and pending:
                for earlier, _ in pending:
                    since[earlier] += 1
                # Earlier turns too far back are dropped; the others stay open until answered.
                pending = [(t, hit) for t, hit in pending if self.turns is None or since[t] <= self.turns]
                found = self._unexcused_hit(conversation, turn) if pending else None
                if found is not None:
                    earlier, first_hit = pending[-1]
                    quote = _quote(conversation.transcript.turns[earlier].text, first_hit)
                    yield conversation.finding(self.rule, turn, found, {"trigger": quote})
                    pending = []
            if turn in firsts:
                hits = conversation.hits(turn, self.first.match)
                if hits:
                    pending.append((turn, hits[0]))
                    since[turn] = 0

    def _unexcused_hit(self, conversation: Conversation, turn: int) -> Hit | None:
        for hit in conversation.hits(turn, self.match):
            if not conversation.excused(self.rule, turn, hit):
                return hit
        return None


def _quote(text: str, hit: Hit) -> str:
    """The earlier words, from the match to the end of its sentence: what was promised."""
    end = hit.end_char
    limit = min(len(text), end + QUOTE_MORE)
    stop = next((i for i in range(end, limit) if text[i] in SENTENCE_END), None)
    if stop is None:
        stop = limit
        if limit < len(text):
            space = text.rfind(" ", end, limit)
            stop = space if space != -1 else limit
    quote = text[hit.start_char : stop].rstrip(" ,:")
    return quote + ("…" if stop < len(text) and text[stop] not in SENTENCE_END else "")
