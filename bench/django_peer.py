"""The dynamic peer: Django's syndication framework serving the same section feed (RSS 2.0, 50 items)
from the same synthetic store, under gunicorn with feedsvc's settings, from .venv-bench.

What a typical Django site does: `django.contrib.syndication.views.Feed` with a Markdown body per item.
No database: the store's front matter is read once at import (PyYAML) and stands in for the ORM
query; each request then builds the feed. Two URLs, two variants:

    /sections/<slug>/rss.xml        Markdown → HTML for every item on every request (python-markdown)
    /memo/sections/<slug>/rss.xml   the same, Markdown rendered once per story and memoised

Run by bench/serve.py as `gunicorn … bench.django_peer:application` with BENCH_DJANGO_STORE set.
Imports nothing from feedsvc: it runs in the benchmark venv.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import markdown
import yaml
from django.conf import settings

SITE_URL = "https://news.example.com/"
ITEMS = 50

settings.configure(
    DEBUG=False,
    SECRET_KEY="bench-only",
    ROOT_URLCONF=__name__,
    ALLOWED_HOSTS=["127.0.0.1", "localhost"],
    USE_TZ=True,
    TIME_ZONE="UTC",
    INSTALLED_APPS=[],
    MIDDLEWARE=[],
    DATABASES={},
)

import django  # noqa: E402 — after settings.configure()

django.setup()

from django.contrib.syndication.views import Feed  # noqa: E402
from django.core.wsgi import get_wsgi_application  # noqa: E402
from django.urls import path  # noqa: E402

LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass
class Story:
    slug: str
    title: str
    section: str
    published: datetime
    updated: datetime | None
    authors: list[str]
    tags: list[str]
    photo: dict | None
    body: str


def _when(value: str | None, zone: ZoneInfo) -> datetime | None:
    return datetime.strptime(str(value), "%Y-%m-%d %H:%M").replace(tzinfo=zone) if value else None


def load(root: Path) -> dict[str, list[Story]]:
    """Every story of the store, newest first per section: the stand-in for a database table."""
    site = yaml.load((root / "_site.yml").read_text("utf-8"), Loader=LOADER)
    zone = ZoneInfo(site.get("timezone", "UTC"))
    sections: dict[str, list[Story]] = {s["slug"]: [] for s in site["sections"]}
    for file in root.rglob("story-*.md"):
        head, body = file.read_text("utf-8")[4:].split("\n---\n", 1)
        meta = yaml.load(head, Loader=LOADER)
        sections[meta["section"]].append(
            Story(
                file.stem,
                meta["title"],
                meta["section"],
                _when(meta["published"], zone),
                _when(meta.get("updated"), zone),
                meta.get("authors", []),
                meta.get("tags", []),
                meta.get("photo"),
                body,
            )
        )
    for stories in sections.values():
        stories.sort(key=lambda s: (s.published, s.slug), reverse=True)
    return sections


STORE = load(Path(os.environ["BENCH_DJANGO_STORE"]))
_memo: dict[str, str] = {}


def render(story: Story) -> str:
    photo = story.photo
    figure = (
        (
            f'<figure><img src="{photo["src"]}" alt=""><figcaption>{photo.get("caption", "")}'
            f" ({photo.get('credit', '')})</figcaption></figure>\n"
        )
        if photo
        else ""
    )
    return figure + markdown.markdown(story.body)


class SectionFeed(Feed):
    """One section's 50 newest stories, full content, photo enclosure, authors and tags."""

    def get_object(self, request, slug: str) -> str:
        return slug

    def title(self, slug: str) -> str:
        return f"The Synthetic Times — {slug}"

    def link(self, slug: str) -> str:
        return f"{SITE_URL}sections/{slug}/"

    def description(self, slug: str) -> str:
        return f"Stories filed under {slug}."

    def items(self, slug: str) -> list[Story]:
        return STORE[slug][:ITEMS]

    def item_title(self, story: Story) -> str:
        return story.title

    def item_description(self, story: Story) -> str:
        return render(story)

    def item_link(self, story: Story) -> str:
        return f"{SITE_URL}{story.section}/{story.slug}"

    def item_pubdate(self, story: Story) -> datetime:
        return story.published

    def item_updateddate(self, story: Story) -> datetime | None:
        return story.updated

    def item_author_name(self, story: Story) -> str:
        return ", ".join(story.authors)

    def item_categories(self, story: Story) -> list[str]:
        return [story.section, *story.tags]

    def item_enclosure_url(self, story: Story) -> str | None:
        return story.photo["src"] if story.photo else None

    def item_enclosure_length(self, story: Story) -> int | None:
        return story.photo["length"] if story.photo else None

    def item_enclosure_mime_type(self, story: Story) -> str | None:
        return story.photo["type"] if story.photo else None


class MemoisedSectionFeed(SectionFeed):
    """Markdown rendered once per story; Django still builds the feed on every request."""

    def item_description(self, story: Story) -> str:
        html = _memo.get(story.slug)
        if html is None:
            html = _memo[story.slug] = render(story)
        return html


urlpatterns = [
    path("sections/<slug:slug>/rss.xml", SectionFeed()),
    path("memo/sections/<slug:slug>/rss.xml", MemoisedSectionFeed()),
]
application = get_wsgi_application()
