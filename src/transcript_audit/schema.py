"""The JSON Schemas (draft 2020-12) of a rule pack and of the configuration.

One source of truth for which keys exist and what type each value has: the
loaders validate every document through these schemas (``validate``), and
``transcript-audit rules schema`` / ``config schema`` print them for editors
(the YAML language server completes and checks a file that names its schema).

The rule-pack schema is generated from the keys every rule shares and from
each check type's own ``FIELDS`` (``checks/*.py``): a check's fields are
allowed only in a rule with that ``check:``. A field's ``kind`` gives its
sub-schema through one table, ``FIELD_KINDS``.

Each schema node may carry ``errorMessage`` (the keyword of the YAML language
server and ajv-errors): the message for a failure of that node, a text or a
mapping from the failed keyword (``type``, ``pattern``…) to a text; ``{value}``
is replaced by the value found. What a schema cannot say (a regex that does
not compile, a spaCy token pattern, a duplicate id) stays in the loaders.
"""

from __future__ import annotations

import difflib
import functools
import math
import re
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from .checks import CHECK_TYPES
from .located_yaml import LocatedDict, LocatedList, Mark
from .model import CHANNELS, FailOn, Severity
from .readers.base import COLUMN_FIELDS
from .rule_model import SPEAKERS, UNLESS_SPEAKERS, Field

DIALECT = "https://json-schema.org/draft/2020-12/schema"
ID_PATTERN = r"^[a-z][a-z0-9]*(?:[-_.][a-z0-9]+)*$"
SEVERITIES = tuple(severity.value for severity in Severity)
EXPRESSION_KEYS = ("phrases", "forms", "patterns", "regex")
MEASURED_KEYS = ("precision", "recall", "conversations", "corpus")
PACK_KEYS = ("rules", "extends", "disable")

# Words YAML 1.1 (PyYAML) reads as booleans when they are not quoted.
YAML_BOOLEANS = frozenset({"yes", "no", "on", "off", "true", "false", "y", "n"})


def _one_of_words(values: Sequence[str]) -> str:
    return ", ".join(values)


def text(key: str) -> dict[str, Any]:
    """A non-empty text (a space is not a text)."""
    return {"type": "string", "pattern": r"\S", "errorMessage": f"'{key}' must be a non-empty text"}


def texts(key: str) -> dict[str, Any]:
    """A text, or a list of texts."""
    return {
        "anyOf": [text(key), {"type": "array", "items": text(key)}],
        "errorMessage": f"'{key}' must be a text or a list of texts",
    }


def flag(key: str) -> dict[str, Any]:
    return {"type": "boolean", "errorMessage": f"'{key}' must be true or false"}


def choice(key: str, values: Sequence[str]) -> dict[str, Any]:
    return {"enum": list(values), "errorMessage": f"'{key}' must be one of: {_one_of_words(values)} (got '{{value}}')"}


def closed(properties: dict[str, Any], required: Sequence[str] = (), **more: Any) -> dict[str, Any]:
    """A mapping with exactly these keys (a typo is an unknown key)."""
    node: dict[str, Any] = {"type": "object", "propertyNames": {"enum": list(properties)}, "properties": properties}
    if required:
        node["required"] = list(required)
    node.update(more)
    return node


# ---------------------------------------------------------------- the rule language


EXPRESSION = closed(
    {
        "phrases": {"type": "array", "items": {"$ref": "#/$defs/phrase"}, "errorMessage": "'phrases' must be a list"},
        "forms": {"type": "array", "items": {"$ref": "#/$defs/phrase"}, "errorMessage": "'forms' must be a list"},
        "patterns": {
            "type": "array",
            "items": {"$ref": "#/$defs/token_pattern"},
            "errorMessage": "'patterns' must be a list",
            "description": "spaCy Matcher token patterns: each a list of token mappings",
        },
        "regex": {"type": "array", "items": {"type": "string", "errorMessage": "a regex must be a text"}, "errorMessage": "'regex' must be a list"},
    },
    description="What to look for: a hit of any of its keys is a hit of the expression",
    errorMessage=f"an expression is a mapping with any of: {_one_of_words(EXPRESSION_KEYS)}",
)

_PATTERN_MESSAGE = "a token pattern is a non-empty list of token mappings, e.g. [{LEMMA: pouvoir}, {LOWER: pas}]"
PHRASE = {
    "anyOf": [
        text("phrase"),
        closed({"phrase": text("phrase"), "suggestion": {"type": "string", "errorMessage": "'suggestion' must be a text"}}, required=("phrase",)),
    ],
    "errorMessage": "a phrase is a text or a mapping {phrase, suggestion}",
}
TOKEN_PATTERN = {
    "type": "array",
    "minItems": 1,
    "items": {"type": "object", "errorMessage": _PATTERN_MESSAGE},
    "errorMessage": _PATTERN_MESSAGE,
}

EXAMPLE = {
    "anyOf": [
        {"type": "string", "pattern": r"\S"},
        closed({"text": {"type": "string", "errorMessage": "'text' must be a text"}, "channel": choice("channel", CHANNELS)}, required=("text",)),
    ],
    "errorMessage": "an example is a text or a mapping {text, channel}",
}
EXAMPLES = closed(
    {
        "flag": {"type": "array", "items": {"$ref": "#/$defs/example"}, "errorMessage": "'flag' must be a list", "description": "texts the rule must flag"},
        "pass": {"type": "array", "items": {"$ref": "#/$defs/example"}, "errorMessage": "'pass' must be a list", "description": "texts the rule must not flag"},
    },
    required=("flag", "pass"),
    errorMessage="'examples' is a mapping with 'flag' and 'pass' lists",
)


def _window(key: str) -> dict[str, Any]:
    return {
        "anyOf": [{"type": "integer", "minimum": 0}, {"const": "all"}],
        "errorMessage": f"'{key}' must be a number of turns (0 or more) or 'all'",
    }


def condition(key: str) -> dict[str, Any]:
    """``unless`` (an excuse) or ``when`` (a condition): one mapping or a list of them."""
    one = closed(
        {
            "match": {"$ref": "#/$defs/expression"},
            "echo": flag("echo"),
            "speaker": choice("speaker", UNLESS_SPEAKERS) | {"errorMessage": f"'speaker' must be one of: {_one_of_words(UNLESS_SPEAKERS)}"},
            "before": _window("before"),
            "after": _window("after"),
            "uninterrupted": flag("uninterrupted"),
            "near": {"type": "integer", "minimum": 0, "errorMessage": "'near' must be a number of tokens (0 or more)"},
        },
        dependentRequired={"near": ["match"]},
        anyOf=[{"required": ["match"]}, {"required": ["echo"], "properties": {"echo": {"const": True}}}],
        errorMessage={
            "type": f"'{key}' is a mapping (or a list of mappings) with 'match' or 'echo'",
            "anyOf": f"'{key}' needs 'match' or 'echo: true'",
        },
    )
    return {"anyOf": [one, {"type": "array", "items": one}], "errorMessage": f"'{key}' is a mapping (or a list of mappings) with 'match' or 'echo'"}


def trigger(key: str) -> dict[str, Any]:
    return closed(
        {"speaker": choice("speaker", SPEAKERS) | {"errorMessage": f"'speaker' must be one of: {_one_of_words(SPEAKERS)}"}, "match": {"$ref": "#/$defs/expression"}},
        required=("match",),
        errorMessage=f"'{key}' is a mapping with 'match' and optionally 'speaker'",
    )


# A field's kind -> its sub-schema: a new kind of field is one entry here (and, if its
# value must be turned into something, one converter in rule_loader).
FIELD_KINDS: dict[str, Callable[[str, Field], dict[str, Any]]] = {
    "expression": lambda name, field: {"$ref": "#/$defs/expression"},
    "trigger": lambda name, field: trigger(name),
    "choice": lambda name, field: {"enum": list(field.choices), "errorMessage": f"must be one of: {_one_of_words(field.choices)} (got '{{value}}')"},
    "count": lambda name, field: {"type": "integer", "minimum": 1, "errorMessage": "must be a whole number of turns, 1 or more"},
    "number": lambda name, field: {"type": "number", "minimum": 0, "errorMessage": "must be a number, 0 or more (e.g. 120 or 1.5)"},
}


def field_schema(name: str, field: Field) -> dict[str, Any]:
    node = FIELD_KINDS[field.kind](name, field)
    if field.default is not None:
        node = {**node, "default": field.default}
    return node


COMMON_PROPERTIES: dict[str, Any] = {
    "id": {
        "type": "string",
        "pattern": ID_PATTERN,
        "description": "stable identifier: lower-case words joined by '-' ('.' and '_' allowed), unique across all packs",
        "errorMessage": {"type": "'id' must be a non-empty text", "pattern": "rule id '{value}' must be lower-case words joined by '-' (e.g. 'jargon-generic-item')"},
    },
    "category": {
        "type": "string",
        "pattern": ID_PATTERN,
        "description": "a lower-case word, used by filters and reports",
        "errorMessage": {"type": "'category' must be a non-empty text", "pattern": "category '{value}' must be a lower-case word"},
    },
    "severity": choice("severity", SEVERITIES),
    "check": {
        "enum": list(CHECK_TYPES),
        "description": "the check type that judges the rule",
        "errorMessage": f"unknown check '{{value}}' (expected one of: {_one_of_words(CHECK_TYPES)})",
    },
    "message": text("message") | {"description": "French, shown for each finding; may use placeholders such as {match}"},
    "rationale": text("rationale") | {"description": "French: why this hurts the customer relationship"},
    "suggestion": texts("suggestion") | {"description": "French: what to say instead; the first whose placeholders all have a value is used"},
    "speaker": choice("speaker", SPEAKERS) | {"default": "agent"},
    "channels": {
        "anyOf": [{"enum": list(CHANNELS)}, {"type": "array", "items": {"enum": list(CHANNELS)}}],
        "errorMessage": f"unknown channel '{{value}}' (expected: {_one_of_words(CHANNELS)})",
        "description": "channels the rule applies to (default: all)",
    },
    "unless": {"$ref": "#/$defs/unless"},
    "when": {"$ref": "#/$defs/when"},
    "critical": flag("critical") | {"description": "one finding scores the transcript 0"},
    "preview": flag("preview") | {"description": "off unless the run asks for preview rules"},
    "measured": closed(
        {
            "precision": {"type": ["number", "null"], "minimum": 0, "maximum": 1, "errorMessage": "'precision' must be a number from 0 to 1, or null when not measured"},
            "recall": {"type": ["number", "null"], "minimum": 0, "maximum": 1, "errorMessage": "'recall' must be a number from 0 to 1, or null when not measured"},
            "conversations": {"type": "integer", "minimum": 0, "errorMessage": "'conversations' must be a whole number"},
            "corpus": text("corpus"),
        },
        required=("corpus",),
        errorMessage=f"'measured' is a mapping with: {_one_of_words(MEASURED_KEYS)}",
    ),
    "examples": {"$ref": "#/$defs/examples"},
}
COMMON_FIELDS = tuple(COMMON_PROPERTIES)
COMMON_REQUIRED = ("id", "category", "severity", "check", "message", "rationale", "examples")


def rule_schema() -> dict[str, Any]:
    """A rule: the common keys, and the fields of its check type only."""
    by_check = []
    for name, check_type in CHECK_TYPES.items():
        fields = check_type.FIELDS
        then: dict[str, Any] = {
            "properties": {key: field_schema(key, field) for key, field in fields.items()},
            "propertyNames": {"enum": [*COMMON_FIELDS, *fields]},
        }
        required = [key for key, field in fields.items() if field.required]
        if required:
            then["required"] = required
        by_check.append({"if": {"properties": {"check": {"const": name}}, "required": ["check"]}, "then": then})
    # A rule without a known check may only have the common keys.
    by_check.append(
        {
            "if": {"not": {"properties": {"check": {"enum": list(CHECK_TYPES)}}, "required": ["check"]}},
            "then": {"propertyNames": {"enum": list(COMMON_FIELDS)}},
        }
    )
    return {
        "type": "object",
        "required": list(COMMON_REQUIRED),
        "properties": COMMON_PROPERTIES,
        "allOf": by_check,
        "errorMessage": "each rule must be a mapping",
    }


@functools.cache
def rule_pack_schema() -> dict[str, Any]:
    """The JSON Schema of a rule pack (``transcript-audit rules schema``)."""
    return {
        "$schema": DIALECT,
        "title": "transcript-audit rule pack",
        "description": "Rules for transcript-audit (docs/rules.md): a 'rules:' list, and optionally 'extends:' and 'disable:'",
        "type": "object",
        "propertyNames": {"enum": list(PACK_KEYS)},
        "properties": {
            "rules": {"type": "array", "items": {"$ref": "#/$defs/rule"}, "errorMessage": "'rules' must be a list of rules"},
            "extends": {
                "type": "array",
                "description": "changes to rules defined elsewhere (usually built-in ones)",
                "items": closed(
                    {"rule": text("rule"), "add": {"$ref": "#/$defs/expression"}, "severity": choice("severity", SEVERITIES), "examples": {"$ref": "#/$defs/examples"}},
                    required=("rule",),
                    errorMessage="each 'extends' entry is a mapping with 'rule' and 'add', 'severity' or 'examples'",
                ),
                "errorMessage": "'extends' must be a list of {rule, add, severity, examples}",
            },
            "disable": {
                "type": "array",
                "description": "rule ids or globs to switch off",
                "items": {"type": "string", "errorMessage": "'disable' must be a list of rule ids (glob patterns allowed)"},
                "errorMessage": "'disable' must be a list of rule ids (glob patterns allowed)",
            },
        },
        "if": {"not": {"anyOf": [{"required": ["extends"]}, {"required": ["disable"]}]}},
        "then": {"required": ["rules"]},
        "errorMessage": "a rule pack is a mapping with a 'rules:' list (and optionally 'extends:' and 'disable:')",
        "$defs": {
            "rule": rule_schema(),
            "expression": EXPRESSION,
            "phrase": PHRASE,
            "token_pattern": TOKEN_PATTERN,
            "example": EXAMPLE,
            "examples": EXAMPLES,
            "unless": condition("unless"),
            "when": condition("when"),
        },
    }


# ---------------------------------------------------------------- the configuration

FAIL_ON = tuple(level.value for level in FailOn)
_SEVERITY_MESSAGE = f"'severity' maps rule ids, categories or globs to one of: {_one_of_words(SEVERITIES)}"
_SEVERITY_MAP = {"type": "object", "additionalProperties": {"enum": list(SEVERITIES), "errorMessage": _SEVERITY_MESSAGE}, "errorMessage": _SEVERITY_MESSAGE}
_WEIGHTS_MESSAGE = "'weights' maps categories to a weight between 0 and 10 (1 is the default)"


PER_PATH = closed(
    {
        "paths": texts("paths") | {"description": "globs relative to the configuration file"},
        "select": texts("select"),
        "ignore": texts("ignore"),
        "severity": _SEVERITY_MAP,
    },
    required=("paths",),
    errorMessage="each 'per-path' entry needs 'paths' (globs) and select, ignore or severity",
)

CONFIG_PROPERTIES: dict[str, Any] = {
    "packs": texts("packs") | {"description": "folders or files of rule packs, added to the built-in ones"},
    "builtin-rules": flag("builtin-rules") | {"default": True},
    "select": texts("select") | {"description": "rule ids, categories or globs; empty means all"},
    "ignore": texts("ignore"),
    "severity": _SEVERITY_MAP,
    "fail-on": choice("fail-on", FAIL_ON),
    "include": texts("include"),
    "exclude": texts("exclude"),
    "input-format": text("input-format") | {"errorMessage": "'input-format' must be a text"},
    "agents": texts("agents"),
    "agent-domains": texts("agent-domains"),
    "columns": {
        "type": "object",
        "propertyNames": {"enum": list(COLUMN_FIELDS)},
        "additionalProperties": {"type": "string", "errorMessage": "'columns' must map names to texts"},
        "errorMessage": f"'columns' maps {_one_of_words(COLUMN_FIELDS)} to column names",
        "description": "CSV column names: conversation, role, text, time…",
    },
    "per-path": {"type": "array", "items": PER_PATH, "errorMessage": "'per-path' must be a list of {paths, select, ignore, severity}"},
    "weights": {
        "type": "object",
        "additionalProperties": {"type": "number", "minimum": 0, "maximum": 10, "errorMessage": _WEIGHTS_MESSAGE},
        "errorMessage": _WEIGHTS_MESSAGE,
    },
    "preview": flag("preview") | {"default": False},
}


@functools.cache
def config_schema() -> dict[str, Any]:
    """The JSON Schema of ``.transcript-audit.yaml`` and ``[tool.transcript-audit]``."""
    return {
        "$schema": DIALECT,
        "title": "transcript-audit configuration",
        "description": "Settings of transcript-audit (docs/configuration.md)",
        **closed(CONFIG_PROPERTIES, errorMessage="a configuration is a mapping of settings"),
    }


# ---------------------------------------------------------------- validation


@functools.cache
def _validator(which: str) -> Any:
    # Imported here: jsonschema costs more to import than the rest of rule loading.
    import jsonschema

    base = jsonschema.Draft202012Validator
    # JSON has no NaN or infinity: a YAML .nan or .inf is not a number.
    checker = base.TYPE_CHECKER.redefine(
        "number", lambda checker, value: base.TYPE_CHECKER.is_type(value, "number") and math.isfinite(value)
    )
    cls = jsonschema.validators.extend(base, type_checker=checker)
    schema = rule_pack_schema() if which == "rules" else config_schema()
    return cls(_inlined(schema, schema.get("$defs", {})))


def _inlined(node: Any, defs: dict[str, Any]) -> Any:
    """The schema with each ``$ref`` replaced by its definition: the same schema, validated
    three times faster (jsonschema resolves a reference at every use)."""
    if isinstance(node, dict):
        if "$ref" in node:
            return _inlined(defs[node["$ref"].removeprefix("#/$defs/")], defs)
        return {key: _inlined(value, defs) for key, value in node.items() if key != "$defs"}
    if isinstance(node, list):
        return [_inlined(value, defs) for value in node]
    return node


Path = tuple[Any, ...]  # keys and indexes from the document's root


def validate(document: Any, which: str, source: str = "") -> list[tuple[Path, str]]:
    """Every problem of ``document`` against the ``rules`` or ``config`` schema, as
    (path to the value to point at, message). ``source`` is the file's text, to
    recognise an unquoted ``on`` that YAML read as a boolean."""
    lines = source.splitlines()
    problems: list[tuple[Path, str]] = []
    for error in _validator(which).iter_errors(document):
        problems.extend(_describe(error, lines, document, which))
    return problems


def _describe(error: Any, lines: list[str], document: Any, which: str) -> Iterator[tuple[Path, str]]:
    path = tuple(error.absolute_path)
    kind, instance, node = error.validator, error.instance, error.schema
    if kind in ("anyOf", "oneOf"):
        branch = _branch_for(error.validator_value, instance)
        if branch is not None:
            for sub in error.context:
                if sub.relative_schema_path[0] == branch:
                    yield from _describe(sub, lines, document, which)
            return
    if kind == "required":
        for key in error.validator_value:
            if isinstance(instance, dict) and key not in instance:
                yield path, f"missing required key '{key}'"
        return
    if kind == "dependentRequired":
        for key, needed in error.validator_value.items():
            missing = [name for name in needed if name not in instance]
            if key in instance and missing:
                yield (*path, key), f"'{key}' needs '{missing[0]}'"
        return
    schema_path = list(error.absolute_schema_path)
    if len(schema_path) >= 2 and schema_path[-2] == "propertyNames":
        allowed = list(error.validator_value)
        close = difflib.get_close_matches(instance, allowed, n=1, cutoff=0.6)
        hint = f" (did you mean '{close[0]}'?)" if close else f" (expected one of: {', '.join(allowed)})"
        if which == "config":  # a setting at the top, a key of a setting's entries below
            unknown = f"unknown key '{instance}' in '{path[0]}'" if path else f"unknown setting '{instance}'"
        else:
            unknown = f"unknown key '{instance}'"
        yield (*path, _KeyOf(instance)), unknown + hint
        return
    boolean = _boolean_word(instance, node, path, lines, document)
    if boolean:
        yield path, boolean
        return
    message = node.get("errorMessage") if isinstance(node, dict) else None
    if isinstance(message, dict):
        message = message.get(kind)
    if message is None:
        message = _inherited_message(error)
    yield path, (message or error.message).replace("{value}", str(instance))


def _inherited_message(error: Any) -> str | None:
    """The message of the nearest enclosing node that has one (an anyOf of texts…)."""
    parent = error.parent
    while parent is not None:
        message = parent.schema.get("errorMessage") if isinstance(parent.schema, dict) else None
        if isinstance(message, dict):
            message = message.get(parent.validator)
        if message:
            return message
        parent = parent.parent
    return None


class _KeyOf(str):
    """A path step that means "the key itself", not its value."""


_JSON_TYPES = {dict: "object", list: "array", str: "string", bool: "boolean"}


def _json_type(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    for python, name in _JSON_TYPES.items():
        if isinstance(value, python):
            return name
    return "null" if value is None else "other"


def _branch_for(branches: list[Any], instance: Any) -> int | None:
    """The one branch of an anyOf made for this kind of value when it is a mapping or a
    list (so its own errors are the useful ones); None otherwise."""
    kind = _json_type(instance)
    if kind not in ("object", "array"):
        return None
    fitting = [i for i, branch in enumerate(branches) if isinstance(branch, dict) and branch.get("type") in (kind, None) and "type" in branch]
    return fitting[0] if len(fitting) == 1 else None


def _expects_text(node: Any) -> bool:
    if not isinstance(node, dict):
        return False
    kinds = node.get("type")
    if kinds == "string" or (isinstance(kinds, list) and "string" in kinds):
        return True
    if any(isinstance(value, str) for value in node.get("enum", ())):
        return True
    return any(_expects_text(branch) for branch in [*node.get("anyOf", ()), *node.get("oneOf", ())])


def _boolean_word(instance: Any, node: Any, path: Path, lines: list[str], document: Any) -> str | None:
    """A bare yes/no/on/off where a text is expected: YAML read it as a boolean."""
    if not isinstance(instance, bool) or not _expects_text(node):
        return None
    mark = locate(document, path)
    if mark is None or not 0 < mark.line <= len(lines):
        return None
    word = re.match(r"[A-Za-z]+", lines[mark.line - 1][mark.column - 1 :])
    if word is None or word.group().lower() not in YAML_BOOLEANS:
        return None
    written = word.group()
    return f"`{written}` is read by YAML as the boolean {str(instance).lower()}: write it in quotes ('{written}') to mean the word"


def locate(document: Any, path: Path) -> Mark | None:
    """The mark of the value (or, for a ``_KeyOf`` step, the key) at ``path``."""
    mark = getattr(document, "mark", None)
    value = document
    for step in path:
        if isinstance(step, _KeyOf) and isinstance(value, LocatedDict):
            return value.key_marks.get(str(step), mark)
        if isinstance(value, LocatedDict) and step in value:
            mark, value = value.value_marks[step], value[step]
        elif isinstance(value, LocatedList) and isinstance(step, int) and step < len(value):
            mark, value = value.item_marks[step], value[step]
        else:
            return mark
    return mark


# ---------------------------------------------------------------- verdicts remembered


@functools.cache
def digest_of(which: str) -> str:
    """The schema's identity: an ``AuditCache`` verdict holds only for the schema that gave it.

    A warm run reads the same packs again: remembering that this schema accepted
    this text spares importing jsonschema and validating, a third of the run."""
    import json

    from .cache import digest

    return digest(which, json.dumps(rule_pack_schema() if which == "rules" else config_schema(), sort_keys=True))
