"""HTML pages for people (the index of feeds), rendered with Jinja2 and autoescaping on: every piece
of store text is escaped. Pure, like the feed renderer: same inputs, same bytes."""
from __future__ import annotations

from jinja2 import Environment, PackageLoader, select_autoescape

from .model import Site
from .urls import FEED_FORMATS, FeedKey

_env = Environment(loader=PackageLoader("feedsvc", "templates"), autoescape=select_autoescape(default=True),
                   trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)

FORMAT_LABELS = {"rss": "RSS", "atom": "Atom"}


def render_index(site: Site, feeds: dict[FeedKey, str], base_url: str) -> bytes:
    """The home page: every section with its feed links, and autodiscovery tags for each feed."""
    sections = [{"slug": None, "title": "All sections", "description": site.description}]
    sections += [{"slug": s.slug, "title": s.title, "description": s.description} for s in site.sections]
    for section in sections:
        section["feeds"] = [{"label": FORMAT_LABELS[fmt], "url": feeds[FeedKey(section["slug"], fmt)],
                             "type": FEED_FORMATS[fmt][1]} for fmt in FEED_FORMATS]
    page = _env.get_template("index.html").render(site=site, sections=sections, base_url=base_url)
    return page.encode("utf-8")
