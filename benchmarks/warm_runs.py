"""The warm paths of issue 14: a re-run of ``check`` on an unchanged library, and a
pre-commit run through a warm daemon (``check --server``).

Generates, in a temporary folder, a library of 1,500 short canned responses (YAML)
and a 5-response library for the pre-commit case, then prints:

- the cold run (empty cache) and the warm re-run (same cache, nothing changed) of
  ``transcript-audit check LIB.yaml -q -f json``, and their ratio (the unchanged file
  is one lookup in the cache's ``files`` table);
- the same with one response's text edited (the file misses: the other responses'
  findings come from the per-transcript cache, the edited one is parsed);
- the 5-changed-responses run without a daemon (a new process, warm cache for the
  rest but the 5 responses changed each time) and through ``check --server`` with
  a warm daemon.

Figures, not tests: run it on a quiet machine, ``python benchmarks/warm_runs.py``
(``--quick``: 150 responses, one repetition, to check that the script runs).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

OPENINGS = ["Bonjour {{prenom}},", "Bonjour,", "Madame, Monsieur,", "Bonjour {{prenom}}, merci pour votre message."]
BODIES = [
    "Je comprends votre impatience et je suis désolée pour ce retard sur la commande {n}.",
    "Votre colis {n} a été remis au transporteur ce matin, il sera livré jeudi.",
    "C'est la faute du transporteur, nous n'y pouvons rien pour le dossier {n}.",
    "Le remboursement de la commande {n} a été validé, il apparaîtra sous cinq jours.",
    "Nous avons bien reçu votre demande de retour {n}, l'étiquette est jointe.",
    "Veuillez patienter, votre dossier {n} est en cours de traitement.",
]
CLOSINGS = ["Belle journée,\n[Prénom], équipe livraison", "Je reste à votre disposition.", "Cordialement,\nLe service client"]


def library(count: int, salt: str = "") -> str:
    lines = ["reponses:"]
    for n in range(count):
        body = "\n".join(
            [OPENINGS[n % len(OPENINGS)], "", BODIES[n % len(BODIES)].format(n=f"{n}{salt}"), "", CLOSINGS[n % len(CLOSINGS)]]
        )
        lines.append(f"  - titre: Réponse {n}{salt}")
        lines.append("    texte: |")
        lines.extend(f"      {line}" if line else "" for line in body.splitlines())
    return "\n".join(lines) + "\n"


def timed(argv: list[str], env: dict[str, str], cwd: Path) -> tuple[float, subprocess.CompletedProcess]:
    start = time.perf_counter()
    done = subprocess.run(argv, env=env, cwd=cwd, capture_output=True, text=True, check=False)
    return time.perf_counter() - start, done


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="150 responses, one repetition")
    parser.add_argument("--responses", type=int, default=1500)
    parser.add_argument("--repeat", type=int, default=9)
    arguments = parser.parse_args()
    count, repeat = (150, 1) if arguments.quick else (arguments.responses, arguments.repeat)
    command = [sys.executable, "-m", "transcript_audit"]
    with tempfile.TemporaryDirectory(prefix="warm-runs-") as folder:
        root = Path(folder)
        env = dict(os.environ, TRANSCRIPT_AUDIT_CACHE_DIR=str(root / "cache"), XDG_RUNTIME_DIR=str(root / "run"), COLUMNS="120")
        # As installed: pip compiles the package's bytecode at install time. A sandbox that
        # sets PYTHONDONTWRITEBYTECODE (with an editable install) would have every run
        # compile some fifty modules again, about 0.1 s that no user pays.
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        (root / "run").mkdir(mode=0o700)
        lib = root / "library.yaml"
        lib.write_text(library(count), encoding="utf-8")
        check = [*command, "check", str(lib), "-q", "-f", "json"]

        cold, first = timed(check, env, root)
        if first.returncode not in (0, 1):  # 2: the library did not read, nothing was audited
            raise SystemExit(f"the cold run failed: {first.stderr.strip()}")
        warm_times = []
        for _ in range(repeat):
            seconds, again = timed(check, env, root)
            warm_times.append(seconds)
            assert again.stdout == first.stdout, "a warm re-run changed the report"
        warm = statistics.median(warm_times)
        print(f"library of {count} short responses ({lib.stat().st_size // 1024} KB)")
        print(f"  cold run (empty cache):        {cold:6.2f} s")
        print(f"  warm re-run (median of {repeat}):   {warm:6.3f} s   (min {min(warm_times):.3f} s)")
        print(f"  ratio cold / warm:             {cold / warm:6.1f}x")
        # One response's text edited: the file misses, its other responses come from the per-transcript cache.
        original = lib.read_text(encoding="utf-8")
        edited_times = []
        for attempt in range(repeat):
            lib.write_text(original.replace("Votre colis 7 a", f"Votre colis 7 (v{attempt}) a", 1), encoding="utf-8")
            seconds, _ = timed(check, env, root)
            edited_times.append(seconds)
        lib.write_text(original, encoding="utf-8")
        print(f"  one response edited (median):  {statistics.median(edited_times):6.3f} s")

        # Pre-commit: 5 changed responses each time (new text, so the cache has no findings for them).
        small = root / "changed.yaml"
        hook = [*command, "check", str(small), "-q"]
        without, through = [], []
        small.write_text(library(5, "-warmup"), encoding="utf-8")
        timed(hook, env, root)  # the model's parse cache and rule verdicts in place, as in a repository
        for attempt in range(repeat):
            small.write_text(library(5, f"-a{attempt}"), encoding="utf-8")
            seconds, _ = timed(hook, env, root)
            without.append(seconds)
        daemon = subprocess.Popen([*command, "daemon"], env=env, cwd=root, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        try:
            for _ in range(300):  # wait for the socket
                probe = subprocess.run([*command, "daemon", "--status"], env=env, cwd=root, capture_output=True, text=True, check=False)
                if probe.returncode == 0:
                    break
                time.sleep(0.2)
            small.write_text(library(5, "-daemon-warmup"), encoding="utf-8")
            timed([*hook, "--server"], env, root)  # the daemon loads the model on its first request
            for attempt in range(repeat):
                small.write_text(library(5, f"-b{attempt}"), encoding="utf-8")
                seconds, served = timed([*hook, "--server"], env, root)
                through.append(seconds)
                small.write_text(library(5, f"-b{attempt}"), encoding="utf-8")
                _, reference = timed([*hook, "--no-cache"], env, root)
                assert (served.stdout, served.returncode) == (reference.stdout, reference.returncode), "the daemon's report differs"
            library_served = []
            for _ in range(repeat):
                seconds, served = timed([*check, "--server"], env, root)
                library_served.append(seconds)
                assert (served.stdout, served.returncode) == (first.stdout, first.returncode), "the daemon's report differs"
        finally:
            subprocess.run([*command, "daemon", "--stop"], env=env, cwd=root, capture_output=True, check=False)
            daemon.wait(timeout=30)
        print("pre-commit run on 5 changed responses (rich report)")
        print(f"  without a daemon (median of {repeat}):      {statistics.median(without):6.2f} s")
        print(f"  check --server, warm daemon (median):   {statistics.median(through):6.3f} s")
        print(f"the warm re-run of {count} responses through check --server (median): {statistics.median(library_served):.3f} s")


if __name__ == "__main__":
    main()
