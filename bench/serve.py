"""Serving benchmark: requests/s of the production server (gunicorn as README runs it) for one warm
section feed — plain, gzip, and 304 revalidations — beside the ceiling (bench/ceiling.py: a minimal
Flask app under the same gunicorn settings returning the same bytes from memory), and the cold render
time of one 50-item feed in process.

    python -m bench serve [--articles 10000] [--sections 20] [--duration 10]

The load is wrk on 127.0.0.1 (-t2 -c32, bounded by -d, best of two rounds); it shares the 2 cores with
the server, so the figures are this machine's, not a network's. The ratio feedsvc/ceiling is the portable
number, and the in-process CPU time per request (the app called through WSGI) the one least moved by
other jobs on a shared machine.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from . import peers, proc, synth
from .table import ratio, seconds, table

BASE_URL = "https://feeds.news.example.com/"
SECTION = "section-00"
FEED = f"/sections/{SECTION}/rss.xml"
UNITS = {"B": 1, "KB": 1 << 10, "MB": 1 << 20, "GB": 1 << 30, "TB": 1 << 40}


# ---- over HTTP ---------------------------------------------------------------------------------

def probe(port: int) -> dict:
    """Fetch the feed three ways and check the service answers as README says, before loading it."""
    status, headers, body = proc.get(port, FEED)
    gz_status, gz_headers, gz_body = proc.get(port, FEED, {"Accept-Encoding": "gzip"})
    etag = headers.get("etag", "")
    not_modified, nm_headers, nm_body = proc.get(port, FEED, {"If-None-Match": etag})
    problems = [what for what, bad in (
        (f"plain GET answered {status}", status != 200),
        (f"gzip GET answered {gz_status} with Content-Encoding {gz_headers.get('content-encoding')}",
         gz_status != 200 or gz_headers.get("content-encoding") != "gzip"),
        (f"If-None-Match {etag} answered {not_modified} with {len(nm_body)} bytes", not_modified != 304 or nm_body),
        (f"feed has {body.count(b'<item>')} items, not 50", body.count(b"<item>") != 50 and status == 200),
    ) if bad]
    if problems:
        raise RuntimeError("feed check failed: " + "; ".join(problems))
    return {"body": body, "gzip_body": gz_body, "content-type": headers["content-type"], "etag": etag,
            "gzip_etag": gz_headers["etag"], "cache-control": headers["cache-control"]}


def wrk(port: int, headers: dict[str, str], duration: int, threads: int, connections: int) -> dict:
    """One bounded wrk run against the feed; requests/s, latency percentiles and bytes per response."""
    command = [peers.wrk(), f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--timeout", "5s", "--latency"]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    out = subprocess.run(command + [f"http://127.0.0.1:{port}{FEED}"], capture_output=True, text=True,
                         timeout=duration + 60, check=True).stdout
    total = re.search(r"(\d+) requests in ([\d.]+)(\w+), ([\d.]+)(\w+) read", out)
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    bad_status = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    requests = int(total.group(1))
    return {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)), "requests": requests,
            "p50": _latency(out, "50%"), "p99": _latency(out, "99%"),
            "bytes": float(total.group(4)) * UNITS[total.group(5)] / max(1, requests),
            "errors": sum(map(int, errors.groups())) if errors else 0,
            "bad_status": int(bad_status.group(1)) if bad_status else 0}


def _latency(out: str, percentile: str) -> float:
    value, unit = re.search(rf"^\s+{percentile}\s+([\d.]+)(\w+)", out, re.M).groups()
    return float(value) * {"us": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0}[unit]


def _check_load(name: str, result: dict, feed: dict) -> None:
    """wrk counts 304s as successes: the bytes per response tell which representation was really sent
    (within 1%: wrk prints the total read with three significant figures)."""
    size = result["bytes"]
    body = {"plain": len(feed["body"]), "gzip": len(feed["gzip_body"]), "304": 0}[name]
    expected = 0.99 * body <= size < 1.01 * body + 2048
    if result["errors"] or result["bad_status"] or not expected or not result["requests"]:
        raise RuntimeError(f"{name} load: {result['errors']} socket errors, {result['bad_status']} bad statuses, "
                           f"{size:,.0f} bytes per response")


def variants(feed: dict) -> dict[str, dict[str, str]]:
    return {"plain": {}, "gzip": {"Accept-Encoding": "gzip"}, "304": {"If-None-Match": feed["etag"]}}


def load_all(ports: dict[str, int], feed: dict, duration: int, threads: int, connections: int,
             rounds: int) -> dict:
    """Each kind of request against each server in turn, `rounds` times, keeping each pair's best run:
    the two sides of a ratio are measured seconds apart, and a burst of other load on a shared machine
    has to hit every round to show."""
    results: dict[str, dict] = {"feedsvc": {}, "ceiling": {}}
    for _ in range(rounds):
        for name, headers in variants(feed).items():
            for server, port in ports.items():
                result = wrk(port, headers, duration, threads, connections)
                _check_load(name, result, feed)
                if name not in results[server] or result["rps"] > results[server][name]["rps"]:
                    results[server][name] = result
    return results


# ---- in process: the cold render -------------------------------------------------------------------

def render_figures(root: Path, repeats: int) -> dict:
    """In a child process: the first `document()` of a fresh Publisher, and its parts, medians.

    "Markdown already done" is a fresh Publisher whose `prepared()` answers from a shared dict, so it
    times item selection, feed XML, gzip and hashing: everything but Markdown.
    """
    from feedsvc.config import Config
    from feedsvc.publish import Publisher
    from feedsvc.render import prepare
    from feedsvc.rendered import Rendered
    from feedsvc.store import Store

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

    config = Config(store=root, base_url=BASE_URL)
    store = Store(root, media_base_url=BASE_URL)
    store.refresh()
    path = FEED.lstrip("/")
    first = median_time(lambda: Publisher(store, config).document(path))
    publisher = Prepared(store, config)
    document = publisher.document(path)
    articles = [article for article, _ in done.values()]
    return {
        "first": first,
        "markdown": median_time(lambda: [prepare(a, store.body(a), config.summary_length) for a in articles]),
        "no_markdown": median_time(lambda: Prepared(store, config).document(path)),
        "gzip": median_time(lambda: Rendered.of(document.body, document.mimetype, None, gzip_level=config.gzip_level)),
        "warm": median_time(lambda: publisher.document(path)),
        "items": len(articles), "bytes": len(document.body),
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
        result = app(EnvironBuilder(path=FEED, headers=headers).get_environ(),
                     lambda status, pairs, exc=None: replies.append((status, pairs)))
        body = b"".join(result)
        result.close()
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
                result.close()
            batches.append((time.process_time() - started) / calls)
        return min(batches)

    os.environ.update(FEEDSVC_STORE=str(root), FEEDSVC_BASE_URL=BASE_URL)
    from feedsvc.app import create_app
    feedsvc_app = create_app({"auto_refresh": False})
    _, headers, body = call(feedsvc_app, {})
    _, gz_headers, gz_body = call(feedsvc_app, {"Accept-Encoding": "gzip"})
    feed = {"body": body, "gzip_body": gz_body, "content-type": headers["content-type"], "etag": headers["etag"],
            "gzip_etag": gz_headers["etag"], "cache-control": headers["cache-control"]}
    os.environ["BENCH_CEILING_DIR"] = str(write_ceiling(Path(tempfile.mkdtemp(prefix="bench-ceiling-")), feed))
    from .ceiling import app as ceiling_app
    figures = {}
    for name, headers in variants(feed).items():
        statuses = {call(app, headers)[0] for app in (feedsvc_app, ceiling_app)}
        if statuses != {304 if name == "304" else 200}:
            raise RuntimeError(f"{name}: WSGI calls answered {statuses}")
        figures[name] = {"feedsvc": cpu_per_call(feedsvc_app, headers), "ceiling": cpu_per_call(ceiling_app, headers)}
    return figures


# ---- the run ---------------------------------------------------------------------------------------

def run(articles: int = 10_000, sections: int = 20, duration: int = 10, threads: int = 2, connections: int = 32,
        repeats: int = 9, wsgi_calls: int = 2000, rounds: int = 2) -> str:
    root = synth.cached(articles, sections)
    with tempfile.TemporaryDirectory(prefix="bench-serve-") as tmp:
        work = Path(tmp)
        child = proc.run([proc.python(), "-m", "bench.serve", "--render", str(root), "--repeats", str(repeats)],
                         cwd=proc.ROOT, env=proc.clean_env(work)).check()
        render = json.loads(child.stdout.strip().splitlines()[-1])
        child = proc.run([proc.python(), "-m", "bench.serve", "--wsgi", str(root), "--calls", str(wsgi_calls)],
                         cwd=proc.ROOT, env=proc.clean_env(work)).check()
        wsgi = json.loads(child.stdout.strip().splitlines()[-1])

        env = proc.clean_env(work, FEEDSVC_STORE=str(root), FEEDSVC_BASE_URL=BASE_URL)
        with proc.gunicorn("wsgi:app", env) as server:
            feed = probe(server.port)
            ceiling_env = proc.clean_env(work, BENCH_CEILING_DIR=str(write_ceiling(work / "ceiling", feed)))
            with proc.gunicorn("bench.ceiling:app", ceiling_env) as ceiling_server:    # idle while not loaded
                probe(ceiling_server.port)
                ports = {"feedsvc": server.port, "ceiling": ceiling_server.port}
                loads = load_all(ports, feed, duration, threads, connections, rounds) if peers.wrk() else None
            started = {"feedsvc": server.startup_seconds, "ceiling": ceiling_server.startup_seconds}

    load_title = (f"serve: {FEED} of a {articles:,}-story, {sections}-section store, gunicorn "
                  f"{' '.join(proc.GUNICORN_ARGS)}; wrk -t{threads} -c{connections} -d{duration}s on 127.0.0.1, "
                  f"best of {rounds}")
    rows = []
    for name in ("plain", "gzip", "304"):
        if loads is None:
            rows.append([name, "skipped: wrk not installed", "", "", "", "", "", ""])
            continue
        f, c = loads["feedsvc"][name], loads["ceiling"][name]
        rows.append([name, f"{f['rps']:,.0f}", f"{c['rps']:,.0f}", ratio(f["rps"], c["rps"]), seconds(f["p50"]),
                     seconds(f["p99"]), seconds(c["p99"]), f"{f['bytes']:,.0f}"])
    rows.append(["server ready (both workers idle)", seconds(started["feedsvc"]), seconds(started["ceiling"]),
                 ratio(started["feedsvc"], started["ceiling"]), "", "", "", ""])
    load = table(load_title, ["request", "feedsvc req/s", "ceiling req/s", "feedsvc/ceiling", "feedsvc p50",
                              "feedsvc p99", "ceiling p99", "bytes/response"], rows,
                 [f"feed: {len(feed['body']):,} bytes, {len(feed['gzip_body']):,} gzipped; 304 = If-None-Match "
                  "with the current ETag; ceiling = bench/ceiling.py (same bytes from memory, same gunicorn settings)",
                  "every run is checked: no socket errors or bad statuses, and bytes/response match the "
                  "representation (wrk counts a 304 as a success)"])
    parts = [("first document() of a fresh Publisher", "first"),
             ("  Markdown → HTML of its items (render.prepare)", "markdown"),
             ("  the rest: items, feed XML, gzip, ETags", "no_markdown"),
             ("    of which gzip + ETags (Rendered.of)", "gzip"),
             ("warm document() (cached bytes)", "warm")]
    render_rows = [[label, seconds(render[key]), ratio(render[key], render["first"])] for label, key in parts]
    cold = table(f"render: {SECTION} RSS, {render['items']} items, {render['bytes']:,} bytes, in process "
                 f"(median of {repeats})", ["step", "time", "share of first call"], render_rows,
                 ["each step timed on its own; the first call also reads the bodies back from disk"])
    per_request = table("per request, in process: the app called through WSGI, no server (CPU time, one thread)",
                        ["request", "feedsvc", "ceiling", "feedsvc/ceiling (requests per CPU-second)"],
                        [[name, seconds(f["feedsvc"]), seconds(f["ceiling"]), ratio(f["ceiling"], f["feedsvc"])]
                         for name, f in wsgi.items()],
                        [f"CPU per call, best of 5 batches of {wsgi_calls:,} calls: the part of each request "
                         "that is the app's own Python, the figure other jobs on the machine move least"])
    return load + "\n" + per_request + "\n" + cold


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--render", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--wsgi", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--calls", type=int, default=2000)
    parser.add_argument("--repeats", type=int, default=9)
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--sections", type=int, default=20)
    parser.add_argument("--duration", type=int, default=10)
    args = parser.parse_args()
    if args.render:
        print(json.dumps(render_figures(args.render, args.repeats)))
    elif args.wsgi:
        print(json.dumps(wsgi_figures(args.wsgi, args.calls)))
    else:
        peers.ensure_apt(["wrk"])
        print(run(args.articles, args.sections, args.duration, repeats=args.repeats, wsgi_calls=args.calls))


if __name__ == "__main__":   # the store may read in spawned processes, which re-import this module
    main()
