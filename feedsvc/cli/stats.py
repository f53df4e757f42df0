"""`feedsvc stats`: how many people read each feed, from what the service counted or a server's log."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import click

from .options import chosen_store, config_option, load, require_folder, store_options


@click.command("stats")
@store_options
@click.option("--days", default=30, show_default=True, type=click.IntRange(1, 3660), help="Days to report on.")
@click.option("--feed", help="One feed's path, like sections/world/rss.xml.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@click.option(
    "--import",
    "logs",
    multiple=True,
    metavar="LOGFILE",
    help="First count the feed requests in an nginx/Apache combined log (gzipped too; - for stdin).",
)
@click.option("--new-token", is_flag=True, help="Print a new token for /_stats/ and the hash to configure.")
@config_option
def command(
    store: Path | None,
    store_option: Path | None,
    days: int,
    feed: str | None,
    as_json: bool,
    logs: tuple[str, ...],
    new_token: bool,
    config_file: str | None,
) -> None:
    """How many people read each feed: estimated subscribers (the aggregators' reported counts plus
    distinct direct readers), their change over 7 and 30 days, polls, share of 304s and bytes."""
    import json

    from ..paths import base_path
    from ..stats import access
    from ..stats.db import open_database
    from ..stats.logs import import_log, open_log
    from ..stats.report import report

    if new_token:
        token, digest = access.new_token()
        click.echo(f"token (give it to whoever reads /_stats/; it is not stored): {token}")
        click.echo(f'configuration (feedsvc.toml): stats_token_hash = "{digest}"')
        return
    config = load(config_file, store=chosen_store(store, store_option))
    if str(config.stats.db).strip() in ("", "auto"):
        require_folder("stats", config.store)  # a mistyped store would get empty statistics of its own
    try:
        database = open_database(config.stats_location)
    except Exception as exc:  # noqa: BLE001 — a missing driver, a refused connection: said plainly
        raise click.ClickException(f"cannot open the statistics at {_shown(config.stats_location)}: {exc}") from None
    today = datetime.now(UTC).date()
    try:
        for name in logs:
            try:
                with open_log(name) as lines:
                    done = import_log(lines, database, base_path(config.feeds.base_url), name)
            except OSError as exc:
                raise click.ClickException(f"{name}: cannot read: {exc.strerror or exc}") from None
            click.echo(done.summary(), err=True)
        if logs:
            database.maintain(today, config.stats.retention_days)
        figures = report(database, today, days, feed.lstrip("/") if feed else None)
    finally:
        database.close()
    click.echo(json.dumps(figures.as_json(), indent=1) if as_json else figures.table())


def _shown(location: object) -> str:
    """A database location fit to print: a URL's password is left out."""
    from urllib.parse import urlsplit

    text = str(location)
    parts = urlsplit(text)
    if parts.password:
        text = text.replace(f":{parts.password}@", ":***@", 1)
    return text
