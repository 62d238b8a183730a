"""Roles for diarised speakers: --agent first, then what agents say, else unknown."""

from __future__ import annotations

from transcript_audit.model import Role, Transcript, Turn
from transcript_audit.roles import infer_roles


def transcript(*turns: tuple[str, str], role: Role = Role.UNKNOWN) -> Transcript:
    return Transcript(
        id="t", path="t.json", channel="call",
        turns=[Turn(role=role, speaker=speaker, text=text, line=i + 1) for i, (speaker, text) in enumerate(turns)],
    )


CALL = (
    ("SPEAKER_00", "Service client Électro Plus, bonjour, que puis-je faire pour vous ?"),
    ("SPEAKER_01", "Bonjour, je vous appelle parce que ma commande n'est pas arrivée."),
    ("SPEAKER_00", "Je regarde votre dossier."),
)


def roles(t: Transcript) -> list[Role]:
    return [turn.role for turn in t.turns]


def test_the_speaker_who_talks_like_an_agent_is_the_agent_and_a_note_says_why():
    t = transcript(*CALL)
    infer_roles(t)
    assert roles(t) == [Role.AGENT, Role.CUSTOMER, Role.AGENT]
    assert t.agent == "SPEAKER_00"
    assert len(t.notes) == 1 and "SPEAKER_00" in t.notes[0] and "que puis-je faire pour vous" in t.notes[0]


def test_agent_option_wins_over_the_cues():
    t = transcript(*CALL)
    infer_roles(t, ["speaker_01"])  # compared like labels: case-insensitive
    assert roles(t) == [Role.CUSTOMER, Role.AGENT, Role.CUSTOMER]
    assert t.notes == []


def test_undecided_roles_stay_unknown_and_the_report_says_so():
    t = transcript(("A", "Oui."), ("B", "D'accord."), ("A", "Très bien."))
    infer_roles(t)
    assert roles(t) == [Role.UNKNOWN] * 3
    assert "Rôles non déterminés" in t.notes[0] and "--agent" in t.notes[0]


def test_known_roles_are_never_overwritten_by_guesses():
    t = transcript(*CALL, role=Role.CUSTOMER)
    t.turns[0].role = Role.UNKNOWN
    infer_roles(t)
    assert roles(t) == [Role.UNKNOWN, Role.CUSTOMER, Role.CUSTOMER]


def test_accents_and_case_do_not_hide_the_cues():
    t = transcript(("0", "BIENVENUE au SERVICE CLIENT, je vous écoute"), ("1", "Bonjour"))
    infer_roles(t)
    assert roles(t) == [Role.AGENT, Role.CUSTOMER]


def test_turns_without_a_speaker_id_keep_an_unknown_role():
    t = transcript(("", "Service client, bonjour, que puis-je faire pour vous ?"), ("", "Je voudrais résilier."))
    infer_roles(t)
    assert roles(t) == [Role.UNKNOWN, Role.UNKNOWN]
