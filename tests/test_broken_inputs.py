"""A corpus of broken inputs: each gives a clear message, and none stops the others (issue 7).

Every broken file is asserted on its whole message, the file it names and,
where meaningful, its line. Small files live in ``fixtures/broken``; big ones
(a 50 MB line, 10 000 columns, an e-mail bomb) are written in ``tmp_path``.
File-system cases (symbolic link loops, pipes, devices, unreadable files,
folders named like files) go through ``readers.discover`` and
``readers.read_all``, as the CLI does. One end-to-end run of the CLI checks
that a folder of broken files still audits its one good transcript.

A ``signal.alarm`` guard turns a hang (a pipe opened, a quadratic regex)
into a failure instead of a blocked CI job.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
from pathlib import Path

import pytest

from transcript_audit.model import ReadError
from transcript_audit.readers import default_include, discover, read_all, read_file
from transcript_audit.readers.base import ReaderOptions

# A reading that hangs (a pipe opened, a runaway regex) fails its test instead of blocking CI.
pytestmark = pytest.mark.timeout(60)


FIXTURES = Path(__file__).parent / "fixtures" / "broken"

UTF16_WITHOUT_BOM = "texte UTF-16 sans marque d’ordre des octets (BOM) : enregistrez-le en UTF-8, ou en UTF-16 avec BOM"
NOT_A_PIPE = "fichier illisible : ce n’est pas un fichier ordinaire (un tube nommé)"
LOOP = "fichier illisible : boucle de liens symboliques"
GOOD_CALL = (
    "Conseillère : Bonjour, que puis-je faire pour vous ?\n"
    "Client : Mon colis n'est toujours pas arrivé.\n"
    "Conseillère : Normalement vous le recevrez prochainement. Bonne journée.\n"
)


def located(errors: list[ReadError]) -> list[tuple[str, int | None, str]]:
    return [(error.path, error.line, error.message) for error in errors]


def read_fixture(name: str):
    return read_file(FIXTURES / name, ReaderOptions())


def read_everything(paths: list[Path], **options):
    """Transcripts and errors of ``read_all``, as the engine collects them."""
    transcripts, errors = [], []
    for found, problems in read_all(paths, ReaderOptions(**options)):
        transcripts += found
        errors += problems
    return transcripts, errors


@pytest.fixture
def in_folder(tmp_path, monkeypatch) -> Path:
    """Work inside ``tmp_path``, so that paths in messages are short and stable."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


# ---------------------------------------------------------------- broken contents (fixtures)

BROKEN_FILES = [
    # (file, line, message)
    ("tronque.json", 3, "JSON invalide : chaîne de caractères jamais fermée"),
    ("tronque-apres-virgule.json", 3, "JSON invalide : une valeur est attendue ici"),
    ("utf16-sans-bom.txt", None, UTF16_WITHOUT_BOM),
    ("utf16-sans-bom.eml", None, UTF16_WITHOUT_BOM),
    ("binaire.txt", None, "fichier binaire (il contient des octets NUL) : ce n’est pas du texte"),
    ("pas-cp1252.txt", None, "texte ni en UTF-8 ni en Windows-1252 (octet 0x81 à la position 9)"),
    ("nul.txt", None, "fichier binaire (il contient des octets NUL) : ce n’est pas du texte"),
    ("nul.eml", None, "fichier binaire (il contient des octets NUL) : ce n’est pas un e-mail"),
    ("vide.txt", None, "fichier vide : aucun tour de parole (lignes attendues du type « Conseiller : Bonjour »)"),
    ("vide.json", None, "fichier vide : aucun document JSON à lire"),
    ("vide.vtt", None, "fichier vide : aucun sous-titre WebVTT à lire"),
    ("vide.srt", None, "fichier vide : aucun sous-titre à lire"),
    ("vide.csv", None, "fichier vide (il faut une ligne d’en-tête, puis une ligne par message)"),
    ("vide.tsv", None, "fichier vide (il faut une ligne d’en-tête, puis une ligne par message)"),
    ("vide.eml", None, "fichier vide"),
    ("vide.mbox", None, "fichier vide"),
    ("vide.yaml", None, "fichier vide : ce n’est pas une bibliothèque de réponses types (attendu : une liste de réponses, chacune avec un nom et un corps)"),
]


@pytest.mark.parametrize(("name", "line", "message"), BROKEN_FILES, ids=[case[0] for case in BROKEN_FILES])
def test_a_broken_file_gives_one_clear_message_naming_it(name, line, message):
    transcripts, errors = read_fixture(name)
    assert transcripts == []
    assert [(Path(e.path).name, e.line, e.message) for e in errors] == [(name, line, message)]


def test_a_truncated_json_points_at_where_the_text_stops():
    _, (error,) = read_fixture("tronque.json")
    last_line = (FIXTURES / "tronque.json").read_text(encoding="utf-8").splitlines()[-1]
    assert (error.line, error.column) == (3, last_line.index('"Bonjour') + 1)  # the string left open


def test_latin1_mail_labelled_utf8_falls_back_to_windows_1252():
    """The declared charset is wrong: the body is still read, accents intact (documented fallback)."""
    (transcript,), errors = read_fixture("latin1-annonce-utf8.eml")
    assert errors == []
    assert transcript.turns[0].text == "Bonjour,\nÉté comme hiver, j'attends toujours ma commande.\nClaire"


@pytest.mark.parametrize("charset", ["undefined", "unicode_escape", "punycode", "x-inconnu", "utf-7"])
def test_a_mail_with_a_bogus_charset_and_a_broken_encoded_word_is_still_read(in_folder, charset):
    """The message was lost as "cannot parse message: UnicodeError…" / "HeaderParseError: Base64 decoding error"."""
    (in_folder / "courriel.eml").write_bytes(
        f"From: =?utf-8?b?////?= <claire@exemple.fr>\nContent-Type: text/plain; charset={charset}\n\n"
        "Bonjour,\\n ma commande est arrivée abîmée.\n".encode("utf-8")
    )
    (transcript,), errors = read_everything([in_folder / "courriel.eml"])
    assert errors == []
    turn = transcript.turns[0]
    assert (turn.speaker, turn.text, turn.line) == ("=?utf-8?b?////?=", "Bonjour,\\n ma commande est arrivée abîmée.", 4)


def test_one_broken_message_in_a_mailbox_does_not_stop_the_others():
    (thread,), errors = read_fixture("boite-un-message-casse.mbox")
    assert [(Path(e.path).name, e.line, e.message) for e in errors] == [
        ("boite-un-message-casse.mbox", 16, "message 2 : structure MIME cassée : délimiteur « FRONTIERE » introuvable"),
    ]
    assert [turn.speaker for turn in thread.turns] == ["Claire Moreau", "Service client Acme"]
    assert thread.turns[1].text.startswith("Bonjour Madame Moreau,\nVotre colis part demain.")


# ---------------------------------------------------------------- big and pathological inputs (generated)

FIFTY_MEGABYTES = 50 * 1024 * 1024
WORDS = b"bonjour madame je vous appelle pour ma commande "


def _fifty_megabytes_of_words() -> bytes:
    return (WORDS * (FIFTY_MEGABYTES // len(WORDS) + 1))[:FIFTY_MEGABYTES]


@pytest.mark.slow
def test_a_50_mb_single_line_is_read_in_bounded_time(in_folder):
    """One labelled line of 50 MB is one turn; the same line without a label is two clear errors.

    Reading takes well under a second each; auditing such a turn is the
    engine's business (spaCy refuses texts over ``nlp.max_length``).
    """
    words = _fifty_megabytes_of_words()
    (in_folder / "ligne.txt").write_bytes(b"Client : " + words)
    (in_folder / "sans-etiquette.txt").write_bytes(words)
    transcripts, errors = read_everything([in_folder / "ligne.txt", in_folder / "sans-etiquette.txt"])
    (call,) = transcripts
    assert (call.id, len(call.turns), len(call.turns[0].text), call.turns[0].line) == ("ligne", 1, FIFTY_MEGABYTES, 1)
    assert located(errors) == [
        ("sans-etiquette.txt", 1, "texte avant le premier tour de parole (attendu : « Locuteur : texte »)"),
        ("sans-etiquette.txt", None, "aucun tour de parole trouvé (lignes attendues du type « Conseiller : Bonjour »)"),
    ]


@pytest.mark.slow
def test_a_50_mb_csv_field_is_refused_past_the_field_limit(in_folder):
    (in_folder / "export.csv").write_bytes(b"ticket_id,author_type,body\n1,agent," + _fifty_megabytes_of_words())
    transcripts, errors = read_everything([in_folder / "export.csv"])
    assert transcripts == []
    assert located(errors) == [
        ("export.csv", 2, "ligne illisible (champ plus grand que la limite (8388608)) : ligne ignorée"),
        ("export.csv", 1, "aucune ligne de données après la ligne d’en-tête"),
    ]


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("courriel.eml", b"From: a@exemple.fr\n\nBonjour\n" + b" " * 1_000_000 + b"x\n"),
        ("entete.txt", b"# agent: Julie" + b" " * 1_000_000 + b"Martin\nJulie Martin : Bonjour"),
        ("directive.txt", b"# transcript-audit: disable=vague" + b" " * 1_000_000 + b"x\nClient : Bonjour"),
        ("locuteurs.json", b'{"segments": [{"text": "Bonjour", "speaker": "A' + b" " * 1_000_000 + b'B"}]}'),
        ("export.csv", b'ticket,author,body\n1,"Julie' + b" " * 1_000_000 + b'Martin",Bonjour\n'),
        ("reponses.yaml", b"reponses: " + b"[" * 100_000),
    ],
    ids=["mail-line", "text-header", "text-directive", "json-speaker", "csv-speaker", "yaml-flow"],
)
def test_runs_of_a_million_spaces_or_brackets_are_read_in_linear_time(in_folder, name, content):
    """These took minutes to hours (regexes and label folding quadratic on runs of spaces,
    PyYAML's simple-key bookkeeping on nested '['); the guard fails the test long before."""
    (in_folder / name).write_bytes(content)
    transcripts, errors = read_everything([in_folder / name])
    assert transcripts or errors


def test_a_csv_of_10000_columns_lists_a_few_headers_not_all(in_folder):
    header = ",".join(f"col{i}" for i in range(10_000))
    (in_folder / "large.csv").write_text(f"{header}\n{','.join('x' * 10_000)}\n", encoding="utf-8")
    transcripts, errors = read_everything([in_folder / "large.csv"])
    listed = ", ".join(f"« col{i} »" for i in range(20))
    assert transcripts == []
    assert located(errors) == [(
        "large.csv", 1,
        "aucune colonne de texte des messages (en-têtes attendus : « plain_body », « body », « message », « text » ; "
        f"trouvés : {listed} et 9\u202f980 autres) ; nommez-la avec --columns text=HEADER",
    )]


def test_a_csv_of_10000_columns_with_known_headers_is_read(in_folder):
    names = ["ticket_id", "author_type", "body"] + [f"extra{i}" for i in range(9_997)]
    rows = [["4512", "end-user", "Où est ma commande ?"], ["4512", "agent", "Elle part demain."]]
    lines = [",".join(names)] + [",".join(row + [""] * 9_997) for row in rows]
    (in_folder / "large.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (ticket,), errors = read_everything([in_folder / "large.csv"])
    assert errors == []
    assert (ticket.id, [(turn.role.value, turn.line) for turn in ticket.turns]) == (
        "large#4512", [("customer", 2), ("agent", 3)]
    )


def _nested_multiparts(depth: int) -> bytes:
    head = "From: bombe@exemple.fr\nSubject: bombe\n"
    parts = [f'Content-Type: multipart/mixed; boundary="b{level}"\n\n--b{level}\n' for level in range(depth)]
    closing = "".join(f"\n--b{level}--\n" for level in reversed(range(depth)))
    return (head + "".join(parts) + "Content-Type: text/plain\n\nBonjour\n" + closing).encode()


def test_an_email_bomb_of_1000_nested_multiparts_is_skipped_with_its_reason(in_folder):
    (in_folder / "bombe.eml").write_bytes(_nested_multiparts(1000))
    transcripts, errors = read_everything([in_folder / "bombe.eml"])
    assert transcripts == []
    assert located(errors) == [
        ("bombe.eml", 1, "trop de parties MIME imbriquées (plus de 50 conteneurs multipart) : message ignoré")
    ]


def test_an_email_bomb_in_a_mailbox_does_not_stop_the_other_messages(in_folder):
    good = (FIXTURES / "boite-un-message-casse.mbox").read_bytes()
    bomb = b"From bombe@exemple.fr Mon Mar  3 11:00:00 2025\n" + _nested_multiparts(1000)
    (in_folder / "boite.mbox").write_bytes(good + b"\n" + bomb)
    bomb_line = good.count(b"\n") + 2
    (thread,), errors = read_everything([in_folder / "boite.mbox"])
    assert [(e.line, e.message) for e in errors] == [
        (16, "message 2 : structure MIME cassée : délimiteur « FRONTIERE » introuvable"),
        (bomb_line + 1, "message 4 : trop de parties MIME imbriquées (plus de 50 conteneurs multipart) : message ignoré"),
    ]
    assert len(thread.turns) == 2


def test_mime_parts_nested_deeper_than_20_levels_are_not_read(in_folder):
    (in_folder / "profond.eml").write_bytes(_nested_multiparts(30))
    transcripts, errors = read_everything([in_folder / "profond.eml"])
    assert transcripts == []
    assert located(errors) == [  # line 5: where the message body starts, under its headers
        ("profond.eml", 5, "pas de corps de texte (les parties MIME imbriquées sur plus de 20 niveaux n’ont pas été lues)")
    ]


# ---------------------------------------------------------------- the file system

def test_a_path_that_does_not_exist(in_folder):
    assert list(discover([Path("absent.txt")])) == [ReadError("absent.txt", None, "fichier ou dossier introuvable")]


def test_dev_null_is_not_a_regular_file():
    """It exists: "fichier ou dossier introuvable" was wrong. A device is never opened (/dev/zero would never end)."""
    assert list(discover([Path("/dev/null")])) == [
        ReadError("/dev/null", None, "fichier illisible : ce n’est pas un fichier ordinaire (un périphérique en mode caractère)")
    ]
    assert read_file(Path("/dev/null"), ReaderOptions())[1] == [
        ReadError("/dev/null", None, "fichier illisible : ce n’est pas un fichier ordinaire (un périphérique en mode caractère)")
    ]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes need POSIX")
def test_a_named_pipe_is_never_opened_given_or_found(in_folder):
    """Opening a FIFO blocks until a writer comes: it must be reported, not read."""
    (in_folder / "calls").mkdir()
    os.mkfifo(in_folder / "calls" / "tube.txt")
    os.mkfifo(in_folder / "tube.txt")
    (in_folder / "calls" / "appel.txt").write_text(GOOD_CALL, encoding="utf-8")
    transcripts, errors = read_everything([in_folder / "tube.txt", in_folder / "calls"])
    assert [t.id for t in transcripts] == ["appel"]
    assert located(errors) == [(str(in_folder / "tube.txt"), None, NOT_A_PIPE), ("calls/tube.txt", None, NOT_A_PIPE)]
    assert read_file(in_folder / "tube.txt", ReaderOptions())[1] == [ReadError("tube.txt", None, NOT_A_PIPE)]


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="symbolic links needed")
def test_symbolic_link_loops_are_reported_and_never_followed(in_folder):
    """A link to its own folder is not walked (os.walk without followlinks); a link to itself is an error."""
    folder = in_folder / "calls"
    (folder / "sub").mkdir(parents=True)
    (folder / "sub" / "appel.txt").write_text(GOOD_CALL, encoding="utf-8")
    (folder / "sub" / "boucle").symlink_to("..", target_is_directory=True)
    (folder / "x.txt").symlink_to("x.txt")  # a link to itself
    (folder / "ailleurs.txt").symlink_to("nulle-part.txt")  # a broken link
    transcripts, errors = read_everything([folder, folder / "x.txt"])
    assert [t.path for t in transcripts] == ["calls/sub/appel.txt"]
    assert located(errors) == [
        ("calls/ailleurs.txt", None, "lien symbolique cassé : sa cible n’existe pas"),
        ("calls/x.txt", None, LOOP),
        (str(folder / "x.txt"), None, LOOP),
    ]
    assert read_file(folder / "x.txt", ReaderOptions())[1] == [ReadError("calls/x.txt", None, LOOP)]


def _deny(monkeypatch, denied: Path) -> None:
    """Make reading ``denied`` fail as chmod 000 does (root reads anything, so it is simulated)."""
    if os.geteuid() != 0:
        denied.chmod(0)
        return
    original = Path.read_bytes

    def read_bytes(self: Path) -> bytes:
        if self.resolve() == denied.resolve():
            raise PermissionError(errno.EACCES, "Permission denied", str(self))
        return original(self)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)


def test_an_unreadable_file_is_reported_and_the_others_are_read(in_folder, monkeypatch):
    (in_folder / "appel.txt").write_text(GOOD_CALL, encoding="utf-8")
    (in_folder / "secret.txt").write_text(GOOD_CALL, encoding="utf-8")
    _deny(monkeypatch, in_folder / "secret.txt")
    try:
        transcripts, errors = read_everything([in_folder])
    finally:
        (in_folder / "secret.txt").chmod(0o644)
    assert [t.id for t in transcripts] == ["appel"]
    assert located(errors) == [("secret.txt", None, "fichier illisible : accès refusé (droits insuffisants)")]


def test_a_folder_that_cannot_be_listed_is_reported_not_skipped(in_folder, monkeypatch):
    """``os.walk`` ignores listing errors unless told: a silently skipped folder hides transcripts."""
    (in_folder / "prive").mkdir()
    (in_folder / "prive" / "appel.txt").write_text(GOOD_CALL, encoding="utf-8")
    (in_folder / "appel.txt").write_text(GOOD_CALL, encoding="utf-8")
    scandir = os.scandir

    def denied(path=".", *args):
        if Path(path).name == "prive":
            raise PermissionError(errno.EACCES, "Permission denied", os.fspath(path))
        return scandir(path, *args)

    monkeypatch.setattr(os, "scandir", denied)
    transcripts, errors = read_everything([in_folder])
    assert [t.path for t in transcripts] == ["appel.txt"]
    assert located(errors) == [("prive", None, "dossier illisible : accès refusé (droits insuffisants)")]


def test_a_folder_named_like_a_file_is_walked_not_read(in_folder):
    """Given explicitly, "call.txt/" is a folder: its files are read; inside a walked folder, it is walked too."""
    (in_folder / "call.txt").mkdir()
    (in_folder / "call.txt" / "appel.txt").write_text(GOOD_CALL, encoding="utf-8")
    (in_folder / "calls" / "vide.txt").mkdir(parents=True)  # an empty folder with a file's name
    nothing_in_calls = ReadError("calls", None, f"aucun fichier à auditer dans ce dossier (fichiers cherchés : {', '.join(default_include())})")
    assert list(discover([Path("call.txt"), Path("calls")])) == [Path("call.txt/appel.txt"), nothing_in_calls]
    transcripts, errors = read_everything([Path("call.txt"), Path("calls")])
    assert ([t.path for t in transcripts], errors) == (["call.txt/appel.txt"], [nothing_in_calls])
    assert read_file(in_folder / "call.txt", ReaderOptions())[1] == [
        ReadError("call.txt", None, "fichier illisible : ce n’est pas un fichier ordinaire (un dossier)")
    ]


# ---------------------------------------------------------------- one end-to-end run of the CLI


def _broken_folder(folder: Path) -> list[tuple[str, int | None, str]]:
    """Copies of the broken fixtures and generated cases beside one good call; what each must report."""
    expected = []
    for name, line, message in BROKEN_FILES:
        shutil.copyfile(FIXTURES / name, folder / name)
        expected.append((name, line, message))
    shutil.copyfile(FIXTURES / "boite-un-message-casse.mbox", folder / "boite.mbox")
    expected.append(("boite.mbox", 16, "message 2 : structure MIME cassée : délimiteur « FRONTIERE » introuvable"))
    (folder / "bombe.eml").write_bytes(_nested_multiparts(1000))
    expected.append(("bombe.eml", 1, "trop de parties MIME imbriquées (plus de 50 conteneurs multipart) : message ignoré"))
    (folder / "large.csv").write_text(",".join(f"col{i}" for i in range(10_000)) + "\nx\n", encoding="utf-8")
    listed = ", ".join(f"« col{i} »" for i in range(20))
    expected.append(("large.csv", 1, "aucune colonne de texte des messages (en-têtes attendus : « plain_body », « body », "
                     f"« message », « text » ; trouvés : {listed} et 9\u202f980 autres) ; nommez-la avec --columns text=HEADER"))
    (folder / "dossier.txt").mkdir()  # a folder named like a file, empty
    (folder / "x.txt").symlink_to("x.txt")
    expected.append(("x.txt", None, LOOP))
    os.mkfifo(folder / "tube.txt")
    expected.append(("tube.txt", None, NOT_A_PIPE))
    (folder / "secret.txt").write_text(GOOD_CALL, encoding="utf-8")
    expected.append(("secret.txt", None, "fichier illisible : accès refusé (droits insuffisants)"))
    (folder / "appel.txt").write_text(GOOD_CALL, encoding="utf-8")
    return expected


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes need POSIX")
@pytest.mark.timeout(240)  # the French model loads in about 8 s
def test_the_cli_audits_the_good_transcript_and_names_every_broken_file(in_folder, monkeypatch):
    from typer.testing import CliRunner

    from transcript_audit.cli import app

    folder = in_folder / "lot"
    folder.mkdir()
    expected = _broken_folder(folder)
    _deny(monkeypatch, folder / "secret.txt")
    monkeypatch.chdir(folder)
    result = CliRunner().invoke(app, ["check", ".", "--format", "json", "--quiet"])
    (folder / "secret.txt").chmod(0o644)
    assert result.exit_code == 2, result.stderr
    assert "Traceback" not in result.stderr and "Traceback" not in result.stdout
    report = json.loads(result.stdout)
    audited = {t["path"]: t for t in report["transcripts"]}
    assert {f["rule"] for f in audited["appel.txt"]["findings"]} >= {"vague-promise"}
    assert "boite.mbox" in audited  # the mailbox's good messages are audited too
    reported = [(e["path"], e["line"], e["message"]) for e in report["errors"]]
    assert sorted(reported, key=str) == sorted(expected, key=str)  # each broken file once, nothing else
    stderr_lines = result.stderr.splitlines()
    for name, line, message in expected:
        where = f"error: {name}:{line}:" if line else f"error: {name}: "
        assert any(text.startswith(where) and text.endswith(message) for text in stderr_lines), (name, result.stderr)


def test_an_empty_folder_given_explicitly_is_reported(tmp_path):
    from transcript_audit.readers import discover

    (tmp_path / "vide").mkdir()
    (tmp_path / "vide" / "notes.pages").write_bytes(b"PK")  # not a format the tool reads
    (problem,) = list(discover([tmp_path / "vide"]))
    assert "aucun fichier à auditer dans ce dossier" in problem.message and "*.txt" in problem.message


def test_json_with_carriage_returns_only_reports_the_right_line():
    from transcript_audit.readers import json_document
    from transcript_audit.readers.base import ReaderOptions

    data = b'{"id": "x",\r  "turns": [\r    {"role": "agent", "text": 12}\r  ]\r}'
    _, errors = json_document.read(data, "mac.json", ReaderOptions())
    assert [(error.line, "il faut un texte" in error.message) for error in errors] == [(3, True)]
