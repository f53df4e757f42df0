"""feedsvc benchmarks: one entry point, each command printing a table of figures and of ratios measured
in the same run (against targets, a ceiling, or peer tools), headed by the machine, date and commit.

    python -m bench all                                               everything below at full size, with
                                                                      the peers, then ONE summary table of
                                                                      issues 6 and 17's targets (met or not)
    python -m bench store [--articles 10000,100000] [--sections 20]   read, edit, rescan, memory
    python -m bench serve [--articles 10000] [--duration 10]          gunicorn + wrk vs. a minimal Flask app,
                                                                      Django syndication, nginx (static file,
                                                                      proxy_cache); cold render of one feed
    python -m bench service [--articles 10000,100000]                 an edit's cost, start-up, worker memory,
                                                                      an edit noticed under gunicorn
    python -m bench build [--articles 10000] [--large 100000]         static build vs. Pelican and Hugo (feeds
                          [--repeats 3] [--watch-edits 3]             only, and a page per story); rebuilds
                                                                      (one-off and --watch)
    python -m bench profile [--articles 10000]                        py-spy: warm path under load, cold path
    python -m bench counting [--articles 10000] [--rounds 4]          the warm path with subscriber counting
                                                                      on and off (issue 16: within 5 %)
    python -m bench smoke                                             all of it, tiny, in under a minute;
                                                                      exits 1 if anything fails

Run from the project folder with the project venv (`.venv/bin/python -m bench …`, or `make bench`).
Synthetic stores are generated once under bench/out/stores (bench/synth.py). Every command but `smoke`
installs what it compares against (bench/peers.py: Debian's wrk, hugo and nginx; Pelican, Django and
py-spy from PyPI into .venv-bench); `smoke` installs nothing and skips what is missing. Every load is on
127.0.0.1 and bounded in time and count; docs/PERFORMANCE.md has results.

The machine may be shared (other sessions' tests on the same two cores): each command first waits up to
two minutes for it to go quiet, then reports how much CPU other processes took while it measured.
"""

from __future__ import annotations

import argparse
import sys
import time
import traceback
from collections.abc import Callable

from . import build, counting, peers, proc, profile, serve, service, store, summary
from .table import context


def _timed(name: str, job: Callable[[], str], patience: float) -> bool:
    """Run one benchmark, print its tables and how long it took; False if it failed."""
    busy = proc.wait_until_quiet(patience=patience) if patience else proc.busy_fraction(0.2)
    started = time.perf_counter()
    try:
        with proc.OtherLoad() as other:
            print(job())
    except Exception:  # noqa: BLE001 — report and go on: the exit status says it failed
        traceback.print_exc()
        print(f"bench {name}: FAILED after {time.perf_counter() - started:.1f} s\n", flush=True)
        return False
    # The machine may be shared: say how busy it was before we started, and what others used meanwhile.
    print(
        f"(bench {name}: {time.perf_counter() - started:.1f} s; machine {busy:.0%} busy before the start; "
        f"other processes used {other.seconds:.1f} CPU-s = {other.fraction:.0%} of the cores meanwhile)\n",
        flush=True,
    )
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    commands = parser.add_subparsers(dest="command", required=True)
    p = commands.add_parser("store", help="read, edit and rescan a synthetic store; peak memory")
    p.add_argument("--articles", default="10000,100000", help="comma-separated store sizes")
    p.add_argument("--sections", type=int, default=20)
    p.add_argument("--edits", type=int, default=20)
    p = commands.add_parser("serve", help="requests/s under gunicorn vs. the ceiling and the peers; cold render")
    p.add_argument("--articles", type=int, default=10_000)
    p.add_argument("--sections", type=int, default=20)
    p.add_argument("--duration", type=int, default=10, help="seconds of each wrk run (at most 10)")
    p = commands.add_parser("service", help="an edit's cost, start-up, memory per worker, edit noticed")
    p.add_argument("--articles", default="10000,100000", help="comma-separated store sizes")
    p.add_argument("--sections", type=int, default=20)
    p.add_argument("--edits", type=int, default=5)
    p = commands.add_parser("build", help="static build vs. Pelican and Hugo")
    p.add_argument("--articles", type=int, default=10_000)
    p.add_argument("--sections", type=int, default=20)
    p.add_argument("--large", type=int, default=0, help="also build this many stories, feedsvc and Hugo only")
    p.add_argument("--repeats", type=int, default=build.REPEATS, help="cold builds of feedsvc and Hugo, in turn")
    p.add_argument("--watch-edits", type=int, default=3, help="edits timed under `feedsvc build --watch` (0: none)")
    p = commands.add_parser("profile", help="py-spy profiles of the warm and the cold path")
    p.add_argument("--articles", type=int, default=10_000)
    p.add_argument("--duration", type=int, default=8)
    p = commands.add_parser("counting", help="the warm path with subscriber counting on and off, in one run")
    p.add_argument("--articles", type=int, default=10_000)
    p.add_argument("--sections", type=int, default=20)
    p.add_argument("--duration", type=int, default=10, help="seconds of each wrk run (at most 10)")
    p.add_argument("--rounds", type=int, default=4, help="rounds of loads (the side going first alternates)")
    commands.add_parser("smoke", help="everything, tiny; exit 1 on any failure")
    commands.add_parser("all", help="everything at full size with the peers, then one summary table")
    args = parser.parse_args(argv)

    jobs: list[tuple[str, Callable[[], str]]] = []
    if args.command in ("serve", "build", "profile", "all"):
        peers.ensure_peers(("wrk", "hugo", "nginx"))
    elif args.command == "counting":
        peers.ensure_peers(("wrk",), python_peers=False)
    if args.command == "store":
        jobs.append(("store", lambda: store.run([int(n) for n in args.articles.split(",")], args.sections, args.edits)))
    elif args.command == "serve":
        jobs.append(("serve", lambda: serve.run(args.articles, args.sections, min(args.duration, 10))))
    elif args.command == "service":
        jobs.append(
            ("service", lambda: service.run([int(n) for n in args.articles.split(",")], args.sections, args.edits))
        )
    elif args.command == "build":
        jobs.append(
            (
                "build",
                lambda: build.run(args.articles, args.sections, watch_edits=args.watch_edits, repeats=args.repeats),
            )
        )
        if args.large:
            jobs.append(("build large", lambda: build.run_large(args.large, args.sections)))
    elif args.command == "profile":
        jobs.append(("profile", lambda: profile.run(args.articles, duration=min(args.duration, 10))))
    elif args.command == "counting":
        jobs.append(
            ("counting", lambda: counting.run(args.articles, args.sections, min(args.duration, 10), args.rounds))
        )
    elif args.command == "all":
        jobs += [
            ("store", lambda: store.run([10_000, 100_000])),
            ("serve", serve.run),
            ("service", lambda: service.run([10_000, 100_000])),
            ("build", build.run),
            ("build large", build.run_large),
            ("profile", profile.run),
            ("counting", counting.run),
        ]
    elif args.command == "smoke":
        jobs += [
            ("store", lambda: store.run([300], sections=3, edits=5, rescans=3)),
            ("serve", lambda: serve.run(300, 3, duration=1, repeats=3, wsgi_calls=300, rounds=1)),
            ("service", lambda: service.run([300], sections=3, edits=1)),
            ("build", lambda: build.run(300, 3, watch_edits=1, repeats=1)),
            ("profile", lambda: profile.run(300, 3, duration=1, renders=5)),
            ("counting", lambda: counting.run(300, 3, duration=1, rounds=1, calls=300)),
        ]
    header = context(peers.versions())
    print(header + "\n", flush=True)
    patience = 0 if args.command == "smoke" else 120  # seconds to wait for a quiet machine
    started, load = time.perf_counter(), proc.OtherLoad().__enter__()
    results = [_timed(name, job, patience) for name, job in jobs]
    load.__exit__(None, None, None)
    if args.command in ("all", "smoke"):
        # The one table: every target's verdict, after the detailed tables it comes from.
        print(
            summary.render(
                f"{header}; `python -m bench {args.command}` took {time.perf_counter() - started:.0f} s, "
                f"other processes used {load.fraction:.0%} of the cores meanwhile"
            ),
            flush=True,
        )
    failed = [name for (name, _), ok in zip(jobs, results, strict=True) if not ok]
    if failed:
        print(f"bench {args.command}: FAILED: {', '.join(failed)}")
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
