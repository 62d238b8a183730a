"""Which speaker labels mean the agent and which mean the customer."""

from __future__ import annotations

import re
from collections.abc import Sequence

from .model import Role, Transcript
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
    # Spaces are collapsed first: the suffix pattern backtracks over each run of spaces.
    folded = " ".join(fold(label).replace("_", " ").split())
    return _GENDER_SUFFIX.sub("", folded).strip()


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


# What agents say and customers do not, and the reverse (compared after folding).
AGENT_CUES = (
    "que puis-je faire pour vous", "que puis-je pour vous", "en quoi puis-je vous aider",
    "comment puis-je vous aider", "je vous ecoute", "a votre ecoute", "service client",
    "service clients", "bienvenue", "vous etes bien", "a l'appareil", "puis-je avoir votre",
    "pouvez-vous me donner votre", "pouvez-vous me rappeler votre", "votre numero de",
    "votre numero client", "votre dossier", "votre commande", "votre contrat", "je vais verifier",
    "je regarde votre", "merci de votre appel", "merci pour votre appel", "merci de votre patience",
    "je vous souhaite une bonne", "je vous mets en attente",
)
CUSTOMER_CUES = (
    "je vous appelle", "j'appelle", "j'ai un probleme", "j'ai un souci", "j'ai recu", "j'ai commande",
    "ma commande", "mon colis", "ma facture", "mon numero client", "je voudrais", "je souhaiterais",
    "j'aimerais", "je n'ai pas recu", "je n'ai toujours pas",
)


def infer_roles(transcript: Transcript, agent_speakers: Sequence[str] = ()) -> None:
    """Give roles to diarised speakers ("SPEAKER_00", "spk_1", "A", "0").

    Speakers named with ``--agent`` are the agent and the others the customer.
    Otherwise, only when no turn has a known role, the speaker who says what
    agents say ("que puis-je faire pour vous", "service client") is taken for
    the agent; the choice and its reasons go into ``transcript.notes``. When
    the cues do not decide, roles stay unknown and a note says so.
    """
    # A turn with no speaker id (undiarised speech) cannot be given a role.
    speakers = list(dict.fromkeys(turn.speaker for turn in transcript.turns if turn.role is Role.UNKNOWN and turn.speaker))
    if not speakers:
        return
    wanted = {canonical_label(name) for name in agent_speakers}
    if wanted:
        agents = {s for s in speakers if canonical_label(s) in wanted}
        if agents:
            _assign(transcript, agents)
            return
    if any(turn.role is not Role.UNKNOWN for turn in transcript.turns):
        return
    evidence = {speaker: _cues(transcript, speaker) for speaker in speakers}
    scores = sorted(((len(agent) - len(customer), s) for s, (agent, customer) in evidence.items()), reverse=True)
    best_score, best = scores[0]
    runner_up = scores[1][0] if len(scores) > 1 else 0
    if best_score >= 1 and best_score > runner_up:
        _assign(transcript, {best})
        quoted = ", ".join(f"« {cue} »" for cue in evidence[best][0][:3])
        transcript.notes.append(f"Rôles déduits : « {best} » est le conseiller ({quoted}) ; utilisez --agent pour corriger.")
    else:
        names = ", ".join(speakers)
        transcript.notes.append(
            f"Rôles non déterminés pour {names} : les règles sur le conseiller et le client ne s'appliquent pas ; "
            "précisez-le avec --agent SPEAKER."
        )


def _assign(transcript: Transcript, agents: set[str]) -> None:
    for turn in transcript.turns:
        if turn.role is Role.UNKNOWN and turn.speaker:
            turn.role = Role.AGENT if turn.speaker in agents else Role.CUSTOMER
    transcript.agent = transcript.agent or next(iter(sorted(agents)))


def _cues(transcript: Transcript, speaker: str) -> tuple[list[str], list[str]]:
    said = " ".join(fold(turn.text) for turn in transcript.turns if turn.speaker == speaker)
    return [cue for cue in AGENT_CUES if cue in said], [cue for cue in CUSTOMER_CUES if cue in said]
