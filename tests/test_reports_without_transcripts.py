"""A run that read nothing (a wrong path, an empty folder) reports its errors and says that
nothing was read, instead of printing empty tables and a "-" score."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from transcript_audit.cli import app

TABLE_MARKS = ("┏", "┃", "│", "└", "━", "Constats par catégorie", "Score par transcription")


def run(*args: str):
    return CliRunner().invoke(app, list(args), catch_exceptions=False)


def test_rich_report_shows_the_error_and_no_empty_table(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run("check", "does-not-exist/")
    assert result.exit_code == 2
    assert "error: does-not-exist: fichier ou dossier introuvable" in result.stderr
    assert "Aucune transcription lue, 1 erreur de lecture" in result.stdout
    for mark in TABLE_MARKS:
        assert mark not in result.stdout
    assert "score moyen" not in result.stdout


def test_an_empty_folder_is_reported_the_same_way(tmp_path):
    (tmp_path / "vide").mkdir()
    result = run("check", str(tmp_path / "vide"))
    assert result.exit_code == 2
    assert "aucun fichier à auditer" in result.stderr
    assert not any(mark in result.stdout for mark in TABLE_MARKS)


def test_markdown_says_nothing_was_read(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run("check", "does-not-exist/", "-f", "markdown")
    assert result.exit_code == 2
    assert "**Aucune transcription lue** · **1 erreur de lecture**" in result.stdout
    assert "| " not in result.stdout
    assert "score moyen" not in result.stdout
    assert "#### Erreurs de lecture" in result.stdout


def test_html_says_nothing_was_read(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run("check", "does-not-exist/", "-f", "html")
    assert result.exit_code == 2
    page = result.stdout
    assert 'id="nothing-read"' in page and "Aucune transcription lue." in page
    for absent in ("<table", "<svg", 'id="overview"', 'id="transcripts"'):
        assert absent not in page
    assert 'id="errors"' in page


@pytest.mark.parametrize("output_format", ["rich", "markdown", "html"])
def test_a_run_that_read_something_keeps_its_tables(output_format, auditor):
    from .conftest import SAMPLES

    result = run("check", str(SAMPLES / "chat-reparation-mixte.txt"), "-f", output_format)
    assert "Aucune transcription lue" not in result.stdout
