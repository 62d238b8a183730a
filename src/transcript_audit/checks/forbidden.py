"""``forbidden``: an expression a speaker should not say."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from ..rule_model import Field, Rule

if TYPE_CHECKING:
    from ..conversation import Conversation
    from ..model import Finding


class Forbidden:
    NAME = "forbidden"
    FIELDS = {"match": Field("expression", required=True)}

    def __init__(self, rule: Rule):
        self.rule = rule
        self.match = rule.options["match"]

    def run(self, conversation: Conversation) -> Iterator[Finding]:
        for turn in conversation.turns_of(self.rule.speaker):
            values = self.values(conversation, turn)
            if values is None:
                continue
            for hit in conversation.hits(turn, self.match):
                if not conversation.excused(self.rule, turn, hit):
                    yield conversation.finding(self.rule, turn, hit, values)

    def values(self, conversation: Conversation, turn: int) -> dict[str, str] | None:
        """Placeholder values for the findings of ``turn``, or None to leave the turn aside."""
        return {}
