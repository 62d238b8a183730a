"""Input formats: one module per format, joined by one registry.

Each reader module exposes ``FORMAT`` (its name), ``EXTENSIONS`` and
``read(path, display_path) -> (transcripts, errors)``; a reader never raises
on bad input, it returns located ``ReadError`` values instead.
"""

from __future__ import annotations

import fnmatch
import os
from collections.abc import Iterator, Sequence
from pathlib import Path
from types import ModuleType

from ..model import ReadError, Transcript
from . import labelled_text

READERS: dict[str, ModuleType] = {module.FORMAT: module for module in (labelled_text,)}

DEFAULT_INCLUDE = tuple(f"*{ext}" for module in READERS.values() for ext in module.EXTENSIONS)


def reader_for(path: Path) -> ModuleType:
    suffix = path.suffix.lower()
    for module in READERS.values():
        if suffix in module.EXTENSIONS:
            return module
    return labelled_text


def discover(paths: Sequence[Path], include: Sequence[str] = DEFAULT_INCLUDE) -> Iterator[Path | ReadError]:
    """Files to audit, in a stable order; a missing path yields a ``ReadError``.

    Folders are walked recursively (hidden folders skipped) and filtered by
    ``include``; a file named explicitly is always read.
    """
    for path in paths:
        if path.is_file():
            yield path
        elif path.is_dir():
            found = []
            for root, dirs, files in os.walk(path):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for name in files:
                    if any(fnmatch.fnmatch(name.lower(), pattern.lower()) for pattern in include):
                        found.append(Path(root) / name)
            yield from sorted(found)
        else:
            yield ReadError(str(path), None, "no such file or folder")


def display_path(path: Path) -> str:
    """The path as the user will want to see it: relative to the working folder when inside it."""
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def read_all(paths: Sequence[Path], include: Sequence[str] = DEFAULT_INCLUDE) -> Iterator[tuple[list[Transcript], list[ReadError]]]:
    """Read every discovered file; each file's problems travel with its transcripts."""
    for item in discover(paths, include):
        if isinstance(item, ReadError):
            yield [], [item]
            continue
        yield reader_for(item).read(item, display_path(item))
