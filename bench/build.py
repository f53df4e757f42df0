"""Static build benchmark: feedsvc's full build and its rebuild after one edit, beside Pelican and Hugo
building the same store into per-section feeds of 50 items with full content — each tool in its own
process (and feedsvc with its tag feeds on, as by default, and off), timed with wait4() (wall, CPU, peak
RSS), and its output counted so the comparison stays honest.

    python -m bench build [--articles 10000] [--sections 20] [--repeats 3] [--large 100000]

The store (bench/synth.py's newsroom shape by default) is converted for each peer in a temporary
folder (Pelican: Markdown with metadata lines; Hugo: front matter, section = folder), outside the
timing. Pelican writes RSS+Atom per category and for all (no HTML pages). Hugo is built twice from the
same content: feeds only (RSS per section and for the home page, pages listed but never rendered to
disk), and with a page per story (the same feeds, and every story as HTML through a small template) —
what feedsvc's default build, with its thousands of archive documents, is compared with.

Cold builds (a new output folder and an empty parse cache each time) of feedsvc and Hugo are run
`--repeats` times, taking turns, and each tool's median is kept, so a busy moment of a shared machine
falls on all of them alike; Pelican, many times slower, is built once. Neither peer has an incremental
build, so their "rebuild" is a full build run again after the same edit. feedsvc's rebuild is measured
twice: the one-off `feedsvc build` run again, and `feedsvc build --watch` (from the file write until the
output file holds the change). At `--large` stories, only feedsvc and Hugo are built, once each:
Pelican would take many minutes.
"""

from __future__ import annotations

import argparse
import re
import statistics
import tempfile
from pathlib import Path

from . import peers, proc, summary, synth
from .buildtools import (
    EDIT_MARK,
    HUGO_FEEDS,
    HUGO_PAGES,
    NO_TAGS,
    PARITY,
    Tool,
    cold_builds,
    feedsvc_tools,
    hugo_tools,
    newest_story,
    no_tags_tool,
    watch_rebuilds,
)
from .peerstores import ITEMS, convert, prepare_peers
from .table import mb, ratio, seconds, table

ONE_OFF_EDITS = 3  # feedsvc's one-off rebuild: the median of this many edits, each a new `feedsvc build`
REPEATS = 3  # cold full builds of feedsvc and Hugo, taking turns; the median is kept


def run(
    articles: int = 10_000, sections: int = 20, with_peers: bool = True, watch_edits: int = 3, repeats: int = REPEATS
) -> str:
    store = proc.page_cached(synth.cached(articles, sections))
    edited = newest_story(store, "section-00")
    original = edited.read_text("utf-8")
    results: dict[str, dict] = {}
    with tempfile.TemporaryDirectory(prefix="bench-build-", dir=proc.ROOT / "bench" / "out") as tmp:
        work = Path(tmp)
        tools = feedsvc_tools(store, work)
        compared = with_peers and peers.pelican() and peers.hugo()
        pelican = None
        if compared:
            settings, hugo_site = prepare_peers(store, work)
            tools += hugo_tools(hugo_site, work)
            pelican = Tool(
                "pelican",
                "RSS+Atom per category and all (no HTML pages)",
                [str(peers.pelican()), "-s", str(settings), "-o", str(work / "pelican-out"), "-q"],
                work / "pelican-out",
                "feeds/*.xml",
                "feeds/section-00.rss.xml",
            )
        try:
            results = cold_builds(tools, repeats)
            once = [tool for tool in (no_tags_tool(store, work), pelican) if tool is not None]
            results.update(cold_builds(once, 1))  # Pelican is slow; the no-tags build is a note's figure
            tools += once
            edited.write_text(original + EDIT_MARK, "utf-8")
            if compared:
                convert(store, edited, work / "pelican" / "content", hugo_site / "content")
            for tool in tools:
                results[tool.name]["rebuild"] = tool.build()
                if EDIT_MARK.strip().encode() not in (tool.out / tool.section_feed).read_bytes():
                    raise RuntimeError(f"{tool.name}: the edit is not in {tool.section_feed} after the rebuild")
            for tool in tools:  # feedsvc's later one-off rebuilds find a staging tree to reuse
                if tool.name.startswith("feedsvc"):
                    runs = [results[tool.name]["rebuild"]]
                    for i in range(ONE_OFF_EDITS - 1):
                        edited.write_text(original + EDIT_MARK + f"\nOne-off edit {i + 2} for {tool.name}.\n", "utf-8")
                        runs.append(tool.build())
                    results[tool.name]["rebuild_first"] = runs[0]
                    results[tool.name]["rebuild"] = sorted(runs, key=lambda run: run.seconds)[len(runs) // 2]
            for tool in tools:
                if tool.name.startswith("feedsvc") and watch_edits:
                    results[tool.name]["watch"] = statistics.median(watch_rebuilds(tool, edited, watch_edits))
        finally:
            edited.write_text(original, "utf-8")

    for name, result in results.items():
        census = result["census"]
        if census["items"] != ITEMS or (name in ("pelican", HUGO_FEEDS) and census["html"]):
            raise RuntimeError(f"{name}: {census['items']} items in the section feed, {census['html']} HTML files")
    summary = re.search(r"\((\d+) written", results["feedsvc"]["rebuild"].stdout)
    me_name = PARITY if PARITY in results else "feedsvc"  # ratios against the build that writes what the peers write
    rows = []
    for name, result in results.items():
        census, full, rebuild = result["census"], result["full"], result["rebuild"]
        against = "feedsvc" if name == HUGO_PAGES else me_name
        rows.append(
            [
                name,
                census["feeds"],
                census["archives"],
                census["items"],
                census["files"],
                mb(census["bytes"] / 2**20),
                f"{census['bytes'] / articles / 1024:,.1f} KB",
                seconds(full.seconds),
                seconds(full.cpu_seconds),
                mb(full.max_rss_mb),
                seconds(rebuild.seconds),
                seconds(result.get("watch")),
                ratio(results[against]["full"].seconds, full.seconds),
                ratio(results[me_name]["rebuild"].seconds, rebuild.seconds),
            ]
        )
    notes = [f"{name}: {result['produces']}; wrote {result['census']['kinds']}" for name, result in results.items()]
    if NO_TAGS in results:
        notes.append(
            "feedsvc (tag feeds on, the default) writes a feed, page and archives per writer and per tag used by "
            f"at least 3 stories; {NO_TAGS} leaves out the tags' (writers' feeds stay): "
            f"{ratio(results['feedsvc']['full'].seconds, results[NO_TAGS]['full'].seconds)} its time"
        )
    notes += [
        f"full build = median of {repeats} cold builds (new output folder, empty parse cache), feedsvc and "
        f"Hugo taking turns ({NO_TAGS} and Pelican: one); each run: "
        + "; ".join(f"{name} {', '.join(seconds(t) for t in result['all'])}" for name, result in results.items()),
        f"ratio full = feedsvc's time / the tool's: the default build's against {HUGO_PAGES!r}, "
        f"{me_name!r} against the others (below 1: feedsvc is faster)",
        f"rebuild = the same command after appending a paragraph to {edited.relative_to(store)} (the "
        f"section's newest story); feedsvc rewrote {summary.group(1) if summary else '?'} files, the peers "
        "have no incremental build; feedsvc's parse cache (on by default where the version has one) "
        "starts empty for the full build and serves the rebuild",
        f"feedsvc's rebuild is the median of {ONE_OFF_EDITS} edits, each followed by a new `feedsvc build`; "
        "the first after a full build also makes the staging tree later ones reuse: "
        + ", ".join(
            f"{name} {seconds(result['rebuild_first'].seconds)}"
            for name, result in results.items()
            if "rebuild_first" in result
        ),
        f"--watch rebuild = `feedsvc build --watch`, median of {watch_edits} edits: from writing the story "
        "until the section feed in the output holds the change",
        "wall and CPU seconds and peak RSS from wait4() of each tool's process (CPU above wall: more than "
        "one core used; wall well above CPU: waiting, e.g. on fsync)",
        "each tool's output is checked: 50 items in section-00's feed, no HTML pages from the feeds-only peers, "
        "the edit present after the rebuild; feeds = subscription feeds (RSS, Atom), archive feeds = RFC 5005 "
        "pages; output = every file written, gzip copies included (feedsvc writes none of its archives)",
    ]
    if not compared:
        notes.append("peers skipped: not installed or not asked for (python -m bench build installs them)")
    _summarise(articles, results, me_name)
    return table(
        f"build: {articles:,} stories, {sections} sections, {ITEMS} items per feed ({_shape(store)})",
        [
            "tool",
            "feeds",
            "archive feeds",
            "items/feed",
            "files",
            "output",
            "per story",
            "full build",
            "CPU",
            "peak RSS",
            "rebuild after 1 edit",
            "--watch rebuild",
            "ratio full",
            "ratio rebuild",
        ],
        rows,
        notes,
    )


def _shape(store: Path) -> str:
    """The synthetic shape the store was made in, from its folder's name."""
    return next((f"synth.py {shape} shape" for shape in synth.SHAPES if f"-{shape}-" in store.name), "synth.py")


def _summarise(articles: int, results: dict, me_name: str) -> None:
    me = results[me_name]["full"].seconds
    default = results["feedsvc"]
    if HUGO_PAGES in results:
        value, met = summary.at_most(default["full"].seconds, results[HUGO_PAGES]["full"].seconds, 0.5)
        summary.add(
            f"default build, {articles:,} stories, cold vs {HUGO_PAGES}",
            seconds(default["full"].seconds),
            f"hugo {seconds(results[HUGO_PAGES]['full'].seconds)}",
            value,
            "≤ 0.50",
            met,
        )
    for peer, target in ((HUGO_FEEDS, 0.5), ("pelican", 1 / 20)):
        if peer in results:
            value, met = summary.at_most(me, results[peer]["full"].seconds, target)
            summary.add(
                f"feeds-only build, {articles:,} stories, cold vs {peer}",
                seconds(me),
                f"{peer.split(',')[0]} {seconds(results[peer]['full'].seconds)}",
                value,
                f"≤ {target:.2f}",
                met,
            )
    summary.add(
        f"rebuild after 1 edit, {articles:,} stories: one-off `feedsvc build`",
        seconds(default["rebuild"].seconds),
        f"no archives {seconds(results[me_name]['rebuild'].seconds)}" if me_name != "feedsvc" else "",
        "",
        "≤ 0.3 s",
        default["rebuild"].seconds <= 0.3,
    )
    if "watch" in default:
        summary.add(
            f"rebuild after 1 edit, {articles:,} stories: `feedsvc build --watch`",
            seconds(default["watch"]),
            f"no archives {seconds(results[me_name].get('watch'))}" if me_name != "feedsvc" else "",
            "",
            "≤ 0.3 s",
            default["watch"] <= 0.3,
        )
    per_story = default["census"]["bytes"] / articles / 1024
    hugo = results.get(HUGO_PAGES)
    summary.add(
        f"output of the default build, {articles:,} stories, per story",
        f"{per_story:,.1f} KB",
        f"hugo pages {hugo['census']['bytes'] / articles / 1024:,.1f} KB" if hugo else "",
        ratio(default["census"]["bytes"], hugo["census"]["bytes"]) if hugo else "",
        "reported",
        None,
    )


def run_large(articles: int = 100_000, sections: int = 20) -> str:
    """feedsvc (default and feeds only) and Hugo (a page per story and feeds only) at `articles`
    stories, one cold build each: time and peak memory."""
    store = proc.page_cached(synth.cached(articles, sections))
    with tempfile.TemporaryDirectory(prefix="bench-build-large-", dir=proc.ROOT / "bench" / "out") as tmp:
        work = Path(tmp)
        tools = feedsvc_tools(store, work, quiet=True)
        if peers.hugo():
            _, hugo_site = prepare_peers(store, work, pelican=False)
            tools += hugo_tools(hugo_site, work)
        results = cold_builds(tools, 1)
        for name, result in results.items():
            if result["census"]["items"] != ITEMS:
                raise RuntimeError(f"{name}: {result['census']['items']} items in the section feed")
    rows = []
    for name, r in results.items():
        against = results.get(HUGO_PAGES if name == "feedsvc" else HUGO_FEEDS)
        rows.append(
            [
                name,
                r["census"]["feeds"],
                r["census"]["files"],
                mb(r["census"]["bytes"] / 2**20),
                seconds(r["full"].seconds),
                seconds(r["full"].cpu_seconds),
                mb(r["full"].max_rss_mb),
                ratio(r["full"].seconds, against["full"].seconds) if against and name.startswith("feedsvc") else "",
            ]
        )
    for name, peer in (("feedsvc", HUGO_PAGES), (PARITY, HUGO_FEEDS)):
        if name in results and peer in results:
            me = results[name]["full"]
            value, met = summary.at_most(me.seconds, results[peer]["full"].seconds, 0.5)
            label = "default" if name == "feedsvc" else "feeds-only"
            summary.add(
                f"{label} build, {articles:,} stories, cold vs {peer}",
                seconds(me.seconds),
                f"hugo {seconds(results[peer]['full'].seconds)}",
                value,
                "≤ 0.50",
                met,
            )
            summary.add(
                f"{label} build, {articles:,} stories: peak memory",
                mb(me.max_rss_mb),
                f"hugo {mb(results[peer]['full'].max_rss_mb)}",
                "",
                "≤ 1 GB",
                me.max_rss_mb <= 1024,
            )
    return table(
        f"build: {articles:,} stories, {sections} sections, {ITEMS} items per feed ({_shape(store)}; one cold "
        "build each)",
        ["tool", "feeds", "files", "output", "full build", "CPU", "peak RSS", "ratio"],
        rows,
        [
            f"ratio = feedsvc's time / Hugo's: the default build's against {HUGO_PAGES!r}, {PARITY!r} against "
            f"{HUGO_FEEDS!r}; peak RSS from wait4() (the largest process); Pelican not run at this size"
        ],
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--sections", type=int, default=20)
    parser.add_argument("--repeats", type=int, default=REPEATS)
    parser.add_argument("--watch-edits", type=int, default=3)
    parser.add_argument("--large", type=int, default=0)
    args = parser.parse_args()
    peers.ensure_peers(("hugo",))
    print(run(args.articles, args.sections, repeats=args.repeats, watch_edits=args.watch_edits))
    if args.large:
        print(run_large(args.large, args.sections))
    print(summary.render("python -m bench.build"))


if __name__ == "__main__":
    main()
