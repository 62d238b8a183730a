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
            yield from self.findings_in(conversation, turn)

    def findings_in(self, conversation: Conversation, turn: int, values: dict[str, str] | None = None) -> Iterator[Finding]:
        """The unexcused hits of ``match`` in one turn, ``values`` filling the message's placeholders."""
        for hit in conversation.hits(turn, self.match):
            if not conversation.excused(self.rule, turn, hit):
                yield conversation.finding(self.rule, turn, hit, values)
