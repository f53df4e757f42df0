"""What the commands share: the configuration in its layers, and the store named the same way in each."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from ..config import Config, ConfigError, load_config

F = TypeVar("F", bound=Callable[..., Any])

FOLDER = click.Path(path_type=Path)  # whether it is a usable folder is said in one line, by the command

config_option = click.option(
    "--config",
    "config_file",
    type=click.Path(dir_okay=False),
    help="TOML configuration file (default: FEEDSVC_CONFIG or ./feedsvc.toml).",
)


def store_options(function: F) -> F:
    """The store, as STORE or as --store STORE: every command takes both spellings."""
    function = click.option(
        "--store",
        "store_option",
        type=FOLDER,
        metavar="STORE",
        help="The article store folder (or give it as STORE; default: FEEDSVC_STORE, "
        "the configuration's `store`, or ./articles).",
    )(function)
    return click.argument("store", required=False, type=FOLDER)(function)


def chosen_store(positional: Path | None, option: Path | None) -> Path | None:
    """The store the command line names, if any; both spellings naming different folders is an error."""
    if positional is not None and option is not None and not _same(positional, option):
        raise click.UsageError(
            f"the store is given twice, as STORE ({positional}) and as --store ({option}); give it once"
        )
    return positional if positional is not None else option


def _same(one: Path, other: Path) -> bool:
    return os.path.realpath(one) == os.path.realpath(other)


def require_folder(command: str, root: Path) -> None:
    """Stop with one line unless `root` can be an article store's folder: before anything is read."""
    from ..store.startup import folder_problem

    problem = folder_problem(root)
    if problem is not None:
        click.echo(f"feedsvc {command}: {problem}", err=True)
        sys.exit(2)


def load(config_file: str | None, **overrides: Any) -> Config:
    """Defaults → configuration file → FEEDSVC_* environment → the command line's options."""
    try:
        return load_config(config_file, overrides={k: v for k, v in overrides.items() if v is not None})
    except ConfigError as exc:
        raise click.UsageError(str(exc)) from None
