"""``transcript-audit config schema``: the configuration's JSON Schema, for editors."""

from __future__ import annotations

import json

import typer

config_app = typer.Typer(help="Inspect the configuration.", no_args_is_help=True)


@config_app.command("schema")
def config_schema() -> None:
    """Print the JSON Schema of .transcript-audit.yaml (docs/configuration.md)."""
    from ..schema import config_schema

    typer.echo(json.dumps(config_schema(), indent=2, ensure_ascii=False))
