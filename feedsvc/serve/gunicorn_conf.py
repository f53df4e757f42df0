"""gunicorn's settings for feedsvc: what `feedsvc serve` runs, and what `gunicorn wsgi:app` reads
through the repository's gunicorn.conf.py (or `gunicorn -c python:feedsvc.serve.gunicorn_conf
'feedsvc.serve.production:wsgi_app()'` where feedsvc is installed without the repository).

The store is read, and every feed rendered, once in the master before the workers are forked
(preload_app): workers start at once, and share those pages of memory until they change. Each worker
looks at the store again before its first request, then starts its own store watcher (and WebSub
notifier, and the writer of its subscriber counts) after the fork; threads do not survive one.
Command-line options and GUNICORN_CMD_ARGS override anything here.
"""

from __future__ import annotations

import gc
import os
import time
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .app import Service

workers = 2  # per core of a 2-core machine: the work is short, in-memory lookups
threads = 4
# gunicorn's gthread worker, but a thread takes a connection only once its request has arrived whole:
# slow clients wait in the worker's event loop, not in its threads (feedsvc/serve/worker.py, README).
worker_class = "feedsvc.serve.worker.RequestBufferingWorker"
preload_app = True
# gunicorn's control socket (for `gunicornc`) has one path per user: a second service on the machine
# (another newsroom's store, a staging copy) would take it over. Off; give each service its own
# `--control-socket PATH` to use gunicornc.
control_socket_disable = True

os.environ.setdefault("FEEDSVC_THREADS_AFTER_FORK", "1")  # the master must not start watchers of its own


def _service(app: object) -> Service | None:
    return getattr(app, "extensions", {}).get("feedsvc")  # None for another app run from this folder


def post_worker_init(worker: Any) -> None:
    # A new worker (a crash, max-requests, SIGHUP: gunicorn does not reload a preloaded app) holds the
    # master's store as of its last look. It starts watching and catches up before it accepts a
    # connection, so that no feed it serves is older than its siblings' (issue 13, case 5).
    service = _service(worker.wsgi)
    if service is not None:
        service.catch_up()


def worker_exit(server: Any, worker: Any) -> None:
    service = getattr(worker.wsgi, "extensions", {}).get("feedsvc")
    if service is not None:  # what the worker counted since its last flush is written
        service.close()


MASTER_LOOK_SECONDS = 30.0  # the master looks again before a fork at most this often


def pre_fork(server: Any, worker: Any) -> None:
    # The master looks at the store too (at most every 30 s: a look is a stat scan, 2 s at 100,000
    # stories), so that a new worker's own look has little to read, however long the master has run.
    # Its read of the store at start-up counts as a look: the first workers are forked seconds after
    # it, and each looks for itself anyway (post_worker_init) before its first answer.
    service = _service(getattr(server.app, "callable", None))  # None unless preloaded
    if service is not None and not 0 <= time.time_ns() - service.store.looked_ns < MASTER_LOOK_SECONDS * 1e9:
        service.look()  # a story being saved is the new worker's to wait for
    # Python's gc documentation for a process that forks without exec: freeze what the master made (the
    # store, every rendered feed), so the workers' collections never walk those objects again nor write
    # to their pages — the pages the workers share with the master.
    gc.freeze()
