"""``--format markdown``: a summary to post as a merge-request or pull-request comment.

A title with the totals, a table of findings by category and severity, the
ten lowest-scoring transcripts with their most frequent rules, and, folded in
a ``<details>`` block per transcript, every finding (line, rule, message,
excerpt with the matched words in bold). Labels speak French, like the
terminal report.

Transcript text is untrusted: every cell is escaped so that a ``|`` cannot
break a table, ``<``/``>`` cannot open HTML, and ``* _ ` [ ] ~`` cannot turn
into formatting or links. ``@name`` and ``#123`` get a zero-width space after
the sign (as Dependabot and Renovate do) so that a customer's handle or an
order number neither notifies anyone nor links an issue.
"""

from __future__ import annotations

import html
import re
from collections import Counter
from typing import Any, TextIO

from ..model import AuditResult
from .formatting import count, position, split_at_match, transcript_name

SEVERITIES = ("error", "warning", "info")
SEVERITY_LABELS = {"error": "erreur", "warning": "alerte", "info": "info"}
LOWEST_SCORES = 10
TOP_RULES = 3

_SPECIAL = re.compile(r"[\\`*_\[\]<>|~&]")
_REPLACEMENTS = {"<": "&lt;", ">": "&gt;", "&": "&amp;", "|": "\\|"}
_MENTION = re.compile(r"(?<![\w@#])([@#])(?=\w)")  # "@marie", "#12345", not "marie@acme.fr"
_ZERO_WIDTH_SPACE = "&#8203;"
_WHITESPACE = re.compile(r"\s+")


def render(result: AuditResult, stream: TextIO) -> None:
    stream.write(to_markdown(result.as_records()))


def to_markdown(report: dict[str, Any]) -> str:
    summary = report["summary"]
    lines = [f"### transcript-audit : {count(summary['findings'], 'constat')}", ""]
    lines += _totals(summary)
    if summary["by_category"]:
        lines += _category_table(summary)
    lines += _lowest_scores(report["transcripts"])
    lines += _findings(report["transcripts"])
    lines += _errors(report["errors"])
    return "\n".join(lines).rstrip("\n") + "\n"


def escape(text: Any) -> str:
    """``text`` shown literally in a Markdown table cell (GitHub and GitLab flavours)."""
    if text is None:
        return ""
    text = _WHITESPACE.sub(" ", str(text))  # a line break would end the table row
    text = _SPECIAL.sub(lambda m: _REPLACEMENTS.get(m.group(), "\\" + m.group()), text)
    return _MENTION.sub(lambda m: m.group(1) + _ZERO_WIDTH_SPACE, text)


def escape_html(text: str) -> str:
    """``text`` shown literally inside raw HTML (``<summary>``), where Markdown escapes do not apply."""
    text = html.escape(_WHITESPACE.sub(" ", text), quote=False)
    return _MENTION.sub(lambda m: m.group(1) + _ZERO_WIDTH_SPACE, text)


def excerpt_with_match(finding: dict[str, Any]) -> str:
    """The escaped excerpt with the matched words in bold (``<b>``, which works mid-word)."""
    parts = split_at_match(finding)
    if parts is None:
        return escape(finding["excerpt"] or "")
    before, match, after = parts
    return f"{escape(before)}<b>{escape(match)}</b>{escape(after)}"


def _totals(summary: dict[str, Any]) -> list[str]:
    if not summary["transcripts"]:  # a wrong path: zero counts and a "-" score say nothing
        errors = f" · **{count(summary['errors'], 'erreur')} de lecture**" if summary["errors"] else ""
        return [f"**Aucune transcription lue**{errors}", ""]
    mean = summary["mean_score"]
    severities = ", ".join(count(summary["by_severity"][s], SEVERITY_LABELS[s]) for s in SEVERITIES)
    parts = [
        f"**{count(summary['transcripts'], 'transcription')}** ({count(summary['turns'], 'tour')})",
        f"**{count(summary['findings'], 'constat')}** ({severities})",
        f"score moyen **{mean if mean is not None else '-'}**/100",
        f"{summary['clean_transcripts']} sans constat",
    ]
    if summary["suppressed"]:
        parts.append(f"{summary['suppressed']} désactivé(s) dans les fichiers")
    if summary.get("dismissed"):
        parts.append(f"{summary['dismissed']} écarté(s) par les analystes")
    if summary["errors"]:
        parts.append(f"**{count(summary['errors'], 'erreur')} de lecture**")
    return [" · ".join(parts), ""]


def _category_table(summary: dict[str, Any]) -> list[str]:
    lines = [
        "#### Constats par catégorie",
        "",
        "| catégorie | " + " | ".join(SEVERITY_LABELS[s] for s in SEVERITIES) + " | total |",
        "|:--|" + "--:|" * (len(SEVERITIES) + 1),
    ]
    for category, counts in summary["by_category"].items():
        cells = [str(counts.get(s, 0)) for s in SEVERITIES]
        lines.append(f"| {escape(category)} | " + " | ".join(cells) + f" | {sum(counts.values())} |")
    totals = [str(summary["by_severity"][s]) for s in SEVERITIES]
    lines.append("| **total** | " + " | ".join(f"**{n}**" for n in totals) + f" | **{summary['findings']}** |")
    return lines + [""]


def _lowest_scores(transcripts: list[dict[str, Any]]) -> list[str]:
    flagged = [t for t in transcripts if t["findings"]]
    if not flagged:
        return []
    lowest = sorted(flagged, key=lambda t: (t["score"], t["path"], t["id"]))[:LOWEST_SCORES]
    title = "Scores les plus bas" if len(flagged) > LOWEST_SCORES else "Scores"
    lines = [f"#### {title}", "", "| transcription | canal | score | constats | règles principales |"]
    lines.append("|:--|:--|--:|--:|:--|")
    for transcript in lowest:
        rules = Counter(finding["rule"] for finding in transcript["findings"]).most_common(TOP_RULES)
        top = ", ".join(f"{escape(rule)} ×{count}" for rule, count in rules)
        lines.append(
            f"| {escape(transcript_name(transcript['path'], transcript['id']))} | {escape(transcript['channel'])} | {transcript['score']} "
            f"| {len(transcript['findings'])} | {top} |"
        )
    return lines + [""]


def _findings(transcripts: list[dict[str, Any]]) -> list[str]:
    flagged = [t for t in transcripts if t["findings"]]
    if not flagged:
        return []
    lines = ["#### Constats", ""]
    for transcript in flagged:
        summary = (
            f"<code>{escape_html(transcript_name(transcript['path'], transcript['id']))}</code> : score {transcript['score']}, "
            f"{count(len(transcript['findings']), 'constat')}"
        )
        lines += [
            "<details>",
            f"<summary>{summary}</summary>",
            "",  # a blank line after </summary>, or the table is not rendered
            "| ligne | gravité | règle | message | extrait |",
            "|:--|:--|:--|:--|:--|",
        ]
        for finding in transcript["findings"]:
            lines.append(
                f"| {escape(position(finding['line'], finding['column'], finding['locator']))} | {SEVERITY_LABELS.get(finding['severity'], escape(finding['severity']))} "
                f"| {escape(finding['rule'])} | {escape(finding['message'])} | {excerpt_with_match(finding)} |"
            )
        lines += ["", "</details>", ""]
    return lines


def _errors(errors: list[dict[str, Any]]) -> list[str]:
    if not errors:
        return []
    lines = ["#### Erreurs de lecture", ""]
    for error in errors:
        where = error["path"] + (f":{error['line']}" if error.get("line") is not None else "")
        lines.append(f"- {escape(where)} : {escape(error['message'])}")
    return lines + [""]
