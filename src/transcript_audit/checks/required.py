"""``required``: an expression a speaker must say in some of their turns.

``position: first`` looks at the speaker's first ``turns`` turns (a greeting),
``last`` at the last ones (a closing), ``each`` at every turn on its own (a
salutation in every e-mail). The finding points at the first turn of the
window for ``first``, at the last for ``last``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from ..rule_model import Field, Rule

if TYPE_CHECKING:
    from ..conversation import Conversation
    from ..model import Finding


class Required:
    NAME = "required"
    FIELDS = {
        "match": Field("expression", required=True),
        "position": Field("choice", default="first", choices=("first", "last", "each")),
        "turns": Field("count", default=1),
    }

    def __init__(self, rule: Rule):
        self.rule = rule
        self.match = rule.options["match"]
        self.position = rule.options["position"]
        self.turns = rule.options["turns"]

    def _windows(self, turns: list[int]) -> list[tuple[list[int], int]]:
        """(turns to search, turn to report) pairs."""
        if self.position == "each":
            return [([turn], turn) for turn in turns]
        if self.position == "first":
            window = turns[: self.turns]
            return [(window, window[0])]
        window = turns[-self.turns :]
        return [(window, window[-1])]

    def run(self, conversation: Conversation) -> Iterator[Finding]:
        turns = conversation.turns_of(self.rule.speaker)
        if not turns:
            return
        for window, anchor in self._windows(turns):
            if conversation.matches_any(window, self.match):
                continue
            if not conversation.excused(self.rule, anchor, None):
                yield conversation.finding(self.rule, anchor, None)
