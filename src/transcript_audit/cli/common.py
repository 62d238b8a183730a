"""What the commands share: error output, and options from the configuration and the command line."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, NoReturn, Optional

import typer

from ..config import Config, ConfigError, find_config, load_config
from ..model import ExitCode

RulesOption = Annotated[
    Optional[list[Path]],
    typer.Option("--rules", help="A folder (or file) of your own YAML rules, added to the built-in packs. Repeatable."),
]
NoBuiltinOption = Annotated[bool, typer.Option("--no-builtin-rules", help="Use only the packs given with --rules.")]
ConfigOption = Annotated[
    Optional[Path],
    typer.Option("--config", help="Use this configuration file instead of looking for one above the audited paths."),
]


def stderr(message: str) -> None:
    typer.echo(message, err=True)


def fail(message: str, code: ExitCode = ExitCode.ERROR) -> NoReturn:
    stderr(f"error: {message}")
    raise typer.Exit(code)


def report_errors(errors) -> NoReturn:
    for problem in errors:
        stderr(f"error: {problem}")
    raise typer.Exit(ExitCode.ERROR)


def configuration(forced: Path | None, start: Path, memo=None) -> Config:
    """The configuration to use: ``--config``, else the nearest one above ``start``, else defaults.

    ``memo`` (the audit cache) spares validating a file the schema accepted before."""
    path = forced
    if path is None:
        path = find_config(start)
    elif not path.is_file():
        fail(f"no such configuration file: {path}")
    if path is None:
        return Config()
    try:
        return load_config(path, memo)
    except ConfigError as error:
        report_errors(error.errors)


def rule_folders(config: Config, rules: list[Path] | None) -> list[Path]:
    """The configuration's packs, then the ones given with --rules."""
    return [*config.packs, *(rules or [])]
