"""What counting subscribers costs the everyday poll (issue 16: the warm-feed and 304 figures stay within
5 % with counting on). In one run:

- two `gunicorn wsgi:app` on the same store, started alike, one counting (the default, writing to a
  SQLite file every 5 s) and one with `stats = false`, loaded in turn with wrk — plain, gzip, 304 —
  round after round, the side that goes first alternating, each side's best kept; and the CPU time the
  workers spent per request (from /proc), the figure other jobs on a shared machine move least;
- in process, the CPU time of one request through WSGI, counting on and off, best of seven batches each,
  interleaved; and the writer's cost per request: one flush of polls from 10,000 distinct readers.

    python -m bench counting [--articles 10000] [--duration 10] [--rounds 4]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import statistics
import tempfile
import time
from pathlib import Path

from . import peers, proc, summary, synth
from .httpload import BASE_URL, FEED, Load, check_load, probe, variants, wrk
from .table import ratio, table

TARGET = 0.95  # counting on ÷ off, requests per second
READER = "NetNewsWire (RSS Reader; https://netnewswire.com/)"


def wsgi_figures(root: Path, calls: int, work: Path) -> dict:
    """In a child process: CPU per request of the app with counting on and off, and the writer's cost."""
    from werkzeug.test import EnvironBuilder

    os.environ.update(FEEDSVC_STORE=str(root), FEEDSVC_BASE_URL=BASE_URL)
    from feedsvc.serve.app import create_app

    apps = {
        "on": create_app(
            {"stats": True, "stats_db": str(work / "inprocess.sqlite3"), "stats_flush_seconds": 3600},
            auto_refresh=False,
        ),
        "off": create_app({"stats": False}, auto_refresh=False),
    }
    plain = apps["off"].test_client().get(FEED)
    feed = {"etag": plain.headers["ETag"]}
    figures: dict[str, dict[str, float]] = {}
    for name, headers in variants(feed).items():
        environ = EnvironBuilder(
            path=FEED, headers={"User-Agent": "Feedly/1.0 (+x; 462 subscribers; )", **headers}
        ).get_environ()
        best = {"on": float("inf"), "off": float("inf")}
        for _ in range(7):  # interleaved: a burst of other load hits both sides
            for side, app in apps.items():
                started = time.process_time()
                for _ in range(calls):
                    b"".join(app(dict(environ), lambda status, pairs, exc=None: None))
                best[side] = min(best[side], (time.process_time() - started) / calls)
        figures[name] = best
    counter = apps["on"].extensions["feedsvc"].counter
    counter.flush()  # the load above: polls alike, written once
    for reader in range(10_000):
        counter.count(
            FEED.lstrip("/"), 304, 0, {"HTTP_USER_AGENT": READER, "REMOTE_ADDR": f"10.{reader // 250}.{reader % 250}.1"}
        )
    started = time.process_time()
    written = counter.flush()
    figures["flush"] = {"per_poll": (time.process_time() - started) / max(1, written), "polls": written}
    apps["on"].extensions["feedsvc"].close()
    return figures


def run(
    articles: int = 10_000,
    sections: int = 20,
    duration: int = 10,
    rounds: int = 4,
    calls: int = 2000,
    threads: int = 2,
    connections: int = 32,
) -> str:
    root = proc.page_cached(synth.cached(articles, sections, shape="compact"))
    with tempfile.TemporaryDirectory(prefix="bench-counting-", dir=proc.ROOT / "bench" / "out") as tmp:
        work = Path(tmp)
        child = proc.run(
            [proc.python(), "-m", "bench.counting", "--wsgi", str(root), "--calls", str(calls), "--work", str(work)],
            cwd=proc.ROOT,
            env=proc.clean_env(work),
        ).check()
        wsgi = json.loads(child.stdout.strip().splitlines()[-1])
        results = None
        with contextlib.ExitStack() as servers:
            ports, servers_pid = {}, {}
            for side, on in (("on", "true"), ("off", "false")):
                env = proc.clean_env(
                    work,
                    FEEDSVC_STORE=str(root),
                    FEEDSVC_BASE_URL=BASE_URL,
                    FEEDSVC_STATS=on,
                    FEEDSVC_STATS_DB=str(work / "served.sqlite3"),
                )
                server = servers.enter_context(proc.gunicorn("wsgi:app", env))
                ports[side], servers_pid[side] = server.port, server.pid
            feed = probe(ports["off"])
            probe(ports["on"])
            if peers.wrk():
                body = {"plain": len(feed["body"]), "gzip": len(feed["gzip_body"]), "304": 0}
                loads = {
                    (side, request): Load(f"counting {side}", request, ports[side], headers, body[request])
                    for request, headers in variants(feed).items()
                    for side in ("on", "off")
                }
                results = _load_in_turn(loads, servers_pid, duration, threads, connections, rounds)
        stored = _stored(work / "served.sqlite3")  # the servers have stopped: all is written

    rows = []
    for request in ("plain", "gzip", "304"):
        if results is None:
            rows.append([request, "skipped: wrk not installed", "", "", "", "", "", ""])
            continue
        on, off = results["on", request], results["off", request]
        value, met = summary.at_least(on["rps"], off["rps"], TARGET)
        rows.append(
            [
                request,
                f"{on['rps']:,.0f}",
                f"{off['rps']:,.0f}",
                ratio(on["rps"], off["rps"]),
                "met" if met else "NOT MET",
                _micro(on["cpu"]),
                _micro(off["cpu"]),
                ratio(off["cpu"], on["cpu"]),
            ]
        )
        summary.add(
            f"warm section feed, {request}, counting on ÷ off (gunicorn)",
            f"{on['rps']:,.0f}",
            f"counting off {off['rps']:,.0f}",
            value,
            f"≥ {TARGET:.2f}",
            met,
        )
    loaded = table(
        f"counting: {FEED} of a {articles:,}-story store, gunicorn {' '.join(proc.GUNICORN_ARGS)}, "
        f"counting on (SQLite, flushed every 5 s) and off; wrk -t{threads} -c{connections} -d{duration}s "
        f"on 127.0.0.1, {rounds} rounds, the side going first alternating",
        [
            "request",
            "on req/s",
            "off req/s",
            "on ÷ off",
            f"≥ {TARGET:.2f}",
            "on CPU/request",
            "off CPU/request",
            "off ÷ on CPU",
        ],
        rows,
        [
            "req/s: each side's best round; CPU/request: the workers' CPU time (from /proc) over the requests "
            "wrk counted, median of the rounds (not moved by other jobs' load as req/s is)",
            f"the counting server wrote {stored:,} polls to its database meanwhile" if results else "no load was run",
        ],
    )
    in_process = table(
        "counting, in process: CPU time of one request through WSGI (one thread), best of 7 batches "
        f"of {calls:,}, on and off interleaved",
        ["request", "counting on", "counting off", "extra per request", "on ÷ off"],
        [
            [name, _micro(f["on"]), _micro(f["off"]), _micro(f["on"] - f["off"]), ratio(f["on"], f["off"])]
            for name, f in wsgi.items()
            if name != "flush"
        ],
        [
            f"the writer, off the request path: {_micro(wsgi['flush']['per_poll'])} of CPU per poll "
            f"(one flush of {wsgi['flush']['polls']:,} polls from as many readers, to SQLite)"
        ],
    )
    return loaded + "\n" + in_process


def _load_in_turn(
    loads: dict[tuple[str, str], Load], pids: dict[str, int], duration: int, threads: int, connections: int, rounds: int
) -> dict[tuple[str, str], dict[str, float]]:
    """Each request kind against both sides, `rounds` times, the side going first alternating (so neither
    always follows the other's load); per side: the best req/s and the median CPU per request."""
    runs: dict[tuple[str, str], list[tuple[float, float]]] = {key: [] for key in loads}
    for round_ in range(rounds):
        for request in ("plain", "gzip", "304"):
            for side in ("on", "off") if round_ % 2 == 0 else ("off", "on"):
                load = loads[side, request]
                before = proc.children_cpu(pids[side])
                result = wrk(load.port, load.headers, duration, threads, connections, load.path)
                spent = proc.children_cpu(pids[side]) - before
                check_load(load, result)
                runs[side, request].append((result["rps"], spent / max(1, result["requests"])))
    return {
        key: {"rps": max(rps for rps, _ in found), "cpu": statistics.median(cpu for _, cpu in found)}
        for key, found in runs.items()
    }


def _micro(value: float) -> str:
    return f"{value * 1e6:.2f} µs"


def _stored(database: Path) -> int:
    import sqlite3

    try:
        with contextlib.closing(sqlite3.connect(database)) as connection:
            return connection.execute("SELECT coalesce(sum(polls), 0) FROM stats_daily").fetchone()[0]
    except sqlite3.Error:
        return 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--wsgi", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--work", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--calls", type=int, default=2000)
    args = parser.parse_args()
    if args.wsgi:
        print(json.dumps(wsgi_figures(args.wsgi, args.calls, args.work)))


if __name__ == "__main__":
    main()
