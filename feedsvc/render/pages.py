"""HTML pages for people — the home page and each section's, writer's and tag's page: the latest
stories with photo, caption, credit, summary and related links, bylines and tags linked to their own
pages, and obvious ways to subscribe (the buttons lead to the scope's subscribe page). Rendered with
Jinja2 and autoescaping on (every piece of store text is escaped), no JavaScript, no XSLT. Pure, like
the feed renderers: same inputs, same bytes."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from typing import Any
from urllib.parse import urlsplit

from jinja2 import Environment, PackageLoader, select_autoescape

from ..model import EVERYTHING, SECTION, Scope, Site
from ..paths import FEED_FORMATS, OPML_PATHS, FeedKey, PageKey, SubscribeKey, base_path
from .feedmodel import Item, store_url
from .months import MONTH_NAMES
from .subject import Subject

ENV = Environment(
    loader=PackageLoader("feedsvc.render", "templates"),
    autoescape=select_autoescape(default=True),
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
)

FORMAT_LABELS = {"rss": "RSS", "atom": "Atom", "json": "JSON Feed"}
NO_ICON = "data:,"  # an empty icon, which a browser has without asking any server for it


def human_time(moment: datetime, zone: tzinfo) -> str:
    """ "May 2, 2013, 5:40 p.m. PDT" in the site's zone, whatever the process locale."""
    local = moment.astimezone(zone)
    hour = local.hour % 12 or 12
    return (
        f"{MONTH_NAMES[local.month - 1]} {local.day}, {local.year}, {hour}:{local.minute:02d} "
        f"{'a.m.' if local.hour < 12 else 'p.m.'} {local.tzname() or ''}"
    ).strip()


@dataclass(frozen=True)
class PageLinks:
    base_url: str
    opml_url: str

    def feeds(self, scope: Scope, name: str) -> list[dict[str, str]]:
        """The scope's feeds, one per format; `name` is what a reader will call the subscription."""
        return [
            {
                "label": FORMAT_LABELS[fmt],
                "url": self.base_url + FeedKey(scope, fmt).path,
                "type": FEED_FORMATS[fmt][1],
                "title": f"{name} ({FORMAT_LABELS[fmt]})",
            }
            for fmt in FEED_FORMATS
        ]

    def page(self, scope: Scope) -> str:
        return self.base_url + PageKey(scope).path

    def subscribe(self, scope: Scope) -> str:
        return self.base_url + SubscribeKey(scope).path

    def icon(self, site: Site) -> str | None:
        """The page's icon: the site file's `icon` where a browser can load it. Else, at the root of its
        host, an empty data URL: a page that names none makes every browser ask for /favicon.ico, which
        nothing publishes there (a 404 in each new visitor's console). Under a path (…/feeds/) the pages
        are part of a site whose /favicon.ico is its own: None, no link, and the browser shows that."""
        icon = store_url(site.icon, self.base_url)
        if icon and photo_loads(icon, self.base_url):
            return icon
        return None if base_path(self.base_url) else NO_ICON

    def sections(self, site: Site) -> list[dict[str, Any]]:
        """The navigation and the home page's list: each section's page, subscribe page and feeds."""
        return [
            {
                "title": s.title,
                "description": s.description,
                "page": self.page(Scope(SECTION, s.slug)),
                "subscribe": self.subscribe(Scope(SECTION, s.slug)),
                "feeds": self.feeds(Scope(SECTION, s.slug), f"{site.title} — {s.title}"),
            }
            for s in site.sections
        ]

    def opml(self, kind: str) -> str:
        return self.base_url + OPML_PATHS[kind]


@dataclass(frozen=True)
class StoryLinks:
    """Where a story's bylines and tags lead: each writer's page, and the pages of those of its tags
    that have one (a one-off tag has none)."""

    bylines: tuple[tuple[str, str], ...] = ()  # (name as written, page URL)
    tags: tuple[tuple[str, str], ...] = ()  # (the tag's title, page URL)


@dataclass(frozen=True)
class PageExtras:
    """What a page shows besides its stories: a section's writers, and on the home page the lists of
    every writer's and tag's feed (only those that have feeds)."""

    story_links: Mapping[str, StoryLinks] = field(default_factory=dict)  # by story id
    writers: Sequence[tuple[str, str, int]] = ()  # (name, page URL, stories among the section's latest)
    lists: Sequence[tuple[str, str]] = ()  # (what, OPML URL) for writers and tags


# Domains reserved for examples and tests (RFC 2606 §2-3, RFC 6761 §6.4-6.5): nothing is ever served from
# them, so a photo there can only show as a broken image. (localhost is left out: it serves.)
_NEVER_SERVED = ("example", "invalid", "test", "example.com", "example.net", "example.org")


def photo_loads(url: str, base_url: str) -> bool:
    """Can a browser load this photo? Ours (under the base URL) and a remote one can; one on a domain
    reserved for examples cannot, and the page shows its alt text in the photo's place instead. (A
    remote photo that fails for another reason still keeps its box, with its alt text: see the CSS.)"""
    if url.startswith(base_url):
        return True
    host = (urlsplit(url).hostname or "").rstrip(".")
    return not any(host == domain or host.endswith("." + domain) for domain in _NEVER_SERVED)


def _story(item: Item, site: Site, links: StoryLinks, base_url: str) -> dict[str, Any]:
    article = item.article
    section = site.section(article.section)
    return {
        "title": article.title,
        "url": article.url,
        "dateline": article.dateline,
        "published": human_time(article.published, site.tz),
        "published_iso": article.published.isoformat(),
        "updated": human_time(article.updated, site.tz) if article.updated > article.published else None,
        "updated_iso": article.updated.isoformat(),
        "byline": ", ".join(a.name for a in article.authors),
        "bylines": links.bylines,
        "tags": links.tags,
        "section": section.title if section else article.section,
        "section_slug": article.section,
        "photo": article.photo,
        "photo_loads": article.photo is not None and photo_loads(article.photo.url, base_url),
        "summary": item.prepared.summary,
        "related": [{"title": link.title, "url": link.url} for link in item.related],
    }


# Languages written right to left (their primary subtags): the page says so, or browsers lay it out backwards.
_RIGHT_TO_LEFT = frozenset({"ar", "arc", "ckb", "dv", "fa", "he", "iw", "ku", "ps", "sd", "syr", "ug", "ur", "yi"})


def direction(language: str) -> str:
    return "rtl" if language.split("-")[0].lower() in _RIGHT_TO_LEFT else "ltr"


def render_page(
    site: Site, subject: Subject | None, items: list[Item], links: PageLinks, extras: PageExtras = PageExtras()
) -> bytes:
    """The home page (subject None) or one section's, writer's or tag's page."""
    scope = subject.scope if subject else EVERYTHING
    sections = links.sections(site)
    subscribe = links.feeds(scope, f"{site.title} — {subject.title}" if subject else site.title)
    alternates = list(subscribe)
    if subject is None:
        alternates += [feed for s in sections for feed in s["feeds"]]
    empty = StoryLinks()
    page = ENV.get_template("page.html").render(
        site=site,
        direction=direction(site.language),
        subject=subject,
        stories=[_story(item, site, extras.story_links.get(item.article.id, empty), links.base_url) for item in items],
        subscribe=subscribe,
        subscribe_page=links.subscribe(scope),
        sections=sections,
        alternates=alternates,
        icon=links.icon(site),
        writers=extras.writers,
        lists=extras.lists,
        home=links.page(EVERYTHING),
        opml=links.opml_url,
    )
    return page.encode("utf-8")
