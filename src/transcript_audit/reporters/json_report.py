"""``--format json``: the documented contract, for scripts and later outputs."""

from __future__ import annotations

import json
from typing import TextIO

from ..model import AuditResult


def render(result: AuditResult, stream: TextIO) -> None:
    json.dump(result.as_records(), stream, ensure_ascii=False, indent=2)
    stream.write("\n")
