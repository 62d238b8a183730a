"""What the analyst reads about broken inputs is French, like the reports around it (issue 13, part 4).

Read errors were English sentences under the French heading "Erreurs de lecture". This runs
the CLI on a folder of broken inputs and checks every ``errors[].message`` of the JSON
report: no English word from a short list, and the French wording expected for each input.
Technical tokens (``# agent: X``, ``--columns``, JSON paths, format names) may stay as written,
so the list holds only words that no such token contains.
"""

from __future__ import annotations

import json
import re

from typer.testing import CliRunner

from transcript_audit.cli import app

# English words the old messages were made of ("no such file or folder", "unknown speaker
# label", "binary file (contains NUL bytes), not text", "no file to audit in this folder").
ENGLISH = re.compile(
    r"\b(?:cannot|no such|expected|unknown|file|folder|missing|not a|empty|invalid|skipped|found|label)\b",
    re.IGNORECASE,
)

CALL = "Conseiller : Bonjour, que puis-je faire pour vous ?\nTechnicien : Je passe demain.\n"


def test_every_read_error_of_a_json_report_is_in_french(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    lot = tmp_path / "lot"
    lot.mkdir()
    (lot / "etiquette.txt").write_text(CALL, encoding="utf-8")  # an unknown speaker label
    (lot / "binaire.txt").write_bytes(b"\x00\x01\x02 pas du texte")
    (lot / "vide.json").write_text("", encoding="utf-8")
    (lot / "sans-texte.csv").write_text("ticket,auteur,statut\n1,Julie,ouvert\n", encoding="utf-8")
    (tmp_path / "vide").mkdir()  # a folder with nothing to audit

    result = CliRunner().invoke(app, ["check", "lot", "absent.txt", "vide", "-f", "json", "--quiet"])

    assert result.exit_code == 2, result.stderr
    messages = {error["path"]: error["message"] for error in json.loads(result.stdout)["errors"]}
    assert set(messages) == {"lot/etiquette.txt", "lot/binaire.txt", "lot/vide.json", "lot/sans-texte.csv", "absent.txt", "vide"}
    english = {path: message for path, message in messages.items() if ENGLISH.search(message)}
    assert english == {}, english
    expected = {
        "lot/etiquette.txt": "locuteur inconnu « Technicien » : déclarez-le avec « # agent: Technicien »",
        "lot/binaire.txt": "fichier binaire",
        "lot/vide.json": "fichier vide",
        "lot/sans-texte.csv": "aucune colonne de texte des messages",
        "absent.txt": "fichier ou dossier introuvable",
        "vide": "aucun fichier à auditer dans ce dossier",
    }
    assert {path: message[: len(expected[path])] for path, message in messages.items()} == expected


def test_the_marker_words_catch_the_old_english_messages():
    """The check above would have failed before: each old message holds a marker word."""
    old = [
        "no such file or folder",
        "unknown speaker label 'Technicien': declare it with '# agent: Technicien' or '# customer: Technicien'",
        "binary file (contains NUL bytes), not text",
        "empty file: no JSON document to read",
        "no message text column (expected a header such as 'plain_body', 'body', 'message', 'text')",
        "no file to audit in this folder (looked for *.txt)",
    ]
    assert [message for message in old if not ENGLISH.search(message)] == []
