"""`feedsvc check | serve | build | stats`: the editor's check, the development server, the static build,
and the subscriber statistics."""
from __future__ import annotations

import logging
import sys
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from .config import Config, ConfigError, load_config

if TYPE_CHECKING:
    from .serve.websub import HubNotifier
    from .store.store import Store


def _config(config_file: str | None, **overrides: Any) -> Config:
    try:
        return load_config(config_file, overrides={k: v for k, v in overrides.items() if v is not None})
    except ConfigError as exc:
        raise click.UsageError(str(exc)) from None


config_option = click.option("--config", "config_file", type=click.Path(dir_okay=False),
                             help="TOML configuration file (default: FEEDSVC_CONFIG or ./feedsvc.toml).")


@click.group()
@click.version_option(package_name="feedsvc")
def main() -> None:
    """Publish a newsroom's article store as RSS and Atom feeds."""


@main.command()
@click.argument("store", required=False, type=click.Path(file_okay=False, path_type=Path))
@click.option("--targets", is_flag=True,
              help="Also report what Microsoft Start, Flipboard and Google News would reject or degrade.")
@config_option
def check(store: Path | None, targets: bool, config_file: str | None) -> None:
    """List every problem in STORE (default: the configured store) and count articles per section.

    Exits 1 when any article would be left out of the feeds.
    """
    from .store.snapshot import Snapshot
    from .store.store import Store
    config = _config(config_file, store=store)
    if not config.store.is_dir():
        raise click.UsageError(f"{config.store}: no such folder")
    store_ = Store.open(config.store, media_base_url=config.feeds.base_url, limits=config.read,
                        cache_dir=config.cache_path)
    snapshot = store_.snapshot
    now = datetime.now(UTC)
    problems = [*snapshot.problems, *snapshot.dated_ahead(now, store_.display_root),
                *snapshot.look_alike_bylines(store_.display_root)]
    for problem in problems:
        click.echo(str(problem))
    if isinstance(snapshot, Snapshot):
        counts = Counter(a.section for a in snapshot.by_id.values() if a.visible_at(now))
        scheduled = sum(1 for a in snapshot.by_id.values() if not a.visible_at(now))
        per_section = ", ".join(f"{s.slug} {counts.get(s.slug, 0)}" for s in snapshot.site.sections)
        found = []
        from .publish.publisher import Publisher
        publisher = Publisher(store_, config.feeds, config.cache_policy)
        if targets:
            from .publish.targets import findings
            found = findings(publisher, now)
            for finding in found:
                click.echo(str(finding))
        from .model import AUTHOR, TAG
        scopes = publisher.planner.scopes
        tags = (f"{len(scopes.listed(TAG, snapshot, now))} tag(s) with feeds (used by at least "
                f"{config.feeds.tag_feed_min_stories} stories)" if config.feeds.tag_feeds else "tag feeds off")
        click.echo(f"{len(scopes.listed(AUTHOR, snapshot, now))} writer(s) with feeds; {tags}")
        click.echo(f"{sum(counts.values())} published ({per_section}); {scheduled} scheduled, "
                   f"{snapshot.drafts} draft(s); {len(snapshot.errors)} error(s), "
                   f"{len(problems) - len(snapshot.errors)} warning(s)"
                   + (f", {len(found)} aggregator finding(s)" if targets else ""))
    sys.exit(1 if snapshot.errors or snapshot.site is None else 0)


@main.command()
@click.option("--store", type=click.Path(file_okay=False, path_type=Path), help="The article store folder.")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@config_option
def serve(store: Path | None, host: str, port: int, config_file: str | None) -> None:
    """Serve the feeds for development (use gunicorn in production; see README)."""
    from werkzeug.serving import run_simple

    from .serve.app import create_app
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    overrides = {"store": store} if store else {}
    try:
        app = create_app(overrides, config_file=config_file)
    except ConfigError as exc:
        raise click.UsageError(str(exc)) from None
    click.echo(f"feedsvc: serving {app.config['FEEDSVC'].store} at http://{host}:{port}/ "
               f"(feeds link to {app.config['FEEDSVC'].feeds.base_url})", err=True)
    run_simple(host, port, app, threaded=True, use_reloader=False)


@main.command()
@click.argument("out_dir", type=click.Path(file_okay=False, path_type=Path))
@click.option("--store", type=click.Path(file_okay=False, path_type=Path), help="The article store folder.")
@click.option("--strict", is_flag=True, help="Fail, leaving the output untouched, if any article has an error.")
@click.option("--quiet", "-q", is_flag=True, help="Print only errors.")
@click.option("--watch", is_flag=True, help="Keep running: rebuild when the store changes (only what changed).")
@config_option
def build(out_dir: Path, store: Path | None, strict: bool, quiet: bool, watch: bool, config_file: str | None) -> None:
    """Write every feed, page and photo the service serves into OUT_DIR, atomically."""
    from .static.build import build as run_build
    from .static.build import open_store, refuse_overlap
    from .static.tree import BuildError
    config = _config(config_file, store=store)
    if not config.store.is_dir():
        raise click.UsageError(f"{config.store}: no such folder")
    try:
        refuse_overlap(config.store, out_dir)
    except BuildError as exc:
        click.echo(f"feedsvc build: {exc}", err=True)
        sys.exit(2)                     # as for any other wrong argument, before the store is read
    store_ = open_store(config)
    for problem in store_.snapshot.problems:
        if not quiet or problem.severity == "error":
            click.echo(str(problem), err=True)
    bar = None
    progress: Callable[[str], None] | None = None
    if not quiet and sys.stderr.isatty():
        from tqdm import tqdm
        tqdm.monitor_interval = 0           # no monitor thread: the build renders in forked processes
        bar = shown = tqdm(desc="writing", unit="file", file=sys.stderr, leave=False)

        def progress(name: str) -> None:
            shown.update(1)
    elif not quiet:
        def progress(name: str) -> None:
            click.echo(f"wrote {name}", err=True)
    if watch:
        _watch(config, out_dir, store_, strict, quiet)
        return
    try:
        report = run_build(config, out_dir, strict=strict, progress=progress, store=store_)
    except BuildError as exc:
        click.echo(f"feedsvc build: {exc}", err=True)
        sys.exit(1)
    finally:
        if bar is not None:
            bar.close()
    notifier = _hub_notifier(config) if report.changed_feeds else None
    if notifier is not None:
        notifier.notify(report.changed_feeds)      # in the background: the output is already published
    if not quiet:
        click.echo(report.summary())
    if notifier is not None:
        # Give the hub a bounded moment, so the news is not lost with this process.
        done = notifier.wait(timeout=30)
        outcome = notifier.outcomes[-1] if notifier.outcomes else None
        if outcome is not None and outcome.ok:
            message = f"told the hub of {len(outcome.urls)} changed feed(s)"
        else:
            message = f"could not tell the hub ({outcome.detail if outcome else 'still trying'})"
        if not quiet or not (done and outcome and outcome.ok):
            click.echo(f"WebSub: {message}", err=not (outcome and outcome.ok))


@main.command()
@click.option("--days", default=30, show_default=True, type=click.IntRange(1, 3660), help="Days to report on.")
@click.option("--feed", help="One feed's path, like sections/world/rss.xml.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@click.option("--import", "logs", multiple=True, metavar="LOGFILE",
              help="First count the feed requests in an nginx/Apache combined log (gzipped too; - for stdin).")
@click.option("--new-token", is_flag=True, help="Print a new token for /_stats/ and the hash to configure.")
@config_option
def stats(days: int, feed: str | None, as_json: bool, logs: tuple[str, ...], new_token: bool,
          config_file: str | None) -> None:
    """How many people read each feed: estimated subscribers (the aggregators' reported counts plus
    distinct direct readers), their change over 7 and 30 days, polls, share of 304s and bytes."""
    import json

    from .paths import base_path
    from .stats import access
    from .stats.db import open_database
    from .stats.logs import import_log, open_log
    from .stats.report import report

    if new_token:
        token, digest = access.new_token()
        click.echo(f"token (give it to whoever reads /_stats/; it is not stored): {token}")
        click.echo(f'configuration (feedsvc.toml): stats_token_hash = "{digest}"')
        return
    config = _config(config_file)
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


def _hub_notifier(config: Config) -> HubNotifier | None:
    """A WebSub notifier for the configured hub (None without one): the build reports which feeds
    changed, and the command tells the hub."""
    if not config.feeds.hub_url:
        return None
    from .serve.websub import HubNotifier
    return HubNotifier(config.feeds.hub_url)


def _watch(config: Config, out_dir: Path, store: Store, strict: bool, quiet: bool) -> None:
    """Build, then rebuild whenever the store changes or a scheduled story's moment comes, keeping
    the rendered documents between builds so a rebuild renders only what changed."""
    import threading
    import time

    from .publish.publisher import Publisher
    from .static.build import build as run_build
    from .static.tree import BuildError
    from .store.watch import Refresher

    publisher = Publisher(store, config.feeds, config.cache_policy)
    notifier = _hub_notifier(config)
    lock = threading.Lock()
    wake = threading.Event()
    next_change: list[float | None] = [None]

    def rebuild(_changes: object = None) -> None:
        with lock:
            try:
                report = run_build(config, out_dir, strict=strict, publisher=publisher)
            except BuildError as exc:
                click.echo(f"feedsvc build: {exc}", err=True)
                return
            if notifier is not None:
                notifier.notify(report.changed_feeds)      # in the background; nothing waits for the hub
            next_change[0] = report.next_change.timestamp() if report.next_change else None
            if not quiet:
                click.echo(report.summary())
        wake.set()

    rebuild()
    timing = config.refresh
    refresher = Refresher(store, timing.refresh_seconds, timing.rescan_seconds, timing.watch, on_change=rebuild).start()
    if not quiet:
        click.echo(f"watching {config.store} (Ctrl-C to stop)", err=True)
    try:
        while True:
            due = next_change[0]
            wake.wait(timeout=3600 if due is None else max(0.0, min(3600.0, due - time.time())))
            wake.clear()
            if next_change[0] is not None and time.time() >= next_change[0]:
                rebuild()                   # a scheduled story appears
    except KeyboardInterrupt:
        pass
    finally:
        refresher.stop()


if __name__ == "__main__":
    main()
