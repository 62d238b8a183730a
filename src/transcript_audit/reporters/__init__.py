"""Output formats: one module per format, each rendering one ``AuditResult``.

Every reporter module exposes ``render(result, stream, **its own options)``
(``color`` for rich, ``delimiter`` for CSV). All but rich render from the JSON
contract (``AuditResult.as_records``); rich reads the same result's objects
and its views from those records.
"""

from __future__ import annotations

import io
import os
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
    """Write a temporary file beside ``path`` and rename it into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as stream:
            stream.write(text)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
