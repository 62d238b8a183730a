"""What several reports write the same way: positions, excerpts, counts, names.

Kept here so that a finding reads "12:5" in the terminal, the Markdown summary
and the HTML page alike, and a change of wording is one edit.
"""

from __future__ import annotations

from pathlib import PurePath
from typing import Any


def position(line: int | None, column: int | None, locator: str | None, locator_always: bool = False) -> str:
    """ "12:5" where the column is exact; else the line and the format's locator
    ("12 (cue 4)"); ``locator_always`` adds the locator after an exact column too."""
    if line is not None and column is not None:
        where = f"{line}:{column}"
        if not locator_always:
            return where
    else:
        where = str(line) if line is not None else ""
    if locator:
        where = f"{where} ({locator})" if where else locator
    return where or "-"


def split_at_match(finding: dict[str, Any]) -> tuple[str, str, str] | None:
    """The excerpt as (before, matched words, after), or None when there is no match
    or its offset does not agree with the excerpt (then the excerpt is shown plain)."""
    excerpt, match, start = finding.get("excerpt") or "", finding.get("match"), finding.get("match_start")
    if not match or start is None or excerpt[start : start + len(match)] != match:
        return None
    end = start + len(match)
    return excerpt[:start], excerpt[start:end], excerpt[end:]


def count(number: int, noun: str) -> str:
    """ "1 finding", "3 findings" (French plurals of the nouns used take an s)."""
    return f"{number} {noun}{'s' if number > 1 else ''}"


def transcript_name(path: str, identifier: str) -> str:
    """The path, and the conversation id when the file holds several."""
    return path if identifier == PurePath(path).stem else f"{path} › {identifier}"
