"""Load and validate YAML rule packs into ``Rule`` values.

Every problem is collected (not only the first) and located at the file,
line and column of the offending key or value, with the nearest valid key
suggested for a typo. Which keys exist and what their values are is the
rule-pack schema's to say (``schema.py``, the JSON Schema editors use too);
this module adds what a schema cannot check and builds the rules. The rule
language is documented in docs/rules.md.
"""

from __future__ import annotations

import difflib
import fnmatch
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Protocol

from . import located_yaml, schema
from .checks import CHECK_TYPES
from .located_yaml import LocatedDict, LocatedList, Mark
from .model import CHANNELS, ReadError, Severity
from .regexes import nested_repetition
from .versions import engine_version
from .rule_model import ALL, COMMON_PLACEHOLDERS, PLACEHOLDER, Example, Expression, Field, Measured, Phrase, Rule, Trigger, Unless


class RuleLoadError(Exception):
    """Rule files could not be loaded; ``errors`` says where and why."""

    def __init__(self, errors: list[ReadError]):
        super().__init__("\n".join(str(error) for error in errors))
        self.errors = errors


@dataclass
class _Context:
    path: str
    validate_patterns: bool = True
    memo: Verdicts | None = None  # what validators accepted in earlier runs (the audit cache)
    checked: bool = False  # every regex and token pattern of this very text passed before
    errors: list[ReadError] = field(default_factory=list)
    invalid: list[tuple[Any, ...]] = field(default_factory=list)  # where the schema found a problem

    def clean(self, path: tuple[Any, ...]) -> bool:
        """Did the schema accept everything at and under ``path``?"""
        return not any(where[: len(path)] == path for where in self.invalid)

    def error(self, mark: Mark | None, message: str) -> None:
        self.errors.append(
            ReadError(self.path, mark.line if mark else None, message, column=mark.column if mark else None)
        )


def builtin_rules_dir() -> Path:
    """The built-in packs: inside the installed wheel, or ``rules/`` of a source checkout."""
    packaged = resources.files("transcript_audit") / "builtin_rules"
    if packaged.is_dir():
        return Path(str(packaged))
    return Path(__file__).resolve().parents[2] / "rules"


def rule_files(folders: Iterable[Path]) -> list[Path]:
    """The pack files of ``folders``, each once: naming a built-in pack again
    (``rules test rules/empathy.yaml``) is not a second definition of its rules."""
    files: dict[Path, Path] = {}
    for folder in folders:
        found = [folder] if folder.is_file() else sorted(p for p in folder.rglob("*") if p.suffix in (".yaml", ".yml") and p.is_file())
        for path in found:
            files.setdefault(path.resolve(), path)
    return list(files.values())


@dataclass
class Extension:
    """A pack's change to a rule defined elsewhere (usually a built-in one)."""

    rule: str
    add: Expression
    severity: Severity | None
    flag_examples: tuple[Example, ...]
    pass_examples: tuple[Example, ...]
    source: str
    line: int
    column: int


@dataclass
class Pack:
    """One rule file: its rules, its extensions of other rules, the rules it disables."""

    path: str
    rules: list[Rule] = field(default_factory=list)
    extends: list[Extension] = field(default_factory=list)
    disable: list[tuple[str, Mark]] = field(default_factory=list)
    errors: list[ReadError] = field(default_factory=list)


class Verdicts(Protocol):
    """Where validators' acceptances are remembered between runs (``AuditCache``)."""

    def accepted(self, *what: str) -> bool: ...

    def accept(self, *what: str) -> None: ...


def _pattern_problems(context: _Context, pattern: list[dict[str, Any]]) -> list[str]:
    """spaCy's verdict on a token pattern, remembered when it accepts: its validator
    imports all of spaCy, half a warm run."""
    if context.memo is None:
        return spacy_pattern_problems(pattern)
    import json

    what = ("token pattern", engine_version(), json.dumps(pattern, sort_keys=True, ensure_ascii=False))
    if context.memo.accepted(*what):
        return []
    problems = spacy_pattern_problems(pattern)
    if not problems:
        context.memo.accept(*what)
    return problems


def spacy_pattern_problems(pattern: list[dict[str, Any]]) -> list[str]:
    """spaCy's own validator (imported on first use: it imports all of spaCy)."""
    from spacy.schemas import validate_token_pattern

    return validate_token_pattern(pattern)


def load_rules(folders: Sequence[Path], validate_patterns: bool = True, memo: Verdicts | None = None) -> list[Rule]:
    """Load every pack in ``folders``, then apply their ``extends`` and ``disable``.

    Raises ``RuleLoadError`` listing every problem of every file.
    """
    errors: list[ReadError] = []
    rules: list[Rule] = []
    seen: dict[str, Rule] = {}
    packs: list[Pack] = []
    for folder in folders:
        if not folder.exists():
            errors.append(ReadError(str(folder), None, "no such rule file or folder"))
    for path in rule_files(folder for folder in folders if folder.exists()):
        pack = load_pack(path, validate_patterns=validate_patterns, memo=memo)
        packs.append(pack)
        errors.extend(pack.errors)
        for rule in pack.rules:
            if rule.id in seen:
                first = seen[rule.id]
                errors.append(
                    ReadError(rule.source, rule.line, f"duplicate rule id '{rule.id}' (first defined in {first.source}:{first.line})", column=rule.column)
                )
                continue
            seen[rule.id] = rule
            rules.append(rule)
    disabled: set[str] = set()
    for pack in packs:
        for extension in pack.extends:
            target = seen.get(extension.rule)
            if target is None:
                errors.append(ReadError(extension.source, extension.line, _unknown_rule(extension.rule, seen), column=extension.column))
            elif not extension.add.is_empty() and not isinstance(target.options.get("match"), Expression):
                message = f"rule '{target.id}' ({target.check}) has no 'match' to add terms to"
                errors.append(ReadError(extension.source, extension.line, message, column=extension.column))
            else:
                _extend(target, extension)
        for pattern, mark in pack.disable:
            matched = {rule.id for rule in rules if fnmatch.fnmatchcase(rule.id, pattern)}
            if not matched:
                errors.append(ReadError(pack.path, mark.line, _unknown_rule(pattern, seen), column=mark.column))
            disabled |= matched
    if errors:
        raise RuleLoadError(errors)
    return [rule for rule in rules if rule.id not in disabled]


def _unknown_rule(rule_id: str, known: dict[str, Rule]) -> str:
    close = difflib.get_close_matches(rule_id, list(known), n=1)
    return f"no rule '{rule_id}' to extend or disable" + (f" (did you mean '{close[0]}'?)" if close else "")


def _extend(rule: Rule, extension: Extension) -> None:
    """Add a pack's phrases, patterns and regexes to a rule's ``match``, and its examples."""
    if not extension.add.is_empty():
        base = rule.options["match"]
        rule.options["match"] = Expression(
            phrases=base.phrases + extension.add.phrases,
            forms=base.forms + extension.add.forms,
            patterns=base.patterns + extension.add.patterns,
            regex=base.regex + extension.add.regex,
        )
    if extension.severity is not None:
        rule.severity = extension.severity
    rule.flag_examples += extension.flag_examples
    rule.pass_examples += extension.pass_examples
    rule.extended_by.append(f"{extension.source}:{extension.line}")


def load_pack(path: Path, validate_patterns: bool = True, memo: Verdicts | None = None) -> Pack:
    """One pack: checked against the rule-pack schema (``schema.py``: which keys exist,
    what type each value has), then converted to ``Rule`` values with the checks a
    schema cannot make (regexes, token patterns, placeholders, problems between keys)."""
    shown = path.as_posix()
    context = _Context(shown, validate_patterns, memo)
    pack = Pack(shown)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        pack.errors.append(ReadError(shown, None, f"cannot read rule file: {error}"))
        return pack
    try:
        document = located_yaml.load(text)
    except located_yaml.YamlError as error:
        context.error(error.mark, error.message)
        pack.errors = context.errors
        return pack
    remembered = memo is not None and memo.accepted("rule pack", schema.digest_of("rules"), text)
    problems = [] if remembered else schema.validate(document, "rules", text)
    for where, message in problems:
        context.error(schema.locate(document, where) or Mark(1, 1), message)
    context.invalid = [where for where, _ in problems]
    # A pack whose every regex and token pattern passed before is not compiled and
    # validated again (a sixth of a warm run); only a pack loaded without errors is noted.
    # Under the engine's version: Python's ``re``, the ``regex`` engine, spaCy's validator and
    # this package's own checks (a release that flags a new backtracking form checks again).
    checks = ("rule pack checks", engine_version(), text)
    context.checked = remembered and memo.accepted(*checks)
    if isinstance(document, LocatedDict):
        _convert_pack(context, pack, document)
    if memo is not None and not remembered and not problems:
        memo.accept("rule pack", schema.digest_of("rules"), text)
    if memo is not None and validate_patterns and not context.checked and not context.errors:
        memo.accept(*checks)
    pack.errors = sorted(context.errors, key=lambda e: (e.line or 0, e.column or 0))
    return pack


def _convert_pack(context: _Context, pack: Pack, document: LocatedDict) -> None:
    for key, convert, into in (("rules", _rule, pack.rules), ("extends", _extension, pack.extends)):
        entries = document.get(key)
        if isinstance(entries, LocatedList):
            for index, (raw, mark) in enumerate(zip(entries, entries.item_marks)):
                converted = convert(context, raw, mark, (key, index)) if isinstance(raw, LocatedDict) else None
                if converted is not None:
                    into.append(converted)
    if "disable" in document and context.clean(("disable",)):
        pack.disable = list(zip(document["disable"], document["disable"].item_marks))


def _extension(context: _Context, raw: LocatedDict, mark: Mark, path: tuple) -> Extension | None:
    add = _expression_at(context, raw, "add", path)
    if not context.clean(path):
        return None
    flag_examples, pass_examples = _examples(raw, context.path)
    severity = raw.get("severity")
    return Extension(
        rule=raw["rule"].strip(), add=add or Expression(), severity=Severity(severity) if severity else None,
        flag_examples=flag_examples, pass_examples=pass_examples,
        source=context.path, line=mark.line, column=mark.column,
    )


def _rule(context: _Context, raw: LocatedDict, mark: Mark, path: tuple) -> Rule | None:
    """A rule the schema accepted becomes a ``Rule``; in one it refused, the checks the
    schema cannot make still run on the parts it accepted, so every problem is reported."""
    errors_before = len(context.errors)
    check_type = CHECK_TYPES.get(raw.get("check")) if isinstance(raw.get("check"), str) else None
    fields = check_type.FIELDS if check_type else {}
    placeholders = (*COMMON_PLACEHOLDERS, *getattr(check_type, "PLACEHOLDERS", ()))
    for key in ("message", "suggestion"):
        if key in raw and context.clean((*path, key)):
            _check_placeholders(context, raw, key, placeholders)
    options: dict[str, Any] = {}
    for name, spec in fields.items():
        options[name] = _field(context, spec, raw, name, path)
    unless = _conditions(context, raw, "unless", path)
    when = _conditions(context, raw, "when", path)
    if not context.clean(path) or len(context.errors) > errors_before:
        return None
    # Problems between keys, once every key is valid on its own ("terms" needs "match").
    if hasattr(check_type, "validate"):
        for key, problem in check_type.validate(options):
            context.error(raw.value_marks[key] if key in raw else mark, problem)
        if len(context.errors) > errors_before:
            return None
    flag_examples, pass_examples = _examples(raw, context.path)
    suggestion = raw.get("suggestion", ())
    channels = raw.get("channels") or CHANNELS  # an empty list means every channel, as no list does
    return Rule(
        id=raw["id"].strip(), category=raw["category"].strip(), severity=Severity(raw["severity"]), check=raw["check"],
        message=raw["message"].strip(), rationale=raw["rationale"].strip(),
        suggestion=tuple(text.strip() for text in ([suggestion] if isinstance(suggestion, str) else suggestion)),
        speaker=raw.get("speaker", "agent"), channels=tuple([channels] if isinstance(channels, str) else channels),
        unless=unless, flag_examples=flag_examples, pass_examples=pass_examples, options=options,
        source=context.path, line=mark.line, column=mark.column, when=when,
        critical=raw.get("critical", False), preview=raw.get("preview", False), measured=_measured(raw),
    )


def _measured(raw: LocatedDict) -> Measured | None:
    """A rule's precision and recall on real conversations, as its pack states them."""
    value = raw.get("measured")
    if value is None:
        return None
    figures = {key: None if value.get(key) is None else float(value[key]) for key in ("precision", "recall")}
    return Measured(conversations=int(value.get("conversations", 0)), corpus=value["corpus"].strip(), **figures)


def _check_placeholders(context: _Context, raw: LocatedDict, key: str, available: Sequence[str]) -> None:
    value = raw[key]
    for text in [value] if isinstance(value, str) else value:
        for name in PLACEHOLDER.findall(text):
            if name not in available:
                listed = ", ".join("{" + p + "}" for p in available)
                context.error(raw.value_marks[key], f"unknown placeholder '{{{name}}}' in '{key}' (available: {listed})")


# ---------------------------------------------------------------- check fields

# A field kind whose value becomes something else than the YAML value; every other kind
# (choice, count, number) is taken as the schema accepted it.
def _field(context: _Context, spec: Field, raw: LocatedDict, name: str, path: tuple) -> Any:
    if name not in raw:
        return spec.default
    if spec.kind == "expression":
        return _expression_at(context, raw, name, path)
    if spec.kind == "trigger":
        value = raw[name]
        match = _expression_at(context, value, "match", (*path, name)) if isinstance(value, LocatedDict) else None
        return Trigger(speaker=value.get("speaker", "customer"), match=match) if match is not None else None
    if spec.kind == "count":
        return int(raw[name]) if context.clean((*path, name)) else None  # 2.0 is a whole number for JSON Schema
    return raw[name]


def _expression_at(context: _Context, raw: LocatedDict, key: str, path: tuple) -> Expression | None:
    """The expression under ``key`` when the schema accepted it, with the checks it cannot make."""
    if key not in raw or not context.clean((*path, key)):
        return None
    return parse_expression(context, raw[key], raw.value_marks[key])


def _conditions(context: _Context, raw: LocatedDict, key: str, path: tuple) -> tuple[Unless, ...]:
    """``unless`` (excuses) or ``when`` (conditions): one mapping or a list of them."""
    value = raw.get(key)
    if value is None:
        return ()
    if isinstance(value, LocatedList):
        items = [(item, (*path, key, index)) for index, item in enumerate(value)]
    else:
        items = [(value, (*path, key))]
    result = []
    for item, item_path in items:
        if not isinstance(item, LocatedDict):
            continue
        match = _expression_at(context, item, "match", item_path)
        if not context.clean(item_path):
            continue
        result.append(
            Unless(
                match=match or Expression(), echo=item.get("echo", False), speaker=item.get("speaker", "same"),
                before=_window_bound(item.get("before", 0)), after=_window_bound(item.get("after", 0)),
                uninterrupted=item.get("uninterrupted", False), near=_whole(item.get("near")),
            )
        )
    return tuple(result)


def _window_bound(value: int | str) -> int:
    return ALL if value == "all" else int(value)


def _whole(value: float | None) -> int | None:
    """A count the schema accepted: 2 or 2.0 (JSON Schema's integers include whole floats)."""
    return None if value is None else int(value)


def _examples(raw: LocatedDict, source: str) -> tuple[tuple[Example, ...], tuple[Example, ...]]:
    value = raw.get("examples")
    if value is None:
        return (), ()
    parsed = []
    for key in ("flag", "pass"):
        examples = value[key]
        parsed.append(
            tuple(
                Example(item, None, mark.line, source)
                if isinstance(item, str)
                else Example(item["text"], item.get("channel"), mark.line, source)
                for item, mark in zip(examples, examples.item_marks)
            )
        )
    return parsed[0], parsed[1]


# ---------------------------------------------------------------- expressions


def parse_expression(context: _Context, raw: LocatedDict, mark: Mark) -> Expression:
    """An expression the schema accepted, with what it cannot check: regexes compile
    without catastrophic backtracking, token patterns pass spaCy's validator."""
    errors_before = len(context.errors)
    phrases = _phrases(raw.get("phrases", ()))
    forms = _phrases(raw.get("forms", ()))
    patterns = _patterns(context, raw.get("patterns"))
    regexes = _regexes(context, raw.get("regex"))
    expression = Expression(phrases=phrases, forms=forms, patterns=patterns, regex=regexes)
    if expression.is_empty() and len(context.errors) == errors_before:
        context.error(mark, "empty expression: give at least one phrase, pattern or regex")
    return expression


def _phrases(raw: Sequence[Any]) -> tuple[Phrase, ...]:
    return tuple(Phrase(item.strip()) if isinstance(item, str) else Phrase(item["phrase"].strip(), item.get("suggestion")) for item in raw)


def _patterns(context: _Context, raw: LocatedList | None) -> tuple[tuple[dict[str, Any], ...], ...]:
    patterns = []
    for item, item_mark in zip(raw, raw.item_marks) if raw is not None else ():
        pattern = tuple(_plain(token) for token in item)
        if context.checked:
            patterns.append(pattern)
            continue
        if _token_regex_problems(context, pattern, item_mark):
            continue
        if context.validate_patterns:
            problems = _pattern_problems(context, [dict(token) for token in pattern])
            for problem in problems:
                context.error(item_mark, f"invalid token pattern: {problem}")
            if problems:
                continue
        patterns.append(pattern)
    return tuple(patterns)


def _token_regex_problems(context: _Context, pattern: tuple[dict[str, Any], ...], mark: Mark) -> bool:
    """Report the REGEX values of a token pattern that do not compile or can backtrack
    without end (spaCy runs them with ``re``, without a time limit)."""
    found = False
    for token in pattern:
        for value in token.values():
            source = value.get("REGEX", value.get("regex")) if isinstance(value, dict) else None
            if not isinstance(source, str):
                continue
            try:
                re.compile(source)
            except re.error as error:
                context.error(mark, f"invalid REGEX {source!r} in token pattern: {error.msg} at position {error.pos}")
                found = True
                continue
            problem = nested_repetition(source)
            if problem:
                context.error(mark, f"REGEX {source!r} in token pattern can take exponential time ({problem}); {_BACKTRACKING_ADVICE}")
                found = True
    return found


_BACKTRACKING_ADVICE = "rewrite it without a repeat inside a repeat, e.g. '(ab)+' not '(a+b?)+'"


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value


def _regexes(context: _Context, raw: LocatedList | None) -> tuple[str, ...]:
    if context.checked:
        return tuple(raw) if raw is not None else ()
    regexes = []
    for item, item_mark in zip(raw, raw.item_marks) if raw is not None else ():
        import regex  # the engine that runs it, with a time limit (imported only when loading regexes)

        try:
            re.compile(item)
            regex.compile(item, regex.VERSION0)
        except (re.error, regex.error) as error:
            column = item_mark.column + (error.pos or 0)
            context.error(Mark(item_mark.line, column), f"invalid regex {item!r}: {error.msg} at position {error.pos}")
            continue
        problem = nested_repetition(item)
        if problem:
            context.error(item_mark, f"regex {item!r} can take exponential time ({problem}); {_BACKTRACKING_ADVICE}")
            continue
        regexes.append(item)
    return tuple(regexes)
