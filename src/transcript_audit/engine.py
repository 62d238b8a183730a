"""The audit as a plain function: paths and options in, ``AuditResult`` out.

No Typer, no rich: the CLI and every reporter sit on top of this module.
Transcripts stream through in batches: the turns of a batch are parsed with
one ``nlp.pipe`` call, then every check runs on each transcript.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from . import __version__
from .checks import CHECK_TYPES
from .config import PathOverride, path_matches
from .model import AuditResult, ReadError, Severity, Transcript, TranscriptResult
from .readers import read_all
from .readers.base import ReaderOptions
from .rule_loader import builtin_rules_dir, load_rules
from .rule_model import Rule
from .scoring import score

TURNS_PER_BATCH = 2000


@dataclass
class AuditOptions:
    rule_dirs: Sequence[Path] = ()  # the user's own packs, added to the built-in ones
    builtin_rules: bool = True
    select: Sequence[str] = ()  # rule ids, categories or glob patterns; empty means all
    ignore: Sequence[str] = ()
    include: Sequence[str] = ()  # file name globs read in folders; empty means every known format
    exclude: Sequence[str] = ()
    input_format: str | None = None  # force one reader instead of detecting
    reader: ReaderOptions = field(default_factory=ReaderOptions)
    severity: dict[str, Severity] = field(default_factory=dict)  # rule id, category or glob -> severity
    per_path: Sequence[PathOverride] = ()
    weights: dict[str, float] = field(default_factory=dict)  # category -> score weight


def load_active_rules(options: AuditOptions, validate_patterns: bool = True) -> list[Rule]:
    """The rules the options ask for; raises ``RuleLoadError`` on a bad pack."""
    folders = ([builtin_rules_dir()] if options.builtin_rules else []) + list(options.rule_dirs)
    rules = load_rules(folders, validate_patterns=validate_patterns)
    for rule in rules:
        for pattern, severity in options.severity.items():
            if _selected(rule.id, rule.category, [pattern]):
                rule.severity = severity
    return select_rules(rules, options.select, options.ignore)


def _selected(rule_id: str, category: str, patterns: Sequence[str]) -> bool:
    """Does a rule id or category match one of ``patterns`` (ids, categories, globs)?"""
    return any(fnmatch.fnmatchcase(rule_id, p) or fnmatch.fnmatchcase(category, p) for p in patterns)


def _kept(rule_id: str, category: str, select: Sequence[str], ignore: Sequence[str]) -> bool:
    return (not select or _selected(rule_id, category, select)) and not (ignore and _selected(rule_id, category, ignore))


def select_rules(rules: Iterable[Rule], select: Sequence[str], ignore: Sequence[str]) -> list[Rule]:
    return [rule for rule in rules if _kept(rule.id, rule.category, select, ignore)]


def adjust(result: TranscriptResult, per_path: Sequence[PathOverride], weights: dict[str, float] | None = None) -> TranscriptResult:
    """Apply per-path settings and inline suppressions to one transcript's findings."""
    transcript = result.transcript
    findings, suppressed = [], list(result.suppressed)
    for finding in result.findings:
        keep = True
        for override in per_path:
            if path_matches(transcript.path, override):
                keep = keep and _kept(finding.rule, finding.category, override.select, override.ignore)
                for pattern, severity in override.severity.items():
                    if _selected(finding.rule, finding.category, [pattern]):
                        finding.severity = severity
        if not keep:
            continue
        if any(
            (turn is None or turn == finding.turn - 1) and _selected(finding.rule, finding.category, patterns)
            for turn, patterns in transcript.suppressions
        ):
            suppressed.append(finding)
        else:
            findings.append(finding)
    return TranscriptResult(transcript, findings, score(findings, weights), suppressed)


class Auditor:
    """Compiled rules and the loaded model, reusable across many transcripts."""

    def __init__(
        self, rules: Sequence[Rule], nlp=None, per_path: Sequence[PathOverride] = (), weights: dict[str, float] | None = None
    ):
        from . import nlp as nlp_module
        from .matching import ExpressionIndex

        self.rules = list(rules)
        self.per_path = list(per_path)
        self.weights = dict(weights or {})  # category -> weight of its penalties in the score
        expressions = [expression for rule in self.rules for expression in rule.expressions()]
        attributes = set().union(*(expression.token_attributes() for expression in expressions))
        self._nlp_module = nlp_module
        self.nlp = nlp or nlp_module.load(nlp_module.components_for(attributes))
        self.index = ExpressionIndex(self.nlp, expressions)
        self.checks = [CHECK_TYPES[rule.check](rule) for rule in self.rules]
        self.errors: list[ReadError] = []  # checks that failed, reported with the read errors

    def audit_transcripts(self, transcripts: Iterable[Transcript]) -> Iterator[TranscriptResult]:
        batch: list[Transcript] = []
        turns_in_batch = 0
        for transcript in transcripts:
            batch.append(transcript)
            turns_in_batch += len(transcript.turns)
            if turns_in_batch >= TURNS_PER_BATCH:
                yield from self._audit_batch(batch)
                batch, turns_in_batch = [], 0
        if batch:
            yield from self._audit_batch(batch)

    def _audit_batch(self, batch: list[Transcript], rule_ids: set[str] | None = None) -> Iterator[TranscriptResult]:
        from .conversation import Conversation

        texts = [turn.text for transcript in batch for turn in transcript.turns]
        docs = iter(self._nlp_module.parse(self.nlp, texts))
        checks = [check for check in self.checks if rule_ids is None or check.rule.id in rule_ids]
        for transcript in batch:
            transcript_docs = [next(docs) for _ in transcript.turns]
            conversation = Conversation(transcript, transcript_docs, self.index)
            findings = []
            for check in checks:
                if transcript.channel in check.rule.channels:
                    findings.extend(self._run_check(check, conversation))
            findings.sort(key=lambda f: (f.turn, f.line or 0, f.column or 0, f.rule))
            yield adjust(TranscriptResult(transcript, findings, score(findings, self.weights)), self.per_path, self.weights)

    def _run_check(self, check, conversation) -> list:
        """A failing check is reported as an error; the other rules and files go on."""
        try:
            return list(check.run(conversation))
        except Exception as error:  # noqa: BLE001 - a bug in one rule must not stop the audit
            transcript = conversation.transcript
            self.errors.append(
                ReadError(transcript.path, None, f"internal error in rule '{check.rule.id}' on {transcript.id}: {type(error).__name__}: {error}")
            )
            return []

    def findings_of_rule(self, rule_id: str, transcripts: list[Transcript]) -> list[list]:
        """What one rule finds in each transcript (used to run rule examples)."""
        return [result.findings for result in self._audit_batch(transcripts, {rule_id})]


def audit(
    paths: Sequence[Path],
    options: AuditOptions | None = None,
    auditor: Auditor | None = None,
    on_transcript: Callable[[TranscriptResult], None] | None = None,
) -> AuditResult:
    """Audit every transcript under ``paths``; unreadable files become ``errors``.

    ``on_transcript`` is told of each transcript as it is done (a progress bar).
    """
    options = options or AuditOptions()
    auditor = auditor or Auditor(load_active_rules(options), per_path=options.per_path, weights=options.weights)
    errors: list[ReadError] = []

    def transcripts() -> Iterator[Transcript]:
        for found, problems in read_all(paths, options.reader, options.include, options.exclude, options.input_format):
            errors.extend(problems)
            yield from found

    results = []
    for result in auditor.audit_transcripts(transcripts()):
        results.append(result)
        if on_transcript is not None:
            on_transcript(result)
    errors.extend(auditor.errors)
    auditor.errors.clear()
    return AuditResult(
        tool_version=__version__,
        transcripts=results,
        errors=errors,
        rules=[rule.summary() for rule in auditor.rules],
        weights=dict(auditor.weights),
    )
