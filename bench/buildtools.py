"""The static generators the build benchmark runs, each as a `Tool` (its command, its output, a census
of what it wrote): feedsvc's builds, Hugo's two, and feedsvc's `--watch` rebuild timed from outside."""

from __future__ import annotations

import re
import shutil
import signal
import subprocess
import tempfile
import time
from collections import Counter
from dataclasses import fields
from pathlib import Path

from . import peers, proc, synth

BASE_URL = "https://feeds.news.example.com/"
PARITY = "feedsvc, no archives"
NO_TAGS = "feedsvc, no tag feeds"
EDIT_MARK = "\n\nThis paragraph was added by the build benchmark.\n"
HUGO_FEEDS, HUGO_PAGES = "hugo", "hugo, a page per story"


def hugo_tools(hugo_site: Path, work: Path, pages: bool = True) -> list[Tool]:
    """Hugo building feeds only, and (with `pages`) with a page per story, from the same content."""
    tools = [
        Tool(
            HUGO_FEEDS,
            "RSS per section and home (pages listed, not rendered)",
            [peers.hugo(), "--source", str(hugo_site), "--destination", str(work / "hugo-out"), "--quiet"],
            work / "hugo-out",
            "**/index.xml",
            "section-00/index.xml",
            fresh=[work / "hugo-out"],
        )
    ]
    if pages:
        tools.append(
            Tool(
                HUGO_PAGES,
                "the same feeds, and every story as an HTML page",
                [
                    peers.hugo(),
                    "--source",
                    str(hugo_site),
                    "--config",
                    str(hugo_site / "config-pages.toml"),
                    "--destination",
                    str(work / "hugo-pages"),
                    "--quiet",
                ],
                work / "hugo-pages",
                "**/index.xml",
                "section-00/index.xml",
                fresh=[work / "hugo-pages"],
            )
        )
    return tools


class Tool:
    """One static generator: the command that builds, and how to count what it wrote."""

    def __init__(
        self,
        name: str,
        produces: str,
        command: list[str],
        out: Path,
        feeds: str,
        section_feed: str,
        env: dict[str, str] | None = None,
        fresh: list[Path] = (),
    ) -> None:
        self.name, self.produces, self.command, self.out = name, produces, command, out
        self.feeds, self.section_feed, self.env = feeds, section_feed, env
        self.fresh = list(fresh)  # removed before a cold build: its output, its caches

    def build(self) -> proc.Run:
        return proc.run(self.command, cwd=proc.ROOT, env=self.env).check()

    def cold_build(self) -> proc.Run:
        """A build from nothing: no output folder (nor its staging tree), no parse cache."""
        for folder in self.fresh:
            for path in (folder, folder.with_name(f".{folder.name}.staging")):
                shutil.rmtree(path, ignore_errors=True)
        return self.build()

    def census(self) -> dict:
        """What the build wrote: subscription feeds, archive feeds (RFC 5005), files by kind, items."""
        files = [p for p in self.out.rglob("*") if p.is_file()]
        feeds = [p for p in self.out.glob(self.feeds) if p.is_file()]
        archives = sum("archive" in p.relative_to(self.out).parts for p in feeds)
        items = (self.out / self.section_feed).read_bytes()
        kinds = Counter(p.suffix or p.name for p in files)
        return {
            "files": len(files),
            "bytes": sum(p.stat().st_size for p in files),
            "feeds": len(feeds) - archives,
            "archives": archives,
            "html": kinds[".html"],
            "kinds": ", ".join(f"{n} {k}" for k, n in kinds.most_common()),
            "items": max(items.count(b"<item>"), items.count(b"<entry>")),
        }


def _has_setting(name: str) -> bool:
    from feedsvc import config

    keys = getattr(config, "KEYS", None)  # the flat keys users write; before them, Config's fields
    return name in (keys if keys is not None else {f.name for f in fields(config.Config)})


def newest_story(store: Path, section: str) -> Path:
    """The section's newest story (by its `published` line): it is in the section feed and the all feed."""

    def published(path: Path) -> str:
        return re.search(r"^published: (.+)$", path.read_text("utf-8"), re.M).group(1)

    return max(synth.story_files(store, section), key=published)


def watch_rebuilds(tool: Tool, story: Path, edits: int, timeout: float = 60.0) -> list[float]:
    """`feedsvc build --watch` on the tool's output: after its first build, append a marked paragraph to
    `story` and time until the section feed in the output holds it; `edits` times, then stop it."""
    original = story.read_text("utf-8")
    out, err = tempfile.TemporaryFile("w+"), tempfile.TemporaryFile("w+")
    process = subprocess.Popen(
        [*tool.command, "--watch"], cwd=proc.ROOT, env=tool.env, stdout=out, stderr=err, text=True
    )
    times = []
    try:
        started = time.monotonic()
        while True:  # "watching …" once its first build is out and the watcher has started
            err.seek(0)
            if "\nwatching " in "\n" + err.read():
                break
            if process.poll() is not None or time.monotonic() - started > 600:
                err.seek(0)
                raise RuntimeError(
                    f"feedsvc build --watch: no first build ({process.returncode}): {err.read()[-2000:]}"
                )
            time.sleep(0.05)
        time.sleep(0.5)
        for i in range(edits):
            mark = f"(watch edit {i})".encode()
            story.write_text(original + EDIT_MARK + f"{mark.decode()}\n", "utf-8")
            written = time.perf_counter()
            while mark not in (tool.out / tool.section_feed).read_bytes():
                if time.perf_counter() - written > timeout or process.poll() is not None:
                    raise RuntimeError(f"feedsvc build --watch: edit {i} not in the output after {timeout:.0f} s")
                time.sleep(0.005)
            times.append(time.perf_counter() - written)
            time.sleep(0.5)
    finally:
        story.write_text(original, "utf-8")
        proc.stop(process, signal.SIGINT)
        out.close()
        err.close()
    return times


def feedsvc_tools(store: Path, work: Path, quiet: bool = False) -> list[Tool]:
    """feedsvc's default build (RFC 5005 archives on) and the build that writes what the peers write."""
    extra = ["--quiet"] if quiet else []
    tools = [
        Tool(
            "feedsvc",
            "everything `feedsvc build` writes by default",
            [str(proc.VENV_BIN / "feedsvc"), "build", str(work / "feedsvc"), "--store", str(store), *extra],
            work / "feedsvc",
            "**/*.xml",
            "sections/section-00/rss.xml",
            proc.clean_env(work, FEEDSVC_BASE_URL=BASE_URL),
            fresh=[work / "feedsvc", work / "xdg-cache"],
        )
    ]
    if _has_setting("archives"):  # the same feeds as the peers, without RFC 5005 archives
        tools.append(
            Tool(
                PARITY,
                "FEEDSVC_ARCHIVES=false",
                [str(proc.VENV_BIN / "feedsvc"), "build", str(work / "feedsvc-parity"), "--store", str(store), *extra],
                work / "feedsvc-parity",
                "**/*.xml",
                "sections/section-00/rss.xml",
                proc.clean_env(work / "parity", FEEDSVC_BASE_URL=BASE_URL, FEEDSVC_ARCHIVES="false"),
                fresh=[work / "feedsvc-parity", work / "parity" / "xdg-cache"],
            )
        )
    return tools


def no_tags_tool(store: Path, work: Path) -> Tool | None:
    """What tag feeds cost: the default build (tag feeds on) without them; None before they existed."""
    if not _has_setting("tag_feeds"):
        return None
    return Tool(
        NO_TAGS,
        "FEEDSVC_TAG_FEEDS=false",
        [str(proc.VENV_BIN / "feedsvc"), "build", str(work / "feedsvc-no-tags"), "--store", str(store)],
        work / "feedsvc-no-tags",
        "**/*.xml",
        "sections/section-00/rss.xml",
        proc.clean_env(work / "no-tags", FEEDSVC_BASE_URL=BASE_URL, FEEDSVC_TAG_FEEDS="false"),
        fresh=[work / "feedsvc-no-tags", work / "no-tags" / "xdg-cache"],
    )


def cold_builds(tools: list[Tool], repeats: int) -> dict[str, dict]:
    """Each tool's cold build `repeats` times, taking turns (a busy moment falls on all alike); the
    median run of each, all its runs' seconds, and a census of what it wrote."""
    runs: dict[str, list[proc.Run]] = {tool.name: [] for tool in tools}
    for _ in range(repeats):
        for tool in tools:
            runs[tool.name].append(tool.cold_build())
    results = {}
    for tool in tools:
        ordered = sorted(runs[tool.name], key=lambda run: run.seconds)
        results[tool.name] = {
            "full": ordered[len(ordered) // 2],
            "all": [run.seconds for run in runs[tool.name]],
            "census": tool.census(),
            "produces": tool.produces,
        }
    return results
