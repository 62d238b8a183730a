"""``transcript-audit daemon``: a warm process answering ``check --server``.

The daemon runs each request through the same Typer app as a new process would,
with standard output and error captured, in the request's folder and with its
environment; only the Auditors (rules, matchers, the loaded model) are kept
between requests (``warm.AuditorPool``). See docs/warm.md.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
import traceback
from contextlib import contextmanager, redirect_stderr, redirect_stdout
from typing import Annotated, Any

import typer

from .. import warm
from .common import fail, stderr


def daemon(
    ctx: typer.Context,
    stop: Annotated[bool, typer.Option("--stop", help="Stop the running daemon and exit.")] = False,
    status: Annotated[bool, typer.Option("--status", help="Exit 0 when a daemon answers, 1 when none does.")] = False,
    detach: Annotated[bool, typer.Option("--detach", help="Start the daemon in the background and return once it answers.")] = False,
    idle_timeout: Annotated[
        int, typer.Option("--idle-timeout", help="Exit after this many seconds without a request.", min=1)
    ] = warm.IDLE_TIMEOUT,
) -> None:
    """Keep the model and rules loaded for 'check --server' (pre-commit hooks, scripts)."""
    path = warm.socket_path()
    if stop or status:
        answer = warm.request({"command": "stop" if stop else "ping"}, path)
        if answer is None:
            stderr(f"no daemon listening on {path}")
            raise typer.Exit(1)
        stderr(f"daemon {answer.get('pid')} {'stopped' if stop else 'listening on'} {'' if stop else path}".rstrip())
        raise typer.Exit(0)
    if detach:
        _detach(path, idle_timeout)
        return
    warm.enable_pool()
    command = ctx.find_root().command  # the whole command line, as a new process builds it
    try:
        warm.serve(lambda message: _handle(command, message), path, idle_timeout, on_ready=lambda where: stderr(f"listening on {where} (pid {os.getpid()})"))
    except (warm.WarmError, OSError) as error:
        fail(str(error))


def _detach(path, idle_timeout: int) -> None:
    if warm.request({"command": "ping"}, path) is not None:
        stderr(f"a daemon is already listening on {path}")
        return
    command = [sys.executable, "-m", "transcript_audit", "daemon", "--idle-timeout", str(idle_timeout)]
    subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    if not warm.wait_for_daemon(path):
        fail(f"the daemon did not start listening on {path}")
    stderr(f"listening on {path}")


def _handle(command, message: dict[str, Any]) -> dict[str, Any]:
    """One ``check`` run, exactly as ``__main__.main`` would run it, its output captured."""
    argv = message.get("argv")
    if not isinstance(argv, list) or not argv or argv[0] != "check" or "--server" in argv:
        return {"stdout": "", "stderr": "error: the daemon runs 'check' requests only\n", "code": 2}
    out, err = _Captured(bool(message.get("tty"))), _Captured(False)
    with _environment(message.get("env") or {}), _folder(message.get("cwd") or os.getcwd()), redirect_stdout(out), redirect_stderr(err):
        try:
            command.main(args=[str(arg) for arg in argv], prog_name=message.get("prog_name") or "transcript-audit")
            code = 0
        except SystemExit as done:  # as in __main__.main
            code = done.code if isinstance(done.code, int) else (0 if done.code is None else 1)
            if not isinstance(done.code, (int, type(None))):
                err.write(f"{done.code}\n")
        except Exception:  # noqa: BLE001 - a bug in one request must not stop the daemon
            err.write(traceback.format_exc())
            code = 1
    return {"stdout": out.getvalue(), "stderr": err.getvalue(), "code": code}


class _Captured(io.StringIO):
    """Standard output as the client's: a terminal when the client's is one (rich then
    chooses the same width and colours), encoded as UTF-8 by the client."""

    def __init__(self, tty: bool):
        super().__init__()
        self._tty = tty

    def isatty(self) -> bool:
        return self._tty

    @property
    def encoding(self) -> str:
        return "utf-8"


@contextmanager
def _environment(env: dict[str, str]):
    """The request's values of the variables a run reads, the daemon's own restored after."""
    saved = {name: os.environ.get(name) for name in warm.FORWARDED_ENVIRONMENT}
    for name in warm.FORWARDED_ENVIRONMENT:
        if name in env:
            os.environ[name] = str(env[name])
        else:
            os.environ.pop(name, None)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


@contextmanager
def _folder(cwd: str):
    previous = os.getcwd()
    os.chdir(cwd)
    try:
        yield
    finally:
        os.chdir(previous)
