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
import json
import re
import shutil
import signal
import statistics
import subprocess
import tempfile
import time
from collections import Counter
from dataclasses import fields
from pathlib import Path

import yaml

from . import peers, proc, summary, synth
from .table import mb, ratio, seconds, table

BASE_URL = "https://feeds.news.example.com/"
SITE_URL = "https://news.example.com/"
ITEMS = 50
PARITY = "feedsvc, no archives"
NO_TAGS = "feedsvc, no tag feeds"
EDIT_MARK = "\n\nThis paragraph was added by the build benchmark.\n"
ONE_OFF_EDITS = 3  # feedsvc's one-off rebuild: the median of this many edits, each a new `feedsvc build`
REPEATS = 3  # cold full builds of feedsvc and Hugo, taking turns; the median is kept
HUGO_FEEDS, HUGO_PAGES = "hugo", "hugo, a page per story"


# ---- the store, as each peer wants it ------------------------------------------------------------


def read_story(path: Path) -> tuple[dict, str]:
    """A synthetic story's front matter and body (the synthetic format only: `---`, YAML, `---`)."""
    head, body = path.read_text("utf-8")[4:].split("\n---\n", 1)
    return yaml.load(head, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)), body


def _photo_markdown(meta: dict) -> str:
    photo = meta.get("photo")
    return f"![{photo['caption']}]({photo['src']})\n\n" if photo else ""


def to_pelican(meta: dict, body: str, slug: str) -> str:
    lines = [
        f"Title: {meta['title']}",
        f"Date: {meta['published']}",
        f"Category: {meta['section']}",
        f"Tags: {', '.join(meta.get('tags', []))}",
        f"Authors: {', '.join(meta.get('authors', []))}",
        f"Slug: {slug}",
    ]
    if meta.get("updated"):
        lines.append(f"Modified: {meta['updated']}")
    return "\n".join(lines) + "\n\n" + _photo_markdown(meta) + body


def to_hugo(meta: dict, body: str) -> str:
    front = {
        "title": meta["title"],
        "date": meta["published"].replace(" ", "T") + ":00",
        "tags": meta.get("tags", []),
        "authors": meta.get("authors", []),
    }
    if meta.get("summary"):
        front["summary"] = meta["summary"]
    if meta.get("updated"):
        front["lastmod"] = meta["updated"].replace(" ", "T") + ":00"
    return "---\n" + json.dumps(front, ensure_ascii=False) + "\n---\n" + _photo_markdown(meta) + body


def convert(store: Path, story: Path, pelican_content: Path | None, hugo_content: Path) -> None:
    """Write one story into the peers' content folders, by section (Pelican's unless None)."""
    meta, body = read_story(story)
    for folder, text in ((pelican_content, to_pelican(meta, body, story.stem)), (hugo_content, to_hugo(meta, body))):
        if folder is None:
            continue
        target = folder / meta["section"] / story.name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, "utf-8")


def pelican_settings(content: Path, site: dict) -> str:
    """Feeds only: every page-writing setting emptied, 50 items with full content, no theme files copied."""
    return f"""SITENAME = {site["title"]!r}
SITEURL = {SITE_URL.rstrip("/")!r}
FEED_DOMAIN = SITEURL
TIMEZONE = {site["timezone"]!r}
DEFAULT_LANG = "en"
PATH = {str(content)!r}
ARTICLE_PATHS = [""]
PAGE_PATHS = []
STATIC_PATHS = []
THEME_STATIC_PATHS = []
DIRECT_TEMPLATES = []
ARTICLE_SAVE_AS = ARTICLE_LANG_SAVE_AS = DRAFT_SAVE_AS = DRAFT_LANG_SAVE_AS = ""
PAGE_SAVE_AS = PAGE_LANG_SAVE_AS = CATEGORY_SAVE_AS = TAG_SAVE_AS = AUTHOR_SAVE_AS = ""
FEED_ALL_ATOM = "feeds/all.atom.xml"
FEED_ALL_RSS = "feeds/all.rss.xml"
CATEGORY_FEED_ATOM = "feeds/{{slug}}.atom.xml"
CATEGORY_FEED_RSS = "feeds/{{slug}}.rss.xml"
AUTHOR_FEED_ATOM = AUTHOR_FEED_RSS = TRANSLATION_FEED_ATOM = TAG_FEED_ATOM = TAG_FEED_RSS = None
FEED_MAX_ITEMS = {ITEMS}
RSS_FEED_SUMMARY_ONLY = False
CACHE_CONTENT = LOAD_CONTENT_CACHE = False
"""


HUGO_PAGES_CONFIG = f"""baseURL = "{SITE_URL}"
title = "The Synthetic Times"
languageCode = "en-us"
timeZone = "America/New_York"
disableKinds = ["taxonomy", "term", "sitemap", "robotsTXT", "404"]
[outputs]
  home = ["RSS"]
  section = ["RSS"]
[services.rss]
  limit = {ITEMS}
"""
# Feeds only: every story listed in the feeds, none rendered to a page of its own (Hugo 0.111's _build).
HUGO_CONFIG = (
    HUGO_PAGES_CONFIG
    + """[[cascade]]
  [cascade._build]
    render = "never"
    list = "always"
  [cascade._target]
    kind = "page"
"""
)
# A page per story: the story as the feeds carry it, with its date, byline and tags.
HUGO_SINGLE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{ .Title }} — {{ .Site.Title }}</title>
<link rel="alternate" type="application/rss+xml" href="{{ .CurrentSection.RelPermalink }}index.xml"></head>
<body><article><h1>{{ .Title }}</h1>
<p><time datetime="{{ .Date.Format "2006-01-02T15:04:05Z07:00" }}">{{ .Date.Format "January 2, 2006" }}</time>
{{ with .Params.authors }} — {{ delimit . ", " }}{{ end }}</p>
{{ .Content }}
{{ with .Params.tags }}<ul>{{ range . }}<li>{{ . }}</li>{{ end }}</ul>{{ end }}
</article></body></html>
"""

# Our own minimal RSS 2.0 template: Hugo's built-in one puts only the summary in <description>.
HUGO_RSS = """{{- $pages := .RegularPagesRecursive -}}
{{- if .IsHome }}{{ $pages = .Site.RegularPages }}{{ end -}}
{{- printf "<?xml version=\\"1.0\\" encoding=\\"utf-8\\"?>" | safeHTML }}
<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom">
<channel>
<title>{{ .Site.Title }}{{ if not .IsHome }} — {{ .Title }}{{ end }}</title>
<link>{{ .Permalink }}</link>
<description>{{ .Site.Title }}</description>
<language>en-us</language>
{{ with .OutputFormats.Get "RSS" }}<atom:link href="{{ .Permalink }}" rel="self" type="application/rss+xml"/>{{ end }}
{{- range first .Site.Config.Services.RSS.Limit $pages.ByDate.Reverse }}
<item>
<title>{{ .Title }}</title>
<link>{{ .Permalink }}</link>
<pubDate>{{ .Date.Format "Mon, 02 Jan 2006 15:04:05 -0700" | safeHTML }}</pubDate>
<guid>{{ .Permalink }}</guid>
<description>{{ .Content | html }}</description>
</item>
{{- end }}
</channel>
</rss>
"""


def prepare_peers(store: Path, work: Path, pelican: bool = True) -> tuple[Path, Path]:
    """Convert the store for both peers (or Hugo only); returns (Pelican settings file, Hugo site folder)."""
    pelican_content, hugo_site = work / "pelican" / "content", work / "hugo"
    for story in synth.story_files(store):
        convert(store, story, pelican_content if pelican else None, hugo_site / "content")
    settings = work / "pelican" / "pelicanconf.py"
    if pelican:
        settings.write_text(pelican_settings(pelican_content, yaml.safe_load((store / "_site.yml").read_text())))
    (hugo_site / "config.toml").write_text(HUGO_CONFIG)
    (hugo_site / "config-pages.toml").write_text(HUGO_PAGES_CONFIG)
    (hugo_site / "layouts" / "_default").mkdir(parents=True)
    (hugo_site / "layouts" / "_default" / "rss.xml").write_text(HUGO_RSS)
    (hugo_site / "layouts" / "_default" / "single.html").write_text(HUGO_SINGLE)
    return settings, hugo_site


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


# ---- the tools -----------------------------------------------------------------------------------


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
        "pages; output = every file written, gzip copies included",
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
