"""``transcript-audit check``: audit transcripts and report."""

from __future__ import annotations

import os
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Optional

import typer

from ..aggregation import GroupBy
from ..model import AuditResult, ExitCode, FailOn, Severity
from ..readers.base import COLUMN_FIELDS
from ..reporters import OutputFormat
from .common import ConfigOption, NoBuiltinOption, RulesOption, configuration, fail, report_errors, rule_folders, stderr


def check(
    paths: Annotated[list[Path], typer.Argument(help="Transcript files or folders (read recursively); '-' for standard input.")],
    output_format: Annotated[OutputFormat, typer.Option("--format", "-f", help="Report format.")] = OutputFormat.RICH,
    output: Annotated[
        Optional[list[str]],
        typer.Option(
            "--output",
            "-o",
            help="Write a report to a file instead of standard output: FILE (in --format) or FORMAT=FILE. Repeatable.",
        ),
    ] = None,
    fail_on: Annotated[
        Optional[FailOn],
        typer.Option("--fail-on", help="Exit 1 when a finding at or above this severity is found [default: warning]."),
    ] = None,
    select: Annotated[
        Optional[list[str]], typer.Option("--select", help="Only these rule ids or categories (glob patterns allowed). Repeatable.")
    ] = None,
    ignore: Annotated[
        Optional[list[str]], typer.Option("--ignore", help="Skip these rule ids or categories (glob patterns allowed). Repeatable.")
    ] = None,
    rules: RulesOption = None,
    no_builtin_rules: NoBuiltinOption = False,
    config: ConfigOption = None,
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
    preview: Annotated[
        bool, typer.Option("--preview", help="Also run the preview rules (not yet precise on real conversations; see 'rules list').")
    ] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress display on standard error.")] = False,
    csv_delimiter: Annotated[str, typer.Option("--csv-delimiter", help="CSV cell separator: ';' for French Excel.")] = ",",
    group_by: Annotated[
        Optional[list[GroupBy]], typer.Option("--group-by", help="Add summary tables by agent, channel, category, file, week or month. Repeatable.")
    ] = None,
    stats: Annotated[bool, typer.Option("--stats", help="Add the most frequent findings and the words that triggered them.")] = False,
    redact: Annotated[
        bool, typer.Option("--redact", help="Mask e-mails, phone numbers, IBANs, card and social-security numbers in every output.")
    ] = False,
    min_score: Annotated[
        Optional[int], typer.Option("--min-score", help="Exit 1 when a transcript scores below this (0-100).", min=0, max=100)
    ] = None,
    baseline: Annotated[
        Optional[Path], typer.Option("--baseline", help="Report and fail only on findings this baseline does not have.")
    ] = None,
    verdicts: Annotated[
        Optional[list[Path]],
        typer.Option("--verdicts", help="Analysts' verdicts (CSV exported from the HTML report): leave out the false positives. Repeatable."),
    ] = None,
    with_text: Annotated[
        bool, typer.Option("--with-text", help="Put each transcript's turns in the JSON and JSON Lines records (always in HTML).")
    ] = False,
    write_baseline: Annotated[
        Optional[Path], typer.Option("--write-baseline", help="Record today's findings in this file (then exit 0).")
    ] = None,
    jobs: Annotated[
        int, typer.Option("--jobs", "-j", help="Audit in this many processes (0: one per core). Same results, same order.", min=0)
    ] = 1,
    no_cache: Annotated[bool, typer.Option("--no-cache", help="Neither read nor write the parse and findings cache.")] = False,
    cache_dir: Annotated[
        Optional[Path],
        typer.Option("--cache-dir", help="Cache folder [default: $TRANSCRIPT_AUDIT_CACHE_DIR, else the user cache folder].", file_okay=False),
    ] = None,
    server: Annotated[
        bool,
        typer.Option("--server", help="Ask the running 'transcript-audit daemon' (same report, no model to load); run here when none answers."),
    ] = False,
) -> None:
    """Audit transcripts and report what hurts the customer relationship."""
    if server:
        _forward_to_daemon(paths, quiet)
    from ..baseline import BaselineError
    from ..engine import AuditOptions
    from ..nlp import ModelNotInstalledError
    from ..pipeline import NoRuleSelected, audit
    from ..readers import formats
    from ..readers.base import ReaderOptions
    from ..reporters import csv_report
    from ..rule_loader import RuleLoadError
    from ..verdicts import VerdictError
    from ..warm import pooled_auditor

    targets = [parse_output(value, output_format) for value in output or []]
    try:
        csv_report.with_delimiter(csv_delimiter)
    except ValueError as error:
        fail(f"invalid --csv-delimiter: {error}")
    cache = None if no_cache else open_cache(cache_dir)
    settings = configuration(config, paths[0] if paths and str(paths[0]) != "-" else Path.cwd(), cache)
    chosen_format = input_format or settings.input_format
    if chosen_format is not None and chosen_format not in formats():
        fail(f"unknown input format '{chosen_format}' (expected one of: {', '.join(formats())})")
    options = AuditOptions(
        rule_dirs=rule_folders(settings, rules),
        builtin_rules=settings.builtin_rules and not no_builtin_rules,
        select=select or settings.select,
        ignore=ignore or settings.ignore,
        include=include or settings.include,
        exclude=exclude or settings.exclude,
        input_format=chosen_format,
        reader=ReaderOptions(
            agent_speakers=tuple(agent or settings.agents),
            agent_domains=tuple(agent_domain or settings.agent_domains),
            columns=parse_columns(columns) if columns else settings.columns,
        ),
        severity=settings.severity,
        per_path=settings.per_path,
        weights=settings.weights,
        preview=preview or settings.preview,
        baseline=None if write_baseline is not None else baseline,
        redact=redact,
        verdicts=tuple(verdicts or ()),
        with_text=with_text,
        keep_texts=with_text or OutputFormat.HTML in {output_format, *(chosen for chosen, _ in targets)},
        group_by=tuple(key.value for key in group_by or ()),
        with_stats=stats,
    )
    threshold = fail_on or FailOn(settings.fail_on or "warning")
    try:
        with progress_display(enabled=not quiet and sys.stderr.isatty(), redact_paths=redact) as on_transcript:
            auditor = pooled_auditor(options, cache)  # None but in the daemon, which keeps them loaded
            result = audit(paths, options, auditor=auditor, cache=cache, on_transcript=on_transcript, jobs=jobs or os.cpu_count() or 1)
    except RuleLoadError as error:
        report_errors(error.errors)
    except (NoRuleSelected, BaselineError, VerdictError, ModelNotInstalledError) as error:
        fail(str(error))
    if result.stale_verdicts:
        stderr(f"warning: {result.stale_verdicts} verdicts are on findings this run no longer produces (stale)")
    if write_baseline is not None:
        _write_baseline(result, write_baseline)
    _write_reports(result, output_format, targets, csv_delimiter)
    for problem in result.errors:
        stderr(f"error: {problem}")
    raise typer.Exit(exit_code(result, threshold, min_score))


def _forward_to_daemon(paths: list[Path], quiet: bool) -> None:
    """``--server``: the daemon's report, output and exit code, as if this process had run;
    returns (to run here) when no daemon answers or the input is standard input."""
    from ..warm import check_request, request

    argv = [argument for argument in sys.argv[1:] if argument != "--server"]
    if "check" not in argv or any(str(path) == "-" for path in paths):
        return
    argv = argv[argv.index("check") :]
    answer = request(check_request(argv, _program_name(), sys.stdout.isatty()))
    if answer is None or not isinstance(answer.get("code"), int):
        if not quiet:
            stderr("note: no transcript-audit daemon answered; auditing in this process")
        return
    sys.stdout.flush()
    data = str(answer.get("stdout", "")).encode(sys.stdout.encoding or "utf-8", sys.stdout.errors or "strict")
    sys.stdout.buffer.write(data) if hasattr(sys.stdout, "buffer") else sys.stdout.write(data.decode(sys.stdout.encoding or "utf-8"))
    sys.stdout.flush()
    sys.stderr.write(str(answer.get("stderr", "")))
    raise typer.Exit(answer["code"])


def _program_name() -> str:
    """What usage messages call the command, as click names it from ``sys.argv[0]``."""
    name = os.path.basename(sys.argv[0]) if sys.argv and sys.argv[0] else "transcript-audit"
    return "python -m transcript_audit" if name == "__main__.py" else name


def _write_baseline(result: AuditResult, path: Path) -> None:
    from ..baseline import baseline_text
    from ..reporters import write_text_atomically

    write_text_atomically(path, baseline_text(result))
    stderr(f"wrote {len(result.findings())} findings to the baseline {path}")
    raise typer.Exit(ExitCode.ERROR if result.errors else ExitCode.OK)


def _write_reports(result: AuditResult, output_format: OutputFormat, targets: list[tuple[OutputFormat, Path]], csv_delimiter: str) -> None:
    """Each ``--output`` file, or the report on standard output when there is none."""
    from ..reporters import render, write_report

    for chosen, target in targets:
        try:
            write_report(result, chosen, target, **_format_options(chosen, csv_delimiter))
        except OSError as error:
            fail(f"cannot write {target}: {error.strerror or error}")
    if not targets:
        if output_format is OutputFormat.CSV and hasattr(sys.stdout, "reconfigure"):
            sys.stdout.reconfigure(newline="")  # the CSV writer's CRLF, untranslated
        render(result, output_format, sys.stdout, **_format_options(output_format, csv_delimiter))


def open_cache(folder: Path | None):
    """The audit cache, or None (with a warning) when its folder cannot be used."""
    from ..cache import AuditCache, CacheUnavailable, default_cache_dir

    try:
        return AuditCache(folder or default_cache_dir())
    except CacheUnavailable as error:
        stderr(f"warning: {error}; auditing without a cache")
        return None


def exit_code(result: AuditResult, fail_on: FailOn, min_score: int | None = None) -> ExitCode:
    """2 when a file could not be read, else 1 when a finding reaches ``fail_on`` or a
    transcript scores below ``min_score``, else 0."""
    if result.errors:
        return ExitCode.ERROR
    if min_score is not None and any(r.score < min_score for r in result.transcripts):
        return ExitCode.FINDINGS
    worst = result.worst_severity()
    if fail_on is not FailOn.NEVER and worst is not None and worst.rank >= Severity(fail_on.value).rank:
        return ExitCode.FINDINGS
    return ExitCode.OK


def _format_options(output_format: OutputFormat, csv_delimiter: str) -> dict[str, str]:
    return {"delimiter": csv_delimiter} if output_format is OutputFormat.CSV else {}


@contextmanager
def progress_display(enabled: bool, redact_paths: bool = False):
    """A live count of audited transcripts on standard error, only on a terminal.

    The report itself goes to standard output or a file, never mixed with it.
    With ``--redact``, the file names it shows are redacted too.
    """
    if not enabled:
        yield None
        return
    from rich.console import Console
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    with Progress(
        SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(),
        console=Console(stderr=True), transient=True,
    ) as progress:
        task = progress.add_task("audit", total=None)
        counter = {"done": 0}

        def advance(result) -> None:
            counter["done"] += 1
            path = result.transcript.path
            if redact_paths:
                from ..redaction import redact

                path = redact(path)
            progress.update(task, description=f"{counter['done']} transcriptions auditées · {path}")

        yield advance


def parse_output(value: str, default: OutputFormat) -> tuple[OutputFormat, Path]:
    """ "report.json" (in --format) or "sarif=out/report.sarif"."""
    name, sep, target = value.partition("=")
    if not sep:
        return default, Path(value)
    formats = [f.value for f in OutputFormat]
    if name not in formats:
        fail(f"--output: unknown format '{name}' in '{value}' (expected FORMAT=FILE with FORMAT among {', '.join(formats)})")
    if not target:
        fail(f"--output: no file after '{name}='")
    return OutputFormat(name), Path(target)


def parse_columns(value: str) -> dict[str, str]:
    """ "text=Body,role=Author type" -> {"text": "Body", "role": "Author type"}."""
    mapping = {}
    for item in value.split(","):
        key, sep, header = item.partition("=")
        key = key.strip().lower()
        if not sep or key not in COLUMN_FIELDS or not header.strip():
            fail(f"--columns: expected FIELD=HEADER pairs with FIELD among {', '.join(COLUMN_FIELDS)}, got '{item.strip()}'")
        mapping[key] = header.strip()
    return mapping
