"""``mirror``: a generic word for an item the customer named concretely.

A hit of ``match`` in one of the speaker's turns is a finding only when the
customer named their item before that turn ("mon ordinateur portable", "j'ai
commandé un vélo électrique"): "l'appareil" is then a step away from the
customer's own words, and ``{customer_item}`` ("votre ordinateur portable")
says what to say instead. Without an earlier naming there is nothing to
mirror and the word is not judged. The finding points at the generic word.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from ..rule_model import Field, Rule
from ..text import light_stem

if TYPE_CHECKING:
    from ..conversation import Conversation
    from ..model import Finding

# A customer who says "mon appareil" or "mon matériel" named nothing concrete:
# suggesting "votre appareil" in place of "l'équipement" would be no better.
GENERIC_NOUNS = frozenset(
    light_stem(word)
    for word in (
        "appareil", "matériel", "équipement", "objet", "bien", "unité", "modèle", "pièce",
        "produit", "article", "marchandise", "colis", "truc", "machin", "bidule", "chose", "achat",
    )
)


class Mirror:
    NAME = "mirror"
    FIELDS = {"match": Field("expression", required=True)}

    def __init__(self, rule: Rule):
        self.rule = rule
        self.match = rule.options["match"]

    def run(self, conversation: Conversation) -> Iterator[Finding]:
        for turn in conversation.turns_of(self.rule.speaker):
            item = conversation.customer_item(turn)
            if item is None or _is_generic(item):
                continue
            for hit in conversation.hits(turn, self.match):
                if not conversation.excused(self.rule, turn, hit):
                    yield conversation.finding(self.rule, turn, hit, {"customer_item": item})


def _is_generic(item: str) -> bool:
    """Is the customer's naming itself generic ("votre appareil", "votre colis abîmé")?

    A complement makes it concrete again: "votre appareil à raclette".
    """
    words = item.replace("d'", "de ").split()
    if len(words) < 2 or light_stem(words[1]) not in GENERIC_NOUNS:
        return False
    return not any(word in ("à", "a", "de") for word in words[2:])
