"""``mirror``: a generic word for an item the customer named concretely.

A hit of ``match`` in one of the speaker's turns is a finding only when the
customer named their item before that turn ("mon ordinateur portable", "j'ai
commandé un vélo électrique"): "l'appareil" is then a step away from the
customer's own words, and ``{customer_item}`` ("votre ordinateur portable")
says what to say instead. Without an earlier naming there is nothing to
mirror and the word is not judged. The finding points at the generic word.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..text import light_stem
from .forbidden import Forbidden

if TYPE_CHECKING:
    from ..conversation import Conversation

# A customer who says "mon appareil" or "mon matériel" named nothing concrete:
# suggesting "votre appareil" in place of "l'équipement" would be no better.
GENERIC_NOUNS = frozenset(
    light_stem(word)
    for word in (
        "appareil", "matériel", "équipement", "objet", "bien", "unité", "modèle", "pièce",
        "produit", "article", "marchandise", "colis", "truc", "machin", "bidule", "chose", "achat",
    )
)


class Mirror(Forbidden):
    """A ``forbidden`` check that judges a turn only once the customer named their item."""

    NAME = "mirror"

    def values(self, conversation: Conversation, turn: int) -> dict[str, str] | None:
        item = conversation.customer_item(turn)
        if item is None or _is_generic(item):
            return None
        return {"customer_item": item}


def _is_generic(item: str) -> bool:
    """Is the customer's naming itself generic ("votre appareil", "votre colis abîmé")?

    A complement makes it concrete again: "votre appareil à raclette".
    """
    words = item.replace("d'", "de ").split()
    if len(words) < 2 or light_stem(words[1]) not in GENERIC_NOUNS:
        return False
    return not any(word in ("à", "a", "de") for word in words[2:])
