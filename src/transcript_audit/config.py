"""The project configuration: ``.transcript-audit.yaml`` or ``[tool.transcript-audit]``.

Discovered upward from the first audited path (the nearest folder that has
either file wins), or forced with ``--config``. Command-line options override
it. Every key is documented in docs/configuration.md and in the starter file
that ``transcript-audit init`` writes.
"""

from __future__ import annotations

import difflib
import fnmatch
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import located_yaml
from .located_yaml import LocatedDict, Mark
from .model import ReadError, Severity

CONFIG_NAMES = (".transcript-audit.yaml", ".transcript-audit.yml")
FAIL_ON = ("info", "warning", "error", "never")

KEYS = (
    "packs", "builtin-rules", "select", "ignore", "severity", "fail-on", "include", "exclude",
    "input-format", "agents", "agent-domains", "columns", "per-path", "weights", "preview",
)
PER_PATH_KEYS = ("paths", "select", "ignore", "severity")


class ConfigError(Exception):
    def __init__(self, errors: list[ReadError]):
        super().__init__("\n".join(str(error) for error in errors))
        self.errors = errors


@dataclass
class PathOverride:
    """Settings for the transcripts whose path matches one of ``paths``.

    The globs are relative to ``base``, the folder of the configuration file.
    """

    paths: list[str]
    base: Path = Path(".")
    select: list[str] = field(default_factory=list)
    ignore: list[str] = field(default_factory=list)
    severity: dict[str, Severity] = field(default_factory=dict)


@dataclass
class Config:
    path: Path | None = None
    packs: list[Path] = field(default_factory=list)
    builtin_rules: bool = True
    select: list[str] = field(default_factory=list)
    ignore: list[str] = field(default_factory=list)
    severity: dict[str, Severity] = field(default_factory=dict)
    fail_on: str | None = None
    include: list[str] = field(default_factory=list)
    exclude: list[str] = field(default_factory=list)
    input_format: str | None = None
    agents: list[str] = field(default_factory=list)
    agent_domains: list[str] = field(default_factory=list)
    columns: dict[str, str] = field(default_factory=dict)
    per_path: list[PathOverride] = field(default_factory=list)
    weights: dict[str, float] = field(default_factory=dict)
    preview: bool = False  # run the preview rules too


def find_config(start: Path) -> Path | None:
    """The nearest configuration at or above ``start`` (a file's folder for a file)."""
    folder = start.resolve()
    if not folder.is_dir():
        folder = folder.parent
    for candidate in (folder, *folder.parents):
        for name in CONFIG_NAMES:
            if (candidate / name).is_file():
                return candidate / name
        pyproject = candidate / "pyproject.toml"
        if pyproject.is_file() and _has_tool_table(pyproject):
            return pyproject
    return None


def _has_tool_table(pyproject: Path) -> bool:
    try:
        return "transcript-audit" in tomllib.loads(pyproject.read_text(encoding="utf-8")).get("tool", {})
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return False


def load_config(path: Path) -> Config:
    """Read and validate a configuration file; raises ``ConfigError`` listing every problem."""
    shown = path.as_posix()
    errors: list[ReadError] = []
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError([ReadError(shown, None, f"cannot read configuration: {error}")]) from None
    if path.name == "pyproject.toml":
        try:
            data = tomllib.loads(text).get("tool", {}).get("transcript-audit", {})
        except tomllib.TOMLDecodeError as error:
            raise ConfigError([ReadError(shown, None, f"invalid TOML: {error}")]) from None
        marks: dict[str, Mark] = {}
    else:
        try:
            data = located_yaml.load(text) or LocatedDict()
        except located_yaml.YamlError as error:
            mark = error.mark
            raise ConfigError([ReadError(shown, mark.line if mark else None, error.message, mark.column if mark else None)]) from None
        marks = getattr(data, "key_marks", {})
    if not isinstance(data, dict):
        raise ConfigError([ReadError(shown, 1, "a configuration is a mapping of settings", 1)])
    reader = _Reader(shown, marks, errors)
    config = Config(path=path)
    base = path.parent
    for key, value in data.items():
        if key not in KEYS:
            reader.unknown(key, KEYS)
            continue
        name = key.replace("-", "_")
        if key == "packs":
            config.packs = [base / item for item in reader.strings(key, value)]
        elif key == "builtin-rules":
            config.builtin_rules = reader.boolean(key, value)
        elif key == "preview":
            config.preview = reader.boolean(key, value)
        elif key in ("select", "ignore", "include", "exclude", "agents", "agent-domains"):
            setattr(config, name, reader.strings(key, value))
        elif key == "severity":
            config.severity = reader.severities(key, value)
        elif key == "fail-on":
            config.fail_on = reader.choice(key, value, FAIL_ON)
        elif key == "input-format":
            config.input_format = reader.text(key, value)
        elif key == "columns":
            config.columns = reader.mapping(key, value)
        elif key == "weights":
            config.weights = reader.weights(key, value)
        elif key == "per-path":
            config.per_path = reader.per_path(key, value)
            for override in config.per_path:
                override.base = base
    if errors:
        raise ConfigError(errors)
    return config


class _Reader:
    """Typed access to configuration values, with errors located at their key."""

    def __init__(self, path: str, marks: dict[str, Mark], errors: list[ReadError]):
        self.path, self.marks, self.errors = path, marks, errors

    def error(self, key: str, message: str) -> None:
        mark = self.marks.get(key)
        self.errors.append(ReadError(self.path, mark.line if mark else None, message, mark.column if mark else None))

    def unknown(self, key: str, allowed: tuple[str, ...]) -> None:
        close = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
        hint = f" (did you mean '{close[0]}'?)" if close else f" (expected one of: {', '.join(allowed)})"
        self.error(key, f"unknown setting '{key}'{hint}")

    def strings(self, key: str, value: Any) -> list[str]:
        values = [value] if isinstance(value, str) else value
        if not isinstance(values, list) or not all(isinstance(v, str) and v.strip() for v in values):
            self.error(key, f"'{key}' must be a text or a list of texts")
            return []
        return [v.strip() for v in values]

    def text(self, key: str, value: Any) -> str | None:
        if not isinstance(value, str) or not value.strip():
            self.error(key, f"'{key}' must be a text")
            return None
        return value.strip()

    def boolean(self, key: str, value: Any) -> bool:
        if not isinstance(value, bool):
            self.error(key, f"'{key}' must be true or false")
            return True
        return value

    def choice(self, key: str, value: Any, choices: tuple[str, ...]) -> str | None:
        if value not in choices:
            self.error(key, f"'{key}' must be one of: {', '.join(choices)} (got '{value}')")
            return None
        return value

    def mapping(self, key: str, value: Any) -> dict[str, str]:
        if not isinstance(value, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in value.items()):
            self.error(key, f"'{key}' must map names to texts")
            return {}
        return dict(value)

    def severities(self, key: str, value: Any) -> dict[str, Severity]:
        levels = [s.value for s in Severity]
        if not isinstance(value, dict) or not all(isinstance(v, str) and v in levels for v in value.values()):
            self.error(key, f"'{key}' maps rule ids, categories or globs to one of: {', '.join(levels)}")
            return {}
        return {str(k): Severity(v) for k, v in value.items()}

    def weights(self, key: str, value: Any) -> dict[str, float]:
        valid = isinstance(value, dict) and all(
            isinstance(v, (int, float)) and not isinstance(v, bool) and 0 <= v <= 10 for v in value.values()
        )
        if not valid:
            self.error(key, f"'{key}' maps categories to a weight between 0 and 10 (1 is the default)")
            return {}
        return {str(k): float(v) for k, v in value.items()}

    def per_path(self, key: str, value: Any) -> list[PathOverride]:
        if not isinstance(value, list):
            self.error(key, f"'{key}' must be a list of {{paths, select, ignore, severity}}")
            return []
        overrides = []
        for item in value:
            if not isinstance(item, dict) or "paths" not in item:
                self.error(key, f"each '{key}' entry needs 'paths' (globs) and select, ignore or severity")
                continue
            for name in item:
                if name not in PER_PATH_KEYS:
                    close = difflib.get_close_matches(name, PER_PATH_KEYS, n=1)
                    self.error(key, f"unknown key '{name}' in '{key}'" + (f" (did you mean '{close[0]}'?)" if close else ""))
            overrides.append(
                PathOverride(
                    paths=self.strings(key, item["paths"]),
                    select=self.strings(key, item.get("select", [])),
                    ignore=self.strings(key, item.get("ignore", [])),
                    severity=self.severities(key, item.get("severity", {})),
                )
            )
        return overrides


STARTER = """\
# transcript-audit configuration: found in this folder or any folder above the audited
# paths. Command-line options override these settings. Reference: docs/configuration.md

# Your own rule packs (folders or files), added to the built-in ones. A pack can add your
# company's jargon to a built-in rule ("extends:") or switch rules off ("disable:").
packs: []
# packs: [qualite/regles]

# builtin-rules: true

# Only these rules or categories (ids, categories or globs); empty means all.
select: []
# Never these.
ignore: []
# ignore: [greeting-too-familiar, "vague-*"]

# Change the severity of rules or categories: info, warning or error.
severity: {}
# severity: {jargon: error, vague-promise: info}

# The lowest severity that makes the run exit 1: info, warning, error or never.
fail-on: warning

# Files read inside folders, and files skipped (globs on the name or the path).
# include: ["*.txt", "*.json"]
exclude: []

# Diarised speakers who are the agent (SPEAKER_00, spk_1, A), and e-mail domains of the agents.
agents: []
agent-domains: []
# agent-domains: [acme.fr]

# CSV column names, when your export's headers are not recognised.
columns: {}
# columns: {conversation: Dossier, role: Qui, text: Message, time: Date}

# Preview rules are not yet precise enough on real conversations (README, "Measured
# quality"): they are off unless this is true or the run has --preview.
preview: false

# Scorecard: how much a category's findings weigh in a transcript's score (1 by default).
weights: {}
# weights: {empathy: 2, dismissive: 2, greeting: 0.5}

# Settings for some paths only.
per-path: []
# per-path:
#   - paths: ["macros/snippets/**"]
#     ignore: [greeting, closing]
#   - paths: ["chats/**"]
#     severity: {greeting-too-familiar: info}
"""


def path_matches(path: str, override: PathOverride) -> bool:
    """Does a transcript's path match the override's globs (relative to the configuration's folder)?"""
    resolved = Path(path).resolve()
    try:
        relative = resolved.relative_to(override.base.resolve()).as_posix()
    except ValueError:
        relative = path
    return any(fnmatch.fnmatch(relative, p) or fnmatch.fnmatch(relative, p.replace("**/", "")) for p in override.paths)
