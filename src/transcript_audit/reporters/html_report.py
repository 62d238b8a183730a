"""``--format html``: one self-contained page to read an audit in a browser or attach to a ticket.

A header with the totals, filters (category, severity, agent, channel) that
apply to the table and to the conversations, the analyst's verdict bar, three
inline SVG charts (findings by category, distribution of the transcript
scores in 10-point bins, mean score by agent when the transcripts name their
agents), a table of transcripts that sorts when a column header is clicked,
then each conversation in full: every turn with its speaker, role, time and
line, each finding underlined at its exact words with its card beside the
turn. Each card takes a verdict ("juste" / "faux positif", a note), kept in
the browser for this report and exported as the CSV ``check --verdicts`` and
``rules precision`` read (``verdicts.py``). Labels speak French, like the
terminal report. Records without turns (built without ``--with-text``) show
each finding's excerpt instead.

The page renders only from ``result.as_records()``, like every other output,
and needs nothing else: CSS, JavaScript and charts are inline, no font, image
or script is fetched, so the file works offline and from a mail attachment.
Transcript text is untrusted: everything that comes from a record goes
through ``html.escape`` and none of it is ever written inside the ``<script>``.
"""

from __future__ import annotations

import hashlib
import html
from collections import defaultdict
from typing import Any, TextIO

from ..model import AuditResult
from .formatting import count, position, split_at_match, transcript_name

SEVERITIES = ("error", "warning", "info")
SEVERITY_LABELS = {"error": "erreur", "warning": "alerte", "info": "info"}
ROLE_LABELS = {"agent": "agent", "customer": "client"}
SCORE_BINS = 10  # 0–9, 10–19, … 90–100

_CSS = """
:root { --fg:#1f2328; --muted:#59636e; --line:#d1d9e0; --bg:#f6f8fa; --accent:#0969da;
        --error:#cf222e; --warning:#9a6700; --info:#0969da; }
* { box-sizing: border-box; }
body { font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg);
       margin: 0 auto; max-width: 1200px; padding: 1.5rem; }
h1 { font-size: 1.6rem; margin: 0 0 .5rem; }
h2 { font-size: 1.25rem; border-bottom: 1px solid var(--line); padding-bottom: .3rem; margin-top: 2rem; }
h3 { font-size: 1.05rem; margin: 0 0 .5rem; }
code { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: .9em; }
.totals { display: flex; flex-wrap: wrap; gap: .75rem; padding: 0; list-style: none; }
.totals li { background: var(--bg); border: 1px solid var(--line); border-radius: 6px; padding: .5rem .9rem; }
.totals strong { display: block; font-size: 1.3rem; }
.charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(360px, 1fr)); gap: 1rem; }
.chart { border: 1px solid var(--line); border-radius: 6px; padding: .75rem; margin: 0; }
.chart svg { width: 100%; height: auto; display: block; }
.chart text { font-size: 12px; fill: var(--fg); }
.chart .bar rect { fill: var(--accent); }
.chart .axis { stroke: var(--line); }
table { border-collapse: collapse; width: 100%; }
th, td { border-bottom: 1px solid var(--line); padding: .35rem .6rem; text-align: left; vertical-align: top; }
th.num, td.num { text-align: right; }
th button { font: inherit; font-weight: 600; background: none; border: 0; padding: 0; cursor: pointer; color: inherit; }
th[aria-sort="ascending"] button::after { content: " ▲"; }
th[aria-sort="descending"] button::after { content: " ▼"; }
section.transcript { border: 1px solid var(--line); border-radius: 6px; padding: 1rem; margin: 1rem 0; }
.meta { color: var(--muted); margin: 0 0 .75rem; }
ol.turns { list-style: none; padding: 0; margin: 0; }
li.turn { margin: .75rem 0; }
.turn-head { font-weight: 600; color: var(--muted); }
article.finding { border-left: 4px solid var(--line); background: var(--bg); border-radius: 4px;
                  padding: .5rem .75rem; margin: .4rem 0; }
article.finding.severity-error { border-left-color: var(--error); }
article.finding.severity-warning { border-left-color: var(--warning); }
article.finding.severity-info { border-left-color: var(--info); }
.badge { display: inline-block; border-radius: 1em; padding: 0 .6em; font-size: .8rem; color: #fff; background: var(--muted); }
.badge.severity-error { background: var(--error); }
.badge.severity-warning { background: var(--warning); }
.badge.severity-info { background: var(--info); }
.badge.critical { background: #000; }
.position { font-family: ui-monospace, monospace; color: var(--muted); }
blockquote.excerpt { margin: .4rem 0; padding: .3rem .6rem; background: #fff; border-radius: 4px; white-space: pre-wrap; }
mark { background: #fff8c5; padding: 0 .1em; border-radius: 2px; }
.suggestion { margin: .3rem 0 0; }
details summary { cursor: pointer; color: var(--muted); }
.empty { color: var(--muted); font-style: italic; }
.hidden { display: none !important; }
.toolbar { display: flex; flex-wrap: wrap; gap: .75rem 1.25rem; align-items: end; background: var(--bg);
           border: 1px solid var(--line); border-radius: 6px; padding: .6rem .9rem; margin: 1rem 0; }
.toolbar label { display: flex; flex-direction: column; font-size: .85rem; color: var(--muted); }
.toolbar select, .toolbar input, .toolbar button { font: inherit; }
details.conversation > summary { font-weight: 600; margin: .5rem 0; }
ol.conversation { list-style: none; padding: 0; margin: 0; }
li.turn.with-cards { display: grid; grid-template-columns: minmax(0, 3fr) minmax(0, 2fr); gap: 1rem; }
li.turn .text { margin: .2rem 0; white-space: pre-wrap; }
li.turn.role-agent .text { border-left: 3px solid var(--accent); padding-left: .5rem; }
li.turn.role-customer .text { border-left: 3px solid var(--line); padding-left: .5rem; }
mark.hit { text-decoration: underline 2px var(--warning); text-underline-offset: 3px; }
mark.hit.severity-error { text-decoration-color: var(--error); }
mark.hit.off { background: none; text-decoration: none; }
.verdict { display: flex; flex-wrap: wrap; gap: .4rem; align-items: center; margin-top: .4rem; }
.verdict button[aria-pressed="true"] { font-weight: 700; outline: 2px solid var(--accent); }
article.finding.judged-false-positive { opacity: .6; }
:target { scroll-margin-top: 1rem; }
"""

# Sorts the table, filters table and conversations, opens the conversation a link
# or the address names, and keeps the analyst's verdicts. It never reads transcript
# text into code: it compares data-* values and sets textContent, so an escaped
# "<script>" stays text. The address can carry commands after the target, joined
# by "&" ("#t-2&category=empathy&verdict=<fingerprint>,false-positive,note"), so a
# link (or a test) can open a conversation filtered and judged.
_SCRIPT = r"""
(function () {
  "use strict";
  function all(selector, root) { return Array.prototype.slice.call((root || document).querySelectorAll(selector)); }
  var table = document.getElementById("transcripts-table");
  if (table) {
    var body = table.tBodies[0];
    var headers = table.tHead.rows[0].cells;
    Array.prototype.forEach.call(headers, function (th, index) {
      var button = th.querySelector("button");
      if (!button) { return; }
      button.addEventListener("click", function () {
        var ascending = th.getAttribute("aria-sort") !== "ascending";
        var numeric = th.dataset.type === "number";
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (a, b) {
          var x = a.cells[index].dataset.value, y = b.cells[index].dataset.value;
          var order;
          if (numeric) {
            order = (parseFloat(x) || 0) - (parseFloat(y) || 0);
          } else {
            order = x.localeCompare(y, "fr", { sensitivity: "base", numeric: true });
          }
          return ascending ? order : -order;
        });
        rows.forEach(function (row) { body.appendChild(row); });
        Array.prototype.forEach.call(headers, function (other) { other.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
      });
    });
  }

  // ---- filters: category and severity hide findings; agent and channel hide transcripts
  var selects = all("select[data-filter]");
  function chosen() {
    var values = {};
    selects.forEach(function (select) { values[select.dataset.filter] = select.value; });
    return values;
  }
  function applyFilters() {
    var f = chosen();
    var findingFilter = f.category || f.severity;
    all("section.transcript").forEach(function (section) {
      var shown = (!f.agent || section.dataset.agent === f.agent) && (!f.channel || section.dataset.channel === f.channel);
      var visible = 0;
      all("article.finding", section).forEach(function (card) {
        var on = shown && (!f.category || card.dataset.category === f.category) && (!f.severity || card.dataset.severity === f.severity);
        card.classList.toggle("hidden", !on);
        if (on) { visible += 1; }
      });
      all("mark.hit", section).forEach(function (mark) {
        var on = mark.dataset.findings.split(" ").some(function (id) {
          var card = document.getElementById(id);
          return card && !card.classList.contains("hidden");
        });
        mark.classList.toggle("off", !on);
      });
      section.classList.toggle("hidden", !shown || (findingFilter && visible === 0));
      var row = document.querySelector('tr[data-section="' + section.id + '"]');
      if (row) { row.classList.toggle("hidden", section.classList.contains("hidden")); }
    });
  }
  selects.forEach(function (select) { select.addEventListener("change", applyFilters); });

  // ---- verdicts, kept in the browser for this report
  var key = "transcript-audit-verdicts:" + document.body.dataset.report;
  var state = { analyst: "", verdicts: {} };
  try { state = JSON.parse(window.localStorage.getItem(key)) || state; } catch (error) { /* no storage: this visit only */ }
  var analyst = document.getElementById("analyst");
  function save() {
    try { window.localStorage.setItem(key, JSON.stringify(state)); } catch (error) { /* no storage */ }
    showVerdicts();
  }
  function cell(value) {
    var text = String(value == null ? "" : value);
    if (/^[=+\-@\t\r]/.test(text)) { text = "'" + text; }  // no formula when opened in a spreadsheet
    return /[",\r\n]/.test(text) ? '"' + text.replace(/"/g, '""') + '"' : text;
  }
  function csv() {
    var lines = ["fingerprint,rule,transcript,verdict,note,analyst,date"];
    Object.keys(state.verdicts).sort().forEach(function (fingerprint) {
      var v = state.verdicts[fingerprint];
      lines.push([fingerprint, v.rule, v.transcript, v.verdict, v.note, v.analyst, v.date].map(cell).join(","));
    });
    return lines.join("\r\n") + "\r\n";
  }
  function showVerdicts() {
    all("article.finding").forEach(function (card) {
      var v = state.verdicts[card.dataset.fingerprint];
      all("button[data-verdict]", card).forEach(function (button) {
        button.setAttribute("aria-pressed", String(!!v && v.verdict === button.dataset.verdict));
      });
      var note = card.querySelector("input.verdict-note");
      if (note && v && document.activeElement !== note) { note.value = v.note || ""; }
      card.classList.toggle("judged-false-positive", !!v && v.verdict === "false-positive");
    });
    var judged = Object.keys(state.verdicts).length;
    var counter = document.getElementById("verdict-count");
    if (counter) { counter.textContent = judged + (judged > 1 ? " verdicts" : " verdict"); }
    var exported = document.getElementById("verdicts-export");
    if (exported) { exported.textContent = csv(); }
  }
  function judge(fingerprint, verdict, note) {
    var card = document.querySelector('article.finding[data-fingerprint="' + fingerprint + '"]');
    if (!card) { return; }
    var previous = state.verdicts[fingerprint] || {};
    state.verdicts[fingerprint] = {
      rule: card.dataset.rule, transcript: card.dataset.transcript, verdict: verdict || previous.verdict || "",
      note: note == null ? (previous.note || "") : note, analyst: state.analyst, date: new Date().toISOString().slice(0, 10)
    };
    save();
  }
  all("article.finding").forEach(function (card) {
    all("button[data-verdict]", card).forEach(function (button) {
      button.addEventListener("click", function () { judge(card.dataset.fingerprint, button.dataset.verdict, null); });
    });
    var note = card.querySelector("input.verdict-note");
    if (note) {
      note.addEventListener("change", function () {
        if (state.verdicts[card.dataset.fingerprint]) { judge(card.dataset.fingerprint, null, note.value); }
      });
    }
  });
  if (analyst) {
    analyst.value = state.analyst || "";
    analyst.addEventListener("change", function () { state.analyst = analyst.value; save(); });
  }
  var exportButton = document.getElementById("export-verdicts");
  if (exportButton) {
    exportButton.addEventListener("click", function () {
      var link = document.createElement("a");
      link.href = URL.createObjectURL(new Blob(["\ufeff" + csv()], { type: "text/csv;charset=utf-8" }));
      link.download = "verdicts.csv";
      document.body.appendChild(link);
      link.click();
      link.remove();
    });
  }

  // ---- the address: open the conversation it names, then apply its commands
  function fromAddress() {
    var parts = window.location.hash.replace(/^#/, "").split("&");
    parts.slice(1).forEach(function (part) {
      var at = part.indexOf("=");
      if (at < 0) { return; }
      var name = decodeURIComponent(part.slice(0, at)), value = decodeURIComponent(part.slice(at + 1));
      var select = document.querySelector('select[data-filter="' + name + '"]');
      if (select) { select.value = value; }
      if (name === "analyst") { state.analyst = value; if (analyst) { analyst.value = value; } }
      if (name === "verdict") {
        var fields = value.split(",");
        judge(fields[0], fields[1], fields.slice(2).join(","));
      }
    });
    var target = parts[0] && document.getElementById(parts[0]);
    if (target) {
      var details = target.querySelector("details.conversation") || target.closest("details.conversation");
      if (details) { details.open = true; }
      target.focus();
    }
    applyFilters();
  }
  window.addEventListener("hashchange", fromAddress);
  fromAddress();
  showVerdicts();
  document.body.dataset.ready = "1";
})();
"""


def render(result: AuditResult, stream: TextIO) -> None:
    stream.write(html_document(result.as_records(with_text=True)))


def html_document(report: dict[str, Any]) -> str:
    """The whole page for ``report`` (the records of ``AuditResult.as_records()``)."""
    summary = report["summary"]
    transcripts = report["transcripts"]
    title = f"transcript-audit : {count(summary['findings'], 'constat')}"
    parts = [
        "<!DOCTYPE html>",
        '<html lang="fr">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f'<meta name="generator" content="{_e(report["tool"]["name"])} {_e(report["tool"]["version"])}">',
        f"<title>{_e(title)}</title>",
        f"<style>{_CSS}</style>",
        "</head>",
        f'<body data-report="{_e(_report_id(report))}">',
        '<header id="summary">',
        f"<h1>{_e(title)}</h1>",
        _totals(summary),
        _toolbar(transcripts) if transcripts else "",
        "</header>",
        "<main>",
        *(_body(summary, transcripts) if transcripts else [_NOTHING_READ]),
        _errors(report["errors"]),
        "</main>",
        f"<script>{_SCRIPT}</script>",
        "</body>",
        "</html>",
    ]
    return "\n".join(part for part in parts if part) + "\n"


# A run that read nothing (a wrong path, only read errors) has no charts or tables to show.
_NOTHING_READ = '<p class="empty" id="nothing-read">Aucune transcription lue.</p>'


def _report_id(report: dict[str, Any]) -> str:
    """Which report the browser keeps verdicts for: the same findings, the same verdicts."""
    prints = [f.get("fingerprint") or "" for t in report["transcripts"] for f in t["findings"]]
    return hashlib.sha256("\n".join([t["id"] for t in report["transcripts"]] + prints).encode("utf-8")).hexdigest()[:16]


_FILTERS = (("category", "Catégorie", "toutes"), ("severity", "Gravité", "toutes"), ("agent", "Agent", "tous"), ("channel", "Canal", "tous"))


def _toolbar(transcripts: list[dict[str, Any]]) -> str:
    """The filters, and the verdict bar: the analyst's name, the count, the export."""
    values: dict[str, set[str]] = {name: set() for name, _, _ in _FILTERS}
    for transcript in transcripts:
        values["agent"].add(transcript.get("agent") or "")
        values["channel"].add(transcript.get("channel") or "")
        for finding in transcript["findings"]:
            values["category"].add(finding.get("category") or "")
            values["severity"].add(finding.get("severity") or "")
    fields = []
    for name, label, everything in _FILTERS:
        known = sorted(value for value in values[name] if value)
        if name == "severity":
            known = [severity for severity in SEVERITIES if severity in values[name]]
        options = "".join(f'<option value="{_e(v)}">{_e(SEVERITY_LABELS.get(v, v) if name == "severity" else v)}</option>' for v in known)
        fields.append(f'<label>{label}<select data-filter="{name}"><option value="">{everything}</option>{options}</select></label>')
    verdicts = (
        '<label>Analyste<input id="analyst" type="text" autocomplete="name"></label>'
        '<button type="button" id="export-verdicts">Exporter les verdicts (CSV)</button>'
        '<span id="verdict-count" aria-live="polite"></span>'
        '<pre id="verdicts-export" hidden></pre>'
    )
    return f'<form class="toolbar" id="filters" role="search" onsubmit="return false">{"".join(fields)}{verdicts}</form>'


def _body(summary: dict[str, Any], transcripts: list[dict[str, Any]]) -> list[str]:
    return [
        _charts(summary, transcripts),
        _table(transcripts),
        '<div id="transcripts">',
        '<h2>Conversations</h2>',
        *(_transcript(index, transcript) for index, transcript in enumerate(transcripts, 1)),
        "</div>",
    ]


def excerpt_with_match(finding: dict[str, Any]) -> str:
    """The escaped excerpt with the matched words in ``<mark>``, when the offset agrees with the match."""
    parts = split_at_match(finding)
    if parts is None:
        return _e(finding.get("excerpt") or "")
    before, match, after = parts
    return f"{_e(before)}<mark>{_e(match)}</mark>{_e(after)}"


def _e(text: Any) -> str:
    return "" if text is None else html.escape(str(text), quote=True)


def _totals(summary: dict[str, Any]) -> str:
    mean = summary["mean_score"]
    items = [
        ("transcriptions", summary["transcripts"]),
        ("tours", summary["turns"]),
        ("constats", summary["findings"]),
        *((SEVERITY_LABELS[s] + "s", summary["by_severity"].get(s, 0)) for s in SEVERITIES),
        ("score moyen /100", mean if mean is not None else "-"),
        ("sans constat", summary["clean_transcripts"]),
    ]
    if summary.get("suppressed"):
        items.append(("désactivés dans les fichiers", summary["suppressed"]))
    if summary.get("baselined"):
        items.append(("déjà dans la référence", summary["baselined"]))
    if summary.get("dismissed"):
        items.append(("écartés par les analystes", summary["dismissed"]))
    if summary.get("errors"):
        items.append(("erreurs de lecture", summary["errors"]))
    cells = "".join(f"<li><strong>{_e(value)}</strong>{_e(label)}</li>" for label, value in items)
    return f'<ul class="totals" id="totals">{cells}</ul>'


# --- charts -----------------------------------------------------------------


def _charts(summary: dict[str, Any], transcripts: list[dict[str, Any]]) -> str:
    charts = [_category_chart(summary), _score_chart(transcripts), _agent_chart(transcripts), _trend_chart(transcripts)]
    return '<section id="overview"><h2>Vue d’ensemble</h2><div class="charts">' + "".join(charts) + "</div></section>"


# Categories' colours in the trend chart, in the order of the legend (then repeated).
_PALETTE = ("#0969da", "#cf222e", "#9a6700", "#1a7f37", "#8250df", "#bc4c00", "#57606a", "#bf3989", "#0550ae", "#116329")
_DATE_SOURCES = {"header": "en-tête # date", "messages": "date des messages", "file": "date du fichier"}


def _trend_chart(transcripts: list[dict[str, Any]]) -> str:
    """Findings per category over time, one stacked bar per month (per week within a month),
    and where the dates came from: a file's modification time is only a hint."""
    from ..aggregation import period_of

    dated = [t for t in transcripts if t.get("date")]
    months = {period_of(t, "month") for t in dated}
    if not dated or (len(months) < 2 and len({period_of(t, "week") for t in dated}) < 2):
        return ""
    key = "month" if len(months) >= 2 else "week"
    counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for transcript in dated:
        for finding in transcript["findings"]:
            counts[period_of(transcript, key)][finding["category"]] += 1
        counts.setdefault(period_of(transcript, key), defaultdict(int))
    periods = sorted(counts)
    categories = sorted({c for period in counts.values() for c in period})
    colour = {category: _PALETTE[i % len(_PALETTE)] for i, category in enumerate(categories)}
    width, left, bottom, plot = 560, 30, 170, 140
    step = (width - left - 10) / len(periods)
    tallest = max([sum(period.values()) for period in counts.values()] + [1])
    out = [f'<svg role="img" aria-label="Constats par catégorie dans le temps" viewBox="0 0 {width} {bottom + 40 + 16 * ((len(categories) + 3) // 4)}">']
    out.append(f'<line class="axis" x1="{left}" y1="{bottom}" x2="{width - 10}" y2="{bottom}"></line>')
    for index, period in enumerate(periods):
        x, top = left + index * step, bottom
        bar = [f'<g class="period" data-period="{_e(period)}" data-count="{sum(counts[period].values())}">']
        for category in categories:
            number = counts[period].get(category, 0)
            if not number:
                continue
            height = plot * number / tallest
            top -= height
            bar.append(
                f'<rect x="{x + 3:.1f}" y="{top:.1f}" width="{max(step - 6, 1):.1f}" height="{height:.1f}" fill="{colour[category]}" '
                f'data-category="{_e(category)}"><title>{_e(period)} · {_e(category)} : {count(number, "constat")}</title></rect>'
            )
        bar.append(f'<text x="{x + step / 2:.1f}" y="{bottom + 14}" text-anchor="middle">{_e(period)}</text></g>')
        out.append("".join(bar))
    for index, category in enumerate(categories):
        lx, ly = left + (index % 4) * 130, bottom + 34 + 16 * (index // 4)
        out.append(f'<rect x="{lx}" y="{ly - 9}" width="10" height="10" fill="{colour[category]}"></rect><text x="{lx + 14}" y="{ly}">{_e(category)}</text>')
    out.append("</svg>")
    sources = defaultdict(int)
    for transcript in dated:
        sources[transcript.get("date_source")] += 1
    said = ", ".join(f"{_DATE_SOURCES.get(source, source)} : {number}" for source, number in sorted(sources.items(), key=lambda item: str(item[0])))
    caption = "Constats par catégorie et par " + ("mois" if key == "month" else "semaine")
    return _figure("chart-trend", caption, "".join(out) + f'<p class="meta">Dates — {_e(said)}</p>')


def _figure(chart_id: str, caption: str, svg: str) -> str:
    return f'<figure class="chart" id="{chart_id}"><figcaption><h3>{_e(caption)}</h3></figcaption>{svg}</figure>'


def _horizontal_bars(rows: list[tuple[str, float, str]], maximum: float, label: str) -> str:
    """One ``<g class="bar">`` per (name, value, shown value); ``maximum`` is the full width."""
    row_height, label_width, bar_width = 24, 170, 250
    height = row_height * len(rows) + 8
    out = [f'<svg role="img" aria-label="{_e(label)}" viewBox="0 0 {label_width + bar_width + 50} {height}">']
    for index, (name, value, shown) in enumerate(rows):
        y = 4 + index * row_height
        width = 0 if not maximum else max(1.0, bar_width * value / maximum)
        out.append(
            f'<g class="bar" data-label="{_e(name)}" data-value="{_e(value)}">'
            f"<title>{_e(name)} : {_e(shown)}</title>"
            f'<text x="{label_width - 6}" y="{y + 15}" text-anchor="end">{_e(_shorten(name, 26))}</text>'
            f'<rect x="{label_width}" y="{y + 3}" width="{width:.1f}" height="{row_height - 8}" rx="2"></rect>'
            f'<text x="{label_width + width + 4:.1f}" y="{y + 15}">{_e(shown)}</text>'
            "</g>"
        )
    out.append("</svg>")
    return "".join(out)


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _category_chart(summary: dict[str, Any]) -> str:
    counts = [(category, sum(by_severity.values())) for category, by_severity in summary["by_category"].items()]
    if not counts:
        return _figure("chart-categories", "Constats par catégorie", '<p class="empty">Aucun constat.</p>')
    counts.sort(key=lambda item: (-item[1], item[0]))
    rows = [(category, count, str(count)) for category, count in counts]
    return _figure("chart-categories", "Constats par catégorie", _horizontal_bars(rows, counts[0][1], "Constats par catégorie"))


def _score_bins(transcripts: list[dict[str, Any]]) -> list[int]:
    bins = [0] * SCORE_BINS
    for transcript in transcripts:
        score = transcript.get("score")
        if score is None:
            continue
        bins[min(max(int(score) // 10, 0), SCORE_BINS - 1)] += 1  # 100 goes with 90–99
    return bins


def _score_chart(transcripts: list[dict[str, Any]]) -> str:
    bins = _score_bins(transcripts)
    tallest = max(bins) or 1
    left, bottom, column, plot = 30, 150, 34, 120
    width = left + column * SCORE_BINS + 10
    out = [f'<svg role="img" aria-label="Distribution des scores" viewBox="0 0 {width} {bottom + 22}">']
    out.append(f'<line class="axis" x1="{left}" y1="{bottom}" x2="{width - 10}" y2="{bottom}"></line>')
    for index, in_bin in enumerate(bins):
        low = index * 10
        high = 100 if index == SCORE_BINS - 1 else low + 9
        height = plot * in_bin / tallest
        x = left + index * column
        out.append(
            f'<g class="bin" data-range="{low}-{high}" data-count="{in_bin}">'
            f"<title>{low}–{high} : {count(in_bin, 'transcription')}</title>"
            f'<rect x="{x + 3}" y="{bottom - height:.1f}" width="{column - 6}" height="{height:.1f}" fill="#0969da"></rect>'
            + (f'<text x="{x + column / 2}" y="{bottom - height - 4:.1f}" text-anchor="middle">{in_bin}</text>' if in_bin else "")
            + f'<text x="{x + column / 2}" y="{bottom + 15}" text-anchor="middle">{low}</text>'
            "</g>"
        )
    out.append("</svg>")
    return _figure("chart-scores", "Distribution des scores", "".join(out))


def _agent_chart(transcripts: list[dict[str, Any]]) -> str:
    scores: dict[str, list[float]] = defaultdict(list)
    for transcript in transcripts:
        if transcript.get("agent") and transcript.get("score") is not None:
            scores[str(transcript["agent"])].append(transcript["score"])
    if not scores:
        return ""
    means = sorted(((agent, sum(s) / len(s), len(s)) for agent, s in scores.items()), key=lambda m: (m[1], m[0]))
    rows = [(agent, mean, f"{mean:.1f} ({count(n, 'transcription')})") for agent, mean, n in means]
    return _figure("chart-agents", "Score moyen par agent", _horizontal_bars(rows, 100, "Score moyen par agent"))


# --- table ------------------------------------------------------------------


def _table(transcripts: list[dict[str, Any]]) -> str:
    columns = [("transcription", "text"), ("canal", "text"), ("agent", "text"), ("constats", "number"), ("score", "number")]
    numeric_class = ' class="num"'
    head = "".join(
        f'<th scope="col" data-type="{kind}"{numeric_class if kind == "number" else ""}>'
        f'<button type="button">{label}</button></th>'
        for label, kind in columns
    )
    rows = []
    for index, transcript in enumerate(transcripts, 1):
        name = transcript_name(transcript['path'], transcript['id'])
        cells = [
            (name, f'<a href="#t-{index}">{_e(name)}</a>', ""),
            (transcript.get("channel") or "", _e(transcript.get("channel") or ""), ""),
            (transcript.get("agent") or "", _e(transcript.get("agent") or "-"), ""),
            (len(transcript["findings"]), str(len(transcript["findings"])), ' class="num"'),
            (transcript.get("score") if transcript.get("score") is not None else "", _e(transcript.get("score")), ' class="num"'),
        ]
        rows.append(f'<tr data-section="t-{index}">' + "".join(f'<td data-value="{_e(value)}"{cls}>{shown}</td>' for value, shown, cls in cells) + "</tr>")
    return (
        '<section id="table"><h2>Transcriptions</h2>'
        '<table id="transcripts-table"><thead><tr>' + head + "</tr></thead>"
        "<tbody>" + "".join(rows) + "</tbody></table></section>"
    )


# --- transcripts ------------------------------------------------------------


def _time(seconds: float | None) -> str:
    if seconds is None:
        return ""
    minutes, rest = divmod(int(seconds), 60)
    return f" · {minutes:02d}:{rest:02d}"


def _finding(finding: dict[str, Any], card_id: str, transcript: dict[str, Any], with_excerpt: bool) -> str:
    severity = finding.get("severity") or "info"
    label = SEVERITY_LABELS.get(severity, severity)
    critical = ' <span class="badge critical">critique</span>' if finding.get("critical") else ""
    rationale = (
        f'<details class="rationale"><summary>Pourquoi</summary><p>{_e(finding["rationale"])}</p></details>'
        if finding.get("rationale")
        else ""
    )
    suggestion = (
        f'<p class="suggestion"><strong>Suggestion :</strong> {_e(finding["suggestion"])}</p>'
        if finding.get("suggestion")
        else ""
    )
    excerpt = f'<blockquote class="excerpt">{excerpt_with_match(finding)}</blockquote>' if with_excerpt else ""
    verdict = (
        '<div class="verdict" role="group" aria-label="Verdict">'
        '<button type="button" data-verdict="confirmed" aria-pressed="false">juste</button>'
        '<button type="button" data-verdict="false-positive" aria-pressed="false">faux positif</button>'
        '<input class="verdict-note" type="text" placeholder="note" aria-label="note"></div>'
        if finding.get("fingerprint")
        else ""
    )
    where = position(finding.get("line"), finding.get("column"), finding.get("locator"), locator_always=True)
    return (
        f'<article class="finding severity-{_e(severity)}" id="{card_id}" data-rule="{_e(finding.get("rule"))}" '
        f'data-category="{_e(finding.get("category"))}" data-severity="{_e(severity)}" '
        f'data-fingerprint="{_e(finding.get("fingerprint"))}" data-transcript="{_e(transcript["id"])}">'
        f'<p class="finding-head"><span class="position">{_e(where)}</span> '
        f'<span class="badge severity-{_e(severity)}">{_e(label)}</span>{critical} '
        f'<code class="rule">{_e(finding.get("rule"))}</code> '
        f'<span class="category">{_e(finding.get("category"))}</span></p>'
        f"{excerpt}"
        f'<p class="message">{_e(finding.get("message"))}</p>'
        f"{rationale}{suggestion}{verdict}"
        "</article>"
    )


def _who(speaker: str | None, role: str | None) -> str:
    label = ROLE_LABELS.get(role or "", role or "")
    return _e(speaker or label or "?") + (f" ({_e(label)})" if label and label != speaker else "")


def _underlined(text: str, spans: list[tuple[int, int, str, str]]) -> str:
    """The turn's text, escaped, each flagged span in a ``<mark>`` naming its findings' cards.

    Overlapping findings share the marks of the words they share."""
    cuts = sorted({0, len(text), *(max(0, min(len(text), c)) for start, end, _, _ in spans for c in (start, end))})
    out = []
    for left, right in zip(cuts, cuts[1:]):
        covering = [(card, severity) for start, end, card, severity in spans if start <= left and right <= end]
        piece = _e(text[left:right])
        if covering:
            worst = min((severity for _, severity in covering), key=lambda s: SEVERITIES.index(s) if s in SEVERITIES else 3)
            cards = " ".join(card for card, _ in covering)
            out.append(f'<mark class="hit severity-{_e(worst)}" data-findings="{cards}">{piece}</mark>')
        else:
            out.append(piece)
    return "".join(out)


def _conversation(index: int, transcript: dict[str, Any]) -> str:
    """Every turn, the findings underlined in it and their cards beside it."""
    cards: dict[int, list[str]] = defaultdict(list)
    spans: dict[int, list[tuple[int, int, str, str]]] = defaultdict(list)
    for number, finding in enumerate(transcript["findings"], 1):
        card_id = f"t-{index}-f{number}"
        turn = finding.get("turn")
        cards[turn].append(_finding(finding, card_id, transcript, with_excerpt=False))
        if finding.get("span_start") is not None and finding.get("span_end") is not None:
            spans[turn].append((finding["span_start"], finding["span_end"], card_id, finding.get("severity") or "info"))
    items = []
    for turn in transcript["conversation"]:
        number = turn["turn"]
        where = [part for part in (_time(turn.get("time")).lstrip(" ·"), f"ligne {turn['line']}" if turn.get("line") else "", turn.get("locator") or "") if part]
        head = f"Tour {number} — {_who(turn.get('speaker'), turn.get('role'))}" + "".join(f" · {_e(part)}" for part in where)
        beside = f'<div class="cards">{"".join(cards[number])}</div>' if cards[number] else ""
        items.append(
            f'<li class="turn role-{_e(turn.get("role"))}{" with-cards" if beside else ""}" id="t-{index}-turn-{number}" data-turn="{number}">'
            f'<div class="speech"><span class="turn-head">{head}</span><p class="text">{_underlined(turn.get("text") or "", spans[number])}</p></div>'
            f"{beside}</li>"
        )
    summary = f"Conversation ({count(len(transcript['conversation']), 'tour')})"
    return f'<details class="conversation"><summary>{summary}</summary><ol class="conversation">{"".join(items)}</ol></details>'


def _excerpts(index: int, transcript: dict[str, Any]) -> str:
    """Without the turns (records built without them): each finding's excerpt, turn by turn."""
    out = ['<ol class="turns">']
    current = None
    for number, finding in enumerate(transcript["findings"], 1):
        if finding.get("turn") != current:
            if current is not None:
                out.append("</li>")
            current = finding.get("turn")
            out.append(
                f'<li class="turn" data-turn="{_e(current)}"><span class="turn-head">'
                f"Tour {_e(current)} — {_who(finding.get('speaker'), finding.get('role'))}{_e(_time(finding.get('time')))}</span>"
            )
        out.append(_finding(finding, f"t-{index}-f{number}", transcript, with_excerpt=True))
    out.append("</li></ol>")
    return "".join(out)


def _transcript(index: int, transcript: dict[str, Any]) -> str:
    findings = transcript["findings"]
    meta = [
        f"canal : {_e(transcript.get('channel') or '-')}",
        f"agent : {_e(transcript.get('agent') or '-')}",
        f"{count(transcript.get('turns') or 0, 'tour')}",
        f"score : <strong>{_e(transcript.get('score'))}</strong>/100",
        count(len(findings), "constat"),
    ]
    if transcript.get("suppressed"):
        meta.append(f"{len(transcript['suppressed'])} désactivé(s)")
    out = [
        f'<section class="transcript" id="t-{index}" tabindex="-1" data-path="{_e(transcript["path"])}" data-id="{_e(transcript["id"])}" '
        f'data-agent="{_e(transcript.get("agent") or "")}" data-channel="{_e(transcript.get("channel") or "")}">',
        f"<h3>{_e(transcript_name(transcript['path'], transcript['id']))}</h3>",
        f'<p class="meta">{" · ".join(meta)}</p>',
    ]
    if transcript.get("notes"):
        out.append(f'<p class="notes">{_e(transcript["notes"])}</p>')
    if transcript.get("conversation"):
        out.append(_conversation(index, transcript))
    elif not findings:
        out.append('<p class="empty">Aucun constat.</p>')
    else:
        out.append(_excerpts(index, transcript))
    out.append("</section>")
    return "".join(out)


def _errors(errors: list[dict[str, Any]]) -> str:
    if not errors:
        return ""
    items = []
    for error in errors:
        where = error["path"] + (f":{error['line']}" if error.get("line") is not None else "")
        where += f":{error['column']}" if error.get("column") is not None and error.get("line") is not None else ""
        items.append(f'<li class="read-error"><code>{_e(where)}</code> : {_e(error["message"])}</li>')
    return '<section id="errors"><h2>Erreurs de lecture</h2><ul>' + "".join(items) + "</ul></section>"
