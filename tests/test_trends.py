"""Trends: each transcript's date, --group-by week and month, the chart over time."""

from __future__ import annotations

import json
import os
from pathlib import Path

from typer.testing import CliRunner

from transcript_audit.cli import app
from transcript_audit.readers import labelled_text
from transcript_audit.reporters.html_report import html_document

CALL = "Client : Mon canapé n'est pas arrivé.\nConseiller : Votre marchandise arrivera prochainement.\n"


def report_of(*args) -> dict:
    result = CliRunner().invoke(app, ["check", *map(str, args), "-f", "json"])
    assert result.exit_code in (0, 1), result.output
    return json.loads(result.stdout)


def test_a_date_header_dates_the_conversation_and_a_bad_one_is_located():
    (transcript,), errors = labelled_text.parse("# date: 04/12/2026\n" + CALL, "a.txt", default_id="a")
    assert errors == [] and transcript.date_source == "header"
    _, errors = labelled_text.parse("# date: demain\n" + CALL, "a.txt", default_id="a")
    assert [(e.line, e.column) for e in errors] == [(1, 9)] and "demain" in errors[0].message


def folder_of_calls(tmp_path: Path) -> Path:
    folder = tmp_path / "appels"
    folder.mkdir()
    (folder / "decembre.txt").write_text("# date: 2026-12-04\n" + CALL, encoding="utf-8")
    (folder / "novembre.txt").write_text("# date: 2026-11-27\n" + CALL, encoding="utf-8")
    undated = folder / "sans-entete.txt"
    undated.write_text(CALL, encoding="utf-8")
    os.utime(undated, (1_764_000_000, 1_764_000_000))  # 2025-11-24, a Monday
    return folder


def test_group_by_month_and_week_in_time_order_saying_where_dates_came_from(auditor, tmp_path):
    folder = folder_of_calls(tmp_path)
    report = report_of(folder, "--group-by", "month", "--group-by", "week")
    dates = {t["id"]: (t["date"], t["date_source"]) for t in report["transcripts"]}
    assert dates == {"decembre": ("2026-12-04", "header"), "novembre": ("2026-11-27", "header"), "sans-entete": ("2025-11-24", "file")}
    months = report["groups"]["month"]
    assert [row["group"] for row in months] == ["2025-11", "2026-11", "2026-12"]
    assert months[0]["date_sources"] == {"file": 1} and months[2]["date_sources"] == {"header": 1}
    assert all(row["by_category"] for row in months)
    assert [row["group"] for row in report["groups"]["week"]] == ["2025-W48", "2026-W48", "2026-W49"]
    terminal = CliRunner().invoke(app, ["check", str(folder), "--group-by", "month"])
    assert "Par mois" in terminal.stdout and "date de modification du fichier (1)" in terminal.stdout


def test_the_html_report_charts_findings_per_category_over_time(auditor, tmp_path):
    report = report_of(folder_of_calls(tmp_path))
    page = html_document(report)
    assert 'id="chart-trend"' in page and "par mois" in page
    periods = [chunk.split('"')[0] for chunk in page.split('<g class="period" data-period="')[1:]]
    assert periods == ["2025-11", "2026-11", "2026-12"]
    assert "date du fichier : 1" in page
    single = {**report, "transcripts": report["transcripts"][:1]}
    assert 'id="chart-trend"' not in html_document(single)  # one period: no trend to draw


def test_standard_input_has_no_date():
    result = CliRunner().invoke(app, ["check", "-", "--input-format", "text", "-f", "json", "--group-by", "month"], input=CALL)
    report = json.loads(result.stdout)
    assert report["transcripts"][0]["date"] is None
    assert report["groups"]["month"][0]["group"] == "(sans date)"
