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
from collections import deque
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
    """Audit every transcript under ``paths``; unreadable files become ``errors``.

    With a ``cache``, a file whose bytes and settings are unchanged is answered
    whole from it (``file_results``), unless the texts are kept."""
    from .readers import read_all

    options = options or AuditOptions()
    if cache is None or options.keep_texts or options.with_text:
        read = read_all(paths, options.reader, options.include, options.exclude, options.input_format)
        return audit_inputs(read, options, auditor=auditor, cache=cache, on_transcript=on_transcript, jobs=jobs)
    auditor = auditor or _auditor(options, cache)
    remembered = _RememberedFiles(cache, auditor, options)
    return audit_inputs(
        remembered.read(paths), options, auditor=auditor, cache=cache, on_transcript=on_transcript, jobs=jobs,
        remembered=remembered,
    )  # fmt: skip


def audit_inputs(
    read: ReadResults,
    options: AuditOptions,
    *,
    auditor: Auditor | None = None,
    cache: AuditCache | None = None,
    on_transcript: Callable[[TranscriptResult], None] | None = None,
    jobs: int = 1,
    remembered: _RememberedFiles | None = None,
) -> AuditResult:
    """The pipeline over transcripts already read (each file's problems travel with them).

    Raises ``RuleLoadError``, ``NoRuleSelected``, ``BaselineError`` or ``VerdictError`` before
    anything is read, so a bad pack or baseline never costs a whole audit.
    ``on_transcript`` is told of each transcript as it is done (a progress bar);
    ``jobs`` > 1 audits batches in that many processes, with the same result
    in the same order. Audited transcripts keep no text.
    """
    auditor = auditor or _auditor(options, cache)
    known = _baseline(options.baseline)
    verdicts = _verdicts(options.verdicts)
    errors: list[ReadError] = []
    prepared = _prepared(read, options, errors)
    if remembered is not None:
        prepared = remembered.track(prepared)
    audited = _audited(auditor, prepared, jobs, keep_texts=options.keep_texts or options.with_text)
    results = []
    for result in audited:
        results.append(result)
        if remembered is not None:
            remembered.collect(result)
        if on_transcript is not None:
            on_transcript(result)
    if remembered is not None:
        results = remembered.merged(results, on_transcript)
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


def _auditor(options: AuditOptions, cache: AuditCache | None) -> Auditor:
    rules = load_active_rules(options, cache=cache)
    if not rules:
        raise NoRuleSelected("no rule selected: check --select, --ignore and --rules")
    return Auditor(rules, per_path=options.per_path, weights=options.weights, cache=cache)


class _RememberedFiles:
    """The files answered whole from the cache, and the others' results to store.

    Results come out of the audit in the order their transcripts went in, so the
    file of each is known from the order alone; a remembered file's results are put
    back in its place among the others at the end."""

    def __init__(self, cache: AuditCache, auditor: Auditor, options: AuditOptions):
        from . import file_results

        self.cache, self.auditor, self.options = cache, auditor, options
        self.settings = file_results.settings_digest(auditor, options.reader, options.input_format)
        self.hits: list[tuple[int, TranscriptResult]] = []
        self.misses: dict[int, tuple[str, list[ReadError], list[TranscriptResult]]] = {}
        self.current = -1  # the file being read
        self.order: deque[int] = deque()  # the file of each transcript sent to the audit
        self.collected: list[tuple[int, TranscriptResult]] = []

    def read(self, paths: Sequence[Path]) -> ReadResults:
        from . import file_results
        from .readers import STDIN, discover, file_bytes, read_bytes

        options = self.options
        for index, item in enumerate(discover(paths, options.include, options.exclude)):
            self.current = index
            if isinstance(item, ReadError):
                yield [], [item]
                continue
            source, data, error = file_bytes(item)
            if error is not None:
                yield [], [error]
                continue
            key = file_results.file_key(self.settings, source, data) if item != STDIN else None
            found = file_results.load(self.cache, key) if key is not None else None
            if found is not None:
                results, problems = found
                self.hits.extend((index, result) for result in results)
                yield [], problems  # the read errors in their place
                continue
            transcripts, problems = read_bytes(item, source, data, options.reader, options.input_format)
            if key is not None:
                self.misses[index] = (key, problems, [])
            yield transcripts, problems

    def track(self, transcripts: Iterable[Transcript]) -> Iterator[Transcript]:
        for transcript in transcripts:
            self.order.append(self.current)
            yield transcript

    def collect(self, result: TranscriptResult) -> None:
        self.collected.append((self.order.popleft(), result))

    def merged(self, results: list[TranscriptResult], on_transcript) -> list[TranscriptResult]:
        """Every result in file order; the files audited now are stored, unless a rule
        failed during the run (its findings would be missing)."""
        from . import file_results

        if not self.auditor.errors:
            for index, result in self.collected:
                if index in self.misses:
                    self.misses[index][2].append(result)
            for key, problems, found in self.misses.values():
                file_results.store(self.cache, key, found, problems)
        if on_transcript is not None:
            for _, result in self.hits:
                on_transcript(result)
        if not self.hits:
            return results
        placed = self.collected + self.hits
        placed.sort(key=lambda pair: pair[0])  # stable: a file's transcripts keep their order
        return [result for _, result in placed]


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
