"""For search engines: a Google News sitemap of the latest stories, and robots.txt naming it.

The News sitemap (https://developers.google.com/search/docs/crawling-indexing/sitemaps/news-sitemap)
is a sitemaps.org `urlset` whose every `url` has a `news:news` with the publication's name and
language, the story's publication date (W3C Datetime) and title; it lists only stories published in
the last two days, at most 1,000. Which stories those are is the publisher's choice; this module
writes them. Pure: same stories, same bytes.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC

from lxml import etree

from ..model import Article, Site

SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
NEWS_NS = "http://www.google.com/schemas/sitemap-news/0.9"
SITEMAP_MIMETYPE = "application/xml"
ROBOTS_MIMETYPE = "text/plain"
NEWS_MAX_URLS = 1_000  # Google News: at most 1,000 news:news entries per sitemap
NEWS_WINDOW_SECONDS = 2 * 24 * 3600  # and only articles published in the last two days

_TWO_PART = {"zh-cn", "zh-tw"}  # the only codes Google takes with a region


def news_language(language: str) -> str:
    """The site's language as Google News wants it: an ISO 639 code ("en" for "en-us"), except
    zh-cn and zh-tw, which keep their region."""
    language = language.lower()
    return language if language in _TWO_PART else language.split("-")[0]


def w3c_datetime(article: Article) -> str:
    """Complete date and time to the second, in UTC ("2013-05-02T17:40:00+00:00")."""
    return article.published.astimezone(UTC).replace(microsecond=0).isoformat()


def render_news_sitemap(site: Site, articles: Sequence[Article]) -> bytes:
    """The sitemap of `articles` (newest first, already chosen: the last two days, at most 1,000)."""
    root = etree.Element(f"{{{SITEMAP_NS}}}urlset", nsmap={None: SITEMAP_NS, "news": NEWS_NS})
    for article in articles[:NEWS_MAX_URLS]:
        url = etree.SubElement(root, f"{{{SITEMAP_NS}}}url")
        etree.SubElement(url, f"{{{SITEMAP_NS}}}loc").text = article.url
        news = etree.SubElement(url, f"{{{NEWS_NS}}}news")
        publication = etree.SubElement(news, f"{{{NEWS_NS}}}publication")
        etree.SubElement(publication, f"{{{NEWS_NS}}}name").text = site.title
        etree.SubElement(publication, f"{{{NEWS_NS}}}language").text = news_language(site.language)
        etree.SubElement(news, f"{{{NEWS_NS}}}publication_date").text = w3c_datetime(article)
        etree.SubElement(news, f"{{{NEWS_NS}}}title").text = article.title
    return etree.tostring(root, pretty_print=True, xml_declaration=True, encoding="UTF-8")


def render_robots(sitemap_url: str) -> bytes:
    """robots.txt: everything may be crawled, and here is the news sitemap (RFC 9309; the Sitemap line
    is sitemaps.org's). A newsroom whose stories live on another host adds the same Sitemap line to
    that host's robots.txt, which is how search engines accept a sitemap kept elsewhere."""
    return f"User-agent: *\nAllow: /\n\nSitemap: {sitemap_url}\n".encode("ascii")
