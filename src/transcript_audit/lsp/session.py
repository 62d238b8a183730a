"""What the server keeps between keystrokes: configurations, rules, one Auditor each.

The configuration and the packs are found as ``check`` finds them (the
nearest ``.transcript-audit.yaml`` or ``pyproject.toml`` above the file, its
``packs``), the model is loaded once (``nlp._load`` keeps it per component
set) and the audit cache serves the parses and findings of every response
that did not change, so an edit re-parses only the response it touched.
A configuration or pack that does not load keeps the previous rules (or the
built-in ones) and its located errors are shown on the file at fault.
"""

from __future__ import annotations

import dataclasses
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from ..config import Config, ConfigError, find_config, load_config
from ..engine import AuditOptions, Auditor, load_active_rules
from ..model import ReadError, TranscriptResult
from ..readers.base import ReaderOptions
from ..rule_loader import RuleLoadError, builtin_rules_dir, load_rules, rule_files

_PACK_START = re.compile(r"^rules\s*:", re.MULTILINE)


@dataclass
class Setting:
    """One configuration's audit: its options, its Auditor, and what went wrong loading them."""

    config_path: Path | None
    options: AuditOptions
    auditor: Auditor | None
    errors: list[ReadError] = field(default_factory=list)  # configuration and pack errors, located


@dataclass
class AuditedText:
    format: str
    results: list[TranscriptResult]
    errors: list[ReadError]


@dataclass
class PackReport:
    """A rule pack open in the editor: why it does not load, and its failing examples."""

    errors: list[ReadError]
    failures: list  # rule_examples.ExampleOutcome that did not pass


def options_from(config: Config) -> AuditOptions:
    """The ``check`` options a configuration gives (``check_command`` without command-line flags)."""
    return AuditOptions(
        rule_dirs=list(config.packs),
        builtin_rules=config.builtin_rules,
        select=config.select,
        ignore=config.ignore,
        include=config.include,
        exclude=config.exclude,
        input_format=config.input_format,
        reader=ReaderOptions(
            agent_speakers=tuple(config.agents), agent_domains=tuple(config.agent_domains), columns=config.columns
        ),
        severity=config.severity,
        per_path=config.per_path,
        weights=config.weights,
        preview=config.preview,
        keep_texts=True,  # findings are placed through their turns
    )


class Session:
    def __init__(self, cache=None):
        self.cache = cache
        self._settings: dict[Path | None, Setting] = {}
        self.problem_files: set[str] = set()  # configuration and pack files that had errors last time

    # ------------------------------------------------------------ configuration

    def setting_for(self, path: Path) -> Setting:
        config_path = find_config(path.parent)
        key = config_path.resolve() if config_path else None
        if key not in self._settings:
            self._settings[key] = self._load(config_path, self._settings.get(key))
        return self._settings[key]

    def reload(self) -> list[Setting]:
        """Read every configuration and its packs again (one changed); broken ones keep their rules."""
        previous = dict(self._settings)
        self._settings = {key: self._load(setting.config_path, setting) for key, setting in previous.items()}
        return list(self._settings.values())

    def settings(self) -> list[Setting]:
        return list(self._settings.values())  # a copy (see ``watched``)

    def _load(self, config_path: Path | None, previous: Setting | None) -> Setting:
        errors: list[ReadError] = []
        config = Config()
        if config_path is not None:
            try:
                config = load_config(config_path, self.cache)
            except ConfigError as error:
                errors.extend(error.errors)
                if previous is not None:
                    return dataclasses.replace(previous, errors=errors)
        options = options_from(config)
        try:
            rules = load_active_rules(options, cache=self.cache)
        except RuleLoadError as error:
            errors.extend(error.errors)
            if previous is not None and previous.auditor is not None:
                return Setting(config_path, previous.options, previous.auditor, errors)
            options = dataclasses.replace(options, rule_dirs=[])  # the built-in rules meanwhile
            rules = load_active_rules(options, cache=self.cache) if options.builtin_rules else []
        auditor = Auditor(rules, per_path=options.per_path, weights=options.weights, cache=self.cache) if rules else None
        return Setting(config_path, options, auditor, errors)

    def watched(self, path: Path) -> bool:
        """Does a change to this file call for a reload (a configuration, a pack in use)?"""
        if path.name in (".transcript-audit.yaml", ".transcript-audit.yml", "pyproject.toml"):
            return True
        resolved = path.resolve()
        # A copy: the event loop asks this while the worker thread may be adding a setting.
        for setting in list(self._settings.values()):
            if setting.config_path is not None and setting.config_path.resolve() == resolved:
                return True
            for folder in setting.options.rule_dirs:
                folder = Path(folder).resolve()
                if resolved == folder or folder in resolved.parents:
                    return True
        return False

    # ------------------------------------------------------------ documents

    def is_pack(self, path: Path, text: str) -> bool:
        """A rule pack: YAML under a configured pack folder or a ``rules/`` folder, or with a top-level ``rules:``."""
        if path.suffix.lower() not in (".yaml", ".yml") or path.name.startswith(".transcript-audit"):
            return False
        if "rules" in path.parts[:-1] or _PACK_START.search(text):
            return True
        resolved = path.resolve()
        return any(
            Path(folder).resolve() in resolved.parents
            for setting in list(self._settings.values())
            for folder in setting.options.rule_dirs
        )

    def audit_text(self, path: Path, text: str) -> AuditedText:
        """Audit a document's current (maybe unsaved) text with its configuration's rules."""
        from ..pipeline import audit_inputs
        from ..readers import display_path, reader_for

        setting = self.setting_for(path)
        data = text.encode("utf-8")
        module = reader_for(path, data, setting.options.input_format)
        source = display_path(path)
        transcripts, errors = module.read(data, source, setting.options.reader)
        if setting.auditor is None:
            return AuditedText(module.FORMAT, [], errors)
        result = audit_inputs([(transcripts, errors)], setting.options, auditor=setting.auditor)
        return AuditedText(module.FORMAT, result.transcripts, result.errors)

    def pack_report(self, path: Path, text: str) -> PackReport:
        """Load a pack's current text beside the other packs, then run its examples (``rules test``)."""
        from ..rule_examples import run_examples

        setting = self.setting_for(path)
        resolved = path.resolve()
        others = [folder for folder in ([builtin_rules_dir()] + list(setting.options.rule_dirs))]
        other_files = [file for file in rule_files(Path(f) for f in others if Path(f).exists()) if file.resolve() != resolved]
        with tempfile.TemporaryDirectory(prefix="transcript-audit-lsp-") as folder:
            copy = Path(folder) / path.name
            copy.write_text(text, encoding="utf-8")
            try:
                rules = load_rules([*other_files, copy], memo=self.cache)
            except RuleLoadError as error:
                mine = [e for e in error.errors if _same_file(e.path, copy)]
                return PackReport(mine or [ReadError(str(path), None, str(e)) for e in error.errors], [])
            # The examples written in this file: of the rules it defines, and of the rules
            # it extends (``extends:`` adds examples to a rule of another pack).
            def mine(example) -> bool:
                return _same_file(example.source, copy)

            own = [rule for rule in rules if any(mine(e) for e in (*rule.flag_examples, *rule.pass_examples))]
            if not own:
                return PackReport([], [])
            outcomes = run_examples(Auditor(own, cache=self.cache))
        return PackReport([], [outcome for outcome in outcomes if not outcome.passed and mine(outcome.example)])


def _same_file(shown: str | None, path: Path) -> bool:
    if shown is None:
        return False
    try:
        return Path(shown).resolve() == path.resolve()
    except (OSError, RuntimeError):
        return False
