"""Keystroke to diagnostics with ``transcript-audit server`` (issue 14), measured over stdio.

Starts the server with a real LSP client (pytest-lsp's), opens a generated
300-word French canned response (a YAML library of 20 responses, the one
edited among them), applies N edits (``didChange``, one at a time, each
waiting for its diagnostics) and prints:

- edit -> publishDiagnostics latency: median and 95th percentile (the server's
  debounce, 75 ms by default, is part of it; ``--debounce`` sets it);
- server start -> first diagnostics, against a cold ``transcript-audit check``
  of the same file (both with an empty cache folder);
- the server's resident memory (VmRSS) after the first and after the last edit.

    python benchmarks/editor_latency.py            # 1,000 edits
    python benchmarks/editor_latency.py --edits 200 --debounce 0
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from lsprotocol import types
from pytest_lsp import client_capabilities, make_test_lsp_client

SENTENCES = [
    "Je comprends votre inquiétude au sujet de votre commande et je vous remercie pour votre patience.",
    "J'ai vérifié auprès du transporteur ce matin : votre colis est au dépôt de Vénissieux.",
    "Il sera livré jeudi avant treize heures, à l'adresse que vous nous avez indiquée.",
    "Si ce créneau ne vous convient pas, vous pouvez choisir une autre date depuis le lien de suivi.",
    "Nous avons escaladé votre ticket au service concerné pour accélérer le traitement.",
    "Je surveille son arrivée et je vous écris dès qu'il est remis.",
    "En cas d'absence, le livreur dépose un avis de passage et le colis reste disponible quinze jours.",
    "Votre remboursement des frais de port a été validé et apparaîtra sur votre compte sous cinq jours.",
]


def response_text(words: int, seed: int) -> str:
    chosen, rng = ["Bonjour Madame,"], random.Random(seed)
    while sum(len(s.split()) for s in chosen) < words - 8:
        chosen.append(rng.choice(SENTENCES))
    chosen.append("Je vous souhaite une bonne journée, au revoir.")
    return " ".join(chosen)


def library(edited_body: str, others: int = 19) -> str:
    lines = ["responses:"]
    for index in range(others + 1):
        body = edited_body if index == 0 else response_text(60, index)
        lines += [f"  - name: Réponse {index}", "    body: |", f"      {body}"]  # a block: the text holds ": "
    return "\n".join(lines) + "\n"


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def server_pid(client_pid: int) -> int:
    """The server process (the client starts it as its own child)."""
    children = Path(f"/proc/{client_pid}/task/{client_pid}/children").read_text().split()
    return int(children[-1])


async def wait_diagnostics(client, uri: str, version: int) -> list:
    """The findings published for ``version``; a read error means the measure is void."""
    while True:
        params = await client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        if params.uri == uri and (params.version is None or params.version >= version):
            errors = [d.message for d in params.diagnostics if d.code == "read-error"]
            if errors or not params.diagnostics:
                raise SystemExit(f"the server found no finding to measure by: {errors or 'no diagnostic'}")
            return list(params.diagnostics)


def installed_environment() -> dict[str, str]:
    """The environment, as after ``pip install``, which compiles the bytecode: a sandbox's
    PYTHONDONTWRITEBYTECODE would have each start compile lsprotocol's types (0.7 s) again."""
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


async def measure(edits: int, debounce: float, folder: Path) -> dict:
    path = folder / "reponses.yaml"
    body = response_text(300, 0)
    text = library(body)
    path.write_text(text, encoding="utf-8")
    env = {**installed_environment(), "TRANSCRIPT_AUDIT_CACHE_DIR": str(folder / "server-cache"), "TRANSCRIPT_AUDIT_LSP_DEBOUNCE": str(debounce)}
    client = make_test_lsp_client()
    started = time.perf_counter()
    await client.start_io(sys.executable, "-m", "transcript_audit", "server", env=env)
    await client.initialize_session(types.InitializeParams(capabilities=client_capabilities("neovim"), root_uri=folder.as_uri()))
    uri = path.as_uri()
    client.text_document_did_open(types.DidOpenTextDocumentParams(types.TextDocumentItem(uri=uri, language_id="yaml", version=1, text=text)))
    first = await wait_diagnostics(client, uri, 1)
    to_first = time.perf_counter() - started
    pid = server_pid(os.getpid())
    latencies, rss = [], {}
    words = body.split()
    for version in range(2, edits + 2):
        # A keystroke: one word of the edited response changes (a typo typed, then fixed).
        position = (version * 7) % len(words)
        edited = words.copy()
        edited[position] = edited[position] + ("x" if version % 2 else "")
        new_text = library(" ".join(edited))
        sent = time.perf_counter()
        client.text_document_did_change(
            types.DidChangeTextDocumentParams(
                types.VersionedTextDocumentIdentifier(version=version, uri=uri), [types.TextDocumentContentChangeWholeDocument(new_text)]
            )
        )
        await wait_diagnostics(client, uri, version)
        latencies.append(time.perf_counter() - sent)
        if version == 2:
            rss["first"] = rss_kib(pid)
    rss["last"] = rss_kib(pid)
    await client.shutdown_session()
    return {"to_first": to_first, "first_count": len(first), "latencies": latencies, "rss": rss, "path": path}


def cold_check(path: Path, folder: Path) -> float:
    env = {**installed_environment(), "TRANSCRIPT_AUDIT_CACHE_DIR": str(folder / "check-cache")}
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "transcript_audit", "check", "-q", "-f", "json", str(path)], env=env, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    if done.returncode not in (0, 1):  # 2: the file did not read, nothing was audited
        raise SystemExit(f"the cold check failed: {done.stderr.strip()}")
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--edits", type=int, default=1000)
    parser.add_argument("--debounce", type=float, default=0.075, help="the server's debounce in seconds (part of the latency)")
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="editor-latency-") as name:
        folder = Path(name)
        figures = asyncio.run(measure(arguments.edits, arguments.debounce, folder))
        cold = cold_check(figures["path"], folder)
    latencies = sorted(figures["latencies"])
    median = statistics.median(latencies) * 1000
    p95 = latencies[min(len(latencies) - 1, int(round(0.95 * len(latencies))) - 1)] * 1000
    rss = figures["rss"]
    print(f"edits: {len(latencies)} on a 300-word response in a library of 20 (debounce {arguments.debounce * 1000:.0f} ms)")
    print(f"keystroke -> diagnostics: median {median:.0f} ms, p95 {p95:.0f} ms (targets: < 150 ms, < 300 ms)")
    print(
        f"start -> first diagnostics: {figures['to_first']:.2f} s ({figures['first_count']} diagnostics); "
        f"cold check: {cold:.2f} s; ratio {figures['to_first'] / cold:.2f} (target: <= 1.2)"
    )
    growth = (rss["last"] - rss["first"]) / rss["first"] * 100 if rss.get("first") else float("nan")
    print(f"server RSS: {rss.get('first', 0) / 1024:.0f} MiB after the first edit, {rss['last'] / 1024:.0f} MiB after the last ({growth:+.1f} %; target: within 10 %)")


if __name__ == "__main__":
    main()
