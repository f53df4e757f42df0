"""The benchmark's store as each peer wants it: Pelican's Markdown with metadata lines and its settings,
Hugo's front matter (section = folder) with a config and templates for feeds only or a page per story."""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from . import synth

SITE_URL = "https://news.example.com/"
ITEMS = 50


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
