"""``customer-name``: the speaker never calls the customer by the name they gave.

The customer's name is known from the transcript (a ``# customer: Mme Durand``
header, the display name of an e-mail sender or of a chat, an author column) or from the
signature that ends one of the customer's messages ("Merci d'avance,\\n
Gérard Pasquier"). When it is known and none of the speaker's turns uses it,
surname or first name, the speaker's first turn after the name became known
is a finding (after the customer's first turn, for a name the transcript
gives), provided, in a chat, the speaker wrote at least two turns after it; ``{trigger}``
holds the name as the customer gave it.

Only what clearly reads as a person's name is taken: a civility and a word
("Mme Durand"), or two or three capitalised words ("Gérard Pasquier",
"G. Pasquier", "PASQUIER Gérard"). A first name alone ("Paul"), an address,
a label ("Client", "Service client") or a line with digits is not a name.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..rule_model import Rule
from ..text import fold

if TYPE_CHECKING:
    from ..conversation import Conversation
    from ..model import Finding

_CIVILITIES = frozenset({"m", "mr", "mme", "mlle", "madame", "monsieur", "mademoiselle", "dr", "docteur", "me", "maitre", "famille"})
# Capitalised words that start signature-like lines but are not names.
_NOT_NAMES = frozenset(
    {
        "client", "cliente", "clients", "conseiller", "conseillere", "service", "support", "sav", "equipe",
        "agent", "customer", "utilisateur", "user", "inconnu", "unknown", "bonjour", "bonsoir", "merci",
        "cordialement", "cordiales", "salutations", "sincerement", "respectueusement", "amicalement", "amities",
        "bien", "bonne", "belle", "excellente", "tres", "votre", "vos", "mes", "mon", "ma", "cdlt", "bav",
        "envoye", "objet", "reference", "commande", "dossier", "contrat", "tel", "adresse", "rue", "avenue",
        "boulevard", "france", "ps",
    }
)
_WORD = re.compile(r"^[A-ZÀ-Ý](?:[a-zà-ÿ]+|[A-ZÀ-Ý]+|(?=[-'’]))(?:[-'’][A-ZÀ-Ý][a-zà-ÿ]+|[-'’][A-ZÀ-Ý]+)*$")
_INITIAL = re.compile(r"^[A-ZÀ-Ý]\.$")
_DISPLAY_NAME = re.compile(r"^[^\W\d_]{3,}(?:[-'’][^\W\d_]+)*$")
SIGNATURE_LINES = 4  # a signature is among the last lines of a message
# The speaker's turns after the name became known that a finding needs: an e-mail reply
# is whole in one message, a chat's first answer is often a holding line.
MIN_TURNS_JUDGED = {"chat": 2}


@dataclass(frozen=True)
class PersonName:
    written: str  # as the customer or the header gave it
    words: tuple[str, ...]  # surname and first name, folded, each enough to count as "used"


def person_name(text: str) -> PersonName | None:
    """ "Mme Durand", "Gérard Pasquier", "PASQUIER Gérard" -> a name; anything else -> None."""
    written = text.strip().strip(",.;")
    words = written.split()
    if not 2 <= len(words) <= 4:
        return None
    if fold(words[0]).rstrip(".") in _CIVILITIES:
        rest = words[1:]
        if not 1 <= len(rest) <= 2 or not all(_WORD.match(word) for word in rest):
            return None
        return _named(written, rest, rest[-1], None)
    if len(words) > 3 or not all(_WORD.match(word) or _INITIAL.match(word) for word in words):
        return None
    full = [word for word in words if not _INITIAL.match(word)]
    if not full:
        return None
    capitals = [word for word in full if word.isupper() and len(word) > 1]
    surname = capitals[0] if len(capitals) == 1 else full[-1]
    first = next((word for word in full if word != surname), None)
    return _named(written, words, surname, first)


def _named(written: str, words: list[str], surname: str, first: str | None) -> PersonName | None:
    if any(fold(word).strip(".") in _NOT_NAMES for word in words):
        return None
    used = tuple(fold(word) for word in (surname, first) if word)
    return PersonName(written, used)


def given_name(text: str) -> PersonName | None:
    """A name the transcript gives (a header, a chat's display name): a person's name, or one
    word of letters ("Vigier", "ASSWAD", "bagland": display names are often typed in lower
    case). The header is the export's word for who the customer is, so it is trusted."""
    name = person_name(text)
    if name is not None:
        return name
    written = text.strip().strip(",.;")
    if not _DISPLAY_NAME.match(written):
        return None
    return _named(written, [written], written, None)


def signature(text: str) -> PersonName | None:
    """The name that signs a message: a name-like line among its last lines."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if len(lines) < 2:  # a one-line message has no signature apart from its text
        return None
    for line in lines[1:][-SIGNATURE_LINES:]:
        name = person_name(line)
        if name is not None:
            return name
    return None


def uses(text: str, name: PersonName) -> bool:
    folded = fold(text)
    return any(re.search(rf"(?<!\w){re.escape(word)}(?!\w)", folded) for word in name.words)


class CustomerName:
    NAME = "customer-name"
    FIELDS: dict = {}
    PLACEHOLDERS = ("trigger",)  # the name as the customer gave it

    def __init__(self, rule: Rule):
        self.rule = rule

    def run(self, conversation: Conversation) -> Iterator[Finding]:
        transcript = conversation.transcript
        customer_turns = conversation.turns_of("customer")
        # A name the transcript gives is judged from the customer's first turn on:
        # a welcome message sent before the customer writes is often automatic.
        known_from = customer_turns[0] if customer_turns else -1
        name = given_name(transcript.customer or "")
        if name is None:
            for turn in customer_turns:
                name = signature(transcript.turns[turn].text)
                if name is not None:
                    known_from = turn
                    break
        if name is None:
            return
        turns = conversation.turns_of(self.rule.speaker)
        if any(uses(transcript.turns[turn].text, name) for turn in turns):
            return
        due = [turn for turn in turns if turn > known_from]
        # One holding message in a chat ("je regarde, un instant") before the customer left
        # gave the agent no real chance to use the name.
        if due and len(due) >= MIN_TURNS_JUDGED.get(transcript.channel, 1) and not conversation.excused(self.rule, due[0], None):
            yield conversation.finding(self.rule, due[0], None, {"trigger": name.written})
