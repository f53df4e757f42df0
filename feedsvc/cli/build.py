"""`feedsvc build`: every document the service serves, written as files, atomically."""

from __future__ import annotations

import atexit
import gc
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from ..config import Config
from ..source.site import SITE_FILE
from ..words import plural
from .options import FOLDER, chosen_store, config_option, load, require_folder, store_options
from .progress import reporter

if TYPE_CHECKING:
    from ..serve.websub import HubNotifier
    from ..store.store import Store


@click.command("build")
@click.argument("out_dir", type=FOLDER)
@store_options
@click.option(
    "--base-url",
    help="Where the files will be served from: every feed, page and link names it "
    "(default: the configuration's base_url).",
)
@click.option(
    "--strict",
    is_flag=True,
    help="Fail, leaving the output untouched, if any article has an error or no base URL is configured.",
)
@click.option("--quiet", "-q", is_flag=True, help="Print only errors.")
@click.option("--verbose", "-v", is_flag=True, help="Also name every file written.")
@click.option("--watch", is_flag=True, help="Keep running: rebuild when the store changes (only what changed).")
@config_option
def command(
    out_dir: Path,
    store: Path | None,
    store_option: Path | None,
    base_url: str | None,
    strict: bool,
    quiet: bool,
    verbose: bool,
    watch: bool,
    config_file: str | None,
) -> None:
    """Write every feed, page and photo the service serves into OUT_DIR, atomically, from STORE
    (or --store STORE; default: the configured store)."""
    from ..static.build import build as run_build
    from ..static.build import open_store
    from ..static.tree import BuildError, refuse_overlap
    from ..store.startup import StoreUnavailable, require_publishable

    config = load(config_file, store=chosen_store(store, store_option), base_url=base_url)
    if (out_dir / SITE_FILE).is_file():
        click.echo(
            f"feedsvc build: {out_dir} is an article store, not an output folder: the output folder "
            f"comes first, then the store (feedsvc build public/ {out_dir})",
            err=True,
        )
        sys.exit(2)
    require_folder("build", config.store)
    try:
        refuse_overlap(config.store, out_dir)
    except BuildError as exc:
        click.echo(f"feedsvc build: {exc}", err=True)
        sys.exit(2)  # as for any other wrong argument, before the store is read
    if not config.base_url_given and strict:
        click.echo(f"feedsvc build: {_no_base_url(out_dir, config.feeds.base_url)} (--strict)", err=True)
        sys.exit(1)
    progress = reporter(quiet)
    # This process holds the store until it ends: what the read made is frozen out of garbage
    # collection (gc.freeze) rather than walked by the full collection a large read ends with (a read
    # with the collector off leaves that to its caller: store.policy), by each full one the build's
    # own objects set off, and by the last one at exit, which frees nothing the system does not take
    # back. The figures are in docs/PERFORMANCE.md.
    gc.disable()
    try:
        store_ = open_store(config, progress.reading)
    finally:
        gc.freeze()
        gc.enable()
    atexit.register(gc.freeze)
    try:
        require_publishable(store_)
    except StoreUnavailable as exc:
        click.echo(f"feedsvc build: {exc}", err=True)
        sys.exit(2)
    for problem in store_.snapshot.problems:
        if not quiet or problem.severity == "error":
            click.echo(str(problem), err=True)
    if watch:
        _warn_of_base_url(config, out_dir)
        _watch(config, out_dir, store_, strict, quiet)
        return
    try:
        report = run_build(
            config, out_dir, strict=strict, store=store_, phases=progress, progress=progress.wrote if verbose else None
        )
    except BuildError as exc:
        progress.end()
        click.echo(f"feedsvc build: {exc}", err=True)
        sys.exit(1)
    notifier = _hub_notifier(config) if report.changed_feeds else None
    if notifier is not None:
        notifier.notify(report.changed_feeds)  # in the background: the output is already published
    for problem in report.unread:
        click.echo(str(problem), err=True)
    if not quiet:
        click.echo(report.summary())
    _warn_of_base_url(config, out_dir)
    if notifier is not None:
        _wait_for_the_hub(notifier, quiet)


def _wait_for_the_hub(notifier: HubNotifier, quiet: bool) -> None:
    """Give the hub a bounded moment, so the news is not lost with this process; say how it went."""
    done = notifier.wait(timeout=30)
    outcome = notifier.outcomes[-1] if notifier.outcomes else None
    if outcome is not None and outcome.ok:
        message = f"told the hub of {plural(len(outcome.urls), 'changed feed')}"
    else:
        message = f"could not tell the hub ({outcome.detail if outcome else 'still trying'})"
    if not quiet or not (done and outcome and outcome.ok):
        click.echo(f"WebSub: {message}", err=not (outcome and outcome.ok))


def _no_base_url(out_dir: Path, base_url: str) -> str:
    return (
        f"no base URL is configured, so every feed, page, self link and photo in {out_dir} names "
        f"{base_url} — set the address the files will be served from with --base-url, FEEDSVC_BASE_URL "
        "or base_url in feedsvc.toml"
    )


def _warn_of_base_url(config: Config, out_dir: Path) -> None:
    """Say it loudly (even with --quiet): files that link to 127.0.0.1 are no use once published."""
    if not config.base_url_given:
        click.secho(
            f"feedsvc build: warning: {_no_base_url(out_dir, config.feeds.base_url)}", err=True, fg="yellow", bold=True
        )


def _hub_notifier(config: Config) -> HubNotifier | None:
    """A WebSub notifier for the configured hub (None without one): the build reports which feeds
    changed, and the command tells the hub."""
    if not config.feeds.hub_url:
        return None
    from ..serve.websub import HubNotifier

    return HubNotifier(config.feeds.hub_url)


def _watch(config: Config, out_dir: Path, store: Store, strict: bool, quiet: bool) -> None:
    """Build, then rebuild whenever the store changes or a scheduled story's moment comes, keeping
    the rendered documents between builds so a rebuild renders only what changed."""
    import threading
    import time

    from ..publish.publisher import Publisher
    from ..static.build import build as run_build
    from ..static.tree import BuildError
    from ..store.medialist import photo_keys
    from ..store.watch import Refresher

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
                notifier.notify(report.changed_feeds)  # in the background; nothing waits for the hub
            next_change[0] = report.next_change.timestamp() if report.next_change else None
            for problem in report.unread:
                click.echo(str(problem), err=True)
            if not quiet:
                click.echo(report.summary())
        wake.set()

    timing = config.refresh
    refresher = Refresher(
        store,
        timing.refresh_seconds,
        timing.rescan_seconds,
        timing.watch,
        on_change=rebuild,
        on_media=rebuild,
        media_listing=lambda: photo_keys(store.root),  # a stat walk: the rebuild reads what changed
    )
    rebuild()
    refresher.start()
    if not quiet:
        click.echo(f"watching {config.store} (Ctrl-C to stop)", err=True)
    try:
        while True:
            due = next_change[0]
            wake.wait(timeout=3600 if due is None else max(0.0, min(3600.0, due - time.time())))
            wake.clear()
            if next_change[0] is not None and time.time() >= next_change[0]:
                rebuild()  # a scheduled story appears
    except KeyboardInterrupt:
        pass
    finally:
        refresher.stop()
