"""Analysts' verdicts: false positives left out and counted, files merged, precision per rule."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from transcript_audit.cli import app
from transcript_audit.verdicts import HEADER, VerdictError, load_verdicts, read_verdicts

CALL = (
    "Client : Mon canapé n'est pas arrivé.\n"
    "Conseiller : Bonjour, votre marchandise arrivera normalement prochainement. Bonne journée.\n"
)


def run(*args):
    return CliRunner().invoke(app, list(args))


def findings_of(path: Path, *args) -> dict:
    result = run("check", str(path), "-f", "json", *args)
    assert result.exit_code in (0, 1), result.output
    return json.loads(result.stdout)


def write_verdicts(path: Path, rows, delimiter: str = ",") -> Path:
    with path.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream, delimiter=delimiter)
        writer.writerow(HEADER)
        writer.writerows(rows)
    return path


def test_false_positives_are_left_out_and_counted_confirmed_ones_stay(auditor, tmp_path):
    call = tmp_path / "appel.txt"
    call.write_text(CALL, encoding="utf-8")
    report = findings_of(call)
    findings = report["transcripts"][0]["findings"]
    assert len(findings) >= 2 and all(f["fingerprint"] for f in findings)
    wrong, right = findings[0], findings[1]
    verdicts = write_verdicts(tmp_path / "verdicts.csv", [
        [wrong["fingerprint"], wrong["rule"], "appel", "false-positive", "le client a dit marchandise", "Julie", "2026-12-04"],
        [right["fingerprint"], right["rule"], "appel", "confirmed", "", "Julie", "2026-12-04"],
    ])
    again = findings_of(call, "--verdicts", str(verdicts))
    kept = [f["fingerprint"] for f in again["transcripts"][0]["findings"]]
    assert wrong["fingerprint"] not in kept and right["fingerprint"] in kept
    assert again["summary"]["dismissed"] == 1
    assert again["summary"]["findings"] == len(findings) - 1
    assert again["transcripts"][0]["score"] >= report["transcripts"][0]["score"]


def test_files_from_several_analysts_merge_the_latest_verdict_winning(tmp_path):
    first = write_verdicts(tmp_path / "julie.csv", [["f1", "r", "t", "confirmed", "", "Julie", "2026-12-01"], ["f2", "r", "t", "confirmed", "", "Julie", "2026-12-01"]])
    second = write_verdicts(tmp_path / "marc.csv", [["f1", "r", "t", "false-positive", "", "Marc", "2026-12-03"]], delimiter=";")
    merged = load_verdicts([first, second])
    assert merged["f1"].verdict == "false-positive" and merged["f1"].analyst == "Marc"
    assert merged["f2"].verdict == "confirmed"
    assert load_verdicts([second, first])["f1"].verdict == "false-positive"  # a later date wins whatever the order


def test_a_stale_verdict_is_a_warning_not_an_error(auditor, tmp_path):
    call = tmp_path / "appel.txt"
    call.write_text(CALL, encoding="utf-8")
    verdicts = write_verdicts(tmp_path / "v.csv", [["no-longer-produced", "vague-promise", "x", "confirmed", "", "", ""]])
    result = run("check", str(call), "-q", "--verdicts", str(verdicts))
    assert result.exit_code == 1  # the findings themselves, not the verdict
    assert "1 verdicts are on findings this run no longer produces (stale)" in result.stderr


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("rule,verdict\nr,confirmed\n", "v.csv:1: not a verdicts file: missing column fingerprint"),
        ("fingerprint,rule,verdict\nabc,r,peut-être\n", "v.csv:2: verdict 'peut-être' is not one of: confirmed, false-positive"),
        ("fingerprint,rule,verdict\n,r,confirmed\n", "v.csv:2: no fingerprint"),
    ],
)
def test_a_malformed_verdicts_file_is_an_error_with_its_line(auditor, tmp_path, content, message):
    path = tmp_path / "v.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(VerdictError, match=message.replace("(", r"\(")):
        read_verdicts(path)
    call = tmp_path / "appel.txt"
    call.write_text(CALL, encoding="utf-8")
    result = run("check", str(call), "--verdicts", str(path))
    assert result.exit_code == 2 and message in result.stderr and "Traceback" not in result.output


def test_an_excel_export_with_a_bom_and_crlf_reads(tmp_path):
    path = tmp_path / "v.csv"
    path.write_bytes("\ufefffingerprint;rule;transcript;verdict;note;analyst;date\r\nabc;r;t;confirmed;« très juste »;Zoé;2026-12-04\r\n".encode())
    (verdict,) = read_verdicts(path)
    assert (verdict.fingerprint, verdict.note, verdict.analyst, verdict.line) == ("abc", "« très juste »", "Zoé", 2)


def test_rules_precision_from_verdicts_beside_the_measured_precision(tmp_path):
    path = write_verdicts(tmp_path / "v.csv", [
        ["a", "vague-promise", "t", "confirmed", "", "", "2026-12-01"],
        ["b", "vague-promise", "t", "confirmed", "", "", "2026-12-01"],
        ["c", "vague-promise", "t", "false-positive", "", "", "2026-12-01"],
        ["d", "my-own-rule", "t", "false-positive", "", "", "2026-12-01"],
    ])
    result = run("rules", "precision", str(path), "-f", "json")
    assert result.exit_code == 0, result.output
    rows = {row["rule"]: row for row in json.loads(result.stdout)}
    assert rows["vague-promise"]["confirmed"] == 2 and rows["vague-promise"]["false_positives"] == 1
    assert rows["vague-promise"]["precision"] == pytest.approx(0.667)
    assert isinstance(rows["vague-promise"]["measured_precision"], float)  # shipped with the rule
    assert rows["my-own-rule"]["precision"] == 0 and rows["my-own-rule"]["measured_precision"] is None
    table = run("rules", "precision", str(path))
    assert table.exit_code == 0 and "67 %" in table.stdout and "4 constats jugés" in table.stdout


def test_with_text_puts_the_turns_in_the_records_and_redact_masks_them(auditor, tmp_path):
    call = tmp_path / "appel.txt"
    call.write_text("Client : Rappelez-moi au 06 12 34 56 78, mon canapé n'est pas là.\n"
                    "Conseiller : Votre marchandise part demain, je vous rappelle au 06 12 34 56 78.\n", encoding="utf-8")
    assert "conversation" not in findings_of(call)["transcripts"][0]
    plain = findings_of(call, "--with-text")["transcripts"][0]
    turns = plain["conversation"]
    assert [turn["role"] for turn in turns] == ["customer", "agent"] and "06 12" in turns[1]["text"]
    for finding in [f for f in plain["findings"] if f["match"]]:
        text = turns[finding["turn"] - 1]["text"]
        assert text[finding["span_start"] : finding["span_end"]] == finding["match"]
    masked = findings_of(call, "--with-text", "--redact")["transcripts"][0]
    assert "06 12" not in json.dumps(masked, ensure_ascii=False)
    for finding in [f for f in masked["findings"] if f["match"]]:
        text = masked["conversation"][finding["turn"] - 1]["text"]
        assert text[finding["span_start"] : finding["span_end"]] == finding["match"]  # the span follows the words


def test_every_finding_record_carries_the_same_fingerprint_in_json_jsonl_and_csv(auditor, tmp_path):
    call = tmp_path / "appel.txt"
    call.write_text(CALL, encoding="utf-8")
    prints = [f["fingerprint"] for f in findings_of(call)["transcripts"][0]["findings"]]
    lines = run("check", str(call), "-f", "jsonl").stdout.splitlines()
    assert [json.loads(line)["fingerprint"] for line in lines if "rule" in json.loads(line)] == prints
    table = list(csv.DictReader(io.StringIO(run("check", str(call), "-f", "csv").stdout.lstrip("\ufeff"))))
    assert [row["fingerprint"] for row in table] == prints


def test_with_text_gives_json_lines_one_conversation_line_per_transcript(auditor, tmp_path):
    call = tmp_path / "appel.txt"
    call.write_text(CALL, encoding="utf-8")
    plain = [json.loads(line) for line in run("check", str(call), "-f", "jsonl").stdout.splitlines()]
    assert not any("conversation" in line for line in plain)
    lines = [json.loads(line) for line in run("check", str(call), "-f", "jsonl", "--with-text").stdout.splitlines()]
    assert "conversation" in lines[0] and [turn["role"] for turn in lines[0]["conversation"]] == ["customer", "agent"]
    assert lines[1:] == plain
