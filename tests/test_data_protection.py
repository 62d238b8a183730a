"""Personal data stays where it is: nothing in redacted outputs, nothing on the network."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from .conftest import SAMPLES

PERSONAL = ["0612345678", "06 12 34 56 78", "jean.dupont@example.com", "FR76 3000 6000 0112 3456 7890 189", "3456 7890", "jean.dupont"]
FORMATS = ["json", "jsonl", "csv", "sarif", "junit", "markdown", "html", "github"]


def personal_inputs(folder: Path) -> None:
    """Personal data in turn text, in a file name, in a transcript id and in a read error."""
    folder.mkdir()
    (folder / "appel-0612345678.txt").write_text(
        "# id: dossier-jean.dupont@example.com\n"
        "Client : Bonjour, je suis joignable au 06 12 34 56 78 ou jean.dupont@example.com, "
        "mon IBAN est FR76 3000 6000 0112 3456 7890 189.\n"
        "Conseiller : Votre marchandise est au back-office, le remboursement ira normalement sur FR76 3000 6000 0112 3456 7890 189.\n",
        encoding="utf-8",
    )
    (folder / "erreur.json").write_text(
        json.dumps({"id": "x", "turns": [{"role": "jean.dupont@example.com", "text": "Bonjour"}]}), encoding="utf-8"
    )


def test_redacted_reports_and_messages_hold_no_personal_data(tmp_path):
    inputs, out = tmp_path / "inputs", tmp_path / "out"
    personal_inputs(inputs)
    outputs = [f"-o{name}={out / ('report.' + name)}" for name in FORMATS]
    command = [sys.executable, "-m", "transcript_audit", "check", str(inputs), "--redact", "--stats", "--group-by", "agent", *outputs]
    completed = subprocess.run(command, capture_output=True, text=True)
    assert completed.returncode == 2, completed.stderr  # the JSON file has an error
    assert "rôle inconnu « [e-mail] »" in completed.stderr
    texts = {path.name: path.read_text(encoding="utf-8") for path in out.iterdir()}
    assert len(texts) == len(FORMATS)
    for label in ("[téléphone]", "[e-mail]", "[IBAN]"):  # file name, transcript id, excerpt
        assert label in texts["report.json"], label
    for name, text in {**texts, "stderr": completed.stderr}.items():
        for value in PERSONAL:
            assert value not in text, (name, value)


def test_an_audit_makes_no_network_access(tmp_path):
    """The CLI runs with every way to reach another host (connect, name lookup) made to fail
    loudly. (Binding a local socket is allowed: urllib3, imported by spaCy, binds ::1 to
    learn whether IPv6 exists.)"""
    guard = (
        "import socket, sys\n"
        "def refuse(*args, **kwargs):\n"
        "    sys.stderr.write('NETWORK ACCESS ATTEMPTED\\n'); raise OSError('network disabled')\n"
        "for name in ('create_connection', 'getaddrinfo', 'gethostbyname', 'gethostbyname_ex', 'gethostbyaddr'):\n"
        "    setattr(socket, name, refuse)\n"
        "socket.socket.connect = socket.socket.connect_ex = socket.socket.sendto = refuse\n"
        "sys.argv = ['transcript-audit'] + sys.argv[1:]\n"
        "from transcript_audit.__main__ import main\n"
        "main()\n"
    )
    out, report = tmp_path / "report.html", tmp_path / "report.json"
    completed = subprocess.run(
        [sys.executable, "-c", guard, "check", str(SAMPLES), "--quiet", "--no-cache", f"-ohtml={out}", f"-ojson={report}"],
        capture_output=True,
        text=True,
    )
    assert "NETWORK ACCESS ATTEMPTED" not in completed.stderr
    assert completed.returncode == 1, completed.stderr
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert json.loads(report.read_text(encoding="utf-8"))["summary"]["transcripts"] > 30
