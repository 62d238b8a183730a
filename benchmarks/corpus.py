"""A deterministic corpus of realistic French service conversations, for benchmarks.

    python benchmarks/corpus.py OUT_FOLDER --size 1000 [--seed 7]

Calls (speaker-labelled text with times) and chats, 300 to 1,500 words each,
built from sentence banks with varied items, names, numbers and dates, and a
realistic share of the behaviours the rules look for (jargon, blame, vague
promises, missing greetings). The same size and seed always give the same
files, so two benchmark runs measure the same text.
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path

ITEMS = [
    "mon ordinateur portable", "ma machine à laver", "mon canapé d'angle", "mon réfrigérateur", "ma box internet",
    "mon téléphone", "ma commande de chaussures", "mon colis", "mon lave-vaisselle", "ma poussette",
    "mon abonnement", "ma carte bancaire", "mon billet de train", "ma facture d'électricité", "mon casque audio",
]
PROBLEMS = [
    "ne s'allume plus depuis {days} jours", "est arrivé cassé", "n'a jamais été livré", "fait un bruit bizarre",
    "a été facturé deux fois", "ne fonctionne pas du tout", "est bloqué au centre de tri depuis le {date}",
    "fuit dès que je le mets en marche", "a été débité sans mon accord", "ne correspond pas à ce que j'ai commandé",
]
FIRST_NAMES = ["Martin", "Dubois", "Nguyen", "Lefèvre", "Moreau", "Benali", "Garcia", "Rousseau", "Fournier", "Petit"]
AGENT_NAMES = ["Julie", "Karim", "Sophie", "Thomas", "Inès", "Lucas", "Camille", "Yanis"]
DATES = ["3 mars", "12 avril", "28 mai", "6 juin", "19 juillet", "2 septembre", "15 octobre", "30 novembre"]

AGENT_GREETINGS = [
    "Bonjour, service client, {agent} à votre écoute, que puis-je faire pour vous ?",
    "Bonjour et bienvenue au service après-vente, je m'appelle {agent}, comment puis-je vous aider ?",
    "Service client bonjour, {agent} à l'appareil.",
    "Oui allô, j'écoute.",  # no greeting: a finding
]
CUSTOMER_OPENINGS = [
    "Bonjour, je vous appelle parce que {item} {problem}.",
    "Oui bonjour, voilà, {item} {problem} et personne ne me rappelle.",
    "Bonjour madame, c'est la troisième fois que j'appelle, {item} {problem}.",
    "Bonjour, je suis vraiment inquiet, {item} {problem}, j'en ai besoin pour travailler.",
]
AGENT_TURNS = [
    "Je comprends tout à fait, je regarde votre dossier tout de suite.",
    "Pouvez-vous me donner votre numéro de commande s'il vous plaît ?",
    "Je vois que la commande {order} a été expédiée le {date}.",
    "Je suis désolée pour ce désagrément, je vais vous proposer une solution.",
    "Je vous envoie un e-mail de confirmation avant ce soir dix-huit heures avec le numéro de suivi.",
    "Je vous propose un échange ou un remboursement, comme vous préférez.",
    "Le technicien passera le {date} entre huit heures et midi, vous recevrez un SMS la veille.",
    "Je note votre réclamation et je la transmets au service concerné.",
    "D'accord, je vérifie la disponibilité en stock pour vous.",
    "Je m'en occupe personnellement et je vous rappelle demain à dix heures.",
]
AGENT_FLAGGED = [
    "Votre marchandise est en cours de traitement par le back-office.",  # jargon
    "C'est la faute du transporteur, nous n'y pouvons rien.",  # blame
    "Normalement vous devriez être recontacté prochainement.",  # vague
    "Ce produit n'est plus sous garantie, je ne peux rien faire.",  # refusal, jargon
    "Calmez-vous monsieur, ce n'est pas la peine de crier.",  # dismissive
    "Vous auriez dû nous prévenir dès la réception du colis.",  # dismissive
    "A priori ça devrait être réglé d'ici la fin de la semaine.",  # vague
    "Il faut comprendre que la logistique passe par trois entrepôts avant l'expédition, "
    "puis par un centre de tri régional et enfin par l'agence de livraison de votre secteur.",  # lecture
]
CUSTOMER_TURNS = [
    "Oui c'est le {order}.",
    "Mais enfin ça fait {days} jours que j'attends !",
    "D'accord, et je fais comment en attendant ?",
    "Je ne comprends pas, on m'avait dit que ce serait réglé le {date}.",
    "Est-ce que je vais être remboursé ?",
    "C'est inadmissible, j'ai payé {price} euros pour {item}.",
    "Très bien, merci pour votre aide.",
    "Et si le livreur ne passe toujours pas ?",
    "Je m'appelle {customer}, j'habite au {number} rue des Lilas.",
    "Vous pouvez me l'envoyer par mail ?",
    "Bon, je vais attendre alors, mais je ne suis pas content.",
    "Mon voisin a eu le même problème le mois dernier.",
]
AGENT_CLOSINGS = [
    "Je vous remercie de votre appel, très bonne journée à vous.",
    "Merci {customer_title}, bonne fin de journée.",
    "Voilà, au revoir.",
    "",  # no closing: a finding
]


def _fill(template: str, rng: random.Random, item: str, customer: str, agent: str) -> str:
    return template.format(
        item=item,
        problem=rng.choice(PROBLEMS).format(days=rng.randint(2, 30), date=rng.choice(DATES)),
        days=rng.randint(2, 30),
        date=rng.choice(DATES),
        order=f"FR{rng.randint(100000, 999999)}",
        price=rng.randint(40, 1900),
        number=rng.randint(1, 120),
        customer=customer,
        customer_title=f"monsieur {customer}",
        agent=agent,
    )


def _turn_text(bank: list[str], rng: random.Random, item: str, customer: str, agent: str) -> str:
    sentences = []
    for _ in range(rng.randint(1, 4)):
        # about one agent turn in ten carries a behaviour the rules flag
        chosen = rng.choice(AGENT_FLAGGED) if bank is AGENT_TURNS and rng.random() < 0.04 else rng.choice(bank)
        sentences.append(_fill(chosen, rng, item, customer, agent))
    return " ".join(sentences)


def conversation(index: int, seed: int) -> tuple[str, str]:
    """File name and text of conversation ``index``: a call (with times) or a chat."""
    rng = random.Random(f"{seed}-{index}")
    item, customer, agent = rng.choice(ITEMS), rng.choice(FIRST_NAMES), rng.choice(AGENT_NAMES)
    target_words = rng.randint(300, 1500)
    is_call = rng.random() < 0.8
    turns = [("Agent", _fill(rng.choice(AGENT_GREETINGS), rng, item, customer, agent)),
             ("Client", _fill(rng.choice(CUSTOMER_OPENINGS), rng, item, customer, agent))]
    words = sum(len(text.split()) for _, text in turns)
    while words < target_words:
        for speaker, bank in (("Agent", AGENT_TURNS), ("Client", CUSTOMER_TURNS)):
            text = _turn_text(bank, rng, item, customer, agent)
            turns.append((speaker, text))
            words += len(text.split())
    closing = _fill(rng.choice(AGENT_CLOSINGS), rng, item, customer, agent)
    if closing:
        turns.append(("Agent", closing))
    lines, seconds = [], 0
    for speaker, text in turns:
        prefix = f"[{seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}] " if is_call else ""
        lines.append(f"{prefix}{speaker} : {text}")
        seconds += 2 + len(text.split()) // 2 + rng.randint(0, 6)
    name = f"{'appel' if is_call else 'chat'}-{index:06d}.txt"
    return name, "\n".join(lines) + "\n"


def write_corpus(folder: Path, size: int, seed: int = 7) -> int:
    """Write ``size`` conversations into ``folder`` (100 per sub-folder); returns the word count."""
    total = 0
    for index in range(size):
        name, text = conversation(index, seed)
        target = folder / f"lot-{index // 100:04d}" / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
        total += len(text.split())
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--size", type=int, default=1000, help="number of conversations (100 to 20,000 in the benchmarks)")
    parser.add_argument("--seed", type=int, default=7)
    arguments = parser.parse_args()
    words = write_corpus(arguments.folder, arguments.size, arguments.seed)
    print(f"{arguments.size} conversations, {words} words in {arguments.folder}")


if __name__ == "__main__":
    main()
