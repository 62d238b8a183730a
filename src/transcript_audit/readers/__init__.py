"""Input formats: one module per format, joined by one registry.

See ``base.py`` for what a reader module exposes. The format of a file comes
from ``--input-format`` when given, else from its extension, else from its
content (``sniff``), else it is read as speaker-labelled text, unless its first
bytes show a format no reader reads (``unreadable``: a .doc, an image, an
archive), which is reported with what to export instead.
"""

from __future__ import annotations

import errno
import fnmatch
import os
import stat
import sys
from collections.abc import Iterator, Sequence
from importlib import import_module
from pathlib import Path
from types import ModuleType

from ..model import ReadError, Transcript
from .base import ReaderOptions, ReadResult
from .unreadable import describe

# Reader modules by format name, imported on first use.
# Each format's module and the file extensions it reads. The extensions are here, not
# in the modules, so that choosing a reader imports that reader only: a run on a YAML
# library need not import the e-mail, Word and PDF readers and what they import.
_READERS = {
    "text": ("labelled_text", (".txt",)),
    "vtt": ("vtt", (".vtt",)),
    "srt": ("srt", (".srt",)),
    "json": ("json_document", (".json",)),
    "csv": ("csv_table", (".csv", ".tsv")),
    "email": ("email_message", (".eml",)),
    "mbox": ("mbox", (".mbox",)),
    "canned": ("canned", (".yaml", ".yml")),
    "docx": ("docx_document", (".docx",)),
    "pdf": ("pdf_document", (".pdf",)),
}

STDIN = Path("-")

# What the analyst reads when a path cannot be read, in French like every report.
MESSAGES = {
    "no-such-path": "fichier ou dossier introuvable",
    "broken-link": "lien symbolique cassé : sa cible n’existe pas",
    "link-loop": "fichier illisible : boucle de liens symboliques",
    "unreadable-file": "fichier illisible : {reason}",
    "unreadable-folder": "dossier illisible : {reason}",
    "not-regular": "fichier illisible : ce n’est pas un fichier ordinaire ({kind})",
    "empty-folder": "aucun fichier à auditer dans ce dossier (fichiers cherchés : {patterns})",
    "too-deep": "{format} : imbrication trop profonde, fichier non lu",
}
# The system's reasons in French for the usual cases; another one keeps the system's wording.
_OS_REASONS = {
    errno.ENOENT: "introuvable",
    errno.EACCES: "accès refusé (droits insuffisants)",
    errno.EPERM: "opération non permise",
    errno.EIO: "erreur d’entrée-sortie",
    errno.ENAMETOOLONG: "nom trop long",
    errno.ENOTDIR: "un élément du chemin n’est pas un dossier",
    errno.EISDIR: "c’est un dossier",
}


def _reason(error: OSError) -> str:
    return _OS_REASONS.get(error.errno) or error.strerror or str(error)


def reader(name: str) -> ModuleType:
    return import_module(f".{_READERS[name][0]}", __name__)


def formats() -> list[str]:
    return list(_READERS)


def extensions(name: str) -> tuple[str, ...]:
    """The file extensions the ``name`` reader is chosen for (lower case, with the dot)."""
    return _READERS[name][1]


def default_include() -> list[str]:
    return sorted({f"*{ext}" for name in _READERS for ext in extensions(name)})


def reader_for(path: Path, data: bytes, forced: str | None = None) -> ModuleType:
    if forced:
        return reader(forced)
    suffix = path.suffix.lower()
    for name in _READERS:
        if suffix in extensions(name):
            return reader(name)
    for name in _READERS:
        module = reader(name)
        if hasattr(module, "sniff") and module.sniff(data):
            return module
    return reader("text")


def _unreadable(path: Path, data: bytes, forced: str | None) -> str | None:
    """What a file is when no reader reads it (a .doc, an image, an archive), or None.

    Asked before sniffing (an RTF file starts with "{" like JSON) and only when the
    text reader would otherwise get the bytes: an extension or a forced format of
    another reader wins, and that reader reports what is wrong."""
    suffix = path.suffix.lower()
    if forced and forced != "text":
        return None
    if not forced and any(suffix in extensions(name) for name in _READERS if name != "text"):
        return None
    return describe(data, suffix)


def discover(
    paths: Sequence[Path], include: Sequence[str] | None = None, exclude: Sequence[str] = ()
) -> Iterator[Path | ReadError]:
    """Files to audit, in a stable order; a path that cannot be read yields a ``ReadError``.

    Folders are walked recursively (hidden files and folders skipped, symbolic
    links to folders not followed) and filtered by ``include`` and ``exclude`` globs,
    matched against the file name and its path below the folder; a file named
    explicitly is always read. ``-`` is standard input. Only regular files are
    read: a named pipe would block forever and a device may never end, so they
    are reported, never opened; so are broken symbolic links, symbolic link
    loops and folders that cannot be listed.
    """
    include = list(include) if include else default_include()
    for path in paths:
        if path == STDIN:
            yield path
            continue
        try:
            mode = path.stat().st_mode
        except OSError as error:
            yield ReadError(str(path), None, _stat_problem(path, error))
            continue
        if stat.S_ISDIR(mode):
            yield from _walk(path, include, exclude)
        else:
            yield path if stat.S_ISREG(mode) else ReadError(str(path), None, _not_regular(mode))


def _walk(folder: Path, include: Sequence[str], exclude: Sequence[str]) -> Iterator[Path | ReadError]:
    """The files of a folder and what stops some of them being read, sorted by path."""
    found: list[tuple[Path, ReadError | None]] = []

    def unlisted(error: OSError) -> None:  # os.walk skips a folder it cannot list unless told
        where = Path(error.filename or folder)
        found.append((where, ReadError(display_path(where), None, MESSAGES["unreadable-folder"].format(reason=_reason(error)))))

    for root, dirs, files in os.walk(folder, onerror=unlisted):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in files:
            if name.startswith("."):
                continue  # hidden files: editor backups, .transcript-audit.yaml
            relative = (Path(root) / name).relative_to(folder).as_posix()
            if _matches(name, relative, include) and not _matches(name, relative, exclude):
                found.append((Path(root) / name, _problem(Path(root) / name)))
    if not found:
        patterns = ", ".join(include)
        yield ReadError(display_path(folder), None, MESSAGES["empty-folder"].format(patterns=patterns))
    for path, problem in sorted(found, key=lambda item: item[0]):
        yield path if problem is None else problem


def _problem(path: Path) -> ReadError | None:
    """Why a file found in a folder must not be opened (not a regular file, a broken link), or None."""
    try:
        mode = path.stat().st_mode
    except OSError as error:
        return ReadError(display_path(path), None, _stat_problem(path, error))
    return None if stat.S_ISREG(mode) else ReadError(display_path(path), None, _not_regular(mode))


def _stat_problem(path: Path, error: OSError) -> str:
    if error.errno == errno.ENOENT:
        return MESSAGES["broken-link"] if path.is_symlink() else MESSAGES["no-such-path"]
    if error.errno == errno.ELOOP:
        return MESSAGES["link-loop"]
    return MESSAGES["unreadable-file"].format(reason=_reason(error))


_KINDS = (
    (stat.S_ISDIR, "un dossier"),
    (stat.S_ISFIFO, "un tube nommé"),
    (stat.S_ISCHR, "un périphérique en mode caractère"),
    (stat.S_ISBLK, "un périphérique en mode bloc"),
    (stat.S_ISSOCK, "un socket"),
)


def _not_regular(mode: int) -> str:
    kind = next((name for test, name in _KINDS if test(mode)), "un fichier spécial")
    return MESSAGES["not-regular"].format(kind=kind)


def _matches(name: str, relative: str, patterns: Sequence[str]) -> bool:
    return any(
        fnmatch.fnmatch(name.lower(), pattern.lower()) or fnmatch.fnmatch(relative.lower(), pattern.lower())
        for pattern in patterns
    )


def display_path(path: Path) -> str:
    """The path as the user will want to see it: relative to the working folder when inside it.

    A symbolic link keeps its own name (a broken one or a loop has no other);
    resolving is only tried for a path that reaches the folder through a link.
    """
    try:
        return Path(os.path.abspath(path)).relative_to(Path.cwd()).as_posix()
    except (ValueError, OSError):
        pass
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except (ValueError, OSError, RuntimeError):  # outside the folder; a link loop (RuntimeError before Python 3.13)
        return path.as_posix()


def read_file(path: Path, options: ReaderOptions, forced: str | None = None) -> ReadResult:
    """Read one file (or standard input) with the right reader, never raising on bad input.

    Speakers a format leaves without a role get one later, in ``pipeline``."""
    source, data, error = file_bytes(path)
    if error is not None:
        return [], [error]
    return read_bytes(path, source, data, options, forced)


def file_bytes(path: Path) -> tuple[str, bytes, ReadError | None]:
    """The name a file is shown under and its bytes, or why it cannot be read."""
    source = "<stdin>" if path == STDIN else display_path(path)
    try:
        if path != STDIN and not stat.S_ISREG(mode := path.stat().st_mode):
            return source, b"", ReadError(source, None, _not_regular(mode))  # never open a pipe or a device
        data = sys.stdin.buffer.read() if path == STDIN else path.read_bytes()
    except OSError as error:
        message = MESSAGES["link-loop"] if error.errno == errno.ELOOP else None
        return source, b"", ReadError(source, None, message or MESSAGES["unreadable-file"].format(reason=_reason(error)))
    return source, data, None


def read_bytes(path: Path, source: str, data: bytes, options: ReaderOptions, forced: str | None = None) -> ReadResult:
    """The transcripts of a file's bytes, by the reader its name or content calls for."""
    unreadable = _unreadable(path, data, forced)
    if unreadable:
        return [], [ReadError(source, None, unreadable)]  # a .doc, an image: never "text before the first turn"
    module = reader_for(path, data, forced)
    try:
        transcripts, errors = module.read(data, source, options)
    except RecursionError:
        return [], [ReadError(source, None, MESSAGES["too-deep"].format(format=module.FORMAT))]
    return transcripts, errors


def read_all(
    paths: Sequence[Path],
    options: ReaderOptions | None = None,
    include: Sequence[str] | None = None,
    exclude: Sequence[str] = (),
    forced: str | None = None,
) -> Iterator[tuple[list[Transcript], list[ReadError]]]:
    """Read every discovered file; each file's problems travel with its transcripts."""
    options = options or ReaderOptions()
    for item in discover(paths, include, exclude):
        if isinstance(item, ReadError):
            yield [], [item]
        else:
            yield read_file(item, options, forced)
