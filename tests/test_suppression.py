"""Inline suppression: silenced findings are counted, not hidden silently."""

from __future__ import annotations

import json
import textwrap

from typer.testing import CliRunner

from transcript_audit.cli import app
from transcript_audit.readers import canned, labelled_text

CALL = """\
# transcript-audit: disable=greeting
Client : Mon canapé arrive quand ?
Conseiller : Votre marchandise part normalement demain.
# transcript-audit: disable=vague-promise
Conseiller : Normalement ce sera bon.
Conseiller : Normalement ce sera réglé. Bonne journée.
"""


def test_directives_apply_to_the_file_or_to_the_next_turn():
    transcripts, errors = labelled_text.parse(CALL, "t.txt")
    assert errors == []
    assert transcripts[0].suppressions == [(None, ("greeting",)), (2, ("vague-promise",))]
    assert len(transcripts[0].turns) == 4


def test_suppressed_findings_are_counted_in_the_report(auditor, tmp_path):
    path = tmp_path / "t.txt"
    path.write_text(CALL, encoding="utf-8")
    report = json.loads(CliRunner().invoke(app, ["check", str(path), "-f", "json"]).stdout)
    transcript = report["transcripts"][0]
    assert sorted(f["rule"] for f in transcript["findings"]) == ["jargon-generic-item", "vague-promise"]
    assert [f["turn"] for f in transcript["findings"] if f["rule"] == "vague-promise"] == [4]
    assert sorted((s["rule"], s["turn"]) for s in transcript["suppressed"]) == [("greeting-missing", 2), ("vague-promise", 3)]
    assert report["summary"]["suppressed"] == 2


def test_a_canned_response_can_disable_rules(tmp_path):
    data = textwrap.dedent(
        """\
        responses:
          - name: Relance
            disable: [closing, vague-promise]
            body: Bonjour, normalement c'est bon.
        """
    ).encode()
    transcripts, errors = canned.read(data, "lib.yaml")
    assert errors == []
    assert transcripts[0].suppressions == [(None, ("closing", "vague-promise"))]
