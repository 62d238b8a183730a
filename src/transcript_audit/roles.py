"""Who is the agent and who the customer, for every input format.

Speaker labels ("Conseillère", "Client (M. Durand)") for text and subtitles,
diarised speaker ids ("SPEAKER_00") from what they say (``infer_roles``),
e-mail senders from their addresses (``assign_email_roles``) and CSV rows
from their role and author cells (``table_row_role``). Readers give the
evidence; the decisions and the notes that explain them are made here.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Protocol

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


# ---------------------------------------------------------------- is a prefix a speaker label?

# Words that introduce a field inside a pasted e-mail or form, never a speaker.
_FIELD_WORDS = frozenset(
    {
        "objet", "object", "subject", "de", "from", "a", "to", "cc", "cci", "bcc", "date",
        "envoye", "envoye le", "sent", "tel", "telephone", "tel.", "mobile", "portable", "fax",
        "email", "e-mail", "mail", "courriel", "adresse", "ref", "ref.", "reference",
        "numero", "commande", "n", "no", "ps", "p.s", "nb", "n.b", "remarque", "note",
        "attention", "important", "horaires", "iban", "bic", "montant", "total", "piece jointe",
        "pieces jointes", "lien", "site", "web", "http", "https", "www",
    }
)
_MAX_LABEL_WORDS = 4
# An unknown label looks like a name: "Technicien", "Mme Lefort", "Speaker 2".
_NAME_WORD = re.compile(r"^(?:[^\W\d_][\w.'’-]*|\d+|\(.*\))$")
_MAX_NAME_WORDS = 3


def looks_like_label(label: str) -> bool:
    """Could this prefix be a speaker label at all (not "Objet", "https", a long sentence)?"""
    canonical = canonical_label(label)
    if canonical in _FIELD_WORDS or canonical.split(" ")[0] in {"http", "https", "www"}:
        return False
    return len(canonical.split()) <= _MAX_LABEL_WORDS


def looks_like_name(label: str) -> bool:
    """Could this unknown prefix be a speaker ("Technicien", "Mme Lefort")?

    "Voici le lien", "Numéro de commande" or "Rendez-vous demain à 14" (from
    "14:30") are sentences with a colon: they continue the previous turn.
    """
    if not looks_like_label(label):
        return False
    words = label.split()
    return len(words) <= _MAX_NAME_WORDS and all(
        _NAME_WORD.match(word) and (word[0].isupper() or word[0].isdigit() or word[0] == "(") for word in words
    )


# ---------------------------------------------------------------- e-mail senders

_SERVICE_WORDS = frozenset(
    {
        "support", "sav", "contact", "contacts", "noreply", "nepasrepondre", "donotreply", "nereplypas",
        "assistance", "helpdesk", "help", "care", "hotline", "clientele", "service", "services",
        "serviceclient", "serviceclients", "relationclient", "relationclients", "customerservice",
        "customercare", "reclamation", "reclamations", "conseiller", "conseillers", "commandes",
        "info", "infos", "information", "informations", "satisfaction", "suivi", "abonnes",
    }
)
# Public mailbox providers: two customers may share these domains, an agent never does.
PUBLIC_DOMAINS = frozenset(
    {
        "gmail.com", "googlemail.com", "yahoo.fr", "yahoo.com", "hotmail.fr", "hotmail.com", "outlook.fr",
        "outlook.com", "live.fr", "live.com", "msn.com", "orange.fr", "wanadoo.fr", "free.fr", "sfr.fr",
        "neuf.fr", "laposte.net", "icloud.com", "me.com", "gmx.fr", "gmx.com", "aol.com", "bbox.fr",
        "numericable.fr", "protonmail.com", "proton.me", "yandex.com", "club-internet.fr",
    }
)


class Sender(Protocol):
    """What role assignment needs to know of one e-mail (``readers.mail_text.MailMessage``)."""

    speaker: str
    sender_address: str
    recipients: list[str]
    helpdesk: bool  # sent through a help-desk tool (X-Zendesk-…, X-Freshdesk-… headers)


def is_service_address(address: str) -> bool:
    """Does the local part read like a service mailbox (sav@, service-client@, no-reply@, contact@…)?"""
    local = fold(address.split("@", 1)[0])
    words = [word for word in re.split(r"[.\-_+]", local) if word]
    return bool(words) and ("".join(words) in _SERVICE_WORDS or any(word in _SERVICE_WORDS for word in words))


def matches_agent_domain(address: str, entries: Sequence[str]) -> bool:
    """Is ``address`` one of ``entries`` ("acme.fr", "@acme.fr", "julie@acme.fr"), subdomains included?"""
    address = address.strip().lower()
    if "@" not in address:
        return False
    domain = address.rsplit("@", 1)[1]
    for entry in entries:
        entry = entry.strip().lower()
        if not entry:
            continue
        if entry.startswith("@"):
            entry = entry[1:]
        elif "@" in entry:
            if address == entry:
                return True
            continue
        if domain == entry or domain.endswith("." + entry):
            return True
    return False


def assign_email_roles(messages: Sequence[Sender], agent_domains: Sequence[str]) -> tuple[dict[str, Role], list[str]]:
    """Role of each sender (keyed by ``speaker``) in one thread, and notes saying why.

    1. With ``--agent-domain``, a sender whose address matches is the agent
       and every other sender is the customer.
    2. Otherwise a sender whose address reads like a service mailbox (sav@,
       support@, service-client@, contact@, no-reply@…) or whose messages
       went through a help-desk tool (X-Zendesk/X-Freshdesk… headers) is the
       agent, as is anyone writing from the same company domain; the others
       are customers. This applies when it singles out some senders, not all
       (a lone sender of a single e-mail counts as singled out).
    3. Otherwise, in a thread between exactly two senders, the one who wrote
       the first message is the customer and the one who replies the agent.
    4. Otherwise a sender who wrote to a service mailbox is the customer and
       the rest stay unknown (the registry may infer roles from the text).
    """
    senders = list(dict.fromkeys(message.speaker for message in messages))
    addresses = {message.speaker: message.sender_address for message in messages}
    if agent_domains:
        agents = {s for s in senders if matches_agent_domain(addresses[s], agent_domains)}
        roles = {s: Role.AGENT if s in agents else Role.CUSTOMER for s in senders}
        notes = []
        if not agents:
            notes.append(
                f"Aucun expéditeur ne correspond à --agent-domain ({', '.join(agent_domains)}) : "
                "tous les messages sont traités comme venant du client."
            )
        return roles, notes
    service = {m.speaker for m in messages if m.helpdesk or (m.sender_address and is_service_address(m.sender_address))}
    if service and (len(service) < len(senders) or len(senders) == 1):
        domains = {addresses[s].rsplit("@", 1)[1] for s in service if "@" in addresses[s]} - PUBLIC_DOMAINS
        agents = service | {s for s in senders if "@" in addresses[s] and addresses[s].rsplit("@", 1)[1] in domains}
        names = ", ".join(f"« {_describe(s, addresses[s])} »" for s in senders if s in agents)
        verb = "est le conseiller" if len(agents) == 1 else "sont des conseillers"
        note = f"Rôles déduits : {names} {verb} (adresse de service) ; utilisez --agent-domain pour corriger."
        return {s: Role.AGENT if s in agents else Role.CUSTOMER for s in senders}, [note]
    if len(senders) == 2:
        customer, agent = senders
        note = (
            f"Rôles déduits : « {_describe(customer, addresses[customer])} » a écrit le premier message (client), "
            f"« {_describe(agent, addresses[agent])} » lui répond (conseiller) ; utilisez --agent-domain pour corriger."
        )
        return {customer: Role.CUSTOMER, agent: Role.AGENT}, [note]
    writes_to_service = [m.speaker for m in messages if any(is_service_address(address) for address in m.recipients)]
    notes = []
    if writes_to_service:
        names = ", ".join(f"« {_describe(s, addresses[s])} »" for s in dict.fromkeys(writes_to_service))
        notes.append(
            f"Rôles déduits : {names} écrit à une adresse de service (client) ; utilisez --agent-domain pour corriger."
        )
    return {s: Role.CUSTOMER if s in writes_to_service else Role.UNKNOWN for s in senders}, notes


def _describe(speaker: str, address: str) -> str:
    return f"{speaker} <{address}>" if address and address != speaker else speaker


def name_parties(transcript: Transcript) -> None:
    """Fill the transcript's ``agent`` and ``customer`` with the first speaker of each role."""
    for turn in transcript.turns:
        if turn.role is Role.AGENT and transcript.agent is None:
            transcript.agent = turn.speaker
        elif turn.role is Role.CUSTOMER and transcript.customer is None:
            transcript.customer = turn.speaker


# ---------------------------------------------------------------- rows of a CSV export

_NOT_WORD = re.compile(r"[^a-z0-9]+")


def cell_key(value: str) -> str:
    """How exported headers and values are compared: "Numéro_Ticket", "numero-ticket" -> "numero ticket"."""
    return _NOT_WORD.sub(" ", fold(value)).strip()


# Role values beyond what ``role_for_label`` knows (compared after ``cell_key``).
_ROLE_VALUES = {
    **dict.fromkeys(
        ("end user", "enduser", "requester", "visitor", "visiteur", "contact", "lead", "prospect",
         "inbound", "incoming", "in", "entrant", "received", "recu"),
        Role.CUSTOMER,
    ),
    **dict.fromkeys(
        ("staff", "admin", "administrator", "administrateur", "bot", "chatbot", "assistant", "employee",
         "collaborateur", "team", "equipe", "outbound", "outgoing", "out", "sortant", "sent", "envoye"),
        Role.AGENT,
    ),
}
# Messages the tool wrote by itself ("Ticket assigned to Julie"): not part of the conversation.
_SYSTEM_VALUES = frozenset(
    {"system", "systeme", "automation", "automatisation", "automatic", "automatique", "trigger",
     "declencheur", "event", "evenement", "log"}
)
YES_WORDS = frozenset({"true", "1", "yes", "y", "t", "oui", "o", "vrai", "x"})
NO_WORDS = frozenset({"false", "0", "no", "n", "f", "non", "faux"})
_EMAIL = re.compile(r"[\w.+'-]+@([\w-]+(?:\.[\w-]+)+)")


def table_row_role(
    role_cell: str, speaker_cell: str, *, flag_column: bool, agent_domains: Sequence[str]
) -> tuple[Role | None, str]:
    """The role of one exported message (None for a system message) and its speaker.

    ``role_cell`` is a role ("agent", "end-user", "outbound") or, in a
    ``flag_column`` such as "is_agent", yes or no. Without a role, the author
    cell may be a known label, or an e-mail address that ``--agent-domain``
    judges.
    """
    raw, speaker = " ".join(role_cell.split()), " ".join(speaker_cell.split())  # canonical_label is quadratic on runs of spaces
    role: Role | None = Role.UNKNOWN
    if raw:
        key = cell_key(raw)
        if flag_column:
            role = Role.AGENT if key in YES_WORDS else Role.CUSTOMER if key in NO_WORDS else Role.UNKNOWN
            raw = role.value if role is not Role.UNKNOWN else raw
        elif key in _SYSTEM_VALUES:
            return None, speaker or raw
        else:
            role = _ROLE_VALUES.get(key) or role_for_label(raw) or Role.UNKNOWN
    if role is Role.UNKNOWN and speaker:
        role = role_for_label(speaker) or _role_from_address(speaker, agent_domains) or Role.UNKNOWN
    return role, speaker or raw or "?"


def _role_from_address(speaker: str, agent_domains: Sequence[str]) -> Role | None:
    """With ``--agent-domain``, an author's e-mail address tells agent from customer."""
    match = _EMAIL.search(speaker)
    if not agent_domains or not match:
        return None
    return Role.AGENT if matches_agent_domain(match.group(0), agent_domains) else Role.CUSTOMER
