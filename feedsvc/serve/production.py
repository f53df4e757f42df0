"""The service as production runs it: gunicorn with the shipped settings, and the WSGI app it loads,
which refuses a store with nothing to publish."""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from typing import Any

from flask import Flask
from gunicorn.app.base import BaseApplication

from ..config import ConfigError
from ..store.startup import StoreUnavailable
from ..words import plural
from .app import create_app

# gunicorn's exit code for a worker that could not boot: the master stops instead of forking worker
# after worker. In the master (preload_app) it is simply the process's exit code.
WORKER_BOOT_ERROR = 3
LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def wsgi_app(overrides: dict[str, Any] | None = None, config_file: str | None = None) -> Flask:
    """The app for `gunicorn wsgi:app` and `feedsvc serve`. A store that is missing, unreadable or has no
    site file, or a configuration that cannot be used, ends the process with one line saying why."""
    logging.basicConfig(level=logging.INFO, format=LOG_FORMAT)
    try:
        return create_app(overrides, config_file=config_file)
    except (StoreUnavailable, ConfigError) as exc:
        print(f"feedsvc: {exc}", file=sys.stderr, flush=True)
        raise SystemExit(WORKER_BOOT_ERROR) from None


class ProductionServer(BaseApplication):
    """gunicorn, run in this process with the shipped settings (`gunicorn_conf`: the request-buffering
    worker, preload, the per-worker hooks), then GUNICORN_CMD_ARGS as gunicorn itself reads them, then
    the address to bind. `feedsvc serve` runs this; `gunicorn wsgi:app` runs the same settings."""

    def __init__(self, bind: str, load_app: Callable[[], Flask]) -> None:
        self._bind = bind
        self._load_app = load_app
        super().__init__(prog="feedsvc serve")

    def load_config(self) -> None:
        from . import gunicorn_conf  # importing it marks this process as gunicorn's master

        for name, value in vars(gunicorn_conf).items():
            if name in self.cfg.settings:
                self.cfg.set(name, value)
        from_env = self.cfg.parser().parse_args(self.cfg.get_cmd_args_from_env())
        for name, value in vars(from_env).items():
            if value is not None and name in self.cfg.settings:
                self.cfg.set(name, value)
        self.cfg.set("bind", [self._bind])

    def load(self) -> Flask:
        return self._load_app()

    def preload(self) -> None:
        """Load the app now, in this process (gunicorn would, with preload_app, once it starts): so a
        store that cannot be published stops the command before gunicorn says anything."""
        self.wsgi()

    @property
    def size(self) -> str:
        """How many workers and threads answer: "2 workers × 4 threads"."""
        return f"{plural(self.cfg.workers, 'worker')} × {plural(self.cfg.threads, 'thread')}"
