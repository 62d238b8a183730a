"""The audit cache: parsed turns and findings, reused when nothing they depend on changed.

One SQLite file in the user's cache folder (``default_cache_dir``) holds four
tables: ``verdicts`` (what a validator accepted: rule packs, configurations and
token patterns are not validated again while unchanged), ``parses`` (a
transcript's parsed turns, as a spaCy ``DocBin``, keyed by its texts, the model,
its version and components), ``findings`` (what one rule found in one
transcript, keyed by the transcript's content, the rule's whole definition and
the engine's version) and ``files`` (an input file's whole results, keyed by its
bytes and every setting: ``file_results``). Re-auditing an unchanged file is one
lookup; after an edit, unchanged transcripts read their findings back; after a
rule edit, only that rule runs again, on cached parses.

SQLite gives what a shared cache needs: two runs can use it at once (WAL
journal, busy timeout), an interrupted run leaves it consistent (every batch is
one transaction), and a damaged file is set aside and rebuilt rather than
failing the audit. The file is kept under ``max_bytes`` by dropping the
least recently used entries.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import sys
import time
from collections.abc import Iterable, Sequence
from pathlib import Path

SCHEMA_VERSION = 4  # 2: verdicts instead of patterns; 3: findings carry their spans; 4: and their replacement
DEFAULT_MAX_BYTES = 2 * 1024**3
_TABLES = ("parses", "findings", "verdicts", "files")
_LOOKUP_CHUNK = 500  # keys per SELECT (SQLite's variable limit is 999 on old builds)


def default_cache_dir() -> Path:
    """The user cache folder: $TRANSCRIPT_AUDIT_CACHE_DIR, else the platform's convention."""
    if os.environ.get("TRANSCRIPT_AUDIT_CACHE_DIR"):
        return Path(os.environ["TRANSCRIPT_AUDIT_CACHE_DIR"])
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local")
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Caches"
    else:
        base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "transcript-audit"


def digest(*parts: str) -> str:
    """A cache key: the SHA-256 of the parts, each length-prefixed so no two lists collide."""
    hasher = hashlib.sha256()
    for part in parts:
        data = part.encode("utf-8", "surrogatepass")
        hasher.update(len(data).to_bytes(8, "little"))
        hasher.update(data)
    return hasher.hexdigest()


class CacheUnavailable(Exception):
    """The cache folder cannot be used (read-only, full, not a folder)."""


class AuditCache:
    def __init__(self, folder: Path, max_bytes: int = DEFAULT_MAX_BYTES):
        self.folder = folder
        self.path = folder / f"cache-v{SCHEMA_VERSION}.sqlite3"
        self.max_bytes = max_bytes
        try:
            folder.mkdir(parents=True, exist_ok=True)
            self._connection = self._open()
        except (OSError, sqlite3.DatabaseError) as error:
            raise CacheUnavailable(f"cannot use the cache folder {folder}: {error}") from None

    def _open(self) -> sqlite3.Connection:
        try:
            return self._connect()
        except sqlite3.DatabaseError:
            # Not a database (damaged, or some other file): set it aside and start afresh.
            self.path.replace(self.path.with_name(f"{self.path.name}.damaged-{os.getpid()}"))
            return self._connect()

    def _connect(self) -> sqlite3.Connection:
        connection = sqlite3.connect(self.path, timeout=60, isolation_level=None)
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA synchronous=NORMAL")
        for table in _TABLES:
            connection.execute(
                f"CREATE TABLE IF NOT EXISTS {table} (key TEXT PRIMARY KEY, data BLOB NOT NULL, "
                "size INTEGER NOT NULL, used REAL NOT NULL)"
            )
        connection.execute("PRAGMA quick_check(1)")
        return connection

    def get_many(self, table: str, keys: Sequence[str], touch: bool = True) -> dict[str, bytes]:
        """The stored values of those keys that are present; marks them used (``touch``)."""
        found: dict[str, bytes] = {}
        unique = list(dict.fromkeys(keys))
        try:
            for start in range(0, len(unique), _LOOKUP_CHUNK):
                chunk = unique[start : start + _LOOKUP_CHUNK]
                marks = ",".join("?" * len(chunk))
                rows = self._connection.execute(f"SELECT key, data FROM {table} WHERE key IN ({marks})", chunk)
                found.update(rows)
            if found and touch:
                self._touch(table, list(found))
        except sqlite3.Error:
            return found  # a cache that cannot be read is a cache miss, never a failed audit
        return found

    def _touch(self, table: str, keys: list[str]) -> None:
        """Mark entries used now (the least recently used go first when the file is full)."""
        now = time.time()
        self._write(f"UPDATE {table} SET used = ? WHERE key = ?", [(now, key) for key in keys])

    def put_many(self, table: str, items: Iterable[tuple[str, bytes]]) -> None:
        now = time.time()
        rows = [(key, data, len(data), now) for key, data in items]
        if not rows:
            return
        try:
            self._write(f"INSERT OR REPLACE INTO {table} (key, data, size, used) VALUES (?, ?, ?, ?)", rows)
            self._trim()
        except sqlite3.Error:
            pass  # a full disk or a locked file costs speed, not results

    def _write(self, statement: str, rows: list[tuple]) -> None:
        with self._connection:
            self._connection.execute("BEGIN IMMEDIATE")
            self._connection.executemany(statement, rows)

    def size(self) -> int:
        return sum(self._connection.execute(f"SELECT COALESCE(SUM(size), 0) FROM {table}").fetchone()[0] for table in _TABLES)

    def _trim(self) -> None:
        """Drop the least recently used entries until the cache holds 80 % of its bound."""
        excess = self.size() - self.max_bytes
        if excess <= 0:
            return
        target = excess + self.max_bytes // 5
        with self._connection:
            self._connection.execute("BEGIN IMMEDIATE")
            for table in _TABLES:
                rows = self._connection.execute(f"SELECT key, size FROM {table} ORDER BY used").fetchall()
                doomed = []
                for key, size in rows:
                    if target <= 0:
                        break
                    doomed.append((key,))
                    target -= size
                self._connection.executemany(f"DELETE FROM {table} WHERE key = ?", doomed)

    def accepted(self, *what: str) -> bool:
        """Did an earlier run's validator accept exactly this? (a pack's text under the
        schema's digest, a token pattern under spaCy's version)."""
        return bool(self.get_many("verdicts", [digest(*what)], touch=False))

    def accept(self, *what: str) -> None:
        self.put_many("verdicts", [(digest(*what), b"valid")])

    def close(self) -> None:
        self._connection.close()
