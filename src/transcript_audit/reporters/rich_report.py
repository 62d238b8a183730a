"""``--format rich``: the terminal report an analyst reads.

Per transcript, its findings in order (line, severity, rule, speaker, the
excerpt with the matched words highlighted, message, suggestion); then a
summary by category and severity and the score of each transcript. Fits an
80-column terminal; no colour when the output is not a terminal.
"""

from __future__ import annotations

from typing import TextIO

from rich.console import Console, ConsoleOptions, Group, RenderableType, RenderResult
from rich.segment import Segment
from rich.table import Table
from rich.text import Text

from ..model import AuditResult, Finding, Severity, TranscriptResult
from .formatting import count, position, transcript_name

_SEVERITY_STYLE = {Severity.ERROR: "bold red", Severity.WARNING: "yellow", Severity.INFO: "cyan"}
_SEVERITY_LABEL = {Severity.ERROR: "erreur", Severity.WARNING: "alerte", Severity.INFO: "info"}


def render(result: AuditResult, stream: TextIO, color: bool | None = None) -> None:
    console = Console(
        file=stream,
        force_terminal=color,
        no_color=color is False,
        highlight=False,
        soft_wrap=False,
        width=None if stream.isatty() else 80,
    )
    for transcript_result in result.transcripts:
        _print_transcript(console, transcript_result)
    _print_errors(console, result)
    if not result.transcripts:  # a wrong path: the errors say it all, empty tables would not
        errors = f", {count(len(result.errors), 'erreur')} de lecture" if result.errors else ""
        console.print(f"Aucune transcription lue{errors}")
        return
    _print_summary(console, result)
    if result.group_by or result.with_stats:
        _print_views(console, result.as_records())


def _score_style(score: int) -> str:
    return "green" if score >= 80 else "yellow" if score >= 50 else "red"


def _print_transcript(console: Console, result: TranscriptResult) -> None:
    transcript = result.transcript
    header = Text()
    header.append(transcript_name(transcript.path, transcript.id), style="bold")
    header.append(f"  {transcript.channel} · {transcript.turn_count} tours · score ")
    header.append(f"{result.score}/100", style=_score_style(result.score))
    console.print(header)
    for note in transcript.notes:
        console.print(Text(f"  ℹ {note}", style="cyan"))
    if result.suppressed:
        rules = ", ".join(sorted({finding.rule for finding in result.suppressed}))
        console.print(Text(f"  ℹ {len(result.suppressed)} constat(s) désactivé(s) dans le fichier ({rules})", style="dim"))
    if not result.findings:
        console.print(Text("  ✓ aucun problème détecté", style="green"))
    for finding in result.findings:
        console.print(_finding(finding))
    console.print()


def _finding(finding: Finding) -> Group:
    head = Text("  ")
    head.append(position(finding.line, finding.column, finding.locator), style="bold")
    head.append("  ")
    head.append(_SEVERITY_LABEL[finding.severity], style=_SEVERITY_STYLE[finding.severity])
    head.append(f"  {finding.rule}", style="magenta")
    head.append(f"  ({finding.speaker}, tour {finding.turn})", style="dim")
    excerpt = Text("« ", style="dim")
    if finding.match_start is not None and finding.match:
        start, end = finding.match_start, finding.match_start + len(finding.match)
        excerpt.append(finding.excerpt[:start])
        excerpt.append(finding.excerpt[start:end], style="bold reverse")
        excerpt.append(finding.excerpt[end:])
    else:
        excerpt.append(finding.excerpt)
    excerpt.append(" »", style="dim")
    body = [excerpt, Text(finding.message)]
    if finding.suggestion:
        body.append(Text(f"→ {finding.suggestion}", style="green"))
    return Group(head, _Indent(Group(*body), 4))


class _Indent:
    """Indent a block, wrapped lines included, without padding lines with spaces."""

    def __init__(self, renderable: RenderableType, width: int):
        self.renderable, self.width = renderable, width

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        inner = options.update_width(max(20, options.max_width - self.width))
        for line in console.render_lines(self.renderable, inner, pad=False):
            yield Segment(" " * self.width)
            yield from line
            yield Segment.line()


def _print_errors(console: Console, result: AuditResult) -> None:
    if not result.errors:
        return
    console.print(Text("Erreurs de lecture", style="bold red"))
    for error in result.errors:
        console.print(Text(f"  {error}", style="red"))
    console.print()


def _print_summary(console: Console, result: AuditResult) -> None:
    summary = result.summary()
    by_category = Table(title="Constats par catégorie", title_justify="left", show_footer=True)
    by_category.add_column("catégorie", footer="total")
    for severity in Severity:
        by_category.add_column(_SEVERITY_LABEL[severity], justify="right", footer=str(summary["by_severity"][severity.value]))
    by_category.add_column("total", justify="right", footer=str(summary["findings"]))
    for category, counts in summary["by_category"].items():
        by_category.add_row(category, *(str(counts[s.value]) for s in Severity), str(sum(counts.values())))
    console.print(by_category)

    scores = Table(title="Score par transcription", title_justify="left")
    scores.add_column("transcription", overflow="fold")
    scores.add_column("canal")
    scores.add_column("constats", justify="right")
    scores.add_column("score", justify="right")
    for transcript_result in result.transcripts:
        transcript = transcript_result.transcript
        name = transcript_name(transcript.path, transcript.id)
        scores.add_row(
            name,
            transcript_result.transcript.channel,
            str(len(transcript_result.findings)),
            Text(str(transcript_result.score), style=_score_style(transcript_result.score)),
        )
    console.print(scores)
    mean = summary["mean_score"]
    console.print(
        f"{summary['transcripts']} transcriptions, {summary['findings']} constats, "
        f"{summary['errors']} erreurs de lecture, {summary['suppressed']} désactivés, "
        + (f"{summary['baselined']} déjà dans la référence, " if summary.get("baselined") else "")
        + (f"{summary['dismissed']} écartés (faux positifs), " if summary.get("dismissed") else "")
        + f"score moyen {mean if mean is not None else '-'}"
    )


_GROUP_TITLES = {"agent": "conseiller", "channel": "canal", "category": "catégorie", "file": "fichier", "week": "semaine", "month": "mois"}
_DATE_SOURCES = {"header": "en-tête # date", "messages": "date des messages", "file": "date de modification du fichier", "none": "sans date"}


def _print_views(console: Console, records: dict) -> None:
    """The --group-by tables and the --stats table, from the JSON records."""
    for key, rows in records.get("groups", {}).items():
        table = Table(title=f"Par {_GROUP_TITLES[key]}", title_justify="left")
        table.add_column(_GROUP_TITLES[key], overflow="fold")
        for column in ("transcr.", "constats", "moyenne", "médiane"):
            table.add_column(column, justify="right")
        table.add_column("règles les plus fréquentes", overflow="fold")
        for row in rows:
            worst = ", ".join(f"{item['rule']} ×{item['count']}" for item in row["worst_rules"])
            table.add_row(row["group"], str(row["transcripts"]), str(row["findings"]), str(row["mean_score"]), str(row["median_score"]), worst)
        console.print(table)
        sources: dict[str, int] = {}
        for row in rows:
            for source, number in row.get("date_sources", {}).items():
                sources[source] = sources.get(source, 0) + number
        if sources:
            said = ", ".join(f"{_DATE_SOURCES.get(source, source)} ({number})" for source, number in sorted(sources.items()))
            console.print(Text(f"Dates : {said}", style="dim"))
    if "stats" in records:
        table = Table(title="Constats les plus fréquents et leurs mots", title_justify="left")
        table.add_column("règle", no_wrap=True)
        table.add_column("n", justify="right")
        table.add_column("mots", overflow="fold")
        for row in records["stats"]:
            words = ", ".join(f"« {item['text']} » ×{item['count']}" for item in row["words"])
            table.add_row(row["rule"], str(row["count"]), words)
        console.print(table)
