"""``transcript-audit server``: the Language Server for editors (docs/editors.md)."""

from __future__ import annotations


def server() -> None:
    """Run a Language Server over standard input and output: diagnostics as you type (docs/editors.md)."""
    from pathlib import Path

    from ..lsp.worker import WORKER

    WORKER.warm_up(Path.cwd())  # the model loads while pygls is imported
    from ..lsp.server import serve

    serve()
