"""The data every part of the tool exchanges: transcripts in, findings out.

Readers produce ``Transcript`` values, checks produce ``Finding`` values, and
``AuditResult.as_records()`` is the one serialisable form that every output
format renders from.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field, replace
from enum import Enum, IntEnum
from typing import Any


class Role(str, Enum):
    AGENT = "agent"
    CUSTOMER = "customer"
    UNKNOWN = "unknown"


class Severity(str, Enum):
    INFO = "info"
    WARNING = "warning"
    ERROR = "error"

    @property
    def rank(self) -> int:
        return _SEVERITY_RANK[self]


_SEVERITY_RANK = {Severity.INFO: 1, Severity.WARNING: 2, Severity.ERROR: 3}

# "snippet": a canned fragment that is not a whole reply (no greeting or closing expected).
CHANNELS = ("call", "chat", "email", "canned", "snippet")


class FailOn(str, Enum):
    """The lowest severity that makes a run exit 1 (``--fail-on``, ``fail-on:``)."""

    INFO = "info"
    WARNING = "warning"
    ERROR = "error"
    NEVER = "never"


class ExitCode(IntEnum):
    """Exit codes of every command, documented in the README."""

    OK = 0
    FINDINGS = 1
    ERROR = 2
    INTERRUPTED = 130


@dataclass
class Turn:
    """One speaker's contiguous contribution, with where it came from.

    ``text`` may span several source lines (continuation lines, merged cues);
    ``line_starts`` maps each of them back to the file: entry k is (offset of
    that line in ``text``, line number in the file, column in the file where it
    starts). ``column`` is None when the format gives no exact column (JSON,
    decoded e-mail bodies); ``line`` is then the best-known line. ``locator``
    names the place in the format's own terms ("cue 12", "row 7", "message 3").
    ``start`` and ``end`` are in seconds from the start of the conversation
    (calls) or since the epoch (e-mails, tickets).
    """

    role: Role
    speaker: str
    text: str
    line: int | None
    column: int | None = 1
    start: float | None = None
    end: float | None = None
    locator: str | None = None
    line_starts: list[tuple[int, int, int]] = field(default_factory=list)
    # For merged pieces without exact columns (speech-to-text segments):
    # (offset of the piece in ``text``, its line, its locator).
    pieces: list[tuple[int, int | None, str | None]] = field(default_factory=list)

    def _piece_at(self, offset: int) -> tuple[int | None, str | None]:
        if not self.pieces:
            return self.line, self.locator
        index = max(0, bisect.bisect_right([piece[0] for piece in self.pieces], offset) - 1)
        return self.pieces[index][1], self.pieces[index][2]

    def locator_at(self, offset: int) -> str | None:
        """The format's locator of the piece holding ``offset`` ("segments[5]")."""
        return self._piece_at(offset)[1]

    def locate(self, offset: int) -> tuple[int | None, int | None]:
        """File line and 1-based column of a character offset in ``text``."""
        if self.column is None:
            return self._piece_at(offset)[0], None
        if not self.line_starts:
            return self.line, self.column + offset
        offsets = [entry[0] for entry in self.line_starts]
        index = max(0, bisect.bisect_right(offsets, offset) - 1)
        text_offset, line, column = self.line_starts[index]
        return line, column + (offset - text_offset)


@dataclass
class Transcript:
    """One conversation. ``notes`` tell the analyst what the reader inferred
    (which speaker was taken for the agent, and why)."""

    id: str
    path: str
    channel: str
    turns: list[Turn]
    agent: str | None = None
    customer: str | None = None
    notes: list[str] = field(default_factory=list)
    # Inline "transcript-audit: disable=…": (0-based turn, or None for the whole
    # transcript; rule ids, categories or globs).
    suppressions: list[tuple[int | None, tuple[str, ...]]] = field(default_factory=list)
    audited_turns: int | None = None  # the turn count, once the texts were let go
    date: float | None = None  # when it took place (POSIX seconds), for trends
    date_source: str | None = None  # where the date comes from: header, messages, file

    @property
    def turn_count(self) -> int:
        return len(self.turns) if self.audited_turns is None else self.audited_turns

    def without_texts(self) -> Transcript:
        """The transcript as reports need it: everything but its turns' texts.

        Audited transcripts keep only this, so memory holds findings, not a
        month of calls."""
        return replace(self, turns=[], audited_turns=self.turn_count)


@dataclass(frozen=True)
class ReadError:
    """A problem with an input or rule file, located as precisely as known."""

    path: str
    line: int | None
    message: str
    column: int | None = None

    def __str__(self) -> str:
        location = self.path
        if self.line is not None:
            location += f":{self.line}"
            if self.column is not None:
                location += f":{self.column}"
        return f"{location}: {self.message}"

    def as_record(self) -> dict[str, Any]:
        record: dict[str, Any] = {"path": self.path, "line": self.line, "message": self.message}
        if self.column is not None:
            record["column"] = self.column
        return record


@dataclass
class Finding:
    rule: str
    category: str
    severity: Severity
    message: str
    rationale: str
    suggestion: str | None
    turn: int  # 1-based index of the turn in its transcript
    speaker: str
    role: Role
    line: int | None
    column: int | None
    excerpt: str
    match: str | None
    match_start: int | None = None  # offset of ``match`` inside ``excerpt``
    span_start: int | None = None  # where the flagged words start and end in the turn's text
    span_end: int | None = None
    locator: str | None = None  # "cue 12", "row 7"… for formats that are not plain lines
    time: float | None = None  # start of the turn, in seconds, where the format gives it
    critical: bool = False  # the rule fails the whole transcript (score 0)
    fingerprint: str | None = None  # what was flagged, not where (``fingerprints.identify``)
    replacement: str | None = None  # the one concrete wording to put in place of ``match`` (editor quick fix)

    def as_record(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "category": self.category,
            "severity": self.severity.value,
            "message": self.message,
            "rationale": self.rationale,
            "suggestion": self.suggestion,
            "turn": self.turn,
            "speaker": self.speaker,
            "role": self.role.value,
            "line": self.line,
            "column": self.column,
            "excerpt": self.excerpt,
            "match": self.match,
            "match_start": self.match_start,
            "span_start": self.span_start,
            "span_end": self.span_end,
            "locator": self.locator,
            "time": self.time,
            "critical": self.critical,
            "fingerprint": self.fingerprint,
            "replacement": self.replacement,
        }

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> Finding:
        """The finding back from ``as_record`` (findings read from the cache)."""
        return cls(**{**record, "severity": Severity(record["severity"]), "role": Role(record["role"])})


@dataclass
class TranscriptResult:
    transcript: Transcript
    findings: list[Finding]
    score: int
    suppressed: list[Finding] = field(default_factory=list)  # silenced inline, counted not hidden

    def as_record(self, with_text: bool = False) -> dict[str, Any]:
        """The transcript's record; ``with_text`` adds its turns (``conversation``)."""
        transcript = self.transcript
        record = {
            "id": transcript.id,
            "path": transcript.path,
            "channel": transcript.channel,
            "agent": transcript.agent,
            "turns": transcript.turn_count,
            "notes": transcript.notes,
            "date": _iso_date(transcript.date),
            "date_source": transcript.date_source,
            "score": self.score,
            "findings": [finding.as_record() for finding in self.findings],
            "suppressed": [{"rule": f.rule, "turn": f.turn, "line": f.line} for f in self.suppressed],
        }
        if with_text and transcript.turns:
            record["conversation"] = [
                {"turn": number, "speaker": turn.speaker, "role": turn.role.value, "line": turn.line,
                 "time": turn.start, "locator": turn.locator, "text": turn.text}
                for number, turn in enumerate(transcript.turns, 1)
            ]
        return record


def _iso_date(moment: float | None) -> str | None:
    if moment is None:
        return None
    from datetime import datetime, timezone

    return datetime.fromtimestamp(moment, timezone.utc).date().isoformat()


@dataclass
class AuditResult:
    tool_version: str
    transcripts: list[TranscriptResult]
    errors: list[ReadError]
    rules: list[dict[str, Any]]  # id, category, severity, message of each active rule
    baselined: int = 0  # findings left out because a baseline already had them
    weights: dict[str, float] = field(default_factory=dict)  # category weights used in scores
    group_by: tuple[str, ...] = ()  # summary views asked for: agent, channel, category, file
    with_stats: bool = False  # the most frequent findings and their words
    with_text: bool = False  # the records carry each transcript's turns (--with-text, HTML)
    dismissed: int = 0  # findings left out because an analyst marked them false positives
    stale_verdicts: int = 0  # verdicts on fingerprints this run no longer produces

    def findings(self) -> list[Finding]:
        return [finding for result in self.transcripts for finding in result.findings]

    def summary(self) -> dict[str, Any]:
        findings = self.findings()
        by_category: dict[str, dict[str, int]] = {}
        for finding in findings:
            counts = by_category.setdefault(finding.category, {s.value: 0 for s in Severity})
            counts[finding.severity.value] += 1
        by_severity = {s.value: sum(1 for f in findings if f.severity is s) for s in Severity}
        scores = [result.score for result in self.transcripts]
        return {
            "transcripts": len(self.transcripts),
            "turns": sum(r.transcript.turn_count for r in self.transcripts),
            "findings": len(findings),
            "errors": len(self.errors),
            "by_severity": by_severity,
            "by_category": dict(sorted(by_category.items())),
            "mean_score": round(sum(scores) / len(scores), 1) if scores else None,
            "clean_transcripts": sum(1 for r in self.transcripts if not r.findings),
            "suppressed": sum(len(r.suppressed) for r in self.transcripts),
            "baselined": self.baselined,
            "dismissed": self.dismissed,
            "weights": self.weights,
        }

    def as_records(self, with_text: bool | None = None) -> dict[str, Any]:
        """The JSON contract (see README, "JSON output"); ``with_text`` (default: the
        result's own) adds each transcript's turns where they were kept."""
        with_text = self.with_text if with_text is None else with_text
        records = {
            "tool": {"name": "transcript-audit", "version": self.tool_version},
            "summary": self.summary(),
            "rules": self.rules,
            "transcripts": [result.as_record(with_text) for result in self.transcripts],
            "errors": [error.as_record() for error in self.errors],
        }
        if self.group_by or self.with_stats:
            from .aggregation import groups, stats

            if self.group_by:
                records["groups"] = {key: groups(records, key) for key in self.group_by}
            if self.with_stats:
                records["stats"] = stats(records)
        return records

    def worst_severity(self) -> Severity | None:
        severities = [finding.severity for finding in self.findings()]
        return max(severities, key=lambda s: s.rank) if severities else None
