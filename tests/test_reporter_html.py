"""The HTML report: one self-contained page, rendered only from the records."""

from __future__ import annotations

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
    assert len([t for t, _ in page.tags if t == "button"]) == 5
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
