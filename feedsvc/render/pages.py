"""HTML pages for people — the home page and each section's page: the latest stories with photo,
caption, credit, summary and related links, and obvious ways to subscribe. Rendered with Jinja2 and
autoescaping on (every piece of store text is escaped), no JavaScript, no XSLT. Pure, like the feed
renderers: same inputs, same bytes."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, tzinfo

from jinja2 import Environment, PackageLoader, select_autoescape

from ..model import Section, Site
from .feeds import Item
from .months import MONTH_NAMES
from ..paths import FEED_FORMATS, FeedKey

_env = Environment(loader=PackageLoader("feedsvc.render", "templates"), autoescape=select_autoescape(default=True),
                   trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)

FORMAT_LABELS = {"rss": "RSS", "atom": "Atom", "json": "JSON Feed"}


def human_time(moment: datetime, zone: tzinfo) -> str:
    """"May 2, 2013, 5:40 p.m. PDT" in the site's zone, whatever the process locale."""
    local = moment.astimezone(zone)
    hour = local.hour % 12 or 12
    return (f"{MONTH_NAMES[local.month - 1]} {local.day}, {local.year}, {hour}:{local.minute:02d} "
            f"{'a.m.' if local.hour < 12 else 'p.m.'} {local.tzname() or ''}").strip()


@dataclass(frozen=True)
class PageLinks:
    base_url: str
    opml_url: str

    def feeds(self, section: str | None, site: Site) -> list[dict]:
        name = site.title if section is None else f"{site.title} — {site.section(section).title}"
        return [{"label": FORMAT_LABELS[fmt], "url": self.base_url + FeedKey(section, fmt).path,
                 "type": FEED_FORMATS[fmt][1], "title": f"{name} ({FORMAT_LABELS[fmt]})"}
                for fmt in FEED_FORMATS]

    def page(self, section: str | None) -> str:
        return self.base_url + (f"sections/{section}/" if section else "")


def _story(item: Item, site: Site) -> dict:
    article = item.article
    section = site.section(article.section)
    return {
        "title": article.title, "url": article.url, "dateline": article.dateline,
        "published": human_time(article.published, site.tz), "published_iso": article.published.isoformat(),
        "updated": human_time(article.updated, site.tz) if article.updated > article.published else None,
        "updated_iso": article.updated.isoformat(),
        "byline": ", ".join(a.name for a in article.authors),
        "section": section.title if section else article.section, "section_slug": article.section,
        "photo": article.photo, "summary": item.prepared.summary,
        "related": [{"title": link.title, "url": link.url} for link in item.related],
    }


# Languages written right to left (their primary subtags): the page says so, or browsers lay it out backwards.
_RIGHT_TO_LEFT = frozenset({"ar", "arc", "ckb", "dv", "fa", "he", "iw", "ku", "ps", "sd", "syr", "ug", "ur", "yi"})


def direction(language: str) -> str:
    return "rtl" if language.split("-")[0].lower() in _RIGHT_TO_LEFT else "ltr"


def render_page(site: Site, section: Section | None, items: list[Item], links: PageLinks) -> bytes:
    """The home page (section None) or one section's page."""
    slug = section.slug if section else None
    sections = [{"title": s.title, "description": s.description, "page": links.page(s.slug),
                 "feeds": links.feeds(s.slug, site)} for s in site.sections]
    alternates = links.feeds(slug, site)
    if section is None:
        alternates += [feed for s in sections for feed in s["feeds"]]
    page = _env.get_template("page.html").render(
        site=site, direction=direction(site.language), section=section, stories=[_story(item, site) for item in items],
        subscribe=links.feeds(slug, site), sections=sections, alternates=alternates,
        home=links.page(None), opml=links.opml_url)
    return page.encode("utf-8")
