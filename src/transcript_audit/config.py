"""The project configuration: ``.transcript-audit.yaml`` or ``[tool.transcript-audit]``.

Discovered upward from the first audited path (the nearest folder that has
either file wins), or forced with ``--config``. Command-line options override
it. Every key is documented in docs/configuration.md and in the starter file
that ``transcript-audit init`` writes.
"""

from __future__ import annotations

import fnmatch
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import located_yaml, schema
from .located_yaml import LocatedDict, Mark
from .model import ReadError, Severity

if TYPE_CHECKING:
    from .rule_loader import Verdicts

CONFIG_NAMES = (".transcript-audit.yaml", ".transcript-audit.yml")


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


def load_config(path: Path, memo: Verdicts | None = None) -> Config:
    """Read and validate a configuration file; raises ``ConfigError`` listing every problem.

    With a ``memo`` (the audit cache), a text the schema accepted before is not validated again.

    Which settings exist and what their values are is the configuration schema's
    to say (``schema.config_schema``, printed by ``transcript-audit config schema``)."""
    shown = path.as_posix()
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
            data = located_yaml.load(text)
        except located_yaml.YamlError as error:
            mark = error.mark
            raise ConfigError([ReadError(shown, mark.line if mark else None, error.message, mark.column if mark else None)]) from None
        data = LocatedDict() if data is None else data
        marks = getattr(data, "key_marks", {})
    if not isinstance(data, dict):
        raise ConfigError([ReadError(shown, 1, "a configuration is a mapping of settings", 1)])
    if memo is None or not memo.accepted("configuration", schema.digest_of("config"), text):
        errors = []
        for where, message in schema.validate(data, "config", text):
            # Located at the setting's key (a pyproject.toml gives no positions).
            mark = marks.get(str(where[0])) if where else None
            errors.append(ReadError(shown, mark.line if mark else None, message, mark.column if mark else None))
        if errors:
            raise ConfigError(sorted(errors, key=lambda e: (e.line or 0, e.column or 0)))
        if memo is not None:
            memo.accept("configuration", schema.digest_of("config"), text)
    return _config(path, data)


def _config(path: Path, data: dict[str, Any]) -> Config:
    """The settings of a configuration the schema accepted."""
    base = path.parent
    config = Config(path=path)
    for key, value in data.items():
        name = key.replace("-", "_")
        if key == "packs":
            config.packs = [base / item for item in _texts(value)]
        elif key in ("select", "ignore", "include", "exclude", "agents", "agent-domains"):
            setattr(config, name, _texts(value))
        elif key == "severity":
            config.severity = _severities(value)
        elif key == "input-format":
            config.input_format = value.strip()
        elif key == "weights":
            config.weights = {str(k): float(v) for k, v in value.items()}
        elif key == "per-path":
            config.per_path = [
                PathOverride(
                    paths=_texts(item["paths"]), base=base, select=_texts(item.get("select", [])),
                    ignore=_texts(item.get("ignore", [])), severity=_severities(item.get("severity", {})),
                )
                for item in value
            ]
        else:  # builtin-rules, preview, fail-on, columns: as written
            setattr(config, name, dict(value) if isinstance(value, dict) else value)
    return config


def _texts(value: str | list[str]) -> list[str]:
    return [item.strip() for item in ([value] if isinstance(value, str) else value)]


def _severities(value: dict[str, str]) -> dict[str, Severity]:
    return {str(k): Severity(v) for k, v in value.items()}


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
