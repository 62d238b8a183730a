"""``--format json``: the documented contract, for scripts and later outputs."""

from __future__ import annotations

import json
from typing import TextIO

from ..model import AuditResult


def render(result: AuditResult, stream: TextIO) -> None:
    stream.write(json.dumps(result.as_records(), ensure_ascii=False, indent=2))  # one write: json.dump writes each token
    stream.write("\n")
