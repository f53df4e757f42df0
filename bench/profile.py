"""Profiles: where the time goes, sampled with py-spy (from .venv-bench) so that the code runs unchanged.

    python -m bench profile [--articles 10000] [--duration 8]

- warm path: one gunicorn worker of the production server while wrk loads the section feed (plain,
  then 304 revalidations), counting the samples in which a thread holds the GIL (the worker's Python work);
- cold path: a fresh `feedsvc build` (empty parse cache: read, render, gzip, write), the one-off rebuild
  after one edit (from that build's output and parse cache), and first renders of
  one 50-item feed by fresh Publishers (only the samples inside the render loop are counted).

Each profile is summarised as the functions with the most samples on top of the stack (self) and on it
anywhere (total), in percent of the profile's samples; the raw stacks (flamegraph.pl's collapsed format)
are kept under bench/out/profiles/.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import tempfile
import time
from collections import Counter
from pathlib import Path

from . import peers, proc, synth
from .httpload import BASE_URL, FEED, wrk
from .table import table

OUT = proc.ROOT / "bench" / "out" / "profiles"
RATE = 200  # samples per second
LOOP_MARK = "render_loop"  # the cold-render child's loop function: only its samples count
CARRIERS = (
    "threading.py",
    "concurrent/futures/",
    "click/",
    "<frozen",
    "gunicorn/arbiter.py",
    "gunicorn/app/",
    "gunicorn <module>",
    "gunicorn/workers/base.py",
    "feedsvc <module>",
    "runpy.py",
    "<string>",
)


def spy(args: list[str], output: Path, timeout: float, env: dict[str, str] | None = None) -> None:
    """py-spy record in raw (collapsed stacks) format; line numbers dropped, so a function is one entry."""
    subprocess.run(spy_command(output, args), check=True, capture_output=True, timeout=timeout, cwd=proc.ROOT, env=env)


def spy_command(output: Path, args: list[str]) -> list[str]:
    """The py-spy command line every profile here uses: raw stacks, no line numbers, at RATE."""
    return [
        str(peers.py_spy()),
        "record",
        "--format",
        "raw",
        "--nolineno",
        "--rate",
        str(RATE),
        "--output",
        str(output),
        *args,
    ]


def _frame(frame: str) -> str:
    """'document (feedsvc/publish.py)' → 'feedsvc/publish.py document'."""
    match = re.match(r"(.*) \((.*)\)$", frame.strip())
    if not match:
        return frame.strip()
    function, file = match.groups()
    return f"{file.split('site-packages/')[-1]} {function}"


def summarise(raw: Path, title: str, within: str | None = None, top: int = 12) -> tuple[str, Counter, int]:
    """Self and total percentages per function, from py-spy's raw output."""
    own, anywhere, samples = Counter(), Counter(), 0
    for line in raw.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        frames = [_frame(f) for f in stack.split(";") if not f.startswith(("process ", "thread "))]
        if within is not None:
            marks = [i for i, f in enumerate(frames) if f.endswith(" " + within)]
            if not marks:
                continue
            frames = frames[marks[0] + 1 :] or frames[marks[0] :]
        if not frames:
            continue
        n = int(count)
        samples += n
        own[frames[-1]] += n
        for frame in set(frames):
            anywhere[frame] += n
    if not samples:
        return f"{title}: no samples\n", own, 0
    # Total time: skip the frames that only carry others (threads, the worker loop, the command line).
    informative = [(f, n) for f, n in anywhere.most_common() if n < 0.97 * samples and not f.startswith(CARRIERS)]
    rows = []
    for i in range(top):
        left = own.most_common(top)[i] if i < len(own.most_common(top)) else ("", 0)
        right = informative[i] if i < len(informative) else ("", 0)
        rows.append(
            [
                left[0],
                f"{100 * left[1] / samples:.1f} %" if left[1] else "",
                right[0],
                f"{100 * right[1] / samples:.1f} %" if right[1] else "",
            ]
        )
    return (
        table(
            f"{title} ({samples:,} samples at {RATE}/s)",
            ["self: function", "self", "total: function", "total"],
            rows,
            [f"raw stacks: {raw.relative_to(proc.ROOT)}"],
        ),
        own,
        samples,
    )


def warm(root: Path, work: Path, duration: int) -> list[str]:
    """py-spy on one worker of the production server while wrk loads the feed."""
    env = proc.clean_env(work, FEEDSVC_STORE=str(root), FEEDSVC_BASE_URL=BASE_URL)
    tables = []
    with proc.gunicorn("wsgi:app", env, probe=FEED) as server:
        worker = proc.children(server.pid)[0]
        _, headers, _ = proc.get(server.port, FEED)
        for name, request in (("plain", {}), ("304", {"If-None-Match": headers["etag"]})):
            raw = OUT / f"warm-{name}.txt"
            # --gil: only samples of the thread holding the GIL, i.e. the worker's Python work; its idle
            # threads (waiting on the queue, the poller, the store watcher) would otherwise fill the profile.
            spying = subprocess.Popen(
                spy_command(raw, ["--duration", str(duration), "--gil", "--pid", str(worker)]),
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            time.sleep(0.5)
            load = wrk(server.port, request, duration, 2, 32)
            spying.wait(timeout=duration + 60)
            tables.append(
                summarise(
                    raw,
                    f"profile, warm path: one gunicorn worker under wrk, {name} "
                    f"({load['rps']:,.0f} req/s for both workers while sampled)",
                )[0]
            )
    return tables


def cold(root: Path, work: Path, renders: int) -> list[str]:
    """py-spy on a fresh build, and on first renders of one feed."""
    raw = OUT / "cold-build.txt"
    started = time.perf_counter()
    spy(
        ["--subprocesses", "--", *_build_command(root, work)],
        raw,
        timeout=1800,
        env=proc.clean_env(work, FEEDSVC_BASE_URL=BASE_URL),
    )  # its own, empty cache
    build = summarise(
        raw,
        f"profile, cold path: a fresh `feedsvc build` of {root.name} (empty parse cache, "
        f"{time.perf_counter() - started:.1f} s under py-spy)",
    )[0]
    rebuild = one_off_rebuild(root, work)
    raw = OUT / "cold-render.txt"
    spy(
        ["--", proc.python(), "-m", "bench.profile", "--render-loop", str(root), "--renders", str(renders)],
        raw,
        timeout=1800,
    )
    render = summarise(
        raw,
        f"profile, cold path: first document() of {FEED} by {renders} fresh Publishers (samples inside the loop only)",
        within=LOOP_MARK,
    )[0]
    return [build, rebuild, render]


def _build_command(root: Path, work: Path) -> list[str]:
    """`feedsvc build` of `root` into `work`/public, as bench build runs it: the cold build and the
    one-off rebuild after it profile the same command."""
    return [str(proc.VENV_BIN / "feedsvc"), "build", str(work / "public"), "--store", str(root), "--quiet"]


def one_off_rebuild(root: Path, work: Path) -> str:
    """py-spy on the one-off `feedsvc build` after one edit, from the fresh build's output and parse
    cache (the `rebuild after 1 edit` of bench build), idle time included: a new process's whole wall."""
    from .buildtools import EDIT_MARK, newest_story

    story = newest_story(root, "section-00")
    original = story.read_text("utf-8")
    raw = OUT / "rebuild.txt"
    started = time.perf_counter()
    try:
        story.write_text(original + EDIT_MARK, "utf-8")
        spy(
            ["--idle", "--", *_build_command(root, work)],
            raw,
            timeout=600,
            env=proc.clean_env(work, FEEDSVC_BASE_URL=BASE_URL),
        )
    finally:
        story.write_text(original, "utf-8")
    return summarise(
        raw,
        f"profile, one-off rebuild: `feedsvc build` after one edit of {story.name} "
        f"({time.perf_counter() - started:.1f} s under py-spy, idle samples included)",
    )[0]


def render_loop(store, feeds, renders: int) -> None:
    """The cold render, over and over: a fresh Publisher each time, so every item's Markdown is rendered."""
    from feedsvc.publish.publisher import Publisher

    for _ in range(renders):
        Publisher(store, feeds).document(FEED.lstrip("/"))


def render_child(root: Path, renders: int) -> None:
    from feedsvc.publish.settings import FeedSettings
    from feedsvc.store.store import Store

    store = Store(root, media_base_url=BASE_URL)
    store.refresh()
    render_loop(store, FeedSettings(base_url=BASE_URL), renders)


def run(articles: int = 10_000, sections: int = 20, duration: int = 8, renders: int = 100) -> str:
    if peers.py_spy() is None:
        return "profile: skipped, py-spy not installed (python -m bench profile installs it)\n"
    root = proc.page_cached(synth.cached(articles, sections))
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="bench-profile-", dir=proc.ROOT / "bench" / "out") as tmp:
        work = Path(tmp)
        tables = (warm(root, work / "warm", duration) if peers.wrk() else []) + cold(root, work / "cold", renders)
    return "\n".join(tables)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--render-loop", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--renders", type=int, default=100)
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--duration", type=int, default=8)
    args = parser.parse_args()
    if args.render_loop:
        render_child(args.render_loop, args.renders)
    else:
        print(run(args.articles, duration=args.duration, renders=args.renders))


if __name__ == "__main__":
    main()
