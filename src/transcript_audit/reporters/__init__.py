"""Output formats: one module per format, each rendering one ``AuditResult``.

Every reporter module exposes ``render(result, stream, **its own options)``
(``color`` for rich, ``delimiter`` for CSV). All but rich render from the JSON
contract (``AuditResult.as_records``); rich reads the same result's objects
and its views from those records.
"""

from __future__ import annotations

import io
import os
import stat
import tempfile
from enum import Enum
from importlib import import_module
from pathlib import Path
from typing import TextIO

from ..model import AuditResult


class OutputFormat(str, Enum):
    RICH = "rich"
    JSON = "json"
    JSONL = "jsonl"
    CSV = "csv"
    SARIF = "sarif"
    JUNIT = "junit"
    GITHUB = "github"
    MARKDOWN = "markdown"
    HTML = "html"


# Reporter modules by format, imported on first use.
_MODULES = {
    OutputFormat.RICH: "rich_report",
    OutputFormat.JSON: "json_report",
    OutputFormat.JSONL: "jsonl_report",
    OutputFormat.CSV: "csv_report",
    OutputFormat.SARIF: "sarif_report",
    OutputFormat.JUNIT: "junit_report",
    OutputFormat.GITHUB: "github_report",
    OutputFormat.MARKDOWN: "markdown_report",
    OutputFormat.HTML: "html_report",
}


def render(result: AuditResult, output_format: OutputFormat, stream: TextIO, **options) -> None:
    """Render with the format's module; ``options`` are the format's own."""
    reporter = import_module(f".{_MODULES[output_format]}", __name__)
    reporter.render(result, stream, **options)


def write_report(result: AuditResult, output_format: OutputFormat, path: Path, **options) -> None:
    """Write a report file atomically: a temporary file renamed into place.

    An interrupted run never leaves a half-written report behind.
    """
    buffer = io.StringIO()
    if output_format is OutputFormat.RICH:
        options = {"color": False, **options}  # a file holds no terminal colour codes
    render(result, output_format, buffer, **options)
    write_text_atomically(path, buffer.getvalue())


def write_text_atomically(path: Path, text: str) -> None:
    """Write a temporary file beside ``path`` and rename it into place.

    The file ends with the mode a plain ``open(path, "w")`` would give it: an
    existing file keeps its mode, a new one gets 0666 less the umask (``mkstemp``
    alone would make every report 0600, unreadable by a team sharing the folder).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    mode = _mode_for(path)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(handle, mode)
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as stream:
            stream.write(text)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _mode_for(path: Path) -> int:
    """The permission bits ``open(path, "w")`` would leave on ``path``."""
    try:
        return stat.S_IMODE(os.stat(path).st_mode)
    except FileNotFoundError:
        return 0o666 & ~_current_umask()


def _current_umask() -> int:
    """The process's umask, read without changing it where the system allows.

    ``os.umask`` can only be read by setting it, and the umask is process-wide: for
    the instant between setting and restoring it, another thread (a reader, a
    cache write) would create its files with the wrong mode. Linux (4.7 and later)
    shows it in ``/proc/self/status``, which has no such window; elsewhere we fall
    back to setting and restoring it at once.
    """
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    current = os.umask(0o022)
    os.umask(current)
    return current
