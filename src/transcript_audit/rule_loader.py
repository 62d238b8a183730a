"""Load and validate YAML rule packs into ``Rule`` values.

Every problem is collected (not only the first) and located at the file,
line and column of the offending key or value, with the nearest valid key
suggested for a typo. The rule language is documented in docs/rules.md.
"""

from __future__ import annotations

import difflib
import fnmatch
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from . import located_yaml
from .checks import CHECK_TYPES
from .located_yaml import LocatedDict, LocatedList, Mark
from .model import CHANNELS, ReadError, Severity
from .regexes import nested_repetition
from .rule_model import ALL, PLACEHOLDER, Example, Expression, Field, Measured, Phrase, Rule, Trigger, Unless

SPEAKERS = ("agent", "customer", "any")
UNLESS_SPEAKERS = ("same", *SPEAKERS)
PLACEHOLDERS = ("match", "term", "customer_item", "trigger", "value")
_ID = re.compile(r"^[a-z][a-z0-9]*(?:[-_.][a-z0-9]+)*$")

COMMON_FIELDS = (
    "id", "category", "severity", "check", "message", "rationale", "suggestion",
    "speaker", "channels", "unless", "when", "critical", "preview", "measured", "examples",
)


class RuleLoadError(Exception):
    """Rule files could not be loaded; ``errors`` says where and why."""

    def __init__(self, errors: list[ReadError]):
        super().__init__("\n".join(str(error) for error in errors))
        self.errors = errors


@dataclass
class _Context:
    path: str
    validate_patterns: bool = True
    pattern_problems: PatternChecker | None = None  # spaCy's validator, or one that remembers it
    errors: list[ReadError] = field(default_factory=list)

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


PatternChecker = Callable[[list[dict[str, Any]]], list[str]]


def spacy_pattern_problems(pattern: list[dict[str, Any]]) -> list[str]:
    """spaCy's own validator (imported on first use: it imports all of spaCy)."""
    from spacy.schemas import validate_token_pattern

    return validate_token_pattern(pattern)


def load_rules(folders: Sequence[Path], validate_patterns: bool = True, pattern_problems: PatternChecker | None = None) -> list[Rule]:
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
        pack = load_pack(path, validate_patterns=validate_patterns, pattern_problems=pattern_problems)
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


def load_file(path: Path, validate_patterns: bool = True) -> tuple[list[Rule], list[ReadError]]:
    """The rules of one file and its problems (extensions are applied by ``load_rules``)."""
    pack = load_pack(path, validate_patterns)
    return pack.rules, pack.errors


def load_pack(path: Path, validate_patterns: bool = True, pattern_problems: PatternChecker | None = None) -> Pack:
    shown = path.as_posix()
    context = _Context(shown, validate_patterns, pattern_problems)
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
    if not isinstance(document, LocatedDict):
        context.error(Mark(1, 1), "a rule pack is a mapping with a 'rules:' list (and optionally 'extends:' and 'disable:')")
        pack.errors = context.errors
        return pack
    _check_keys(context, document, ("rules", "extends", "disable"))
    if not any(key in document for key in ("rules", "extends", "disable")):
        context.error(document.mark, "missing required key 'rules'")
    raw_rules = document.get("rules")
    if raw_rules is not None and not isinstance(raw_rules, LocatedList):
        context.error(document.value_marks["rules"], "'rules' must be a list of rules")
    elif raw_rules is not None:
        for raw, mark in zip(raw_rules, raw_rules.item_marks):
            rule = _rule(context, raw, mark)
            if rule is not None:
                pack.rules.append(rule)
    if "extends" in document:
        pack.extends = _extensions(context, document["extends"], document.value_marks["extends"])
    if "disable" in document:
        value, mark = document["disable"], document.value_marks["disable"]
        if not isinstance(value, LocatedList) or not all(isinstance(item, str) for item in value):
            context.error(mark, "'disable' must be a list of rule ids (glob patterns allowed)")
        else:
            pack.disable = list(zip(value, value.item_marks))
    pack.errors = sorted(context.errors, key=lambda e: (e.line or 0, e.column or 0))
    return pack


def _extensions(context: _Context, raw: Any, mark: Mark) -> list[Extension]:
    if not isinstance(raw, LocatedList):
        context.error(mark, "'extends' must be a list of {rule, add, severity, examples}")
        return []
    extensions = []
    for item, item_mark in zip(raw, raw.item_marks):
        if not isinstance(item, LocatedDict):
            context.error(item_mark, "each 'extends' entry is a mapping with 'rule' and 'add', 'severity' or 'examples'")
            continue
        _check_keys(context, item, ("rule", "add", "severity", "examples"), required=("rule",))
        get = _Getter(context, item)
        rule_id = get.string("rule")
        severity = get.choice("severity", [s.value for s in Severity])
        add = parse_expression(context, item["add"], item.value_marks["add"]) if "add" in item else Expression()
        flag_examples, pass_examples = _examples(context, item)
        if rule_id is not None:
            extensions.append(
                Extension(
                    rule=rule_id, add=add, severity=Severity(severity) if severity else None,
                    flag_examples=flag_examples, pass_examples=pass_examples,
                    source=context.path, line=item_mark.line, column=item_mark.column,
                )
            )
    return extensions


def _check_keys(context: _Context, mapping: LocatedDict, allowed: Sequence[str], required: Sequence[str] = ()) -> None:
    for key in mapping:
        if key not in allowed:
            close = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
            hint = f" (did you mean '{close[0]}'?)" if close else f" (expected one of: {', '.join(allowed)})"
            context.error(mapping.key_marks[key], f"unknown key '{key}'{hint}")
    for key in required:
        if key not in mapping:
            context.error(mapping.mark, f"missing required key '{key}'")


def _rule(context: _Context, raw: Any, mark: Mark) -> Rule | None:
    if not isinstance(raw, LocatedDict):
        context.error(mark, "each rule must be a mapping")
        return None
    errors_before = len(context.errors)
    check_name = raw.get("check")
    check_type = CHECK_TYPES.get(check_name) if isinstance(check_name, str) else None
    if "check" in raw and check_type is None:
        context.error(raw.value_marks["check"], f"unknown check '{check_name}' (expected one of: {', '.join(CHECK_TYPES)})")
    specific = tuple(check_type.FIELDS) if check_type else ()
    required = ("id", "category", "severity", "check", "message", "rationale", "examples")
    required += tuple(name for name, spec in (check_type.FIELDS.items() if check_type else ()) if spec.required)
    _check_keys(context, raw, COMMON_FIELDS + specific, required=required)

    get = _Getter(context, raw)
    rule_id = get.string("id")
    if rule_id is not None and not _ID.match(rule_id):
        context.error(raw.value_marks["id"], f"rule id '{rule_id}' must be lower-case words joined by '-' (e.g. 'jargon-generic-item')")
    category = get.string("category")
    if category is not None and not _ID.match(category):
        context.error(raw.value_marks["category"], f"category '{category}' must be a lower-case word")
    severity = get.choice("severity", [s.value for s in Severity])
    message = get.string("message")
    rationale = get.string("rationale")
    suggestion = get.strings("suggestion") or ()
    speaker = get.choice("speaker", SPEAKERS) or "agent"
    channels = get.choices("channels", CHANNELS) or CHANNELS
    for key in ("message", "suggestion"):
        _check_placeholders(context, raw, key)
    unless = _unless_list(context, raw)
    when = _unless_list(context, raw, key="when")
    critical = raw.get("critical", False)
    if not isinstance(critical, bool):
        context.error(raw.value_marks["critical"], "'critical' must be true or false")
    preview = raw.get("preview", False)
    if not isinstance(preview, bool):
        context.error(raw.value_marks["preview"], "'preview' must be true or false")
    measured = _measured(context, raw)
    flag_examples, pass_examples = _examples(context, raw)
    options: dict[str, Any] = {}
    if check_type:
        for name, spec in check_type.FIELDS.items():
            if name in raw:
                options[name] = _parse_field(context, spec, raw[name], raw.value_marks[name])
            else:
                options[name] = spec.default
        # Problems between keys, once every key is valid on its own ("terms" needs "match").
        if hasattr(check_type, "validate") and len(context.errors) == errors_before:
            for key, problem in check_type.validate(options):
                context.error(raw.value_marks[key] if key in raw else mark, problem)
    if len(context.errors) > errors_before:
        return None
    return Rule(
        id=rule_id, category=category, severity=Severity(severity), check=check_name,
        message=message, rationale=rationale, suggestion=tuple(suggestion), speaker=speaker,
        channels=tuple(channels), unless=unless, flag_examples=flag_examples,
        pass_examples=pass_examples, options=options, source=context.path, line=mark.line,
        column=mark.column, when=when, critical=critical is True, preview=preview is True,
        measured=measured,
    )


MEASURED_KEYS = ("precision", "recall", "conversations", "corpus")


def _measured(context: _Context, raw: LocatedDict) -> Measured | None:
    """A rule's precision and recall on real conversations, as its pack states them."""
    value = raw.get("measured")
    if value is None:
        return None
    if not isinstance(value, LocatedDict):
        context.error(raw.value_marks["measured"], f"'measured' is a mapping with: {', '.join(MEASURED_KEYS)}")
        return None
    _check_keys(context, value, MEASURED_KEYS, required=("corpus",))
    figures: dict[str, Any] = {}
    for key in ("precision", "recall"):
        figure = value.get(key)
        if figure is not None and (isinstance(figure, bool) or not isinstance(figure, (int, float)) or not 0 <= figure <= 1):
            context.error(value.value_marks[key], f"'{key}' must be a number from 0 to 1, or null when not measured")
            return None
        figures[key] = None if figure is None else float(figure)
    conversations = value.get("conversations", 0)
    if isinstance(conversations, bool) or not isinstance(conversations, int) or conversations < 0:
        context.error(value.value_marks.get("conversations", raw.value_marks["measured"]), "'conversations' must be a whole number")
        return None
    corpus = value.get("corpus")
    if not isinstance(corpus, str) or not corpus.strip():
        return None
    return Measured(precision=figures["precision"], recall=figures["recall"], conversations=conversations, corpus=corpus.strip())


class _Getter:
    """Typed access to a rule's common keys, reporting type errors where they are."""

    def __init__(self, context: _Context, raw: LocatedDict):
        self.context, self.raw = context, raw

    def _mark(self, key: str) -> Mark:
        return self.raw.value_marks[key]

    def string(self, key: str) -> str | None:
        value = self.raw.get(key)
        if value is None:
            return None
        if not isinstance(value, str) or not value.strip():
            self.context.error(self._mark(key), f"'{key}' must be a non-empty text")
            return None
        return value.strip()

    def strings(self, key: str) -> list[str] | None:
        value = self.raw.get(key)
        if value is None:
            return None
        values = [value] if isinstance(value, str) else value
        if not isinstance(values, list) or not all(isinstance(v, str) and v.strip() for v in values):
            self.context.error(self._mark(key), f"'{key}' must be a text or a list of texts")
            return None
        return [v.strip() for v in values]

    def choice(self, key: str, choices: Sequence[str]) -> str | None:
        value = self.raw.get(key)
        if value is None:
            return None
        if value not in choices:
            self.context.error(self._mark(key), f"'{key}' must be one of: {', '.join(choices)} (got '{value}')")
            return None
        return value

    def choices(self, key: str, choices: Sequence[str]) -> list[str] | None:
        values = self.strings(key)
        if values is None:
            return None
        bad = [value for value in values if value not in choices]
        if bad:
            self.context.error(self._mark(key), f"unknown {key} {', '.join(bad)} (expected: {', '.join(choices)})")
            return None
        return values


def _check_placeholders(context: _Context, raw: LocatedDict, key: str) -> None:
    value = raw.get(key)
    texts = [value] if isinstance(value, str) else value if isinstance(value, list) else []
    for text in texts:
        for name in PLACEHOLDER.findall(text) if isinstance(text, str) else ():
            if name not in PLACEHOLDERS:
                context.error(raw.value_marks[key], f"unknown placeholder '{{{name}}}' in '{key}' (available: {', '.join('{' + p + '}' for p in PLACEHOLDERS)})")


# ---------------------------------------------------------------- expressions

EXPRESSION_KEYS = ("phrases", "forms", "patterns", "regex")


def parse_expression(context: _Context, raw: Any, mark: Mark) -> Expression:
    if not isinstance(raw, LocatedDict):
        context.error(mark, f"an expression is a mapping with any of: {', '.join(EXPRESSION_KEYS)}")
        return Expression()
    errors_before = len(context.errors)
    _check_keys(context, raw, EXPRESSION_KEYS)
    phrases = _phrases(context, raw.get("phrases"), raw.value_marks.get("phrases", mark), "phrases")
    forms = _phrases(context, raw.get("forms"), raw.value_marks.get("forms", mark), "forms")
    patterns = _patterns(context, raw.get("patterns"), raw.value_marks.get("patterns", mark))
    regexes = _regexes(context, raw.get("regex"), raw.value_marks.get("regex", mark))
    expression = Expression(phrases=phrases, forms=forms, patterns=patterns, regex=regexes)
    if expression.is_empty() and len(context.errors) == errors_before:
        context.error(mark, "empty expression: give at least one phrase, pattern or regex")
    return expression


def _items(context: _Context, raw: Any, mark: Mark, what: str) -> list[tuple[Any, Mark]]:
    if raw is None:
        return []
    if not isinstance(raw, LocatedList):
        context.error(mark, f"'{what}' must be a list")
        return []
    return list(zip(raw, raw.item_marks))


def _phrases(context: _Context, raw: Any, mark: Mark, key: str) -> tuple[Phrase, ...]:
    phrases = []
    for item, item_mark in _items(context, raw, mark, key):
        if isinstance(item, str) and item.strip():
            phrases.append(Phrase(item.strip()))
        elif isinstance(item, LocatedDict):
            _check_keys(context, item, ("phrase", "suggestion"), required=("phrase",))
            text, suggestion = item.get("phrase"), item.get("suggestion")
            if not isinstance(text, str) or not text.strip():
                context.error(item_mark, "'phrase' must be a non-empty text")
            elif suggestion is not None and not isinstance(suggestion, str):
                context.error(item.value_marks["suggestion"], "'suggestion' must be a text")
            else:
                phrases.append(Phrase(text.strip(), suggestion))
        else:
            context.error(item_mark, "a phrase is a text or a mapping {phrase, suggestion}")
    return tuple(phrases)


def _patterns(context: _Context, raw: Any, mark: Mark) -> tuple[tuple[dict[str, Any], ...], ...]:
    patterns = []
    for item, item_mark in _items(context, raw, mark, "patterns"):
        if not isinstance(item, list) or not item or not all(isinstance(token, dict) for token in item):
            context.error(item_mark, "a token pattern is a non-empty list of token mappings, e.g. [{LEMMA: pouvoir}, {LOWER: pas}]")
            continue
        pattern = tuple(_plain(token) for token in item)
        if _token_regex_problems(context, pattern, item_mark):
            continue
        if context.validate_patterns:
            problems = (context.pattern_problems or spacy_pattern_problems)([dict(token) for token in pattern])
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


def _regexes(context: _Context, raw: Any, mark: Mark) -> tuple[str, ...]:
    regexes = []
    for item, item_mark in _items(context, raw, mark, "regex"):
        if not isinstance(item, str):
            context.error(item_mark, "a regex must be a text")
            continue
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


# ---------------------------------------------------------------- unless, trigger, examples


def _unless_list(context: _Context, raw: LocatedDict, key: str = "unless") -> tuple[Unless, ...]:
    """``unless`` (excuses) or ``when`` (conditions): one mapping or a list of them."""
    value = raw.get(key)
    if value is None:
        return ()
    mark = raw.value_marks[key]
    items = list(zip(value, value.item_marks)) if isinstance(value, LocatedList) else [(value, mark)]
    result = []
    for item, item_mark in items:
        parsed = _unless(context, item, item_mark, key)
        if parsed is not None:
            result.append(parsed)
    return tuple(result)


def _unless(context: _Context, raw: Any, mark: Mark, key: str = "unless") -> Unless | None:
    if not isinstance(raw, LocatedDict):
        context.error(mark, f"'{key}' is a mapping (or a list of mappings) with 'match' or 'echo'")
        return None
    _check_keys(context, raw, ("match", "echo", "speaker", "before", "after", "uninterrupted", "near"))
    match = parse_expression(context, raw["match"], raw.value_marks["match"]) if "match" in raw else Expression()
    echo = _flag(context, raw, "echo")
    uninterrupted = _flag(context, raw, "uninterrupted")
    if match.is_empty() and not echo:
        context.error(mark, f"'{key}' needs 'match' or 'echo: true'")
    speaker = raw.get("speaker", "same")
    if speaker not in UNLESS_SPEAKERS:
        context.error(raw.value_marks["speaker"], f"'speaker' must be one of: {', '.join(UNLESS_SPEAKERS)}")
    before = _window_bound(context, raw, "before")
    after = _window_bound(context, raw, "after")
    near = raw.get("near")
    if near is not None and (isinstance(near, bool) or not isinstance(near, int) or near < 0):
        context.error(raw.value_marks["near"], "'near' must be a number of tokens (0 or more)")
        near = None
    if near is not None and match.is_empty():
        context.error(raw.value_marks["near"], "'near' needs 'match'")
    return Unless(
        match=match, echo=echo, speaker=speaker, before=before, after=after, uninterrupted=uninterrupted, near=near
    )


def _flag(context: _Context, raw: LocatedDict, key: str) -> bool:
    value = raw.get(key, False)
    if not isinstance(value, bool):
        context.error(raw.value_marks[key], f"'{key}' must be true or false")
        return False
    return value


def _window_bound(context: _Context, raw: LocatedDict, key: str) -> int:
    value = raw.get(key, 0)
    if value == "all":
        return ALL
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        context.error(raw.value_marks[key], f"'{key}' must be a number of turns (0 or more) or 'all'")
        return 0
    return value


def parse_trigger(context: _Context, raw: Any, mark: Mark) -> Trigger | None:
    if not isinstance(raw, LocatedDict):
        context.error(mark, "'trigger' is a mapping with 'match' and optionally 'speaker'")
        return None
    _check_keys(context, raw, ("speaker", "match"), required=("match",))
    speaker = raw.get("speaker", "customer")
    if speaker not in SPEAKERS:
        context.error(raw.value_marks["speaker"], f"'speaker' must be one of: {', '.join(SPEAKERS)}")
    if "match" not in raw:
        return None
    return Trigger(speaker=speaker, match=parse_expression(context, raw["match"], raw.value_marks["match"]))


def _examples(context: _Context, raw: LocatedDict) -> tuple[tuple[Example, ...], tuple[Example, ...]]:
    value = raw.get("examples")
    if value is None:
        return (), ()
    if not isinstance(value, LocatedDict):
        context.error(raw.value_marks["examples"], "'examples' is a mapping with 'flag' and 'pass' lists")
        return (), ()
    _check_keys(context, value, ("flag", "pass"), required=("flag", "pass"))
    parsed = []
    for key in ("flag", "pass"):
        examples = []
        for item, item_mark in _items(context, value.get(key), value.value_marks.get(key, value.mark), key):
            if isinstance(item, str) and item.strip():
                examples.append(Example(item, None, item_mark.line))
            elif isinstance(item, LocatedDict) and isinstance(item.get("text"), str):
                _check_keys(context, item, ("text", "channel"), required=("text",))
                channel = item.get("channel")
                if channel is not None and channel not in CHANNELS:
                    context.error(item.value_marks["channel"], f"'channel' must be one of: {', '.join(CHANNELS)}")
                examples.append(Example(item["text"], channel, item_mark.line))
            else:
                context.error(item_mark, "an example is a text or a mapping {text, channel}")
        parsed.append(tuple(examples))
    return parsed[0], parsed[1]


# ---------------------------------------------------------------- check fields


def _parse_field(context: _Context, spec: Field, raw: Any, mark: Mark) -> Any:
    if spec.kind == "expression":
        return parse_expression(context, raw, mark)
    if spec.kind == "trigger":
        return parse_trigger(context, raw, mark)
    if spec.kind == "choice":
        if raw not in spec.choices:
            context.error(mark, f"must be one of: {', '.join(spec.choices)} (got '{raw}')")
        return raw
    if spec.kind == "count":
        if isinstance(raw, bool) or not isinstance(raw, int) or raw < 1:
            context.error(mark, "must be a whole number of turns, 1 or more")
        return raw
    elif spec.kind == "number":
        # A threshold: 120 (words), 70 (percent), 0.5 (hours). NaN and infinity fail the range test.
        if isinstance(raw, bool) or not isinstance(raw, (int, float)) or not 0 <= raw < float("inf"):
            context.error(mark, "must be a number, 0 or more (e.g. 120 or 1.5)")
            return None
        return raw
    raise ValueError(f"unknown field kind {spec.kind!r}")
