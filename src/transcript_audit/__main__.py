"""``transcript-audit`` and ``python -m transcript_audit``: the commands, with Ctrl-C and SIGTERM handled.

Both signals raise ``Interrupted`` from the first instruction on, so an
interruption unwinds like an exception wherever it lands: report files are
written to a temporary file renamed into place (none is left half-written), the
cache's open transaction is rolled back, worker processes are stopped, and the
command exits with 130 and no traceback.
"""

from __future__ import annotations

import os
import signal
import sys

INTERRUPTED_EXIT_CODE = 130  # model.ExitCode.INTERRUPTED, without importing the package before the handlers are set


class Interrupted(BaseException):
    """Ctrl-C or SIGTERM (a BaseException, so that no ``except Exception`` swallows it)."""


def _interrupt(signal_number, frame) -> None:
    raise Interrupted


def _unraisable(unraisable) -> None:
    """An interruption that lands where Python cannot raise (a weakref or finaliser
    callback, such as importlib's module-lock cleanup) would be printed as "Exception
    ignored" and lost, and the run would go on: deliver it again a moment later, back in
    ordinary code, through a one-shot timer."""
    if not isinstance(unraisable.exc_value, Interrupted):
        sys.__unraisablehook__(unraisable)
    elif hasattr(signal, "setitimer"):
        signal.signal(signal.SIGALRM, _interrupt)
        signal.setitimer(signal.ITIMER_REAL, 0.01)
    else:  # no timers (Windows): the next instruction will have to do
        signal.raise_signal(signal.SIGINT)


def install_handlers() -> None:
    signal.signal(signal.SIGINT, _interrupt)
    signal.signal(signal.SIGTERM, _interrupt)
    sys.unraisablehook = _unraisable


def main() -> None:
    install_handlers()
    try:
        from .cli import app

        app()
        code = 0
    except SystemExit as done:  # Typer ends every command this way
        code = done.code if isinstance(done.code, int) else (0 if done.code is None else 1)
        if not isinstance(done.code, (int, type(None))):
            sys.stderr.write(f"{done.code}\n")
    except Interrupted:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        sys.stderr.write("interrupted\n")
        code = INTERRUPTED_EXIT_CODE
    _exit_now(code)


def _exit_now(code: int) -> None:
    """Exit without the interpreter's shutdown: it resets signal handlers to their
    defaults and then spends a while freeing the model, a window in which a
    SIGTERM would kill the process with no exit code of ours. Everything worth
    keeping is already written: reports are renamed into place, the cache
    commits each batch."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe (| head): nothing more to say
            pass
    os._exit(code)


if __name__ == "__main__":
    main()
