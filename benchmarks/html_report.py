"""Size and load time of the HTML report for about 1,000 transcripts.

The samples are copied into N folders (30 copies of the 33 samples: 990 transcripts),
audited once with the HTML report, and the page is opened in headless Chromium:
the load time is the time ``--dump-dom`` takes for the report minus the time it
takes for an empty page in the same run (Chromium's own start-up).

    python benchmarks/html_report.py [--copies 30]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")


def timed_dump(page: Path, profile: Path) -> float:
    command = [
        str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run", f"--user-data-dir={profile}",
        "--dump-dom", page.as_uri(),
    ]
    began = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, timeout=600)
    elapsed = time.perf_counter() - began
    if 'data-ready="1"' not in done.stdout and "<body></body>" not in done.stdout:
        sys.exit(f"the page did not finish loading: {done.stderr[-500:]}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=30)
    parser.add_argument("--runs", type=int, default=3)
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory() as work:
        work = Path(work)
        corpus = work / "corpus"
        for copy in range(arguments.copies):
            shutil.copytree(ROOT / "samples", corpus / f"lot-{copy:03d}")
        report = work / "report.html"
        began = time.perf_counter()
        subprocess.run([sys.executable, "-m", "transcript_audit", "check", str(corpus), "-q", "--no-cache", "-o", f"html={report}",
                        "-o", f"json={work / 'report.json'}"], check=False)
        audit_seconds = time.perf_counter() - began
        import json

        summary = json.loads((work / "report.json").read_text(encoding="utf-8"))["summary"]
        print(f"{summary['transcripts']} transcripts, {summary['turns']} turns, {summary['findings']} findings; audit {audit_seconds:.1f} s")
        print(f"HTML report: {report.stat().st_size / 1e6:.2f} MB")
        if not CHROMIUM.exists():
            print("no Chromium: load time not measured")
            return
        empty = work / "empty.html"
        empty.write_text("<!DOCTYPE html><html><body></body></html>", encoding="utf-8")
        loads, blanks = [], []
        for run in range(arguments.runs):
            blanks.append(timed_dump(empty, work / f"blank-{run}"))
            loads.append(timed_dump(report, work / f"profile-{run}"))
        print(f"load in headless Chromium: {statistics.median(loads) - statistics.median(blanks):.2f} s "
              f"(median of {arguments.runs}: {statistics.median(loads):.2f} s, of which {statistics.median(blanks):.2f} s start-up)")


if __name__ == "__main__":
    main()
