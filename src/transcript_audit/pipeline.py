"""The audit, in the one order every entry point follows.

    read -> roles -> limits -> audit -> fingerprints -> baseline -> verdicts -> redaction -> views

The CLI's ``check``, ``audit`` (paths) and ``batch.audit_records`` (records
in memory) all go through ``audit_inputs``; only where the transcripts come
from differs. Fingerprints are taken from the real text before anything is
masked, so a baseline written with ``--redact`` matches a run without it, and
redaction comes last so that no later stage sees a masked text.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from . import __version__
from .engine import AuditOptions, Auditor, load_active_rules
from .limits import within_limits
from .model import AuditResult, ReadError, Transcript, TranscriptResult
from .roles import infer_roles

if TYPE_CHECKING:  # sqlite3 is imported only by runs that use a cache
    from .cache import AuditCache

ReadResults = Iterable[tuple[list[Transcript], list[ReadError]]]


class NoRuleSelected(ValueError):
    """The options leave no rule to run."""


def audit(
    paths: Sequence[Path],
    options: AuditOptions | None = None,
    *,
    auditor: Auditor | None = None,
    cache: AuditCache | None = None,
    on_transcript: Callable[[TranscriptResult], None] | None = None,
    jobs: int = 1,
) -> AuditResult:
    """Audit every transcript under ``paths``; unreadable files become ``errors``."""
    from .readers import read_all

    options = options or AuditOptions()
    read = read_all(paths, options.reader, options.include, options.exclude, options.input_format)
    return audit_inputs(read, options, auditor=auditor, cache=cache, on_transcript=on_transcript, jobs=jobs)


def audit_inputs(
    read: ReadResults,
    options: AuditOptions,
    *,
    auditor: Auditor | None = None,
    cache: AuditCache | None = None,
    on_transcript: Callable[[TranscriptResult], None] | None = None,
    jobs: int = 1,
) -> AuditResult:
    """The pipeline over transcripts already read (each file's problems travel with them).

    Raises ``RuleLoadError``, ``NoRuleSelected``, ``BaselineError`` or ``VerdictError`` before
    anything is read, so a bad pack or baseline never costs a whole audit.
    ``on_transcript`` is told of each transcript as it is done (a progress bar);
    ``jobs`` > 1 audits batches in that many processes, with the same result
    in the same order. Audited transcripts keep no text.
    """
    if auditor is None:
        rules = load_active_rules(options, cache=cache)
        if not rules:
            raise NoRuleSelected("no rule selected: check --select, --ignore and --rules")
        auditor = Auditor(rules, per_path=options.per_path, weights=options.weights, cache=cache)
    known = _baseline(options.baseline)
    verdicts = _verdicts(options.verdicts)
    errors: list[ReadError] = []
    audited = _audited(auditor, _prepared(read, options, errors), jobs, keep_texts=options.keep_texts or options.with_text)
    results = []
    for result in audited:
        results.append(result)
        if on_transcript is not None:
            on_transcript(result)
    errors.extend(auditor.errors)
    auditor.errors.clear()
    result = AuditResult(
        tool_version=__version__,
        transcripts=results,
        errors=errors,
        rules=[rule.summary() for rule in auditor.rules],
        weights=dict(auditor.weights),
    )
    return finish(result, known, verdicts, options.redact, options.group_by, options.with_stats, options.with_text)


def _prepared(read: ReadResults, options: AuditOptions, errors: list[ReadError]) -> Iterator[Transcript]:
    """Roles given and size limits applied, the read errors set aside on the way."""
    for found, problems in read:
        errors.extend(problems)
        for transcript in found:
            infer_roles(transcript, options.reader.agent_speakers)
            _date(transcript)
            yield from within_limits(transcript)


# Turn times at or after this are dates (e-mails, tickets), not offsets into a call.
_EPOCH_TIMES = 10**9  # 2001-09-09


def _date(transcript: Transcript) -> None:
    """When the conversation took place, for trends: its ``# date:`` header, else its first
    dated message (e-mail ``Date``, CSV ``created_at``), else the file's modification time."""
    if transcript.date is not None:
        return
    times = [turn.start for turn in transcript.turns if turn.start is not None and turn.start >= _EPOCH_TIMES]
    if times:
        transcript.date, transcript.date_source = min(times), "messages"
        return
    try:
        transcript.date, transcript.date_source = os.stat(transcript.path).st_mtime, "file"
    except (OSError, ValueError):
        pass  # standard input, a record: no date


def _audited(auditor: Auditor, transcripts: Iterable[Transcript], jobs: int, keep_texts: bool) -> Iterator[TranscriptResult]:
    if jobs > 1:
        from .parallel import audit_in_processes

        return audit_in_processes(auditor.spec(), transcripts, jobs, auditor.errors, keep_texts)
    return auditor.audit_transcripts(transcripts, keep_texts=keep_texts)


def _baseline(path: Path | None) -> set[str] | None:
    if path is None:
        return None
    from .baseline import load_baseline

    return load_baseline(path)


def _verdicts(paths: Sequence[Path]):
    if not paths:
        return None
    from .verdicts import load_verdicts

    return load_verdicts(paths)


def finish(
    result: AuditResult,
    known: set[str] | None = None,
    verdicts: dict | None = None,
    redact: bool = False,
    group_by: Sequence[str] = (),
    with_stats: bool = False,
    with_text: bool = False,
) -> AuditResult:
    """After the audit: fingerprints from the real text, then the baseline and the
    analysts' verdicts, then redaction, then the summary views asked for."""
    from .fingerprints import identify

    identify(result)
    if known is not None:
        from .baseline import apply_baseline

        result = apply_baseline(result, known)
    if verdicts is not None:
        from .verdicts import apply_verdicts

        result = apply_verdicts(result, verdicts)
    if redact:
        from .redaction import redact_result

        result = redact_result(result)
    result.group_by = tuple(group_by)
    result.with_stats = with_stats
    result.with_text = with_text
    return result
