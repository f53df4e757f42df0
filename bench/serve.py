"""Serving benchmark: requests/s of the production server (gunicorn as README runs it) for one warm
section feed — plain, gzip, and 304 revalidations — beside the ceiling (bench/ceiling.py: a minimal
Flask app under the same gunicorn settings returning the same bytes from memory), the peers measured in
the same run (Django's syndication framework, bench/django_peer.py; nginx serving the same feed from the
static build, and nginx proxy_cache in front of feedsvc, bench/nginx_peer.py), and the cold render
time of one 50-item feed in process.

    python -m bench serve [--articles 10000] [--sections 20] [--duration 10]

The load is wrk on 127.0.0.1 (-t2 -c32, bounded by -d, best of two rounds); it shares the 2 cores with
the server, so the figures are this machine's, not a network's. The ratios are the portable numbers,
and the in-process CPU time per request (the app called through WSGI) the one least moved by other
jobs on a shared machine. Peers that are not installed are skipped (`python -m bench serve` installs them).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import tempfile
from pathlib import Path

from . import nginx_peer, peers, proc, summary, synth
from .httpload import BASE_URL, FEED, SECTION, Load, load_all, probe, variants
from .inprocess import render_figures, write_ceiling, wsgi_figures
from .table import ratio, seconds, table


def static_build(root: Path, work: Path) -> Path:
    """`feedsvc build` of the same store with the service's settings: what nginx serves as files."""
    out = work / "public"
    proc.run(
        [str(proc.VENV_BIN / "feedsvc"), "build", str(out), "--store", str(root), "--quiet"],
        cwd=proc.ROOT,
        env=proc.clean_env(work / "build", FEEDSVC_BASE_URL=BASE_URL),
    ).check()
    return out


def peer_loads(feed: dict, django_port: int | None, nginx_ports: tuple[int, int] | None) -> list[Load]:
    """Check each peer answers the same feed as it should, and say what to load it with."""
    loads = []
    if django_port is not None:
        for request, path in (("Markdown per request", FEED), ("memoised", "/memo" + FEED)):
            status, _, body = proc.get(django_port, path)
            if status != 200 or body.count(b"<item>") != 50:
                raise RuntimeError(f"django peer {path}: {status}, {body.count(b'<item>')} items")
            loads.append(Load("django syndication", request, django_port, {}, None, path))
    if nginx_ports is not None:
        static, proxy = nginx_ports
        status, headers, body = proc.get(static, FEED)
        _, gz_headers, gz_body = proc.get(static, FEED, {"Accept-Encoding": "gzip"})
        if status != 200 or body != feed["body"] or gz_headers.get("content-encoding") != "gzip":
            raise RuntimeError(f"nginx static {FEED}: {status}, not feedsvc's bytes or not precompressed")
        loads += [
            Load("nginx static file", "plain", static, {}, len(body)),
            Load("nginx static file", "gzip (gzip_static)", static, {"Accept-Encoding": "gzip"}, len(gz_body)),
            Load("nginx static file", "304 (If-None-Match)", static, {"If-None-Match": headers["etag"]}, 0),
            Load(
                "nginx static file",
                "304 (If-Modified-Since)",
                static,
                {"If-Modified-Since": headers["last-modified"]},
                0,
            ),
        ]
        for request, headers, body in (
            ("plain", {}, feed["body"]),
            ("gzip", {"Accept-Encoding": "gzip"}, feed["gzip_body"]),
        ):
            for _ in range(2):  # the first one fills the cache
                status, answer_headers, answer = proc.get(proxy, FEED, headers)
            if status != 200 or answer != body or answer_headers.get("x-cache-status") != "HIT":
                raise RuntimeError(
                    f"nginx proxy_cache {request}: {status}, cache {answer_headers.get('x-cache-status')}, "
                    f"{'same' if answer == body else 'other'} bytes than feedsvc"
                )
            loads.append(Load("nginx proxy_cache → feedsvc", request, proxy, headers, len(body)))
        status, _, _ = proc.get(proxy, FEED, {"If-None-Match": feed["etag"]})
        if status != 304:
            raise RuntimeError(f"nginx proxy_cache If-None-Match: {status}")
        loads.append(Load("nginx proxy_cache → feedsvc", "304", proxy, {"If-None-Match": feed["etag"]}, 0))
    return loads


def run(
    articles: int = 10_000,
    sections: int = 20,
    duration: int = 10,
    threads: int = 2,
    connections: int = 32,
    repeats: int = 9,
    wsgi_calls: int = 2000,
    rounds: int = 2,
) -> str:
    root = proc.page_cached(synth.cached(articles, sections, shape="compact"))
    with tempfile.TemporaryDirectory(prefix="bench-serve-", dir=proc.ROOT / "bench" / "out") as tmp:
        work = Path(tmp)
        child = proc.run(
            [proc.python(), "-m", "bench.serve", "--render", str(root), "--repeats", str(repeats)],
            cwd=proc.ROOT,
            env=proc.clean_env(work),
        ).check()
        render = json.loads(child.stdout.strip().splitlines()[-1])
        child = proc.run(
            [proc.python(), "-m", "bench.serve", "--wsgi", str(root), "--calls", str(wsgi_calls)],
            cwd=proc.ROOT,
            env=proc.clean_env(work),
        ).check()
        wsgi = json.loads(child.stdout.strip().splitlines()[-1])
        public = static_build(root, work) if peers.nginx() else None

        env = proc.clean_env(work, FEEDSVC_STORE=str(root), FEEDSVC_BASE_URL=BASE_URL)
        with contextlib.ExitStack() as servers:
            server = servers.enter_context(proc.gunicorn("wsgi:app", env))
            feed = probe(server.port)
            ceiling_env = proc.clean_env(work, BENCH_CEILING_DIR=str(write_ceiling(work / "ceiling", feed)))
            ceiling_server = servers.enter_context(
                proc.gunicorn("bench.ceiling:app", ceiling_env)
            )  # idle while not loaded
            probe(ceiling_server.port)
            django_port = nginx_ports = None
            if peers.django_gunicorn():
                django_env = proc.clean_env(work, BENCH_DJANGO_STORE=str(root))
                django_port = servers.enter_context(
                    proc.gunicorn(
                        "bench.django_peer:application",
                        django_env,
                        executable=peers.django_gunicorn(),
                        probe="/memo" + FEED,
                    )
                ).port
            if public is not None:
                nginx_ports = servers.enter_context(nginx_peer.serving(work / "nginx", public, server.port))
            loads = [
                Load(name, request, port, headers, len(feed[body]) if body else 0)
                for request, headers in variants(feed).items()
                for name, port in (("feedsvc", server.port), ("ceiling", ceiling_server.port))
                for body in [{"plain": "body", "gzip": "gzip_body", "304": None}[request]]
            ]
            loads += peer_loads(feed, django_port, nginx_ports)
            results = load_all(loads, duration, threads, connections, rounds) if peers.wrk() else None
            started = {"feedsvc": server.startup_seconds, "ceiling": ceiling_server.startup_seconds}

    load_title = (
        f"serve: {FEED} of a {articles:,}-story, {sections}-section store, gunicorn "
        f"{' '.join(proc.GUNICORN_ARGS)}; wrk -t{threads} -c{connections} -d{duration}s on 127.0.0.1, "
        f"best of {rounds}"
    )
    rows = []
    for name in ("plain", "gzip", "304"):
        if results is None:
            rows.append([name, "skipped: wrk not installed", "", "", "", "", "", ""])
            continue
        f, c = results["feedsvc", name], results["ceiling", name]
        rows.append(
            [
                name,
                f"{f['rps']:,.0f}",
                f"{c['rps']:,.0f}",
                ratio(f["rps"], c["rps"]),
                seconds(f["p50"]),
                seconds(f["p99"]),
                seconds(c["p99"]),
                f"{f['bytes']:,.0f}",
            ]
        )
    rows.append(
        [
            "server ready (both workers idle)",
            seconds(started["feedsvc"]),
            seconds(started["ceiling"]),
            ratio(started["feedsvc"], started["ceiling"]),
            "",
            "",
            "",
            "",
        ]
    )
    load = table(
        load_title,
        [
            "request",
            "feedsvc req/s",
            "ceiling req/s",
            "feedsvc/ceiling",
            "feedsvc p50",
            "feedsvc p99",
            "ceiling p99",
            "bytes/response",
        ],
        rows,
        [
            f"feed: {len(feed['body']):,} bytes, {len(feed['gzip_body']):,} gzipped; 304 = If-None-Match "
            "with the current ETag; ceiling = bench/ceiling.py (same bytes from memory, same gunicorn settings)",
            "every run is checked: no socket errors or bad statuses, and bytes/response match the "
            "representation (wrk counts a 304 as a success)",
        ],
    )
    peer_table = _peer_table(results, loads, feed) if results else ""
    parts = [
        ("first document() of a fresh Publisher", "first"),
        ("  Markdown → HTML of its items (render.prepare)", "markdown"),
        ("  the rest: items, feed XML, ETag", "no_markdown"),
        ("gzip + its ETag (made once, when first needed)", "gzip"),
        ("warm document() (cached bytes)", "warm"),
    ]
    render_rows = [[label, seconds(render[key]), ratio(render[key], render["first"])] for label, key in parts]
    cold = table(
        f"render: {SECTION} RSS, {render['items']} items, {render['bytes']:,} bytes, in process (median of {repeats})",
        ["step", "time", "share of first call"],
        render_rows,
        ["each step timed on its own; the first call also reads the bodies back from disk"],
    )
    per_request = table(
        "per request, in process: the app called through WSGI, no server (CPU time, one thread)",
        ["request", "feedsvc", "ceiling", "feedsvc/ceiling (requests per CPU-second)"],
        [
            [name, seconds(f["feedsvc"]), seconds(f["ceiling"]), ratio(f["ceiling"], f["feedsvc"])]
            for name, f in wsgi.items()
        ],
        [
            f"CPU per call, best of 5 batches of {wsgi_calls:,} calls: the part of each request "
            "that is the app's own Python, the figure other jobs on the machine move least"
        ],
    )
    if results:
        _summarise(results)
    return load + "\n" + peer_table + "\n" + per_request + "\n" + cold


def _peer_table(results: dict, loads: list[Load], feed: dict) -> str:
    """Every server and request measured, and feedsvc's figure for the same representation beside it."""
    same = {
        "plain": "plain",
        "Markdown per request": "plain",
        "memoised": "plain",
        "gzip": "gzip",
        "gzip (gzip_static)": "gzip",
        "304": "304",
        "304 (If-None-Match)": "304",
        "304 (If-Modified-Since)": "304",
    }
    rows = []
    for load in loads:
        r = results[load.server, load.request]
        mine = results["feedsvc", same[load.request]]
        rows.append(
            [
                load.server,
                load.request,
                f"{r['rps']:,.0f}",
                seconds(r["p50"]),
                seconds(r["p99"]),
                f"{r['bytes']:,.0f}",
                r["timeouts"],
                ratio(mine["rps"], r["rps"]),
            ]
        )
    return table(
        "serve, every server in the same run: the same section feed",
        ["server", "request", "req/s", "p50", "p99", "bytes/response", "timeouts", "feedsvc ÷ this"],
        rows,
        [
            "django syndication: bench/django_peer.py (Feed, RSS 2.0, python-markdown) under the same gunicorn "
            "settings, from .venv-bench; its feed has the same 50 stories but fewer elements than feedsvc's",
            "nginx static file: the feedsvc build output with the nginx-feedsvc.conf snippet it writes (same bytes, "
            "checked); 304s use nginx's own ETag and Last-Modified",
            "nginx proxy_cache → feedsvc: docs/PERFORMANCE.md's configuration (bench/nginx_peer.py), every answer a "
            "cache hit; feedsvc ÷ this compares feedsvc's own figure for the same representation",
        ],
    )


def _summarise(results: dict) -> None:
    f = {name: results["feedsvc", name]["rps"] for name in ("plain", "gzip", "304")}
    c = {name: results["ceiling", name]["rps"] for name in ("plain", "gzip", "304")}
    for name, target in (("plain", 0.90), ("gzip", 0.90), ("304", 1.00)):
        value, met = summary.at_least(f[name], c[name], target)
        summary.add(
            f"warm section feed, {name}, req/s (gunicorn)",
            f"{f[name]:,.0f}",
            f"Flask ceiling {c[name]:,.0f}",
            value,
            f"≥ {target:.2f}",
            met,
        )
    memo = results.get(("django syndication", "memoised"))
    if memo:
        per_request = results["django syndication", "Markdown per request"]["rps"]
        value, met = summary.at_least(f["plain"], memo["rps"], 30)
        summary.add(
            "warm section feed vs Django syndication, req/s",
            f"{f['plain']:,.0f}",
            f"Django memoised {memo['rps']:,.0f} (per request {per_request:,.0f})",
            value,
            "≥ 30",
            met,
        )
    for proxied, static in (("plain", "plain"), ("gzip", "gzip (gzip_static)"), ("304", "304 (If-None-Match)")):
        hit, file = results.get(("nginx proxy_cache → feedsvc", proxied)), results.get(("nginx static file", static))
        if hit and file:
            value, met = summary.at_least(hit["rps"], file["rps"], 0.60)
            summary.add(
                f"behind nginx proxy_cache, {proxied}, req/s",
                f"{hit['rps']:,.0f}",
                f"nginx static file {file['rps']:,.0f}",
                value,
                "≥ 0.60",
                met,
            )


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


if __name__ == "__main__":  # the store may read in spawned processes, which re-import this module
    main()
