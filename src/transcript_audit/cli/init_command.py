"""``transcript-audit init``: write a commented starter configuration."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ..config import CONFIG_NAMES, STARTER
from ..reporters import write_text_atomically
from .common import fail


def init(
    folder: Annotated[Path, typer.Argument(help="Where to write .transcript-audit.yaml.")] = Path("."),
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing configuration.")] = False,
) -> None:
    """Write a commented .transcript-audit.yaml to start from."""
    target = folder / CONFIG_NAMES[0]
    if target.exists() and not force:
        fail(f"{target} already exists (use --force to overwrite it)")
    if not folder.is_dir():
        fail(f"no such folder: {folder}")
    write_text_atomically(target, STARTER)
    typer.echo(f"wrote {target}")
