"""feedsvc benchmarks: one entry point, each command printing a table of figures and of ratios measured
in the same run (against targets, a ceiling, or peer tools), headed by the machine, date and commit.

    python -m bench store [--articles 10000,100000] [--sections 20]   read, edit, rescan, memory
    python -m bench serve [--articles 10000] [--duration 10]          gunicorn + wrk vs. a minimal Flask app;
                                                                      cold render of one feed
    python -m bench build [--articles 10000] [--sections 20]          static build vs. Pelican and Hugo
    python -m bench smoke                                             all three, tiny, in about half a minute;
                                                                      exits 1 if anything fails
    python -m bench all                                               store, serve and build at full size

Run from the project folder with the project venv (`.venv/bin/python -m bench …`). Synthetic stores are
generated once under bench/out/stores (bench/synth.py). `serve` and `build` install what they compare
against (Debian's wrk and hugo, Pelican in .venv-bench: bench/peers.py); `smoke` installs nothing and
skips what is missing. Every load is on 127.0.0.1 and bounded in time; docs/PERFORMANCE.md has results.

The machine may be shared (other sessions' tests on the same two cores): each command first waits up to
two minutes for it to go quiet, then reports how much CPU other processes took while it measured.
"""
from __future__ import annotations

import argparse
import sys
import time
import traceback
from typing import Callable

from . import build, peers, proc, serve, store
from .table import context


def _timed(name: str, job: Callable[[], str], patience: float) -> bool:
    """Run one benchmark, print its tables and how long it took; False if it failed."""
    busy = proc.wait_until_quiet(patience=patience)
    started = time.perf_counter()
    try:
        with proc.OtherLoad() as other:
            print(job())
    except Exception:  # noqa: BLE001 — report and go on: the exit status says it failed
        traceback.print_exc()
        print(f"bench {name}: FAILED after {time.perf_counter() - started:.1f} s\n", flush=True)
        return False
    # The machine may be shared: say how busy it was before we started, and what others used meanwhile.
    print(f"(bench {name}: {time.perf_counter() - started:.1f} s; machine {busy:.0%} busy before the start; "
          f"other processes used {other.seconds:.1f} CPU-s = {other.fraction:.0%} of the cores meanwhile)\n",
          flush=True)
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    p = commands.add_parser("store", help="read, edit and rescan a synthetic store; peak memory")
    p.add_argument("--articles", default="10000,100000", help="comma-separated store sizes")
    p.add_argument("--sections", type=int, default=20)
    p.add_argument("--edits", type=int, default=20)
    p = commands.add_parser("serve", help="requests/s under gunicorn vs. the ceiling; cold render")
    p.add_argument("--articles", type=int, default=10_000)
    p.add_argument("--sections", type=int, default=20)
    p.add_argument("--duration", type=int, default=10, help="seconds of each wrk run")
    p = commands.add_parser("build", help="static build vs. Pelican and Hugo")
    p.add_argument("--articles", type=int, default=10_000)
    p.add_argument("--sections", type=int, default=20)
    commands.add_parser("smoke", help="everything, tiny; exit 1 on any failure")
    commands.add_parser("all", help="store, serve and build at their default sizes")
    args = parser.parse_args(argv)

    jobs: list[tuple[str, Callable[[], str]]] = []
    if args.command in ("serve", "build", "all"):
        peers.ensure_peers(("wrk", "hugo"), python_peers=args.command != "serve")
    if args.command == "store":
        jobs.append(("store", lambda: store.run([int(n) for n in args.articles.split(",")], args.sections, args.edits)))
    elif args.command == "serve":
        jobs.append(("serve", lambda: serve.run(args.articles, args.sections, args.duration)))
    elif args.command == "build":
        jobs.append(("build", lambda: build.run(args.articles, args.sections)))
    elif args.command == "all":
        jobs += [("store", lambda: store.run([10_000, 100_000])), ("serve", serve.run), ("build", build.run)]
    elif args.command == "smoke":
        jobs += [("store", lambda: store.run([300], sections=3, edits=5, rescans=3)),
                 ("serve", lambda: serve.run(300, 3, duration=2, repeats=3, wsgi_calls=300, rounds=1)),
                 ("build", lambda: build.run(300, 3))]
    print(context(peers.versions()) + "\n", flush=True)
    patience = 0 if args.command == "smoke" else 120     # seconds to wait for a quiet machine
    results = [_timed(name, job, patience) for name, job in jobs]
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
