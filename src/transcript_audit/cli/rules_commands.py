"""``transcript-audit rules list|show|test|schema|precision``: inspect the rules, test a team's own packs, print the rule-pack schema, measure the rules on the analysts' verdicts."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer

from ..model import ExitCode
from .common import ConfigOption, NoBuiltinOption, RulesOption, configuration, fail, report_errors, rule_folders

rules_app = typer.Typer(help="List, show and test the rules.", no_args_is_help=True)


def _load(rules: list[Path] | None, no_builtin_rules: bool, config: Path | None, validate_patterns: bool):
    from ..engine import AuditOptions, load_active_rules
    from ..rule_loader import RuleLoadError

    settings = configuration(config, Path.cwd())
    options = AuditOptions(
        rule_dirs=rule_folders(settings, rules),
        builtin_rules=settings.builtin_rules and not no_builtin_rules,
        severity=settings.severity,
        preview=True,  # every rule is listed, shown and tested, preview ones marked
    )
    try:
        return load_active_rules(options, validate_patterns=validate_patterns, cache=_validators_memo())
    except RuleLoadError as error:
        report_errors(error.errors)


def _validators_memo():
    """The audit cache, for what validators accepted in earlier runs (a pack unchanged since
    is not validated again); None, silently, where its folder cannot be used."""
    from ..cache import AuditCache, CacheUnavailable, default_cache_dir

    try:
        return AuditCache(default_cache_dir())
    except CacheUnavailable:
        return None


@rules_app.command("list")
def list_rules(
    rules: RulesOption = None,
    no_builtin_rules: NoBuiltinOption = False,
    config: ConfigOption = None,
    category: Annotated[Optional[str], typer.Option("--category", help="Only this category.")] = None,
    severity: Annotated[Optional[str], typer.Option("--severity", help="Only this severity: info, warning, error.")] = None,
    pack: Annotated[Optional[str], typer.Option("--pack", help="Only the rules of this pack (file name without .yaml).")] = None,
) -> None:
    """List the rules, by category: one rule per line, columns aligned (grep-friendly)."""
    active = _load(rules, no_builtin_rules, config, validate_patterns=False)
    active = [
        rule
        for rule in active
        if (category is None or rule.category == category)
        and (severity is None or rule.severity.value == severity)
        and (pack is None or rule.pack == pack)
    ]
    rows = [("category", "rule", "severity", "check", "status", "real P", "real R", "message")]
    rows += [
        (r.category, r.id, r.severity.value, r.check, "preview" if r.preview else "stable", *_figures(r), r.message)
        for r in sorted(active, key=lambda r: (r.category, r.id))
    ]
    widths = [max(len(row[column]) for row in rows) for column in range(7)]
    for row in rows:
        typer.echo("  ".join(cell.ljust(width) for cell, width in zip(row, widths)) + "  " + row[7])
    previews = sum(rule.preview for rule in active)
    typer.echo(f"{len(active)} rules, {previews} in preview (off unless --preview)")


def _figures(rule) -> tuple[str, str]:
    """The rule's measured precision and recall on real conversations, '-' where not measured."""
    measured = rule.measured
    if measured is None:
        return "-", "-"
    return tuple("-" if value is None else f"{value:.2f}" for value in (measured.precision, measured.recall))


@rules_app.command("show")
def show_rule(
    rule_id: Annotated[str, typer.Argument(help="The rule id, e.g. vague-promise.")],
    rules: RulesOption = None,
    no_builtin_rules: NoBuiltinOption = False,
    config: ConfigOption = None,
) -> None:
    """Show a rule: message, rationale, suggestion, scope, examples and source file."""
    import difflib

    from rich.console import Console
    from rich.text import Text

    active = {rule.id: rule for rule in _load(rules, no_builtin_rules, config, validate_patterns=False)}
    rule = active.get(rule_id)
    if rule is None:
        close = difflib.get_close_matches(rule_id, list(active), n=1)
        fail(f"no rule '{rule_id}'" + (f" (did you mean '{close[0]}'?)" if close else ""))
    console = Console(highlight=False)
    console.print(Text(f"{rule.id}  ({rule.category}, {rule.severity.value}, check: {rule.check})", style="bold"))
    # Paths stay on one line, whatever the terminal width, so they can be copied or clicked.
    console.print(f"source: {rule.source}:{rule.line}", soft_wrap=True)
    for extension in rule.extended_by:
        console.print(f"extended by: {extension}", soft_wrap=True)
    console.print(f"speaker: {rule.speaker} · channels: {', '.join(rule.channels)}")
    if rule.preview:
        console.print("status: preview (off by default: not yet precise enough on real conversations; on with --preview)")
    measured = rule.measured
    if measured is not None:
        precision, recall = _figures(rule)
        console.print(f"measured on real conversations: precision {precision}, recall {recall} ({measured.conversations} flagged; {measured.corpus})", soft_wrap=True)
    else:
        console.print("measured on real conversations: not measured")
    settings = [f"{key}: {value}" for key, value in rule.options.items() if isinstance(value, (str, int, float)) and value is not None]
    if settings:
        console.print(" · ".join(settings))
    console.print(Text("\nmessage", style="bold"))
    console.print(rule.message)
    console.print(Text("\nrationale", style="bold"))
    console.print(rule.rationale)
    if rule.suggestion:
        console.print(Text("\nsuggestion", style="bold"))
        for suggestion in rule.suggestion:
            console.print(f"- {suggestion}")
    for title, examples in (("must flag", rule.flag_examples), ("must not flag", rule.pass_examples)):
        console.print(Text(f"\nexamples that {title}", style="bold"))
        for example in examples:
            lines = example.text.strip().splitlines()
            console.print(f"- {lines[0]}" + "".join(f"\n  {line}" for line in lines[1:]))


@rules_app.command("test")
def test_rules(
    paths: Annotated[
        Optional[list[Path]], typer.Argument(help="Rule packs (folders or files) to test; default: the built-in packs.")
    ] = None,
    no_builtin_rules: NoBuiltinOption = False,
    config: ConfigOption = None,
) -> None:
    """Run every rule's examples and report failures like a test runner (exit 1 on failure)."""
    from ..engine import Auditor
    from ..rule_examples import run_examples

    active = _load(paths, no_builtin_rules, config, validate_patterns=True)
    if paths:
        tested_sources = {str(path.as_posix()) for path in paths}
        active = [
            rule
            for rule in active
            if _under(rule.source, tested_sources) or any(_under(e.rsplit(":", 1)[0], tested_sources) for e in rule.extended_by)
        ]
    if not active:
        fail("no rule to test in the given packs")
    outcomes = run_examples(Auditor(active))
    failed = [outcome for outcome in outcomes if not outcome.passed]
    for outcome in failed:
        kind = "flag" if outcome.expected_flag else "pass"
        where = f"{outcome.example.source or outcome.rule.source}:{outcome.example.line}"
        typer.echo(f"FAIL {outcome.rule.id}: {kind} example at {where}")
        for line in outcome.example.text.strip().splitlines():
            typer.echo(f"    | {line}")
        if outcome.expected_flag:
            typer.echo("    expected a finding, got none")
        else:
            for finding in outcome.findings:
                typer.echo(f"    expected no finding, got « {finding.match or finding.excerpt} » (turn {finding.turn}): {finding.message}")
    rules_count = len({outcome.rule.id for outcome in outcomes})
    typer.echo(f"{len(outcomes) - len(failed)} passed, {len(failed)} failed ({rules_count} rules)")
    raise typer.Exit(ExitCode.FINDINGS if failed else ExitCode.OK)


def _under(source: str, roots: set[str]) -> bool:
    return any(source == root or source.startswith(root.rstrip("/") + "/") for root in roots)


@rules_app.command("schema")
def rules_schema() -> None:
    """Print the JSON Schema of a rule pack, for editors (docs/rules.md, "Editor completion")."""
    import json

    from ..schema import rule_pack_schema

    typer.echo(json.dumps(rule_pack_schema(), indent=2, ensure_ascii=False))


class PrecisionFormat(str, Enum):
    TEXT = "text"
    JSON = "json"


@rules_app.command("precision")
def rules_precision(
    verdicts: Annotated[list[Path], typer.Argument(help="Verdicts files exported from the HTML report (CSV).")],
    output_format: Annotated[PrecisionFormat, typer.Option("--format", "-f", help="A table, or the same as JSON.")] = PrecisionFormat.TEXT,
    rules: RulesOption = None,
    no_builtin_rules: NoBuiltinOption = False,
    config: ConfigOption = None,
) -> None:
    """Each rule's precision from the analysts' verdicts, beside the precision measured on real conversations."""
    import json

    from ..verdicts import VerdictError, load_verdicts, precision_by_rule

    try:
        merged = load_verdicts(verdicts)
    except VerdictError as error:
        fail(str(error))
    measured = {rule.id: rule.measured.precision if rule.measured else None for rule in _load(rules, no_builtin_rules, config, validate_patterns=False)}
    rows = precision_by_rule(merged.values(), measured)
    if output_format is PrecisionFormat.JSON:
        records = [
            {"rule": row.rule, "confirmed": row.confirmed, "false_positives": row.false_positives,
             "precision": _rounded(row.precision), "measured_precision": row.measured}
            for row in rows
        ]
        typer.echo(json.dumps(records, indent=2, ensure_ascii=False))
        return
    width = max([len("règle"), *(len(row.rule) for row in rows)])
    typer.echo(f"{'règle':<{width}}  justes  faux positifs  précision  mesurée")
    for row in rows:
        typer.echo(
            f"{row.rule:<{width}}  {row.confirmed:>6}  {row.false_positives:>13}  "
            f"{_percent(row.precision):>9}  {_percent(row.measured):>7}"
        )
    judged = sum(row.confirmed + row.false_positives for row in rows)
    typer.echo(f"{judged} constats jugés, {len(rows)} règles ({len(merged)} verdicts)")


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


def _percent(value: float | None) -> str:
    return "-" if value is None else f"{value:.0%}".replace("%", " %")
