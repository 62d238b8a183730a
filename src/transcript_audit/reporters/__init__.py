"""Output formats: one module per format, each rendering one ``AuditResult``.

Every reporter module exposes ``render(result, stream, color)``; the JSON
contract (``AuditResult.as_records``) is the source all of them render from.
"""

from __future__ import annotations

import io
import os
import tempfile
from enum import Enum
from pathlib import Path
from typing import TextIO

from ..model import AuditResult


class OutputFormat(str, Enum):
    RICH = "rich"
    JSON = "json"


def render(result: AuditResult, output_format: OutputFormat, stream: TextIO, color: bool | None = None) -> None:
    if output_format is OutputFormat.JSON:
        from . import json_report as reporter
    else:
        from . import rich_report as reporter
    reporter.render(result, stream, color=color)


def write_report(result: AuditResult, output_format: OutputFormat, path: Path) -> None:
    """Write a report file atomically: a temporary file renamed into place.

    An interrupted run never leaves a half-written report behind.
    """
    buffer = io.StringIO()
    render(result, output_format, buffer, color=False)
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
