"""The application factory: configuration in layers, then the store, publisher and refresher wired
together and registered on the Flask app (flaskr's `create_app(test_config)` pattern)."""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from flask import Flask

from ..config import Config, load_config
from ..paths import base_path
from ..publish.publisher import Publisher
from ..stats.counter import Counter
from ..store.snapshot import Changes
from ..store.startup import require_publishable
from ..store.store import Store
from ..store.watch import SETTLE_SECONDS, Refresher
from .websub import ChangeLedger, HubNotifier

log = logging.getLogger(__name__)

CATCH_UP_WAIT = 10.0  # how long a starting worker waits to have caught up with the store (seconds)

# How many forks this process descends from: threads don't survive a fork, so a Service started before
# one must start its threads again after it. Counted at fork time, because ensure_running() is asked on
# every request and os.getpid() is a system call.
_forks = 0


def _count_fork() -> None:
    global _forks
    _forks += 1


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_count_fork)


class Service:
    """One worker's store, publisher, background refresher, (with a hub) WebSub notifier and (unless
    `stats = false`) the counter of feed requests."""

    def __init__(
        self,
        config: Config,
        *,
        auto_refresh: bool = True,
        clock: Callable[[], datetime] | None = None,
        threads_after_fork: bool = False,
        cold_cache_bytes: int | None = None,
    ) -> None:
        self.config = config
        self.feeds = config.feeds
        self.refresh = config.refresh
        # Documents are published under the base URL's path; requests may come with it or without it.
        self.path_prefix = base_path(config.feeds.base_url)
        # A story still open for writing is left for the watcher, which reads it once it is saved.
        # The parse cache a cold start makes stale is saved after the first answers: by the refresher, or
        # (under gunicorn, whose workers are forked from here) by a process of its own.
        self.store = Store.open(
            config.store,
            media_base_url=config.feeds.base_url,
            limits=config.read,
            cache_dir=config.cache_path,
            save_later=auto_refresh,
            freeze_read=threads_after_fork,  # gunicorn_conf's pre_fork freezes what the master made
        )
        require_publishable(self.store)  # a service that answers 404 to everything must not start
        self.publisher = Publisher(
            self.store,
            config.feeds,
            config.cache_policy,
            clock=clock,
            cold_cache_bytes=config.memory.cold_cache_bytes if cold_cache_bytes is None else cold_cache_bytes,
        )
        self._report(lambda path: True)
        self.publisher.warm()  # the first requests find every feed rendered
        self.auto_refresh = auto_refresh
        self.refresher: Refresher | None = None
        self.notifier: HubNotifier | None = None
        hub_url = config.feeds.hub_url
        self.ledger = ChangeLedger(config.store, hub_url, config.cache_path) if hub_url else None
        self.counter = Counter.open(config.stats_location, config.stats) if config.stats.enabled else None
        self._started_in: int | None = None  # the value of _forks when the threads were started
        self._start_lock = threading.Lock()
        self._caught_up = threading.Event()  # set once the refresher's first look is applied
        self._faulted = False  # did a read fault keep a feed or page incomplete (or held) at the last tick?
        if not threads_after_fork:  # else gunicorn_conf's post_worker_init starts them in each worker
            self.ensure_running()
        else:  # the workers forked from here leave the parse cache alone
            self.store.save_stale_cache_apart()

    def ensure_running(self) -> None:
        """Start the background threads in this process — again after a fork (gunicorn --preload),
        as threads don't survive one."""
        if self._started_in == _forks:
            return
        with self._start_lock:
            if self._started_in == _forks:
                return
            if self.feeds.hub_url:
                self.notifier = HubNotifier(self.feeds.hub_url)
            if self.auto_refresh:
                # What changed while no worker was watching is announced once the refresher has caught
                # up (its first full scan applied, and every file then waiting to settle read): a worker
                # forked from a master that read the store earlier would otherwise announce that older
                # state as news, and then the present again. catch_up() waits for the same moment.
                self._caught_up = threading.Event()
                self.publisher.documents.retried_apart = True  # by the refresher's ticks, not by requests
                self.refresher = Refresher(
                    self.store,
                    self.refresh.refresh_seconds,
                    self.refresh.rescan_seconds,
                    self.refresh.watch,
                    on_change=self.on_change,
                    on_first_look=self._first_look,
                    on_tick=self._tick,
                ).start()
            else:
                self.announce()
            if self.counter is not None:
                self.counter.start()
            self._started_in = _forks

    def close(self) -> None:
        """Stop this worker's threads; what was counted is written first (gunicorn's worker_exit)."""
        if self.refresher is not None:
            self.refresher.stop()
            self.publisher.documents.retried_apart = False  # no tick renders a faulted document again now
        if self.counter is not None:
            self.counter.close()

    def _first_look(self) -> None:
        self._caught_up.set()
        self.announce()

    def _tick(self) -> None:
        """While a read fault keeps documents incomplete or held: render each again once its time to try
        has come, here rather than in a request (which gets what is kept meanwhile), and announce — and
        once after — so the hub hears of what the retries render (the store did not change; ChangeLedger
        drops the rest)."""
        self.publisher.warmer.retry()  # a document whose retry raises is logged there, and the rest go on
        faulted = self.publisher.documents.faults.lasting
        if faulted or self._faulted:
            self.announce()
        self._faulted = faulted

    def catch_up(self, wait: float = CATCH_UP_WAIT) -> None:
        """Start watching the store, and return once what changed since the master's last look is
        applied (or after `wait` seconds). gunicorn_conf calls this in each worker before its first
        request: a worker forked from the master, which read the store earlier, never serves older
        feeds than its siblings do. The refresher's first look is a full scan made with its watcher
        already listening, so a save during that scan is not missed either."""
        if not self.auto_refresh:
            self.look(wait)
            return
        self.ensure_running()
        if not self._caught_up.wait(wait):
            log.warning("the store was not caught up with after %.0f s; answering anyway", wait)

    def look(self, wait: float = 0.0) -> None:
        """Look at the store now and apply what changed, waiting up to `wait` seconds for stories still
        being saved. The master does this before forking a worker, so that the worker's own look
        finds little to read."""
        try:
            changes = self.store.refresh(settle=SETTLE_SECONDS)
            deadline = time.monotonic() + wait
            while changes.deferred and time.monotonic() < deadline:
                time.sleep(0.05)
                changes = changes.then(self.store.refresh(changes.deferred, settle=SETTLE_SECONDS))
            for path in sorted(changes.deferred) if wait else ():
                log.info(
                    "%s%s: still being saved; served as last read until the watcher reads it",
                    self.store.display_root,
                    path,
                )
            if changes:
                self.on_change(changes)
        except Exception:  # noqa: BLE001 — a worker that cannot start would be restarted over and over
            log.exception("could not look at the store; the refresher will retry")

    def on_change(self, changes: Changes) -> None:
        """After each change of the store's stories, site or authors (in the refresher's thread; a
        photo alone is none: /media/ serves the file as it is): report new problems, re-render what
        changed, and tell the hub which feeds did."""
        changed = changes.added | changes.edited
        self._report(lambda path: any(path.endswith(p) for p in changed))
        self.publisher.warm()
        self.announce()

    def _report(self, wanted: Callable[[str], bool]) -> None:
        """Log the problems of the files `wanted` picks, and which of their stories wait for a later time."""
        snapshot = self.store.snapshot
        for problem in snapshot.problems:
            if wanted(problem.path):
                log.warning("%s", problem)
        for note in snapshot.held_back(self.publisher.clock(), self.store.display_root):
            if wanted(note.path):
                log.info("%s", note)

    def announce(self) -> None:
        if self.notifier is None or self.ledger is None:
            return
        current = self.publisher.feed_etags()
        self.notifier.notify(self.ledger.changed(current))


def create_app(
    test_config: Mapping[str, Any] | None = None,
    *,
    config_file: str | None = None,
    auto_refresh: bool = True,
    clock: Callable[[], datetime] | None = None,
    cold_cache_bytes: int | None = None,
) -> Flask:
    """Defaults → feedsvc.toml (or FEEDSVC_CONFIG) → FEEDSVC_* environment → `test_config` (flat keys,
    as in the file). Without `auto_refresh` nothing watches the store (tests and benchmarks refresh it
    themselves); `clock` moves time (tests see scheduled stories appear); `cold_cache_bytes` sets the
    archives' share of memory in bytes rather than `cold_cache_mb` (tests fill a small one).

    FEEDSVC_THREADS_AFTER_FORK is no setting: gunicorn.conf.py sets it so that the master, which loads
    the app before forking (preload_app), starts no threads; each worker starts its own.

    Raises StoreUnavailable (one line: the folder and what is wrong) for a store with nothing to publish."""
    config = load_config(config_file, overrides=test_config)
    app = Flask(__name__)
    app.config["FEEDSVC"] = config
    app.extensions["feedsvc"] = Service(
        config,
        auto_refresh=auto_refresh,
        clock=clock,
        threads_after_fork=bool(os.environ.get("FEEDSVC_THREADS_AFTER_FORK")),
        cold_cache_bytes=cold_cache_bytes,
    )
    from . import statsview
    from .web import WarmPath, bp

    app.register_blueprint(bp)
    statsview.init_app(app, app.extensions["feedsvc"].path_prefix)
    # The everyday poll skips Flask. Wrapping wsgi_app in a middleware is Flask's documented way
    # (flask.Flask.wsgi_app); its stubs declare a method there.
    app.wsgi_app = WarmPath(app.wsgi_app, app.extensions["feedsvc"])  # type: ignore[method-assign]
    return app
