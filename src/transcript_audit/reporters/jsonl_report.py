"""``--format jsonl``: one JSON object per line, for pipelines (jq, grep, log shippers).

Each finding is its record from the JSON contract plus where it was found
(``path``, ``transcript``, ``channel``, ``score``), so a line stands on its
own; then one line per read error, ``{"error": message, "path", "line"}``,
told apart from findings by its ``error`` key. With ``--with-text``, each
transcript's turns come first on a line of their own (its ``conversation``
key). No summary line: a stream of
records counts itself (``jq -s length``).
"""

from __future__ import annotations

import json
from typing import Any, Iterator, TextIO

from ..model import AuditResult

# Characters that json.dumps leaves raw with ensure_ascii=False but that some line
# splitters (Python's str.splitlines, JavaScript before ES2019) take for line ends.
# They only ever occur inside JSON strings, where the \u escape means the same.
_LINE_BREAKS_KEPT_BY_JSON = {"\x85": "\\u0085", "\u2028": "\\u2028", "\u2029": "\\u2029"}


def render(result: AuditResult, stream: TextIO) -> None:
    for record in records(result.as_records()):
        stream.write(_dumps(record))
        stream.write("\n")


def records(report: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """The lines of the report, from the JSON contract: findings, then read errors."""
    for transcript in report["transcripts"]:
        context = {
            "path": transcript["path"],
            "transcript": transcript["id"],
            "channel": transcript["channel"],
            "score": transcript["score"],
        }
        if "conversation" in transcript:  # --with-text: the turns, on a line of their own before the findings
            yield {**context, "conversation": transcript["conversation"]}
        for finding in transcript["findings"]:
            yield {**context, **finding}
    for error in report["errors"]:
        yield {"error": error["message"], **{key: value for key, value in error.items() if key != "message"}}


def _dumps(record: dict[str, Any]) -> str:
    line = json.dumps(record, ensure_ascii=False)
    for character, escape in _LINE_BREAKS_KEPT_BY_JSON.items():
        line = line.replace(character, escape)
    return line
