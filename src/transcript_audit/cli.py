"""The ``transcript-audit`` command: thin Typer commands over ``engine``.

Reports go to standard output (or ``--output``), diagnostics to standard
error. spaCy is imported only by ``check``, so ``--help`` and ``rules list``
answer at once.
"""

from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer

from . import __version__
from .model import AuditResult, ExitCode, Severity
from .reporters import OutputFormat

app = typer.Typer(
    name="transcript-audit",
    help="Audit French customer-service conversations (calls, chats, e-mails) like a linter audits code.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
)
rules_app = typer.Typer(help="Inspect the rules.", no_args_is_help=True)
app.add_typer(rules_app, name="rules")


class FailOn(str, Enum):
    INFO = "info"
    WARNING = "warning"
    ERROR = "error"
    NEVER = "never"


def _stderr(message: str) -> None:
    typer.echo(message, err=True)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"transcript-audit {__version__}")
        raise typer.Exit()


@app.callback()
def main_callback(
    version: Annotated[
        Optional[bool], typer.Option("--version", callback=_version, is_eager=True, help="Show the version and exit.")
    ] = None,
) -> None:
    """Audit French customer-service conversations like a linter audits code."""


RulesOption = Annotated[
    Optional[list[Path]],
    typer.Option("--rules", help="A folder (or file) of your own YAML rules, added to the built-in packs. Repeatable."),
]
NoBuiltinOption = Annotated[bool, typer.Option("--no-builtin-rules", help="Use only the packs given with --rules.")]


@app.command()
def check(
    paths: Annotated[list[Path], typer.Argument(help="Transcript files or folders (read recursively).")],
    output_format: Annotated[
        OutputFormat, typer.Option("--format", "-f", help="Report format.")
    ] = OutputFormat.RICH,
    output: Annotated[
        Optional[Path], typer.Option("--output", "-o", help="Write the report to this file instead of standard output.")
    ] = None,
    fail_on: Annotated[
        FailOn, typer.Option("--fail-on", help="Exit 1 when a finding at or above this severity is found.")
    ] = FailOn.WARNING,
    select: Annotated[
        Optional[list[str]], typer.Option("--select", help="Only these rule ids or categories (glob patterns allowed). Repeatable.")
    ] = None,
    ignore: Annotated[
        Optional[list[str]], typer.Option("--ignore", help="Skip these rule ids or categories (glob patterns allowed). Repeatable.")
    ] = None,
    rules: RulesOption = None,
    no_builtin_rules: NoBuiltinOption = False,
    include: Annotated[
        Optional[list[str]],
        typer.Option("--include", help="File name globs read in folders (default: every known format). Repeatable."),
    ] = None,
    exclude: Annotated[
        Optional[list[str]], typer.Option("--exclude", help="File name or path globs skipped in folders. Repeatable.")
    ] = None,
    input_format: Annotated[
        Optional[str],
        typer.Option("--input-format", help="Read every input with this reader instead of detecting it (needed for '-')."),
    ] = None,
    agent: Annotated[
        Optional[list[str]],
        typer.Option("--agent", help="A diarised speaker (SPEAKER_00, spk_1, A) or name who is the agent. Repeatable."),
    ] = None,
    agent_domain: Annotated[
        Optional[list[str]],
        typer.Option("--agent-domain", help="E-mail domain or address of the agents (acme.fr). Repeatable."),
    ] = None,
    columns: Annotated[
        Optional[str],
        typer.Option("--columns", help="CSV columns, e.g. 'conversation=Ticket,text=Body,role=Author type,time=Date'."),
    ] = None,
) -> None:
    """Audit transcripts and report what hurts the customer relationship."""
    from .engine import AuditOptions, audit, load_active_rules
    from .reporters import render, write_report
    from .rule_loader import RuleLoadError

    from .readers import formats
    from .readers.base import ReaderOptions

    if input_format is not None and input_format not in formats():
        _usage_error(f"unknown --input-format '{input_format}' (expected one of: {', '.join(formats())})")
    options = AuditOptions(
        rule_dirs=rules or [],
        builtin_rules=not no_builtin_rules,
        select=select or [],
        ignore=ignore or [],
        include=include or [],
        exclude=exclude or [],
        input_format=input_format,
        reader=ReaderOptions(
            agent_speakers=tuple(agent or ()),
            agent_domains=tuple(agent_domain or ()),
            columns=_parse_columns(columns),
        ),
    )
    try:
        active = load_active_rules(options)
    except RuleLoadError as error:
        for problem in error.errors:
            _stderr(f"error: {problem}")
        raise typer.Exit(ExitCode.ERROR)
    if not active:
        _usage_error("no rule selected: check --select, --ignore and --rules")

    from .engine import Auditor
    from .nlp import ModelNotInstalledError

    try:
        auditor = Auditor(active)
    except ModelNotInstalledError as error:
        _stderr(f"error: {error}")
        raise typer.Exit(ExitCode.ERROR)
    result = audit(paths, options, auditor=auditor)

    if output is not None:
        try:
            write_report(result, output_format, output)
        except OSError as error:
            _stderr(f"error: cannot write {output}: {error.strerror or error}")
            raise typer.Exit(ExitCode.ERROR)
    else:
        render(result, output_format, sys.stdout)
    for problem in result.errors:
        _stderr(f"error: {problem}")
    raise typer.Exit(exit_code(result, fail_on))


def exit_code(result: AuditResult, fail_on: FailOn) -> ExitCode:
    """2 when a file could not be read, else 1 when a finding reaches ``fail_on``, else 0."""
    if result.errors:
        return ExitCode.ERROR
    worst = result.worst_severity()
    if fail_on is not FailOn.NEVER and worst is not None and worst.rank >= Severity(fail_on.value).rank:
        return ExitCode.FINDINGS
    return ExitCode.OK


def _parse_columns(value: str | None) -> dict[str, str]:
    """ "text=Body,role=Author type" -> {"text": "Body", "role": "Author type"}."""
    if not value:
        return {}
    fields = ("conversation", "role", "speaker", "text", "time", "channel", "name")
    mapping = {}
    for item in value.split(","):
        key, sep, header = item.partition("=")
        key = key.strip().lower()
        if not sep or key not in fields or not header.strip():
            _usage_error(f"--columns: expected FIELD=HEADER pairs with FIELD among {', '.join(fields)}, got '{item.strip()}'")
        mapping[key] = header.strip()
    return mapping


def _usage_error(message: str) -> None:
    _stderr(f"error: {message}")
    raise typer.Exit(ExitCode.ERROR)


@rules_app.command("list")
def list_rules(
    rules: RulesOption = None,
    no_builtin_rules: NoBuiltinOption = False,
    category: Annotated[Optional[str], typer.Option("--category", help="Only this category.")] = None,
) -> None:
    """List the rules, by category."""
    from rich.console import Console
    from rich.table import Table

    from .engine import AuditOptions, load_active_rules
    from .rule_loader import RuleLoadError

    options = AuditOptions(rule_dirs=rules or [], builtin_rules=not no_builtin_rules)
    try:
        active = load_active_rules(options, validate_patterns=False)
    except RuleLoadError as error:
        for problem in error.errors:
            _stderr(f"error: {problem}")
        raise typer.Exit(ExitCode.ERROR)
    if category:
        active = [rule for rule in active if rule.category == category]
    table = Table(show_lines=False)
    for column in ("category", "rule", "severity", "check", "message"):
        table.add_column(column, overflow="fold")
    for rule in sorted(active, key=lambda r: (r.category, r.id)):
        table.add_row(rule.category, rule.id, rule.severity.value, rule.check, rule.message)
    Console(highlight=False).print(table)


def main() -> None:
    app()
