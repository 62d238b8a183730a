"""The HTML report: one self-contained page, rendered only from the records."""

from __future__ import annotations

import html
import io
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

from transcript_audit.reporters.html_report import html_document, render

from .conftest import ROOT, SAMPLES

CHROMIUM = Path("/usr/bin/chromium")


class Page(HTMLParser):
    """Tags with their attributes, and the text of every <mark>, in document order."""

    def __init__(self, source: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.marks: list[str] = []
        self.scripts: list[str] = []
        self._in_mark = self._in_script = False
        self.feed(source)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, {name: value or "" for name, value in attrs}))
        if tag == "mark":
            self._in_mark = True
            self.marks.append("")
        elif tag == "script":
            self._in_script = True
            self.scripts.append("")

    def handle_endtag(self, tag):
        if tag == "mark":
            self._in_mark = False
        elif tag == "script":
            self._in_script = False

    def handle_data(self, data):
        if self._in_mark:
            self.marks[-1] += data
        if self._in_script:
            self.scripts[-1] += data

    def with_class(self, name: str, tag: str | None = None) -> list[dict[str, str]]:
        return [a for t, a in self.tags if name in a.get("class", "").split() and (tag is None or t == tag)]

    def by_id(self, identifier: str) -> list[str]:
        return [t for t, a in self.tags if a.get("id") == identifier]


@pytest.fixture(scope="module")
def records(auditor):
    from transcript_audit.engine import AuditOptions
    from transcript_audit.pipeline import audit

    return audit([SAMPLES], AuditOptions(), auditor=auditor).as_records()


@pytest.fixture(scope="module")
def document(records) -> str:
    return html_document(records)


@pytest.fixture(scope="module")
def conversations(auditor):
    """The records of samples/ with their turns, as the HTML report renders them."""
    from transcript_audit.engine import AuditOptions
    from transcript_audit.pipeline import audit

    return audit([SAMPLES], AuditOptions(keep_texts=True), auditor=auditor).as_records(with_text=True)


@pytest.fixture(scope="module")
def page(document) -> Page:
    return Page(document)


def _findings(records):
    return [finding for transcript in records["transcripts"] for finding in transcript["findings"]]


def _record(**finding) -> dict:
    base = {
        "rule": "fr.vague", "category": "vague", "severity": "warning", "message": "m", "rationale": "r",
        "suggestion": None, "turn": 1, "speaker": "Agent", "role": "agent", "line": 1, "column": 1,
        "excerpt": "", "match": None, "match_start": None, "locator": None, "time": None, "critical": False,
    }
    return {**base, **finding}


def _report(transcripts, errors=()) -> dict:
    findings = [f for t in transcripts for f in t["findings"]]
    categories: dict = {}
    for f in findings:
        categories.setdefault(f["category"], {}).setdefault(f["severity"], 0)
        categories[f["category"]][f["severity"]] += 1
    return {
        "tool": {"name": "transcript-audit", "version": "0"},
        "summary": {
            "transcripts": len(transcripts), "turns": sum(t["turns"] for t in transcripts), "findings": len(findings),
            "errors": len(errors), "by_severity": {s: sum(f["severity"] == s for f in findings) for s in ("error", "warning", "info")},
            "by_category": categories, "mean_score": 50, "clean_transcripts": 0, "suppressed": 0, "baselined": 0,
        },
        "rules": [],
        "transcripts": transcripts,
        "errors": list(errors),
    }


def test_render_writes_the_same_page(auditor):
    from transcript_audit.engine import AuditOptions
    from transcript_audit.pipeline import audit

    result = audit([SAMPLES / "chat-ordinateur-portable-bad.txt"], AuditOptions(), auditor=auditor)
    stream = io.StringIO()
    render(result, stream)
    assert stream.getvalue() == html_document(result.as_records())
    assert stream.getvalue().startswith("<!DOCTYPE html>\n<html lang=\"fr\">")


def test_one_section_per_transcript(records, page):
    sections = page.with_class("transcript", "section")
    assert len(sections) == len(records["transcripts"]) > 1
    assert [s["data-path"] for s in sections] == [t["path"] for t in records["transcripts"]]


def test_one_card_per_finding(records, page):
    assert len(page.with_class("finding")) == len(_findings(records)) == records["summary"]["findings"] > 0


def test_marks_hold_the_matched_words(records, page):
    expected = [
        f["match"]
        for f in _findings(records)
        if f["match"] and f["match_start"] is not None
        and f["excerpt"][f["match_start"] : f["match_start"] + len(f["match"])] == f["match"]
    ]
    assert expected
    assert page.marks == expected


def test_charts_are_inline_svg(records, page):
    for chart in ("chart-categories", "chart-scores"):
        assert page.by_id(chart) == ["figure"]
    assert sum(tag == "svg" for tag, _ in page.tags) >= 2
    bars = [a["data-label"] for a in page.with_class("bar", "g")]
    categories = list(records["summary"]["by_category"])
    agents = {t["agent"] for t in records["transcripts"] if t["agent"]}
    assert sorted(bars) == sorted(categories + list(agents))  # category bars, then one per agent
    bins = page.with_class("bin", "g")
    assert len(bins) == 10
    assert sum(int(b["data-count"]) for b in bins) == len(records["transcripts"])
    assert bool(agents) == bool(page.by_id("chart-agents"))


def test_sortable_table(records, page):
    assert page.by_id("transcripts-table") == ["table"]
    rows = [a for t, a in page.tags if t == "tr"]
    assert len(rows) == len(records["transcripts"]) + 1  # the header row
    sort_buttons = [a for t, a in page.tags if t == "button" and not a.get("data-verdict") and a.get("id") != "export-verdicts"]
    assert len(sort_buttons) == 5  # one per column header
    assert page.scripts and "dataset.ready" in page.scripts[-1]


def test_no_external_resource(document, page):
    for tag, attrs in page.tags:
        for name in ("src", "href", "action", "data", "xlink:href"):
            assert not re.match(r"\s*(https?:)?//", attrs.get(name, "")), (tag, attrs)
        assert not (tag == "link" and attrs.get("rel") == "stylesheet")
    assert "@import" not in document and "url(" not in document


def test_transcript_text_is_escaped():
    hostile = "<script>alert(1)</script>"
    finding = _record(
        excerpt=f"Bonjour {hostile} merci", match=hostile, match_start=8, speaker='"><img src=x>',
        message="<b>m</b>", suggestion="<i>s</i>", category="<svg>",
    )
    transcript = {
        "id": "<x>", "path": "a&b.txt", "channel": "<chat>", "agent": "<Kevin>", "turns": 1, "notes": hostile,
        "score": 40, "findings": [finding], "suppressed": [],
    }
    document = html_document(_report([transcript], [{"path": "<bad>.txt", "line": 2, "message": hostile}]))
    page = Page(document)
    assert document.count("<script>") == 1  # the page's own script only
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in document
    assert not [t for t, _ in page.tags if t in ("img", "b", "i")]
    assert page.marks == [hostile]
    assert len(page.with_class("finding")) == 1


def test_locator_when_there_is_no_column():
    finding = _record(line=None, column=None, locator="cue 12", excerpt="ok", match="ok", match_start=0)
    transcript = {"id": "x", "path": "x.vtt", "channel": "phone", "agent": None, "turns": 3, "notes": None,
                  "score": 100, "findings": [finding], "suppressed": []}
    document = html_document(_report([transcript]))
    assert '<span class="position">cue 12</span>' in document
    assert 'id="chart-agents"' not in document


@pytest.mark.slow
def test_in_chromium(document, tmp_path):
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed: apt-get install chromium")
    page = tmp_path / "report.html"
    page.write_text(document, encoding="utf-8")
    screenshot = tmp_path / "report.png"
    base = [
        str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run",
        f"--user-data-dir={tmp_path / 'profile'}", "--window-size=1280,2000",
        "--enable-logging=stderr", "--v=0",
    ]
    shot = subprocess.run(
        [*base, f"--screenshot={screenshot}", page.as_uri()], capture_output=True, text=True, timeout=120
    )
    assert screenshot.exists() and screenshot.stat().st_size > 0, shot.stderr[-2000:]
    assert screenshot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    artifacts = ROOT / "test-artifacts"
    artifacts.mkdir(exist_ok=True)
    shutil.copyfile(screenshot, artifacts / "html-report.png")

    dom = subprocess.run([*base, "--dump-dom", page.as_uri()], capture_output=True, text=True, timeout=120)
    console_errors = [line for line in dom.stderr.splitlines() if "CONSOLE" in line and ("Error" in line or "ERROR" in line)]
    assert not console_errors, console_errors
    assert 'data-ready="1"' in dom.stdout, dom.stderr[-2000:]



# ---------------------------------------------------------------- whole conversations


def test_each_conversation_is_shown_whole_with_its_findings_underlined(conversations):
    page = Page(html_document(conversations))
    turns = page.with_class("turn", "li")
    assert len(turns) == sum(len(t["conversation"]) for t in conversations["transcripts"])
    underlined = [f for t in conversations["transcripts"] for f in t["findings"] if f["span_start"] is not None]
    assert underlined and len(page.with_class("hit", "mark")) >= len({(f["turn"], f["span_start"]) for f in underlined}) // 2
    cards = page.with_class("finding", "article")
    assert len(cards) == len(_findings(conversations))
    assert all(card["data-fingerprint"] for card in cards)
    fingerprints = [f["fingerprint"] for f in _findings(conversations)]
    assert [card["data-fingerprint"] for card in cards] == fingerprints  # one card per finding, in order


def test_the_underlined_words_are_the_findings_own(conversations):
    """Every finding with a span: the marks naming its card hold exactly its matched words."""
    document = html_document(conversations)
    for index, transcript in enumerate(conversations["transcripts"], 1):
        for number, finding in enumerate(transcript["findings"], 1):
            if finding["span_start"] is None:
                continue
            card = f"t-{index}-f{number}"
            pieces = re.findall(rf'<mark class="hit[^"]*" data-findings="[^"]*\b{card}\b[^"]*">([^<]*)</mark>', document)
            assert "".join(pieces) == html.escape(finding["match"], quote=True), (card, finding["match"])


def test_turn_text_is_escaped_in_the_conversation():
    transcript = {"id": "t", "path": "t.txt", "channel": "chat", "agent": None, "turns": 1, "notes": [], "score": 90,
                  "findings": [_record(match="<b>", span_start=3, span_end=6, fingerprint="f1")], "suppressed": [],
                  "conversation": [{"turn": 1, "speaker": "A", "role": "agent", "line": 1, "time": None, "locator": None,
                                    "text": "ab <b><script>alert(1)</script>"}]}
    document = html_document(_report([transcript]))
    assert "<script>alert(1)" not in document and '&lt;b&gt;</mark>' in document


def _dump(page: Path, fragment: str, profile: Path) -> str:
    """The page's DOM once its script ran, opened at ``#fragment`` (see the script's address commands)."""
    command = [
        str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run", f"--user-data-dir={profile}",
        "--enable-logging=stderr", "--v=0", "--dump-dom", f"{page.as_uri()}#{fragment}",
    ]
    dom = subprocess.run(command, capture_output=True, text=True, timeout=120)
    errors = [line for line in dom.stderr.splitlines() if "CONSOLE" in line and ("Error" in line or "ERROR" in line)]
    assert not errors, errors
    assert 'data-ready="1"' in dom.stdout, dom.stderr[-2000:]
    return dom.stdout


@pytest.mark.slow
def test_in_chromium_a_conversation_opens_filters_hide_and_verdicts_round_trip(auditor, tmp_path):
    """Open a transcript from the address, filter by category, judge two findings, export the
    verdicts from the page, then give them to check --verdicts and rules precision."""
    import json

    from typer.testing import CliRunner

    from transcript_audit.cli import app

    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed: apt-get install chromium")
    calls = tmp_path / "calls"
    calls.mkdir()
    shutil.copyfile(SAMPLES / "chat-marketplace-vendeur-bad.txt", calls / "chat.txt")
    report = tmp_path / "report.html"
    assert CliRunner().invoke(app, ["check", str(calls), "-q", "-o", f"html={report}", "-o", f"json={tmp_path / 'r.json'}"]).exit_code == 1
    findings = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))["transcripts"][0]["findings"]
    categories = {f["category"] for f in findings}
    assert len(categories) >= 2
    kept = "blame" if "blame" in categories else sorted(categories)[0]

    filtered = _dump(report, f"t-1&category={kept}", tmp_path / "p1")
    assert re.search(r'<details class="conversation" open="">', filtered)
    cards = re.findall(r'<article class="finding ([^"]*)" id="([^"]+)"[^>]*data-category="([^"]*)"', filtered)
    assert len(cards) == len(findings)
    for classes, _, category in cards:
        assert ("hidden" in classes.split()) == (category != kept), (classes, category)
    hidden_cards = {card for classes, card, _ in cards if "hidden" in classes.split()}
    for classes, owners in re.findall(r'<mark class="hit ([^"]*)" data-findings="([^"]*)"', filtered):
        assert ("off" in classes.split()) == (set(owners.split()) <= hidden_cards)

    wrong, right = findings[0], findings[1]
    judged = _dump(report, f"t-1&analyst=Zoé&verdict={wrong['fingerprint']},false-positive,le client l'a dit&verdict={right['fingerprint']},confirmed,", tmp_path / "p2")
    exported = html.unescape(re.search(r'<pre id="verdicts-export"[^>]*>(.*?)</pre>', judged, re.S).group(1))
    verdicts = tmp_path / "verdicts.csv"
    verdicts.write_text(exported, encoding="utf-8")
    lines = exported.strip().splitlines()
    assert lines[0] == "fingerprint,rule,transcript,verdict,note,analyst,date" and len(lines) == 3
    assert any("false-positive,le client l'a dit,Zoé" in line for line in lines)

    again = CliRunner().invoke(app, ["check", str(calls), "-f", "json", "--verdicts", str(verdicts)])
    summary = json.loads(again.stdout)["summary"]
    assert summary["dismissed"] == 1 and summary["findings"] == len(findings) - 1
    precision = CliRunner().invoke(app, ["rules", "precision", str(verdicts), "-f", "json"])
    rows = {row["rule"]: row for row in json.loads(precision.stdout)}
    assert rows[wrong["rule"]]["false_positives"] >= 1 and rows[right["rule"]]["confirmed"] >= 1
