"""Validated rules: what a YAML rule file means once it has been checked."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from .model import Role, Severity

ALL = -1  # a window bound meaning "every turn in that direction"

PLACEHOLDER = re.compile(r"\{(\w+)\}")
# Whose turns a rule judges, and whose turns an excuse or a condition looks at.
SPEAKERS = ("agent", "customer", "any")
# The turns a rule's ``speaker`` names; "any" includes turns whose role is unknown.
SPEAKER_ROLES = {
    "agent": (Role.AGENT,),
    "customer": (Role.CUSTOMER,),
    "any": (Role.AGENT, Role.CUSTOMER, Role.UNKNOWN),
}
UNLESS_SPEAKERS = ("same", *SPEAKERS)
# Placeholders every check fills (``Conversation.finding``); a check type declares the
# ones it adds in its own ``PLACEHOLDERS`` ("trigger", "value").
COMMON_PLACEHOLDERS = ("match", "term", "customer_item")


@dataclass(frozen=True)
class Field:
    """A rule key that belongs to one check type, declared by that check.

    ``kind`` is one of ``expression``, ``trigger``, ``choice``, ``count``, ``number``.
    """

    kind: str
    required: bool = False
    default: Any = None
    choices: tuple[str, ...] = ()


@dataclass(frozen=True)
class Phrase:
    text: str
    suggestion: str | None = None


@dataclass(frozen=True)
class Expression:
    """What to look for in a turn.

    ``phrases`` match any inflection (lemmas) as well as the words as written;
    ``forms`` only the words as written, tolerant of accents, case, plural and
    feminine endings; ``patterns`` are spaCy Matcher token patterns; ``regex``
    is the last resort.
    """

    phrases: tuple[Phrase, ...] = ()
    forms: tuple[Phrase, ...] = ()
    patterns: tuple[tuple[dict[str, Any], ...], ...] = ()
    regex: tuple[str, ...] = ()

    def is_empty(self) -> bool:
        return not (self.phrases or self.forms or self.patterns or self.regex)

    def token_attributes(self) -> set[str]:
        """Upper-case token attributes the patterns use (to know which components run)."""
        used: set[str] = set()
        for pattern in self.patterns:
            for token in pattern:
                used.update(key.upper() for key in token)
        return used


@dataclass(frozen=True)
class Unless:
    """An excuse: when it is found near a match, the match is not reported.

    ``speaker`` is ``same`` (the rule's own speaker), a role, or ``any``;
    ``before`` and ``after`` count that speaker's turns around the flagged
    turn (``ALL`` for all of them); the flagged turn itself is included when
    the speaker can be its speaker. ``uninterrupted`` keeps only the later turns
    said before anyone else speaks (a chat reply split over several messages,
    not an answer given once the customer has pushed back). ``echo`` excuses a match whose words that
    speaker used first. ``near`` (a number of tokens) instead looks only
    around the match, in its own turn.
    """

    match: Expression = field(default_factory=Expression)
    echo: bool = False
    speaker: str = "same"
    before: int = 0
    after: int = 0
    uninterrupted: bool = False
    near: int | None = None


@dataclass(frozen=True)
class Trigger:
    """What, said by ``speaker``, calls for a reaction (response rules)."""

    speaker: str
    match: Expression


@dataclass(frozen=True)
class Example:
    text: str
    channel: str | None
    line: int
    source: str | None = None  # the pack it is written in (an ``extends:`` adds examples from another)


@dataclass(frozen=True)
class Measured:
    """How right a rule is on real conversations (benchmarks/real_world.py).

    ``precision``: of the conversations it flags, the share labelled with its
    category; ``recall``: of the conversations labelled with its category, the
    share it flags; ``conversations``: how many it flagged; ``None`` where the
    corpus gave it nothing to measure."""

    precision: float | None
    recall: float | None
    conversations: int
    corpus: str

    def as_record(self) -> dict[str, Any]:
        return {"precision": self.precision, "recall": self.recall, "conversations": self.conversations, "corpus": self.corpus}


@dataclass
class Rule:
    id: str
    category: str
    severity: Severity
    check: str
    message: str
    rationale: str
    suggestion: tuple[str, ...]
    speaker: str
    channels: tuple[str, ...]
    unless: tuple[Unless, ...]
    flag_examples: tuple[Example, ...]
    pass_examples: tuple[Example, ...]
    options: dict[str, Any]  # fields of the check type, validated by it
    source: str
    line: int
    column: int = 1
    extended_by: list[str] = field(default_factory=list)  # "file:line" of packs that extend it
    # Conditions that must all hold for a match to count (same shape as ``unless``):
    # proximity ("near"), context in a window of turns.
    when: tuple[Unless, ...] = ()
    critical: bool = False  # a finding of this rule fails the transcript: score 0
    # Not precise enough on real conversations yet: off unless --preview asks for it.
    preview: bool = False
    measured: Measured | None = None

    @property
    def pack(self) -> str:
        """The pack a rule belongs to: its file name without extension ("jargon")."""
        return self.source.rsplit("/", 1)[-1].rsplit(".", 1)[0]

    def summary(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "category": self.category,
            "severity": self.severity.value,
            "check": self.check,
            "message": self.message,
            "source": self.source,
            "pack": self.pack,
            "preview": self.preview,
            "measured": self.measured.as_record() if self.measured else None,
        }

    def expressions(self) -> list[Expression]:
        """Every expression the rule matches, for compiling them all at once."""
        found = [value for value in self.options.values() if isinstance(value, Expression)]
        found.extend(value.match for value in self.options.values() if isinstance(value, Trigger))
        found.extend(condition.match for condition in (*self.unless, *self.when))
        return [expression for expression in found if not expression.is_empty()]
