"""The audit of transcripts: rules chosen by the options, run by an ``Auditor``.

No Typer, no rich, no reading of files: ``pipeline`` feeds this module and
every reporter renders what it returns. Transcripts stream through in
batches: the turns of a batch are parsed with one ``nlp.pipe`` call, then
every check runs on each transcript.
"""

from __future__ import annotations

import dataclasses
import fnmatch
import functools
import hashlib
import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from .checks import CHECK_TYPES, PLACEHOLDER_FILLERS
from .config import PathOverride, path_matches
from .model import Finding, ReadError, Severity, Transcript, TranscriptResult
from .readers.base import ReaderOptions
from .rule_loader import builtin_rules_dir, load_rules
from .rule_model import Rule
from .scoring import score
from .versions import engine_version

if TYPE_CHECKING:  # sqlite3 and the readers are imported only by commands that audit
    from .cache import AuditCache

# A batch is parsed with one nlp.pipe call and its docs are held until its checks ran.
TURNS_PER_BATCH = 2000
CHARACTERS_PER_BATCH = 2_000_000


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
    preview: bool = False  # also run the rules marked preview (not yet precise on real text)
    baseline: Path | None = None  # report only the findings this baseline file does not have
    redact: bool = False  # mask personal data in every output (after fingerprints and baseline)
    group_by: tuple[str, ...] = ()  # summary views: agent, channel, category, file
    with_stats: bool = False  # the most frequent findings and their words
    verdicts: tuple[Path, ...] = ()  # analysts' verdicts files: false positives are left out
    with_text: bool = False  # the JSON records carry each transcript's turns (--with-text)
    keep_texts: bool = False  # keep the turns after the audit, for with_text or the HTML report


@dataclass(frozen=True)
class AuditorSpec:
    """What builds an ``Auditor`` in another process: plain, picklable data."""

    rules: tuple[Rule, ...]
    per_path: tuple[PathOverride, ...]
    weights: dict[str, float]
    cache_folder: Path | None = None
    cache_max_bytes: int = 0

    def build(self) -> Auditor:
        cache = None
        if self.cache_folder is not None:
            from .cache import AuditCache

            cache = AuditCache(self.cache_folder, self.cache_max_bytes)
        return Auditor(self.rules, per_path=self.per_path, weights=self.weights, cache=cache)


def load_active_rules(options: AuditOptions, validate_patterns: bool = True, cache: AuditCache | None = None) -> list[Rule]:
    """The rules the options ask for; raises ``RuleLoadError`` on a bad pack.

    With a ``cache``, packs the schema accepted and token patterns spaCy's
    validator accepted before are not validated again (half a warm run)."""
    folders = ([builtin_rules_dir()] if options.builtin_rules else []) + list(options.rule_dirs)
    rules = load_rules(folders, validate_patterns=validate_patterns, memo=cache)
    for rule in rules:
        for pattern, severity in options.severity.items():
            if _selected(rule.id, rule.category, [pattern]):
                rule.severity = severity
    rules = [rule for rule in rules if not rule.preview or options.preview or rule.id in options.select]
    return select_rules(rules, options.select, options.ignore)


def _selected(rule_id: str, category: str, patterns: Sequence[str]) -> bool:
    """Does a rule id or category match one of ``patterns`` (ids, categories, globs)?"""
    return any(fnmatch.fnmatchcase(rule_id, p) or fnmatch.fnmatchcase(category, p) for p in patterns)


def _kept(rule_id: str, category: str, select: Sequence[str], ignore: Sequence[str]) -> bool:
    return (not select or _selected(rule_id, category, select)) and not (ignore and _selected(rule_id, category, ignore))


def select_rules(rules: Iterable[Rule], select: Sequence[str], ignore: Sequence[str]) -> list[Rule]:
    return [rule for rule in rules if _kept(rule.id, rule.category, select, ignore)]


def adjust(
    transcript: Transcript, found: Sequence[Finding], per_path: Sequence[PathOverride], weights: dict[str, float] | None = None
) -> TranscriptResult:
    """One transcript's result: per-path settings and inline suppressions applied to what its
    checks found, then the score of what is left."""
    findings, suppressed = [], []
    for finding in found:
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
    """Compiled rules and the parser, reusable across many transcripts.

    With a ``cache``, each rule's findings on each transcript are stored under
    the transcript's content and the rule's definition: an unchanged pair is
    read back, and only transcripts with a rule to run are parsed (from cached
    parses when their texts did not change).
    """

    def __init__(
        self,
        rules: Sequence[Rule],
        nlp=None,
        per_path: Sequence[PathOverride] = (),
        weights: dict[str, float] | None = None,
        cache: AuditCache | None = None,
    ):
        from . import nlp as nlp_module

        self.rules = list(rules)
        self.per_path = list(per_path)
        self.weights = dict(weights or {})  # category -> weight of its penalties in the score
        self.cache = cache
        expressions = [expression for rule in self.rules for expression in rule.expressions()]
        attributes = set().union(*(expression.token_attributes() for expression in expressions))
        self.parser = nlp_module.Parser(nlp_module.components_for(attributes), cache, nlp)
        self.checks = [CHECK_TYPES[rule.check](rule) for rule in self.rules]
        # Digests, not definitions: a findings key is then the hash of two short strings,
        # where hashing each rule's whole definition for each transcript cost a warm run 0.2 s.
        # With the engine's version: a new release or an edited check must not reuse old findings.
        self._fingerprints = {rule.id: _digest(engine_version() + rule_fingerprint(rule)) for rule in self.rules}
        self.errors: list[ReadError] = []  # checks that failed, reported with the read errors
        self.timed_out: set[str] = set()  # rules whose regex ran out of time: not run again

    @property
    def nlp(self):
        """The spaCy pipeline (loaded on first use)."""
        return self.parser.nlp

    @functools.cached_property
    def index(self):
        """Every expression of every rule, compiled (on first use: a parallel run's
        coordinating process never needs it)."""
        from .matching import ExpressionIndex

        return ExpressionIndex(self.parser, [expression for rule in self.rules for expression in rule.expressions()])

    @functools.cached_property
    def _expression_keys(self) -> dict[str, frozenset[int]]:
        return {rule.id: self.index.keys_of(rule.expressions()) for rule in self.rules}

    def spec(self) -> AuditorSpec:
        cache = self.cache
        return AuditorSpec(
            tuple(self.rules), tuple(self.per_path), dict(self.weights),
            cache.folder if cache is not None else None, cache.max_bytes if cache is not None else 0,
        )

    def audit_transcripts(self, transcripts: Iterable[Transcript], keep_texts: bool = True) -> Iterator[TranscriptResult]:
        """The result of each transcript, in order. Without ``keep_texts`` a result's
        transcript loses its turns' texts once audited, so memory holds findings,
        not a month of calls."""
        for result in self._audit_stream(transcripts):
            if not keep_texts:
                result.transcript = result.transcript.without_texts()
            yield result

    def _audit_stream(self, transcripts: Iterable[Transcript]) -> Iterator[TranscriptResult]:
        batch: list[Transcript] = []
        turns_in_batch = characters_in_batch = 0
        for transcript in transcripts:
            batch.append(transcript)
            turns_in_batch += len(transcript.turns)
            characters_in_batch += sum(len(turn.text) for turn in transcript.turns)
            if turns_in_batch >= TURNS_PER_BATCH or characters_in_batch >= CHARACTERS_PER_BATCH:
                yield from self._audit_batch(batch)
                batch, turns_in_batch, characters_in_batch = [], 0, 0
        if batch:
            yield from self._audit_batch(batch)

    def _audit_batch(self, batch: list[Transcript], rule_ids: set[str] | None = None) -> Iterator[TranscriptResult]:
        from .cache import digest

        checks = [check for check in self.checks if rule_ids is None or check.rule.id in rule_ids]
        to_run = [[check for check in checks if transcript.channel in check.rule.channels] for transcript in batch]
        stored: dict[str, bytes] = {}
        keys: list[dict[str, str]] = [{} for _ in batch]
        # Each transcript's findings for all its rules at once, under one key: an unchanged
        # library is one lookup (and one 'used' update) per transcript, not one per rule and
        # transcript; the per-rule entries are for after a rule edit.
        whole_keys: list[str | None] = [None] * len(batch)
        known: dict[int, list[list[Finding]]] = {}  # position -> its rules' findings, in to_run order
        if self.cache is not None:
            for position, transcript in enumerate(batch):
                content = digest(transcript_fingerprint(transcript))
                keys[position] = {check.rule.id: _findings_key(content, self._fingerprints[check.rule.id]) for check in to_run[position]}
                if to_run[position]:
                    whole_keys[position] = _findings_key(content, self._rules_digest(to_run[position]))
            wholes = self.cache.get_many("findings", [key for key in whole_keys if key is not None])
            for position, key in enumerate(whole_keys):
                if key in wholes:
                    by_rule = _findings_by_rule(wholes[key], len(to_run[position]))
                    if by_rule is not None:
                        known[position] = by_rule
            stored = self.cache.get_many(
                "findings", [key for position, rule_keys in enumerate(keys) if position not in known for key in rule_keys.values()]
            )
        needs_docs = [
            position for position in range(len(batch))
            if self.cache is None or (position not in known and any(key not in stored for key in keys[position].values()))
        ]  # fmt: skip
        parsed = self.parser.parse_groups([[turn.text for turn in batch[position].turns] for position in needs_docs])
        docs_of = dict(zip(needs_docs, parsed))
        results, new_entries = [], []
        for position, transcript in enumerate(batch):
            if position in known:
                by_rule = known[position]
            else:
                by_rule = self._findings_of(position, transcript, to_run[position], keys[position], stored, docs_of, new_entries)
                if self.cache is not None and whole_keys[position] is not None and all(found is not None for found in by_rule):
                    new_entries.append((whole_keys[position], _whole_to_bytes(by_rule)))
            findings = [finding for found in by_rule if found is not None for finding in found]
            findings.sort(key=lambda f: (f.turn, f.line or 0, f.column or 0, f.rule))
            results.append(adjust(transcript, findings, self.per_path, self.weights))
        if self.cache is not None:
            self.cache.put_many("findings", new_entries)
        yield from results

    def _findings_of(self, position, transcript, to_run, keys, stored, docs_of, new_entries) -> list[list[Finding] | None]:
        """Each rule's findings on one transcript, in ``to_run`` order: read back, or run
        (None for a rule that failed, which is never stored)."""
        from .conversation import Conversation

        by_rule: list[list[Finding] | None] = [
            findings_from_bytes(stored[keys[check.rule.id]]) if keys.get(check.rule.id) in stored else None for check in to_run
        ]
        pending = [index for index, check in enumerate(to_run) if keys.get(check.rule.id) not in stored]
        if pending:
            wanted = frozenset().union(*(self._expression_keys[to_run[index].rule.id] for index in pending))
            conversation = Conversation(transcript, docs_of[position], self.index, wanted, PLACEHOLDER_FILLERS)
            for index in pending:
                check = to_run[index]
                found = self._run_check(check, conversation)
                by_rule[index] = found
                if found is not None and self.cache is not None:
                    new_entries.append((keys[check.rule.id], findings_to_bytes(found)))
        return by_rule

    def rule_digest(self, rule_id: str) -> str:
        """The digest of a rule's definition and of the engine that runs it."""
        return self._fingerprints[rule_id]

    def _rules_digest(self, checks) -> str:
        """The digest of a list of rules' definitions (memoised: a batch has few distinct lists)."""
        ids = tuple(check.rule.id for check in checks)
        memo = self.__dict__.setdefault("_rules_digests", {})
        if ids not in memo:
            memo[ids] = _digest("rules:" + ",".join(self._fingerprints[rule_id] for rule_id in ids))
        return memo[ids]

    def _run_check(self, check, conversation) -> list[Finding] | None:
        """A failing check is reported as an error (None); the other rules and files go on.

        A rule whose regex runs out of time is skipped for the rest of the run."""
        import re

        from .matching import RegexTimeout

        if check.rule.id in self.timed_out:
            return None
        transcript = conversation.transcript
        try:
            return list(check.run(conversation))
        except RegexTimeout as error:
            self.timed_out.add(check.rule.id)
            slow = re.match(r"the regex (.+) took more than (\S+) s on one turn$", str(error), re.DOTALL)
            reason = f"l’expression régulière {slow[1]} a pris plus de {slow[2]} s sur un tour" if slow else str(error)
            message = f"règle « {check.rule.id} » ignorée pour le reste de l’audit : {reason} ({transcript.id})"
            self.errors.append(ReadError(check.rule.source, check.rule.line, message))
        except Exception as error:  # noqa: BLE001 - a bug in one rule must not stop the audit
            self.errors.append(
                ReadError(
                    transcript.path,
                    None,
                    f"erreur interne de la règle « {check.rule.id} » sur {transcript.id} ({type(error).__name__} : {error})",
                )
            )
        return None

    def findings_of_rule(self, rule_id: str, transcripts: list[Transcript]) -> list[list]:
        """What one rule finds in each transcript (used to run rule examples)."""
        return [result.findings for result in self._audit_batch(transcripts, {rule_id})]


_LOCATION_FIELDS = frozenset({"source", "line", "column", "extended_by", "flag_examples", "pass_examples"})


def rule_fingerprint(rule: Rule) -> str:
    """Everything in a rule that can change its findings (not where it is written).
    The same text ``dataclasses.asdict`` would give, four times faster: its deep copies
    were a tenth of a warm run."""
    definition = {f.name: getattr(rule, f.name) for f in dataclasses.fields(rule) if f.name not in _LOCATION_FIELDS}
    return json.dumps(definition, sort_keys=True, default=_plain_value, ensure_ascii=False)


def _plain_value(value):
    if dataclasses.is_dataclass(value):
        return {f.name: getattr(value, f.name) for f in dataclasses.fields(value)}
    return str(value)


def transcript_fingerprint(transcript: Transcript) -> str:
    """Everything in a transcript that checks read (not its path, notes or suppressions,
    which apply after the checks)."""
    turns = [
        (turn.role.value, turn.speaker, turn.text, turn.line, turn.column, turn.start, turn.end, turn.locator, turn.line_starts, turn.pieces)
        for turn in transcript.turns
    ]
    identity = [transcript.id, transcript.channel, transcript.agent, transcript.customer]
    return json.dumps([identity, turns], default=str, ensure_ascii=False)


_NO_FINDINGS = b"[]"


def _digest(text: str) -> str:
    from .cache import digest

    return digest(text)


def _findings_key(content_digest: str, rule_digest: str) -> str:
    """The key of one rule's findings on one transcript. Both parts are 64 hex digits,
    so their concatenation is unambiguous without ``digest``'s length prefixes."""
    return hashlib.sha256(f"{content_digest}{rule_digest}".encode("ascii")).hexdigest()


def cached_record(finding: Finding) -> dict:
    """A finding as every cache stores it: without its fingerprint, which a run takes after the audit."""
    return {key: value for key, value in finding.as_record().items() if key != "fingerprint"}


def findings_to_bytes(findings: list[Finding]) -> bytes:
    return json.dumps([cached_record(finding) for finding in findings], ensure_ascii=False).encode("utf-8")


def _whole_to_bytes(by_rule: list[list[Finding]]) -> bytes:
    records = [[cached_record(finding) for finding in found] for found in by_rule]
    return json.dumps(records, ensure_ascii=False).encode("utf-8")


def _findings_by_rule(data: bytes, rules: int) -> list[list[Finding]] | None:
    """A transcript's stored findings per rule, or None when the entry does not fit (a miss)."""
    try:
        records = json.loads(data)
    except ValueError:
        return None
    if not isinstance(records, list) or len(records) != rules:
        return None
    return [[Finding.from_record(record) for record in found] for found in records]


def findings_from_bytes(data: bytes) -> list[Finding]:
    if data == _NO_FINDINGS:  # most rules find nothing in most transcripts
        return []
    return [Finding.from_record(record) for record in json.loads(data)]
