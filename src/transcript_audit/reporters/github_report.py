"""``--format github``: GitHub Actions workflow commands, one per finding.

Run in a workflow step, each line becomes an annotation on the transcript
file in the pull request ("Files changed") and in the run summary::

    ::warning file=samples/chat.txt,line=9,col=113,title=vague-promise::« normalement sous peu » : …

The severity chooses the command (error → ``::error``, warning →
``::warning``, info → ``::notice``); ``line`` and ``col`` are left out when
unknown; a read error becomes ``::error file=…,line=…::message``.

Values are escaped the way the runner decodes them (actions/toolkit,
``command.ts``): ``%``, CR and LF in the message; those and ``:`` and ``,`` in
property values. Messages quote transcript text, so without it a line break in
a transcript could start a workflow command of its own.
"""

from __future__ import annotations

from typing import Any, Iterator, TextIO

from ..model import AuditResult

COMMANDS = {"error": "error", "warning": "warning", "info": "notice"}


def render(result: AuditResult, stream: TextIO) -> None:
    for line in commands(result.as_records()):
        stream.write(line)
        stream.write("\n")


def commands(report: dict[str, Any]) -> Iterator[str]:
    """The workflow command lines of the report, from the JSON contract."""
    for transcript in report["transcripts"]:
        for finding in transcript["findings"]:
            properties = {
                "file": transcript["path"],
                "line": finding["line"],
                "col": finding["column"] if finding["line"] is not None else None,
                "title": finding["rule"],
            }
            yield command(COMMANDS.get(finding["severity"], "warning"), properties, finding["message"])
    for error in report["errors"]:
        properties = {
            "file": error["path"],
            "line": error.get("line"),
            "col": error.get("column") if error.get("line") is not None else None,
            "title": "transcript-audit",
        }
        yield command("error", properties, error["message"])


def command(name: str, properties: dict[str, Any], message: str) -> str:
    """``::name key=value,…::message``; properties whose value is None are left out."""
    given = ",".join(f"{key}={escape_property(str(value))}" for key, value in properties.items() if value is not None)
    return f"::{name}{' ' + given if given else ''}::{escape_data(message)}"


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")
