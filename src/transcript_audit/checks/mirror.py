"""``mirror``: a generic word for an item the customer named concretely.

A hit of ``match`` in one of the speaker's turns is a finding only when the
customer named their item before that turn ("mon ordinateur portable", "j'ai
commandé un vélo électrique"): "l'appareil" is then a step away from the
customer's own words, and ``{customer_item}`` ("votre ordinateur portable")
says what to say instead (any rule's message may use that placeholder:
``customer_item`` below is what fills it). Without an earlier naming there is nothing to
mirror and the word is not judged. The finding points at the generic word.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from ..model import Role
from ..text import light_stem
from .forbidden import Forbidden

if TYPE_CHECKING:
    from spacy.tokens import Doc

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


# Nouns a customer says with "mon/ma/mes" that do not name what they bought.
_NOT_AN_ITEM = frozenset(
    {
        "probleme", "question", "demande", "dossier", "compte", "numero", "nom", "prenom",
        "adresse", "mail", "email", "message", "appel", "avis", "part", "cote", "vie", "temps",
        "argent", "mari", "femme", "fils", "fille", "enfant", "mere", "pere", "frere", "soeur",
        "famille", "travail", "boulot", "patron", "voisin", "ami", "amie", "cas", "situation",
        "reclamation", "plainte", "commande", "colis", "facture", "paiement", "remboursement",
        "contrat", "abonnement", "ticket", "reference", "article", "produit", "marchandise",
        "attente", "patience", "journee", "semaine", "mois", "annee", "heure", "minute", "jour",
        "tour", "faute", "avis", "choix", "place", "maison", "domicile", "bureau", "telephone",
        # words of the exchange and of delivery, not of the item ("ce matin", "ce lien", "ce code")
        "matin", "soir", "week-end", "weekend", "moment", "site", "lien", "code", "prix", "delai",
        "statut", "relais", "point", "suivi", "livraison", "envoi", "mot", "panier", "remise",
        "reduction", "promo", "fois", "chat", "service", "transporteur", "expediteur", "sujet",
        # generic words themselves: a later concrete naming is the one to mirror
        "appareil", "materiel", "equipement", "objet", "bien", "unite", "modele", "piece",
    }
)


# Verbs after which "un canapé", "une machine" names what the customer bought.
_PURCHASE_VERBS = frozenset({"commander", "acheter", "recevoir", "payer", "reserver", "louer", "choisir", "offrir", "attendre", "livrer"})


class Mirror(Forbidden):
    """A ``forbidden`` check that judges a turn only once the customer named their item."""

    NAME = "mirror"

    def run(self, conversation: Conversation) -> Iterator[Finding]:
        for turn in conversation.turns_of(self.rule.speaker):
            item = customer_item(conversation, turn)
            if item is not None and not _is_generic(item):
                yield from self.findings_in(conversation, turn, {"customer_item": item})


def customer_item(conversation: Conversation, before_turn: int) -> str | None:
    """How the customer first named their item before ``before_turn``, as "votre …".

    "mon ordinateur portable" or "j'ai commandé un canapé d'angle" give
    "votre ordinateur portable" and "votre canapé d'angle"; the first naming
    is kept, as customers name precisely first and abbreviate later. Each
    customer turn is read once per conversation, whatever asks.
    """
    named = conversation.memo.get(customer_item)
    if named is None:
        named = conversation.memo[customer_item] = [
            _item_named_in(doc) if turn.role is Role.CUSTOMER else None
            for turn, doc in zip(conversation.transcript.turns, conversation.docs)
        ]
    return next((item for item in named[:before_turn] if item), None)


def _item_named_in(doc: Doc) -> str | None:
    for token in doc:
        if token.pos_ != "DET":
            continue
        # "mon parfum", "ce parfum", "cette eau de toilette": the customer points at their item.
        possessive = token.lemma_ in ("mon", "ce")
        bought = token.lemma_ in ("un", "le") and any(
            previous.lemma_ in _PURCHASE_VERBS for previous in doc[max(0, token.i - 3) : token.i]
        )
        if possessive or bought:
            phrase = _noun_phrase_after(doc, token.i)
            if phrase:
                return phrase
    return None


def _noun_phrase_after(doc: Doc, determiner: int) -> str | None:
    """ "mon ordinateur portable" -> "votre ordinateur portable"; None for generic nouns."""
    if determiner + 1 >= len(doc):
        return None
    possessive = "vos" if doc[determiner].lower_ in ("mes", "des", "les") else "votre"
    if doc[determiner + 1].pos_ == "PROPN":  # a brand or a model: "mon Samsung Galaxy S21", "ma Clio"
        end = determiner + 1
        while end < len(doc) and (doc[end].pos_ in ("PROPN", "NUM") or doc[end].text[:1].isupper() or any(c.isdigit() for c in doc[end].text)):
            end += 1
        return f"{possessive} {doc[determiner + 1 : end].text}"
    if doc[determiner + 1].pos_ != "NOUN":
        return None
    noun = doc[determiner + 1]
    if noun.lemma_ in _NOT_AN_ITEM or len(noun.text) < 3:
        return None
    end = noun.i + 1
    # "lave-linge", "sèche-cheveux": the tokenizer may split a hyphenated noun
    while end + 1 < len(doc) and doc[end].text == "-" and doc[end + 1].is_alpha:
        end += 2
    while end < len(doc) and doc[end].pos_ == "ADJ":
        end += 1
    if end + 1 < len(doc) and doc[end].lower_ in ("à", "a", "de", "d'") and doc[end + 1].pos_ == "NOUN":
        end += 2
    return f"{possessive} {doc[noun.i : end].text}"


def _is_generic(item: str) -> bool:
    """Is the customer's naming itself generic ("votre appareil", "votre colis abîmé")?

    A complement makes it concrete again: "votre appareil à raclette".
    """
    words = item.replace("d'", "de ").split()
    if len(words) < 2 or light_stem(words[1]) not in GENERIC_NOUNS:
        return False
    return not any(word in ("à", "a", "de") for word in words[2:])


# {customer_item} in any rule's message or suggestion is filled by ``customer_item``.
FILLS = {"customer_item": customer_item}
