"""``transcript-audit`` and ``python -m transcript_audit``: the commands, with Ctrl-C and SIGTERM handled.

Both signals raise ``Interrupted`` from the first instruction on, so an
interruption unwinds like an exception wherever it lands: report files are
written to a temporary file renamed into place (none is left half-written), the
cache's open transaction is rolled back, worker processes are stopped, and the
command exits with 130 and no traceback.
"""

from __future__ import annotations

import signal
import sys

INTERRUPTED_EXIT_CODE = 130  # model.ExitCode.INTERRUPTED, without importing the package before the handlers are set


class Interrupted(BaseException):
    """Ctrl-C or SIGTERM (a BaseException, so that no ``except Exception`` swallows it)."""


def _interrupt(signal_number, frame) -> None:
    raise Interrupted


def main() -> None:
    signal.signal(signal.SIGINT, _interrupt)
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        from .cli import app

        app()
    except Interrupted:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        sys.stderr.write("interrupted\n")
        sys.exit(INTERRUPTED_EXIT_CODE)


if __name__ == "__main__":
    main()
