"""Baselines: a second run fails only on what is new, whatever moved."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from transcript_audit.cli import app

CALL = "Client : Mon canapé n'est pas arrivé.\nConseiller : Bonjour, votre marchandise part demain. Bonne journée.\n"


def run(*args):
    return CliRunner().invoke(app, list(args))


def test_a_new_finding_fails_alone_and_line_shifts_do_not_matter(auditor, tmp_path):
    folder = tmp_path / "calls"
    folder.mkdir()
    (folder / "a.txt").write_text(CALL, encoding="utf-8")
    baseline = tmp_path / "baseline.json"
    first = run("check", str(folder), "--write-baseline", str(baseline))
    assert first.exit_code == 0
    assert [entry["rule"] for entry in json.loads(baseline.read_text(encoding="utf-8"))["findings"]] == ["jargon-generic-item"]

    # The same finding two lines lower, plus one new finding.
    (folder / "a.txt").write_text(
        "# id: a\n\n" + CALL + "Conseiller : Normalement ce sera réglé. Bonne journée.\n", encoding="utf-8"
    )
    second = run("check", str(folder), "--baseline", str(baseline), "-f", "json")
    assert second.exit_code == 1
    report = json.loads(second.stdout)
    assert [f["rule"] for t in report["transcripts"] for f in t["findings"]] == ["vague-promise"]
    assert report["summary"]["baselined"] == 1

    unchanged = run("check", str(folder), "--baseline", str(baseline), "--select", "jargon")
    assert unchanged.exit_code == 0


def test_a_file_that_is_not_a_baseline_is_a_clear_error(auditor, tmp_path):
    (tmp_path / "a.txt").write_text(CALL, encoding="utf-8")
    bogus = tmp_path / "bogus.json"
    bogus.write_text('{"rules": []}', encoding="utf-8")
    result = run("check", str(tmp_path / "a.txt"), "--baseline", str(bogus))
    assert result.exit_code == 2
    assert "not a transcript-audit baseline" in result.stderr


PHONE_CALL = (
    "Client : Mon canapé n'est pas arrivé, rappelez-moi au 06 12 34 56 78.\n"
    "Conseiller : Bonjour, votre marchandise part demain, je vous rappelle au 06 12 34 56 78. Bonne journée.\n"
)


def test_a_baseline_written_with_redact_matches_a_run_without_it(auditor, tmp_path):
    """Fingerprints come from the real text: masking the phone number in the file
    name (the transcript id) must not change which findings a baseline knows."""
    call = tmp_path / "appel-0612345678.txt"
    call.write_text(PHONE_CALL, encoding="utf-8")
    redacted, plain = tmp_path / "redacted.json", tmp_path / "plain.json"
    assert run("check", str(call), "--redact", "--write-baseline", str(redacted)).exit_code == 0
    assert run("check", str(call), "--write-baseline", str(plain)).exit_code == 0
    written = json.loads(redacted.read_text(encoding="utf-8"))["findings"]
    assert written and "0612345678" not in redacted.read_text(encoding="utf-8")
    assert [entry["fingerprint"] for entry in written] == [e["fingerprint"] for e in json.loads(plain.read_text(encoding="utf-8"))["findings"]]

    for baseline, flags in ((redacted, ()), (plain, ("--redact",))):
        again = run("check", str(call), "--baseline", str(baseline), "-f", "json", *flags)
        assert again.exit_code == 0, again.stdout
        report = json.loads(again.stdout)
        assert report["summary"]["findings"] == 0
        assert report["summary"]["baselined"] == len(written)


def test_redacted_reports_carry_the_fingerprints_of_the_real_text(auditor, tmp_path):
    call = tmp_path / "appel-0612345678.txt"
    call.write_text(PHONE_CALL, encoding="utf-8")
    prints = {}
    for flags in ((), ("--redact",)):
        report = json.loads(run("check", str(call), "-f", "sarif", *flags).stdout)
        prints[flags] = [r["partialFingerprints"]["transcriptAudit/v1"] for r in report["runs"][0]["results"]]
    assert prints[()] and prints[()] == prints[("--redact",)]
