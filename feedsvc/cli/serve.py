"""`feedsvc serve`: the feed service — gunicorn as production runs it, or Werkzeug's server with --dev."""

from __future__ import annotations

import ipaddress
from pathlib import Path

import click

from .options import chosen_store, config_option, load, require_folder, store_options


@click.command("serve")
@store_options
@click.option("--host", default="127.0.0.1", show_default=True, help="The address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535), help="The port to listen on.")
@click.option(
    "--base-url",
    help="The public address of the feeds, which every self link, enclosure and page "
    "names (default: the configuration's base_url, else the address listened on).",
)
@click.option(
    "--dev",
    is_flag=True,
    help="Werkzeug's development server instead of gunicorn: one process, tracebacks in the terminal.",
)
@config_option
def command(
    store: Path | None,
    store_option: Path | None,
    host: str,
    port: int,
    base_url: str | None,
    dev: bool,
    config_file: str | None,
) -> None:
    """Serve the feeds, pages and photos of STORE (or --store STORE; default: the configured store) over
    HTTP: with gunicorn and the shipped settings, as in production, or with --dev for development.

    The FEEDSVC_* environment and the configuration file apply alike to both; GUNICORN_CMD_ARGS tunes
    gunicorn (--workers, --threads, --timeout…).
    """
    from ..serve.production import wsgi_app

    config = load(config_file, store=chosen_store(store, store_option), base_url=base_url)
    require_folder("serve", config.store)
    note = ""
    if not config.base_url_given:  # links lead where the service answers
        config = load(config_file, store=config.store, base_url=f"http://{_url_host(host)}:{port}/")
        note = " (no base URL is configured: give the public one with --base-url or FEEDSVC_BASE_URL)"
    overrides = {"store": config.store, "base_url": config.feeds.base_url}
    shown = (
        f"feedsvc: serving {config.store} at http://{_bracketed(host)}:{port}/ with %s; feeds link to "
        f"{config.feeds.base_url}{note}"
    )
    if dev:
        from werkzeug.serving import run_simple

        app = wsgi_app(overrides, config_file)
        click.echo(shown % "Werkzeug's development server", err=True)
        run_simple(host, port, app, threaded=True, use_reloader=False)
        return
    from ..serve.production import ProductionServer

    server = ProductionServer(f"{_bracketed(host)}:{port}", lambda: wsgi_app(overrides, config_file))
    server.preload()  # the store read and every feed rendered, before any fork
    click.echo(shown % f"gunicorn, {server.size}", err=True)
    server.run()


def _bracketed(host: str) -> str:
    """An IPv6 address in brackets, as URLs and gunicorn's --bind write it."""
    try:
        return f"[{host}]" if ipaddress.ip_address(host).version == 6 else host
    except ValueError:
        return host


def _url_host(host: str) -> str:
    """The host links name when the service listens on `host`: this machine for every address."""
    if host in ("0.0.0.0", ""):
        return "127.0.0.1"
    if host == "::":
        return "[::1]"
    return _bracketed(host)
