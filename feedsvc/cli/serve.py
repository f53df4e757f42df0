"""`feedsvc serve`: the feed service."""
from __future__ import annotations

import logging
from pathlib import Path

import click

from ..config import ConfigError
from .options import chosen_store, config_option, store_options


@click.command("serve")
@store_options
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@config_option
def command(store: Path | None, store_option: Path | None, host: str, port: int, config_file: str | None) -> None:
    """Serve the feeds for development (use gunicorn in production; see README)."""
    from werkzeug.serving import run_simple

    from ..serve.app import create_app
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    store = chosen_store(store, store_option)
    overrides = {"store": store} if store else {}
    try:
        app = create_app(overrides, config_file=config_file)
    except ConfigError as exc:
        raise click.UsageError(str(exc)) from None
    click.echo(f"feedsvc: serving {app.config['FEEDSVC'].store} at http://{host}:{port}/ "
               f"(feeds link to {app.config['FEEDSVC'].base_url})", err=True)
    run_simple(host, port, app, threaded=True, use_reloader=False)
