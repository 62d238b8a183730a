"""Input formats: one module per format, joined by one registry.

See ``base.py`` for what a reader module exposes. The format of a file comes
from ``--input-format`` when given, else from its extension, else from its
content (``sniff``), else it is read as speaker-labelled text.
"""

from __future__ import annotations

import fnmatch
import os
import sys
from collections.abc import Iterator, Sequence
from importlib import import_module
from pathlib import Path
from types import ModuleType

from ..model import ReadError, Transcript
from ..roles import infer_roles
from .base import ReaderOptions, ReadResult

# Reader modules by format name, imported on first use.
_MODULES = {
    "text": "labelled_text",
    "vtt": "vtt",
    "srt": "srt",
    "json": "json_document",
    "csv": "csv_table",
    "email": "email_message",
    "mbox": "mbox",
    "canned": "canned",
}

STDIN = Path("-")


def reader(name: str) -> ModuleType:
    return import_module(f".{_MODULES[name]}", __name__)


def formats() -> list[str]:
    return list(_MODULES)


def default_include() -> list[str]:
    return sorted({f"*{ext}" for name in _MODULES for ext in reader(name).EXTENSIONS})


def reader_for(path: Path, data: bytes, forced: str | None = None) -> ModuleType:
    if forced:
        return reader(forced)
    suffix = path.suffix.lower()
    for name in _MODULES:
        if suffix in reader(name).EXTENSIONS:
            return reader(name)
    for name in _MODULES:
        module = reader(name)
        if hasattr(module, "sniff") and module.sniff(data):
            return module
    return reader("text")


def discover(
    paths: Sequence[Path], include: Sequence[str] | None = None, exclude: Sequence[str] = ()
) -> Iterator[Path | ReadError]:
    """Files to audit, in a stable order; a missing path yields a ``ReadError``.

    Folders are walked recursively (hidden files and folders skipped, symbolic
    links to folders not followed) and filtered by ``include`` and ``exclude`` globs,
    matched against the file name and its path below the folder; a file named
    explicitly is always read. ``-`` is standard input.
    """
    include = list(include) if include else default_include()
    for path in paths:
        if path == STDIN:
            yield path
        elif path.is_file():
            yield path
        elif path.is_dir():
            found = []
            for root, dirs, files in os.walk(path):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for name in files:
                    if name.startswith("."):
                        continue  # hidden files: editor backups, .transcript-audit.yaml
                    relative = (Path(root) / name).relative_to(path).as_posix()
                    if _matches(name, relative, include) and not _matches(name, relative, exclude):
                        found.append(Path(root) / name)
            yield from sorted(found)
        else:
            yield ReadError(str(path), None, "no such file or folder")


def _matches(name: str, relative: str, patterns: Sequence[str]) -> bool:
    return any(
        fnmatch.fnmatch(name.lower(), pattern.lower()) or fnmatch.fnmatch(relative.lower(), pattern.lower())
        for pattern in patterns
    )


def display_path(path: Path) -> str:
    """The path as the user will want to see it: relative to the working folder when inside it."""
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def read_file(path: Path, options: ReaderOptions, forced: str | None = None) -> ReadResult:
    """Read one file (or standard input) with the right reader, never raising on bad input."""
    source = "<stdin>" if path == STDIN else display_path(path)
    try:
        data = sys.stdin.buffer.read() if path == STDIN else path.read_bytes()
    except OSError as error:
        return [], [ReadError(source, None, f"cannot read file: {error.strerror or error}")]
    module = reader_for(path, data, forced)
    try:
        transcripts, errors = module.read(data, source, options)
    except RecursionError:
        return [], [ReadError(source, None, f"{module.FORMAT}: input nested too deeply")]
    for transcript in transcripts:
        infer_roles(transcript, options.agent_speakers)
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
