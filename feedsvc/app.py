"""The application factory: configuration in layers, then the store, publisher and refresher wired
together and registered on the Flask app (flaskr's `create_app(test_config)` pattern)."""
from __future__ import annotations

import logging
import os
import threading
from typing import Any, Mapping

from flask import Flask

from .config import Config, load_config
from .publish import Publisher
from .store import Store
from .watch import Refresher

log = logging.getLogger(__name__)


class Service:
    """One worker's store, publisher and background refresher."""

    def __init__(self, config: Config, auto_refresh: bool = True, clock=None) -> None:
        self.config = config
        self.store = Store.from_config(config)
        for problem in self.store.snapshot.problems:
            log.warning("%s", problem)
        self.publisher = Publisher(self.store, config, clock=clock)
        self.publisher.warm()               # the first requests find every feed rendered
        self.auto_refresh = auto_refresh
        self.refresher: Refresher | None = None
        self._start_lock = threading.Lock()
        self.ensure_running()

    def ensure_running(self) -> None:
        """Start the refresher in this process; again after a fork (gunicorn --preload), as threads don't survive one."""
        if not self.auto_refresh:
            return
        refresher = self.refresher
        if refresher is not None and refresher.pid == os.getpid():
            return
        with self._start_lock:
            if self.refresher is None or self.refresher.pid != os.getpid():
                self.refresher = Refresher(self.store, self.config.refresh_seconds, self.config.rescan_seconds,
                                           self.config.watch, on_change=self.on_change).start()

    def on_change(self, changes) -> None:
        """After each store change (in the refresher's thread): report new problems, re-render what changed."""
        for problem in self.store.snapshot.problems:
            if any(problem.path.endswith(p) for p in changes.added | changes.edited):
                log.warning("%s", problem)
        self.publisher.warm()

    def extra_headers(self, path: str) -> dict[str, str]:
        return {}


def create_app(test_config: Mapping[str, Any] | None = None, *, config_file: str | None = None) -> Flask:
    """Defaults → feedsvc.toml (or FEEDSVC_CONFIG) → FEEDSVC_* environment → `test_config`."""
    overrides = dict(test_config or {})
    auto_refresh = overrides.pop("auto_refresh", True)
    clock = overrides.pop("clock", None)          # tests move time to see scheduled stories appear
    config = load_config(config_file, overrides=overrides)
    app = Flask(__name__)
    app.config["FEEDSVC"] = config
    app.extensions["feedsvc"] = Service(config, auto_refresh=auto_refresh, clock=clock)
    from .web import bp
    app.register_blueprint(bp)
    return app
