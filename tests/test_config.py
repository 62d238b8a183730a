"""Configuration: discovered upward, validated with locations, overridden by the command line."""

from __future__ import annotations

import json
import textwrap

import pytest
from typer.testing import CliRunner

from transcript_audit.cli import app
from transcript_audit.config import ConfigError, find_config, load_config
from transcript_audit.model import Severity

CALL = "Client : Mon canapé n'est pas arrivé.\nConseiller : Votre marchandise partira normalement. Bonne journée.\n"


def write(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def test_found_upward_from_the_audited_path(tmp_path):
    config = write(tmp_path / ".transcript-audit.yaml", "fail-on: error\n")
    (tmp_path / "calls" / "2024").mkdir(parents=True)
    assert find_config(tmp_path / "calls" / "2024") == config
    assert find_config(tmp_path.parent) is None or find_config(tmp_path.parent) != config


def test_pyproject_table_is_a_configuration(tmp_path):
    write(tmp_path / "pyproject.toml", '[project]\nname = "x"\n\n[tool.transcript-audit]\nignore = ["vague"]\nseverity = {jargon = "error"}\n')
    config = load_config(find_config(tmp_path))
    assert config.ignore == ["vague"]
    assert config.severity == {"jargon": Severity.ERROR}


def test_errors_are_located_with_a_did_you_mean(tmp_path):
    path = write(tmp_path / ".transcript-audit.yaml", "fail-on: warning\nignor: [vague]\nseverity: {jargon: fatal}\n")
    with pytest.raises(ConfigError) as raised:
        load_config(path)
    assert [(e.line, e.column) for e in raised.value.errors] == [(2, 1), (3, 1)]
    assert "did you mean 'ignore'" in raised.value.errors[0].message


def test_config_settings_apply_and_the_command_line_overrides_them(auditor, tmp_path):
    write(
        tmp_path / ".transcript-audit.yaml",
        """\
        ignore: [greeting]
        severity: {jargon: error}
        fail-on: error
        per-path:
          - paths: ["chats/*"]
            ignore: [vague]
        """,
    )
    call = write(tmp_path / "calls" / "a.txt", CALL)
    chat = write(tmp_path / "chats" / "b.txt", CALL)
    result = CliRunner().invoke(app, ["check", str(tmp_path), "-f", "json"])
    report = json.loads(result.stdout)
    found = {t["path"].rsplit("/", 2)[-2]: sorted((f["rule"], f["severity"]) for f in t["findings"]) for t in report["transcripts"]}
    assert found == {
        "calls": [("jargon-generic-item", "error"), ("vague-promise", "warning")],
        "chats": [("jargon-generic-item", "error")],
    }
    assert result.exit_code == 1  # fail-on: error, and jargon is now an error
    overridden = CliRunner().invoke(app, ["check", str(call), "--fail-on", "never", "--ignore", "jargon"])
    assert overridden.exit_code == 0
    assert "greeting-missing" in overridden.stdout  # --ignore replaced the configuration's list
    assert chat.exists()


def test_a_broken_configuration_stops_with_exit_2(tmp_path):
    write(tmp_path / ".transcript-audit.yaml", "packs: 42\n")
    write(tmp_path / "a.txt", CALL)
    result = CliRunner().invoke(app, ["check", str(tmp_path)])
    assert result.exit_code == 2
    assert ".transcript-audit.yaml:1:1: 'packs' must be a text or a list of texts" in result.stderr


def test_init_writes_a_starter_that_loads_and_refuses_to_overwrite(tmp_path):
    first = CliRunner().invoke(app, ["init", str(tmp_path)])
    assert first.exit_code == 0
    config = load_config(tmp_path / ".transcript-audit.yaml")
    assert config.fail_on == "warning" and config.packs == []
    again = CliRunner().invoke(app, ["init", str(tmp_path)])
    assert again.exit_code == 2 and "already exists" in again.stderr


def test_category_weights_change_the_score(auditor, tmp_path):
    write(tmp_path / ".transcript-audit.yaml", "weights: {jargon: 2.5, vague: 0}\n")
    write(tmp_path / "a.txt", CALL)  # one jargon warning, one vague warning
    report = json.loads(CliRunner().invoke(app, ["check", str(tmp_path), "-f", "json"]).stdout)
    assert report["transcripts"][0]["score"] == 68  # 100 × 0.75 (jargon ×2.5) × 1 (vague ×0) × 0.9 (greeting) = 67.5
    assert report["summary"]["weights"] == {"jargon": 2.5, "vague": 0.0}
    write(tmp_path / ".transcript-audit.yaml", "weights: {jargon: heavy}\n")
    broken = CliRunner().invoke(app, ["check", str(tmp_path)])
    assert broken.exit_code == 2 and "weight between 0 and 10" in broken.stderr
