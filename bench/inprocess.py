"""The serving benchmark's in-process figures: the cold render of one feed, and the CPU time of one
request through WSGI (no server, no network), the figure least moved by other jobs on a shared machine."""

from __future__ import annotations

import json
import os
import statistics
import tempfile
import time
from pathlib import Path

from .httpload import BASE_URL, FEED, variants


def render_figures(root: Path, repeats: int) -> dict:
    """In a child process: the first `document()` of a fresh Publisher, and its parts, medians.

    "Markdown already done" is a fresh Publisher whose `prepared()` answers from a shared dict, so it
    times item selection, feed XML, gzip and hashing: everything but Markdown.
    """
    from feedsvc.publish.publisher import Publisher
    from feedsvc.publish.settings import FeedSettings
    from feedsvc.render.document import Rendered
    from feedsvc.render.feedmodel import prepare
    from feedsvc.store.store import Store

    def median_time(call) -> float:
        times = []
        for _ in range(repeats):
            started = time.perf_counter()
            call()
            times.append(time.perf_counter() - started)
        return statistics.median(times)

    done: dict = {}

    class Prepared(Publisher):
        def prepared(self, article):
            if article.id not in done:
                done[article.id] = (article, super().prepared(article))
            return done[article.id][1]

    feeds = FeedSettings(base_url=BASE_URL)
    store = Store(root, media_base_url=BASE_URL)
    store.refresh()
    path = FEED.lstrip("/")
    first = median_time(lambda: Publisher(store, feeds).document(path))
    publisher = Prepared(store, feeds)
    document = publisher.document(path)
    articles = [article for article, _ in done.values()]
    return {
        "first": first,
        "markdown": median_time(lambda: [prepare(a, store.body(a), feeds.summary_length) for a in articles]),
        "no_markdown": median_time(lambda: Prepared(store, feeds).document(path)),
        "gzip": median_time(
            lambda: Rendered.of(document.body, document.mimetype, None, gzip_level=feeds.gzip_level).compress()
        ),
        "warm": median_time(lambda: publisher.document(path)),
        "items": len(articles),
        "bytes": len(document.body),
    }


def write_ceiling(folder: Path, feed: dict) -> Path:
    """What bench/ceiling.py serves: the feed's bytes and headers as feedsvc sent them."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "body").write_bytes(feed["body"])
    (folder / "body.gz").write_bytes(feed["gzip_body"])
    (folder / "headers.json").write_text(json.dumps({k: v for k, v in feed.items() if "body" not in k}))
    return folder


def wsgi_figures(root: Path, calls: int) -> dict:
    """In a child process: CPU time per request of each app called directly through WSGI — no server,
    no sockets, one thread — so the figure is each app's own Python, and other jobs hardly move it."""
    from werkzeug.test import EnvironBuilder

    def call(app, headers: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        replies = []
        result = app(
            EnvironBuilder(path=FEED, headers=headers).get_environ(),
            lambda status, pairs, exc=None: replies.append((status, pairs)),
        )
        body = b"".join(result)
        getattr(result, "close", lambda: None)()  # a WSGI iterable may have no close()
        status, pairs = replies[0]
        return int(status.split()[0]), {k.lower(): v for k, v in pairs}, body

    def cpu_per_call(app, headers: dict[str, str]) -> float:
        """The best of five batches (the first one also warms up): other jobs only ever add time."""
        environ = EnvironBuilder(path=FEED, headers=headers).get_environ()
        batches = []
        for _ in range(5):
            started = time.process_time()
            for _ in range(calls):
                result = app(dict(environ), lambda status, pairs, exc=None: None)
                b"".join(result)
                getattr(result, "close", lambda: None)()  # a WSGI iterable may have no close()
            batches.append((time.process_time() - started) / calls)
        return min(batches)

    os.environ.update(FEEDSVC_STORE=str(root), FEEDSVC_BASE_URL=BASE_URL)
    from feedsvc.serve.app import create_app

    feedsvc_app = create_app(auto_refresh=False)
    _, headers, body = call(feedsvc_app, {})
    _, gz_headers, gz_body = call(feedsvc_app, {"Accept-Encoding": "gzip"})
    feed = {
        "body": body,
        "gzip_body": gz_body,
        "content-type": headers["content-type"],
        "etag": headers["etag"],
        "gzip_etag": gz_headers["etag"],
        "cache-control": headers["cache-control"],
    }
    with tempfile.TemporaryDirectory(prefix="bench-ceiling-") as ceiling_dir:
        os.environ["BENCH_CEILING_DIR"] = str(write_ceiling(Path(ceiling_dir), feed))
        from .ceiling import app as ceiling_app

        figures = {}
        for name, headers in variants(feed).items():
            statuses = {call(app, headers)[0] for app in (feedsvc_app, ceiling_app)}
            if statuses != {304 if name == "304" else 200}:
                raise RuntimeError(f"{name}: WSGI calls answered {statuses}")
            figures[name] = {
                "feedsvc": cpu_per_call(feedsvc_app, headers),
                "ceiling": cpu_per_call(ceiling_app, headers),
            }
    return figures
