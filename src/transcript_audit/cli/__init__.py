"""The ``transcript-audit`` command: thin Typer commands over ``pipeline``.

One module per command group: ``check_command`` (the audit),
``rules_commands`` (list, show, test), ``init_command``. Reports go to
standard output (or ``--output``), diagnostics to standard error. spaCy is
imported only where text is parsed, so ``--help`` and ``rules list`` answer
at once.
"""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from .. import __version__

app = typer.Typer(
    name="transcript-audit",
    help="Audit French customer-service conversations (calls, chats, e-mails) like a linter audits code.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"transcript-audit {__version__}")
        raise typer.Exit()


@app.callback()
def main_callback(
    version: Annotated[
        Optional[bool], typer.Option("--version", callback=_version, is_eager=True, help="Show the version and exit.")
    ] = None,
) -> None:
    """Audit French customer-service conversations like a linter audits code."""


from . import check_command, daemon_command, init_command, rules_commands  # noqa: E402  (they know nothing of ``app``)
from . import server_command  # noqa: E402

app.command()(check_command.check)
app.command()(init_command.init)
app.command()(daemon_command.daemon)
app.command()(server_command.server)

app.add_typer(rules_commands.rules_app, name="rules")
from .config_commands import config_app  # noqa: E402

app.add_typer(config_app, name="config")


__all__ = ["app", "check_command", "init_command"]
