"""Files the tool writes (reports, baselines, starter configuration) get the mode a plain
``open(path, "w")`` would give them: 0666 less the umask when new, their own mode when
they already exist, so a report saved to a team folder can be read by the team."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from typer.testing import CliRunner

from transcript_audit.cli import app
from transcript_audit.reporters import _current_umask, write_text_atomically

from .conftest import SAMPLES


@pytest.fixture
def umask():
    """Set the process umask for one test and restore it afterwards."""
    previous = os.umask(0o022)
    os.umask(previous)

    def set_to(value: int) -> None:
        os.umask(value)

    yield set_to
    os.umask(previous)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.parametrize(("mask", "expected"), [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
def test_a_new_file_follows_the_umask(tmp_path, umask, mask, expected):
    umask(mask)
    target = tmp_path / "report.txt"
    write_text_atomically(target, "contenu\n")
    assert mode(target) == expected
    assert target.read_text(encoding="utf-8") == "contenu\n"


@pytest.mark.parametrize("mask", [0o022, 0o077])
def test_an_existing_file_keeps_its_mode(tmp_path, umask, mask):
    target = tmp_path / "baseline.json"
    target.write_text("ancien\n", encoding="utf-8")
    target.chmod(0o640)
    umask(mask)
    write_text_atomically(target, "nouveau\n")
    assert mode(target) == 0o640
    assert target.read_text(encoding="utf-8") == "nouveau\n"


def test_no_temporary_file_is_left_behind(tmp_path, umask):
    umask(0o022)
    write_text_atomically(tmp_path / "a.txt", "x")
    assert [path.name for path in tmp_path.iterdir()] == ["a.txt"]


def test_the_umask_is_read_without_being_changed(umask):
    umask(0o027)
    assert _current_umask() == 0o027
    assert os.umask(0o027) == 0o027  # still what the test set


def test_the_fallback_reads_the_umask_when_proc_is_missing(umask, monkeypatch):
    import builtins

    real_open = builtins.open

    def no_proc(file, *args, **kwargs):
        if str(file).startswith("/proc/"):
            raise FileNotFoundError(file)
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", no_proc)
    umask(0o037)
    assert _current_umask() == 0o037
    assert os.umask(0o037) == 0o037  # restored after the read


@pytest.mark.parametrize("option", ["-o", "--write-baseline"])
def test_reports_and_baselines_from_the_command_line(tmp_path, umask, auditor, option):
    umask(0o022)
    target = tmp_path / "team" / "written.json"
    result = CliRunner().invoke(
        app, ["check", str(SAMPLES / "chat-reparation-mixte.txt"), "-f", "json", option, str(target)],
        catch_exceptions=False,
    )
    assert result.exit_code in (0, 1), result.output
    assert mode(target) == 0o644
