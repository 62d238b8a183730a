"""Which speaker labels mean the agent and which mean the customer."""

from __future__ import annotations

import re

from .model import Role
from .text import fold

# Compared after folding (lower case, no accents), with "(e)" endings removed.
AGENT_LABELS = frozenset(
    {
        "conseiller", "conseillere", "agent", "operateur", "operatrice",
        "teleconseiller", "teleconseillere", "teleoperateur", "teleoperatrice",
        "support", "service client", "service clients", "sav", "hotline", "hotliner",
        "assistance", "advisor", "adviser", "operator", "representative", "rep",
        "charge de clientele", "chargee de clientele", "gestionnaire",
    }
)
CUSTOMER_LABELS = frozenset(
    {
        "client", "cliente", "customer", "appelant", "appelante", "usager", "usagere",
        "abonne", "abonnee", "caller", "user", "utilisateur", "utilisatrice",
        "consommateur", "consommatrice", "adherent", "adherente", "assure", "assuree",
        "souscripteur", "souscriptrice", "demandeur", "demandeuse",
    }
)

_GENDER_SUFFIX = re.compile(r"\s*\((?:e|ne|euse|rice)\)$")


def canonical_label(label: str) -> str:
    """Fold a label for comparison: "Conseiller(e)" and "CONSEILLÈRE" -> "conseiller"."""
    folded = fold(label).strip()
    folded = _GENDER_SUFFIX.sub("", folded)
    return " ".join(folded.replace("_", " ").split())


def role_for_label(label: str, names: dict[str, Role] | None = None) -> Role | None:
    """The role a label names, or None when it is not a known label.

    ``names`` maps canonical speaker names declared in a file header
    (``# agent: Julie``) to their role. A known label followed by a name
    ("Conseillère Julie", "Client (M. Durand)") keeps the label's role.
    """
    canonical = canonical_label(label)
    if names and canonical in names:
        return names[canonical]
    for candidate in _prefixes(canonical):
        if candidate in AGENT_LABELS:
            return Role.AGENT
        if candidate in CUSTOMER_LABELS:
            return Role.CUSTOMER
    return None


def _prefixes(canonical: str) -> list[str]:
    words = canonical.replace("(", " ").replace(")", " ").split()
    return [" ".join(words[:n]) for n in range(len(words), 0, -1)]
