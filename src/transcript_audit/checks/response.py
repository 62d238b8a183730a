"""``response``: when one speaker says something, the other must react.

For each turn of ``trigger.speaker`` that matches ``trigger.match``, one of
the rule speaker's next ``turns`` turns must match ``match``. The finding
points at the first of those turns, where the reaction was due, and quotes
the trigger; one reply is reported once however many triggers preceded it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from ..rule_model import Field, Rule

if TYPE_CHECKING:
    from ..conversation import Conversation
    from ..model import Finding


class Response:
    NAME = "response"
    FIELDS = {
        "trigger": Field("trigger", required=True),
        "match": Field("expression", required=True),
        "turns": Field("count", default=1),
    }
    PLACEHOLDERS = ("trigger",)  # the words that called for a reaction

    def __init__(self, rule: Rule):
        self.rule = rule
        self.trigger = rule.options["trigger"]
        self.match = rule.options["match"]
        self.turns = rule.options["turns"]

    def run(self, conversation: Conversation) -> Iterator[Finding]:
        replies = conversation.turns_of(self.rule.speaker)
        reported: set[int] = set()
        for turn in conversation.turns_of(self.trigger.speaker):
            hits = conversation.hits(turn, self.trigger.match)
            if not hits:
                continue
            window = [reply for reply in replies if reply > turn][: self.turns]
            if not window or window[0] in reported or conversation.matches_any(window, self.match):
                continue
            if conversation.excused(self.rule, window[0], None):
                continue
            reported.add(window[0])
            trigger_text = conversation.transcript.turns[turn].text
            quote = trigger_text[hits[0].start_char : hits[0].end_char]
            yield conversation.finding(self.rule, window[0], None, {"trigger": quote})
