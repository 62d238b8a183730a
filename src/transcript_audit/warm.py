"""A warm process for scripts and hooks: ``check --server`` asks a running daemon.

Loading spaCy's French model and compiling the rules costs seconds; a pre-commit
hook auditing five changed responses should not pay them at every commit.
``transcript-audit daemon`` keeps them loaded and answers ``check`` requests on a
Unix socket; ``transcript-audit check --server`` sends its arguments there and
prints the answer, or runs in its own process when no daemon answers.

The protocol is one JSON line each way on a fresh connection:

    request  {"protocol": 1, "argv": [...], "cwd": "...", "env": {...}, "prog_name": "...", "tty": false}
             {"protocol": 1, "command": "ping" | "stop"}
    reply    {"stdout": "...", "stderr": "...", "code": 0}

Only the user who started the daemon can talk to it: the socket lives in a
per-user folder of mode 0700 (``$XDG_RUNTIME_DIR/transcript-audit``, else the
cache folder), the socket itself is 0600, and on Linux the peer's uid is checked
with ``SO_PEERCRED`` on every connection. The daemon runs the very same CLI code
(``cli.daemon_command``); what it keeps between requests is the ``AuditorPool``
below: Auditors keyed by everything that chooses and configures their rules,
including each pack file's size and modification time, so an edited pack is
loaded again and reports stay byte for byte those of a run in a new process.

No Typer here (the layers test): the CLI side lives in ``cli/daemon_command``.
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import __version__

if TYPE_CHECKING:
    from .cache import AuditCache
    from .engine import AuditOptions, Auditor

PROTOCOL = 1
IDLE_TIMEOUT = 30 * 60  # seconds without a request, then the daemon exits
MAX_REQUEST_BYTES = 16 * 1024 * 1024
# What a check run reads from its environment beyond its arguments: the cache
# folder, and what rich reads to choose a width and colours.
FORWARDED_ENVIRONMENT = (
    "TRANSCRIPT_AUDIT_CACHE_DIR", "XDG_CACHE_HOME", "COLUMNS", "LINES", "NO_COLOR", "FORCE_COLOR",
    "TERM", "COLORTERM", "TTY_COMPATIBLE", "TTY_INTERACTIVE",
)  # fmt: skip


class WarmError(Exception):
    """The runtime folder or socket cannot be used safely (wrong owner, wrong mode)."""


def runtime_dir() -> Path:
    """The per-user folder holding the socket: ``$XDG_RUNTIME_DIR/transcript-audit``, else the cache folder."""
    base = os.environ.get("XDG_RUNTIME_DIR")
    if base:
        return Path(base) / "transcript-audit"
    from .cache import default_cache_dir

    return default_cache_dir()


def socket_path() -> Path:
    """One socket per tool version: a client never talks to a daemon of another version."""
    return runtime_dir() / f"daemon-{__version__}.sock"


def private_folder(folder: Path) -> Path:
    """Create ``folder`` (mode 0700) or check that an existing one is ours; make it 0700."""
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    status = folder.stat()
    if hasattr(os, "getuid") and status.st_uid != os.getuid():
        raise WarmError(f"{folder} belongs to another user")
    if status.st_mode & 0o077:
        folder.chmod(0o700)
    return folder


# The client side -----------------------------------------------------------------------------


def request(payload: dict[str, Any], path: Path | None = None, connect_timeout: float = 1.0) -> dict[str, Any] | None:
    """Send one request; the reply, or None when no daemon answers (no socket, a stale
    one, a daemon that died mid-request, a socket of another user)."""
    import socket

    path = path or socket_path()
    if not hasattr(socket, "AF_UNIX") or not path.exists():
        return None
    try:
        status = path.stat()
        if hasattr(os, "getuid") and status.st_uid != os.getuid():
            return None  # never send our arguments and environment to another user's socket
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as connection:
            connection.settimeout(connect_timeout)
            connection.connect(str(path))
            connection.settimeout(None)  # an audit takes as long as it takes
            connection.sendall(json.dumps({"protocol": PROTOCOL, **payload}).encode("utf-8") + b"\n")
            connection.shutdown(socket.SHUT_WR)
            reply = _read_line(connection)
    except OSError:
        return None
    if not reply:
        return None
    try:
        answer = json.loads(reply)
    except ValueError:
        return None
    return answer if isinstance(answer, dict) else None


def check_request(argv: list[str], prog_name: str, tty: bool) -> dict[str, Any]:
    """A ``check`` request from this process: its arguments, folder and environment."""
    env = {name: os.environ[name] for name in FORWARDED_ENVIRONMENT if name in os.environ}
    if tty and "COLUMNS" not in env:
        try:
            size = os.get_terminal_size(sys.stdout.fileno())
            env["COLUMNS"], env["LINES"] = str(size.columns), str(size.lines)
        except (OSError, ValueError):
            pass
    return {"argv": argv, "cwd": os.getcwd(), "env": env, "prog_name": prog_name, "tty": tty}


def _read_line(connection) -> bytes:
    chunks, size = [], 0
    while True:
        chunk = connection.recv(65536)
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
        if b"\n" in chunk or size > MAX_REQUEST_BYTES:
            break
    return b"".join(chunks).split(b"\n", 1)[0]


# The daemon side -----------------------------------------------------------------------------

Handler = Callable[[dict[str, Any]], dict[str, Any]]


def serve(handle: Handler, path: Path | None = None, idle_timeout: float = IDLE_TIMEOUT, on_ready: Callable[[Path], None] | None = None) -> None:
    """Answer requests one at a time until ``stop``, ``idle_timeout`` seconds without one,
    or a signal; the socket file is removed on the way out."""
    import socket

    path = path or socket_path()
    private_folder(path.parent)
    _remove_stale(path)
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    previous_umask = os.umask(0o177)  # the socket is created 0600: no window where others may connect
    try:
        listener.bind(str(path))
    finally:
        os.umask(previous_umask)
    try:
        path.chmod(0o600)
        listener.listen(8)
        listener.settimeout(idle_timeout)
        if on_ready is not None:
            on_ready(path)
        while True:
            try:
                connection, _ = listener.accept()
            except TimeoutError:
                return
            with connection:
                if not _same_user(connection):
                    continue
                if _answer(connection, handle) == "stop":
                    return
    finally:
        listener.close()
        try:
            path.unlink()
        except OSError:
            pass


def _answer(connection, handle: Handler) -> str | None:
    connection.settimeout(30)  # a client that connects and says nothing does not block the others
    try:
        line = _read_line(connection)
    except OSError:
        return None
    connection.settimeout(None)
    try:
        message = json.loads(line)
        if not isinstance(message, dict) or message.get("protocol") != PROTOCOL:
            raise ValueError("unknown protocol")
    except ValueError as error:
        _reply(connection, {"stdout": "", "stderr": f"error: bad request to the daemon: {error}\n", "code": 2})
        return None
    command = message.get("command", "check")
    if command in ("ping", "stop"):
        _reply(connection, {"stdout": "", "stderr": "", "code": 0, "pid": os.getpid(), "version": __version__})
        return command
    _reply(connection, handle(message))
    return None


def _reply(connection, answer: dict[str, Any]) -> None:
    try:
        connection.sendall(json.dumps(answer).encode("utf-8") + b"\n")
    except OSError:
        pass  # the client went away (Ctrl-C): nothing to tell it


def _same_user(connection) -> bool:
    """The peer's uid is ours (Linux ``SO_PEERCRED``); elsewhere the folder's and socket's modes decide."""
    import socket
    import struct

    if not hasattr(socket, "SO_PEERCRED") or not hasattr(os, "getuid"):
        return True
    try:
        credentials = connection.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
    except OSError:
        return False
    _pid, uid, _gid = struct.unpack("3i", credentials)
    return uid == os.getuid()


def _remove_stale(path: Path) -> None:
    """Remove a socket file no daemon listens on; refuse to start beside a live daemon."""
    if not path.exists() and not path.is_symlink():
        return
    if request({"command": "ping"}, path) is not None:
        raise WarmError(f"a daemon is already listening on {path}")
    path.unlink()


# Auditors kept between requests -----------------------------------------------------------------


class AuditorPool:
    """Loaded Auditors (rules compiled, model loaded on first parse), keyed by what
    chooses their rules: the options, the cache folder, and every pack file's name,
    size and modification time."""

    def __init__(self, size: int = 4):
        self.size = size
        self._auditors: OrderedDict[str, Auditor] = OrderedDict()

    def auditor(self, options: AuditOptions, cache: AuditCache | None) -> Auditor:
        """Raises what ``pipeline.audit_inputs`` raises for the same options (a bad pack, no rule)."""
        from .engine import Auditor, load_active_rules
        from .pipeline import NoRuleSelected

        key = _pool_key(options, cache)
        auditor = self._auditors.get(key) if key is not None else None
        if auditor is None:
            rules = load_active_rules(options, cache=cache)
            if not rules:
                raise NoRuleSelected("no rule selected: check --select, --ignore and --rules")
            auditor = Auditor(rules, per_path=options.per_path, weights=options.weights, cache=cache)
            if key is not None:
                self._auditors[key] = auditor
                while len(self._auditors) > self.size:
                    self._auditors.popitem(last=False)
        else:
            self._auditors.move_to_end(key)
        auditor.errors.clear()
        auditor.timed_out.clear()  # a regex that ran out of time is tried again, as in a new process
        return auditor


def _pool_key(options: AuditOptions, cache: AuditCache | None) -> str | None:
    from .rule_loader import builtin_rules_dir, rule_files

    folders = ([builtin_rules_dir()] if options.builtin_rules else []) + list(options.rule_dirs)
    if not all(folder.exists() for folder in folders):
        return None  # the load reports it, every time
    try:
        files = [(str(path), path.stat().st_mtime_ns, path.stat().st_size) for path in rule_files(folders)]
    except OSError:
        return None
    chosen = (
        __version__, [str(folder.resolve()) for folder in folders], files, list(options.select), list(options.ignore),
        sorted((pattern, str(severity)) for pattern, severity in options.severity.items()), options.preview,
        repr(list(options.per_path)), sorted(options.weights.items()),
        str(cache.folder.resolve()) if cache is not None else None, cache.max_bytes if cache is not None else None,
    )  # fmt: skip
    return json.dumps(chosen, default=str)


_pool: AuditorPool | None = None


def enable_pool(size: int = 4) -> AuditorPool:
    """Keep Auditors between ``check`` runs in this process (the daemon does)."""
    global _pool
    _pool = AuditorPool(size)
    return _pool


def pooled_auditor(options: AuditOptions, cache: AuditCache | None) -> Auditor | None:
    """The pool's Auditor for these options, or None outside a daemon (the pipeline builds one)."""
    if _pool is None:
        return None
    return _pool.auditor(options, cache)


def wait_for_daemon(path: Path | None = None, timeout: float = 60.0) -> bool:
    """Until a daemon answers a ping (``daemon --detach``, tests)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if request({"command": "ping"}, path) is not None:
            return True
        time.sleep(0.1)
    return False
