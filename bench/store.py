"""Store benchmark: how long a worker takes to read a store, to notice one edited file, and to rescan an
unchanged store, and how much memory it holds — each store size in a fresh interpreter, so no run warms
the next (the OS page cache is warm for all: the store was just generated or read).

    python -m bench store [--articles 10000,100000] [--sections 20] [--edits 20]

Targets: cold read of 100,000 stories < 15 s; one edit noticed and re-read < 50 ms; memory < 1 GB.
"""

from __future__ import annotations

import argparse
import gc
import inspect
import json
import resource
import shutil
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from . import proc, synth
from .table import mb, ratio, seconds, table, verdict

BASE_URL = "https://feeds.news.example.com/"
COLD_TARGET, EDIT_TARGET, MEMORY_TARGET_MB = 15.0, 0.050, 1024.0


def _max_rss_mb(who: int = resource.RUSAGE_SELF) -> float:
    return resource.getrusage(who).ru_maxrss / 1024


def _cpu_seconds() -> float:
    """CPU used by this process and the (parallel reader) children it has reaped: less sensitive than
    wall time to other jobs on a shared machine."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def _timed(call) -> tuple[float, object]:
    started = time.perf_counter()
    value = call()
    return time.perf_counter() - started, value


def measure(root: Path, edits: int, rescans: int) -> dict:
    """In the child process: read, rescan, edit, render, and report figures as a dict."""
    from feedsvc.publish.publisher import Publisher
    from feedsvc.publish.settings import FeedSettings
    from feedsvc.store.store import Store

    result: dict = {}
    store = Store(root, media_base_url=BASE_URL)
    cpu = _cpu_seconds()
    result["cold"], _ = _timed(store.refresh)
    result["cold_cpu"] = _cpu_seconds() - cpu
    snapshot = store.snapshot
    result["articles"], result["problems"] = len(snapshot.by_id), len(snapshot.problems)
    result["rss_store"] = _max_rss_mb()

    scans = [_timed(store.refresh) for _ in range(rescans)]
    if any(changes for _, changes in scans):
        raise RuntimeError(f"a rescan of an unchanged store reported changes: {scans[0][1]}")
    result["rescan"] = statistics.median(t for t, _ in scans)

    newest = snapshot.timeline(None).visible_at(datetime.now(UTC), 1)[0]
    path = root / newest.path
    original = path.read_bytes()
    publisher = Publisher(store, FeedSettings(base_url=BASE_URL))
    try:
        times = []
        for i in range(edits):
            path.write_bytes(original.replace(b'title: "', f'title: "Edit {i}: '.encode(), 1))
            elapsed, changes = _timed(lambda: store.refresh([newest.path]))
            if newest.path not in changes.edited or not store.snapshot.by_id[newest.id].title.startswith(f"Edit {i}:"):
                raise RuntimeError(f"edit {i} of {newest.path} was not noticed: {changes}")
            times.append(elapsed)
        result["edit"] = statistics.median(times)

        # What the service does on a change: Publisher.warm() re-renders the feeds whose items changed.
        result["warm"], result["warm_documents"] = _timed(publisher.warm)
        times = []
        for i in range(max(3, edits // 4)):
            path.write_bytes(original.replace(b'title: "', f'title: "Render {i}: '.encode(), 1))
            elapsed, rendered = _timed(lambda: (store.refresh([newest.path]), publisher.warm())[1])
            if rendered < 2:
                raise RuntimeError(f"an edit of the newest story re-rendered {rendered} documents")
            times.append(elapsed)
        result["edit_rendered"] = statistics.median(times)
    finally:
        path.write_bytes(original)
    result["rss_peak"] = _max_rss_mb()
    result["rss_children"] = _max_rss_mb(resource.RUSAGE_CHILDREN)  # parallel readers, if the store used any

    if "cache_dir" in inspect.signature(Store).parameters:
        # The store can keep a parse cache: a restart then re-reads only files whose stat changed.
        del store, publisher, snapshot
        gc.collect()
        cache = Path(tempfile.mkdtemp(prefix="bench-parse-cache-"))
        try:
            result["cache_write"], _ = _timed(Store(root, media_base_url=BASE_URL, cache_dir=cache).refresh)
            gc.collect()
            warm = Store(root, media_base_url=BASE_URL, cache_dir=cache)
            result["cache_start"], _ = _timed(warm.refresh)
            if len(warm.snapshot.by_id) != result["articles"]:
                raise RuntimeError("a restart from the parse cache published a different number of stories")
        finally:
            shutil.rmtree(cache, ignore_errors=True)
    return result


def run(counts: list[int], sections: int = 20, edits: int = 20, rescans: int = 5) -> str:
    """Measure each store size in its own process; return the table."""
    figures = {}
    for count in counts:
        root = proc.page_cached(synth.cached(count, sections))
        with tempfile.TemporaryDirectory(prefix="bench-store-") as work:
            child = proc.run(
                [
                    proc.python(),
                    "-m",
                    "bench.store",
                    "--child",
                    str(root),
                    "--edits",
                    str(edits),
                    "--rescans",
                    str(rescans),
                ],
                cwd=proc.ROOT,
                env=proc.clean_env(Path(work)),
            ).check()
        data = json.loads(child.stdout.strip().splitlines()[-1])
        data["wall"], data["rss_wait4"] = child.seconds, child.max_rss_mb
        if data["articles"] != count or data["problems"]:
            raise RuntimeError(
                f"{root}: {data['articles']} stories published, {data['problems']} problems; expected {count} and none"
            )
        figures[count] = data

    largest, smallest = max(counts), min(counts)
    big = figures[largest]
    cold_verdict = verdict(big["cold"], COLD_TARGET) if largest >= 100_000 else "n/a (<100k)"
    rows_spec = [
        ("cold read: Store(root).refresh()", "cold", seconds, "< 15 s at 100k", cold_verdict),
        ("  its CPU time (all processes)", "cold_cpu", seconds, "", ""),
        ("one edit: refresh([relpath]), median", "edit", seconds, "< 50 ms", verdict(big["edit"], EDIT_TARGET)),
        (
            "one edit + its feeds re-rendered (warm)",
            "edit_rendered",
            seconds,
            "(2 s promised)",
            verdict(big["edit_rendered"], 2.0),
        ),
        ("full rescan, unchanged store, median", "rescan", seconds, "", ""),
        ("first render of every feed (Publisher.warm)", "warm", seconds, "", ""),
        ("peak RSS after the read", "rss_store", mb, "", ""),
        (
            "peak RSS of the process (+ rendered feeds)",
            "rss_peak",
            mb,
            "< 1 GB",
            verdict(big["rss_peak"], MEMORY_TARGET_MB),
        ),
        ("largest child (parallel readers)", "rss_children", mb, "", ""),
        ("restart with the parse cache", "cache_start", seconds, "", ""),
        ("  (the read that wrote that cache)", "cache_write", seconds, "", ""),
        ("whole child process, wall", "wall", seconds, "", ""),
    ]
    rows = []
    for label, key, fmt, target, met in rows_spec:
        if all(key not in figures[c] for c in counts):
            continue
        values = [figures[c].get(key) for c in counts]
        scale = [ratio(figures[largest].get(key), figures[smallest].get(key))] if len(counts) > 1 else []
        rows.append([label, *[fmt(v) if v is not None else "—" for v in values], *scale, target, met])
    header = [
        "figure",
        *[f"{c:,} stories" for c in counts],
        *([f"ratio {largest:,}/{smallest:,}"] if len(counts) > 1 else []),
        "target",
        "met",
    ]
    notes = [
        f"{sections} sections, remote photos (bench/synth.py); each size in a fresh `python -m bench.store "
        f"--child`; medians of {edits} edits and {rescans} rescans; the OS page cache is warm",
        "'one edit + re-rendered' is what the service does on a change: refresh, then Publisher.warm()",
        "peak RSS is ru_maxrss: the largest process, not a sum over the parallel readers",
    ]
    return table("store: reading and re-reading the article store", header, rows, notes)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--articles", default="10000,100000")
    parser.add_argument("--sections", type=int, default=20)
    parser.add_argument("--edits", type=int, default=20)
    parser.add_argument("--rescans", type=int, default=5)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(measure(args.child, args.edits, args.rescans)))
    else:
        print(run([int(n) for n in args.articles.split(",")], args.sections, args.edits, args.rescans))


if __name__ == "__main__":  # the store may read in spawned processes, which re-import this module
    main()
