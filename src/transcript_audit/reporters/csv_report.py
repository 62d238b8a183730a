"""``--format csv``: one row per finding, for a spreadsheet.

Made for Excel as much as for scripts: UTF-8 with a byte-order mark (without
it Excel reads the accents as Windows-1252), CRLF line ends, every cell of a
finding on one row (see ``COLUMNS``). French Excel splits on ``;`` because
``,`` is its decimal separator: ``--csv-delimiter ';'`` (``delimiter=";"``)
writes that variant.

Transcripts are untrusted text: a cell starting with ``=``, ``+``, ``-``, ``@``
(or a tab or carriage return) would be run as a formula when the file is opened
("=HYPERLINK(...)"), so such cells are prefixed with ``'`` (OWASP "CSV
injection"). Numbers (score, turn, line, column) are written as numbers.
Read errors are not rows: they go to standard error and the exit code.
"""

from __future__ import annotations

import csv
from functools import partial
from typing import Any, Callable, Iterator, TextIO

from ..model import AuditResult

COLUMNS = (
    "path",  # the file, as given on the command line
    "transcript",  # the conversation's id (several per file for CSV exports, mbox, canned-response libraries)
    "channel",  # call, chat, email, canned, snippet
    "score",  # the transcript's score out of 100 (repeated on each of its rows)
    "turn",  # 1-based turn number in the transcript
    "line",  # 1-based line in the file, empty when unknown
    "column",  # 1-based column, empty when the format gives no exact column
    "locator",  # the place in the format's own terms ("cue 12", "row 7"), empty for plain text
    "speaker",
    "role",  # agent, customer, unknown
    "rule",
    "category",
    "severity",  # info, warning, error
    "message",
    "suggestion",
    "match",  # the matched words, empty when the rule flags something missing
    "excerpt",
    "fingerprint",  # the finding's identity: what baselines and analysts' verdicts refer to
)

BYTE_ORDER_MARK = "\ufeff"
# Leading characters that make Excel, LibreOffice or Google Sheets read a cell as a formula.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")

Renderer = Callable[..., None]


def render(result: AuditResult, stream: TextIO, delimiter: str = ",") -> None:
    _check_delimiter(delimiter)
    stream.write(BYTE_ORDER_MARK)
    writer = csv.writer(stream, delimiter=delimiter)  # lineterminator "\r\n", minimal quoting
    writer.writerow(COLUMNS)
    for row in rows(result.as_records()):
        writer.writerow([neutralise(row[column]) for column in COLUMNS])


def with_delimiter(delimiter: str) -> Renderer:
    """A ``render`` that separates cells with ``delimiter`` (``";"`` for French Excel).

    Raises ValueError for a delimiter the csv module cannot write unambiguously.
    """
    _check_delimiter(delimiter)
    return partial(render, delimiter=delimiter)


def rows(report: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """One dict per finding, keyed by ``COLUMNS``, from the JSON contract."""
    for transcript in report["transcripts"]:
        for finding in transcript["findings"]:
            yield {
                **{column: finding.get(column) for column in COLUMNS},
                "path": transcript["path"],
                "transcript": transcript["id"],
                "channel": transcript["channel"],
                "score": transcript["score"],
            }


def neutralise(value: Any) -> Any:
    """A cell value that a spreadsheet shows as text, never runs as a formula."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def _check_delimiter(delimiter: str) -> None:
    if len(delimiter) != 1 or delimiter in '"\r\n' or delimiter.isalnum():
        raise ValueError(f"invalid CSV delimiter {delimiter!r}: expected one character such as ',' ';' or a tab")

