"""gunicorn settings for feedsvc, read from the working folder by `gunicorn wsgi:app`.

The store is read, and every feed rendered, once in the master before the workers are forked
(preload_app): workers start at once, and share those pages of memory until they change. Each worker
then starts its own store watcher (and WebSub notifier, and the writer of its subscriber counts) after
the fork; threads do not survive one.
Command-line options override anything here.
"""
import gc
import os

workers = 2                 # per core of a 2-core machine: the work is short, in-memory lookups
threads = 4
# gunicorn's gthread worker, but a thread takes a connection only once its request has arrived whole:
# slow clients wait in the worker's event loop, not in its threads (feedsvc/serve/worker.py, README).
worker_class = "feedsvc.serve.worker.RequestBufferingWorker"
preload_app = True

os.environ.setdefault("FEEDSVC_THREADS_AFTER_FORK", "1")   # the master must not start watchers of its own


def post_worker_init(worker):
    service = getattr(worker.wsgi, "extensions", {}).get("feedsvc")
    if service is not None:                 # another app run from this folder has nothing to start
        service.ensure_running()


def worker_exit(server, worker):
    service = getattr(worker.wsgi, "extensions", {}).get("feedsvc")
    if service is not None:                 # what the worker counted since its last flush is written
        service.close()


def pre_fork(server, worker):
    # Python's gc documentation for a process that forks without exec: freeze what the master made (the
    # store, every rendered feed), so the workers' collections never walk those objects again nor write
    # to their pages — the pages the workers share with the master.
    gc.freeze()
