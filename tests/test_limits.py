"""Huge turns and transcripts are split, never dropped, and every piece stays located."""

from __future__ import annotations

from transcript_audit import limits
from transcript_audit.engine import AuditOptions
from transcript_audit.pipeline import audit
from transcript_audit.limits import MAX_TURN_CHARACTERS, within_limits
from transcript_audit.readers import labelled_text

LABEL = "Conseiller : "


def long_call(words: int, marked_at: int | None = None) -> str:
    spoken = [f"mot{i}" for i in range(words)]
    if marked_at is not None:
        spoken[marked_at - 1 : marked_at + 1] = ["votre", "marchandise"]
    return f"Client : Bonjour, mon canapé n'est pas arrivé.\n{LABEL}{' '.join(spoken)}\nClient : Merci.\n"


def test_a_long_turn_becomes_consecutive_turns_of_the_same_speaker_with_a_note():
    (transcript,), _ = labelled_text.parse(long_call(6000), "appel.txt")
    long_turn = transcript.turns[1]
    (split,) = within_limits(transcript)
    pieces = split.turns[1:-1]
    assert len(pieces) > 1 and all(len(p.text) <= MAX_TURN_CHARACTERS for p in pieces)
    assert "".join(p.text for p in pieces) == long_turn.text
    assert {p.speaker for p in pieces} == {long_turn.speaker} and {p.role for p in pieces} == {long_turn.role}
    assert all(p.text[-1] == " " for p in pieces[:-1]), "cut at a space"
    offset = 0
    for piece in pieces:
        assert (piece.line, piece.column) == (2, len(LABEL) + 1 + offset)
        offset += len(piece.text)
    assert any("audité en" in note and "tour 2" in note for note in split.notes)


def test_a_finding_deep_in_a_long_turn_points_at_its_own_line_and_column(tmp_path, auditor):
    path = tmp_path / "appel.txt"
    text = long_call(6000, marked_at=5000)
    path.write_text(text, encoding="utf-8")
    result = audit([path], AuditOptions(select=["jargon-generic-item"]), auditor=auditor)
    (finding,) = [f for f in result.findings() if f.match == "votre marchandise"]
    line_two = text.splitlines()[1]
    assert finding.line == 2 and line_two[finding.column - 1 :].startswith("votre marchandise")


def test_a_disable_comment_on_a_long_turn_covers_every_piece():
    text = long_call(6000).replace(LABEL, "# transcript-audit: disable=jargon\n" + LABEL)
    (transcript,), _ = labelled_text.parse(text, "appel.txt")
    (split,) = within_limits(transcript)
    assert sorted(turn for turn, _ in split.suppressions) == list(range(1, len(split.turns) - 1))


def test_a_transcript_past_the_limit_is_audited_in_parts(monkeypatch):
    monkeypatch.setattr(limits, "MAX_TRANSCRIPT_CHARACTERS", 50)
    text = "".join(f"Client : Bonjour, voici la phrase numéro {i}.\n" for i in range(7))
    (transcript,), _ = labelled_text.parse(text, "appel.txt")
    parts = list(within_limits(transcript))
    assert [part.id for part in parts] == [f"{transcript.id}#part{i}" for i in range(1, len(parts) + 1)] and len(parts) > 1
    assert [turn.text for part in parts for turn in part.turns] == [turn.text for turn in transcript.turns]
    assert all("partie" in part.notes[-1] for part in parts)
