"""What a feed is made of, before it is XML: a story's prepared body and summary, an item (story,
body, resolved related links), a feed's description (FeedInfo), and the identities and URLs every
format shares (RFC 4151 tag URIs, guids, atom:updated). RSS, Atom and JSON Feed all render these."""

from __future__ import annotations

import hashlib
import html
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache
from urllib.parse import quote

from ..model import Article, RelatedLink, Site
from ..paths import FeedKey, scope_prefix
from ..uri import QUERY_CHAR, normalize_url
from .html import body_html, html_to_text, story_summary
from .subject import Subject


@dataclass(frozen=True, slots=True)
class Prepared:
    """What rendering needs from an article's body, computed once per revision."""

    body_html: str
    summary: str


def abridge(prepared: Prepared, article: Article) -> Prepared:
    """The story as a feed too small for its body carries it: the summary, and a link to the whole."""
    summary = f"<p>{html.escape(prepared.summary, quote=False)}</p>" if prepared.summary else ""
    link = (
        f'<p><a href="{html.escape(article.url)}">Read the whole story</a> — it is too long to carry in this feed.</p>'
    )
    return Prepared(summary + link, prepared.summary)


def prepare(article: Article, markdown: str, summary_length: int, media_base_url: str | None = None) -> Prepared:
    """Markdown → sanitised HTML and the summary: the costly part, done once per article revision. A store
    photo named in the body (media/…) leads to it under `media_base_url` (the base URL photos are served at)."""
    body = body_html(markdown, article.url, media_base_url)
    # The body's text may spell out markup ("&lt;script&gt;" becomes "<script>" as text); a summary is
    # plain text, and some readers show plain text as HTML, so it loses anything tag-like too.
    summary = article.summary or story_summary(body, summary_length, article.dateline)
    return Prepared(body, summary)


@dataclass(frozen=True, slots=True)
class Item:
    article: Article
    prepared: Prepared
    related: tuple[RelatedLink, ...]  # resolved: only links a reader can follow right now


@dataclass(frozen=True)
class Webfeeds:
    """Feedly/Inoreader presentation hints (https://webfeeds.org/rss/1.0); all absolute URLs."""

    icon: str | None = None
    logo: str | None = None
    cover: str | None = None
    accent_color: str | None = None  # "8a1c1c", without the "#"


@dataclass(frozen=True)
class FeedInfo:
    """Everything about a feed that is not its items."""

    key: FeedKey
    # Not in its repr, which a feed's fingerprint is made of: the site was nine-tenths of it, and a
    # feed's identity names the site already by what it is made of, its file's digest and time
    # (publish.documents).
    site: Site = field(repr=False)
    subject: Subject | None  # None: every section
    self_url: str
    media_base_url: str
    ttl_minutes: int
    hub_url: str | None = None
    links: tuple[tuple[str, str], ...] = ()  # (rel, href): RFC 5005 current / prev-archive / next-archive
    complete: bool = False  # RFC 5005 §2: this document holds every entry of the feed
    archive_label: str | None = None  # "May 2013" for an archive document (fh:archive)
    webfeeds: Webfeeds | None = None

    @property
    def title(self) -> str:
        title = f"{self.site.title} — {self.subject.title}" if self.subject else self.site.title
        return f"{title} — {self.archive_label}" if self.archive_label else title

    @property
    def description(self) -> str:
        if self.subject:
            return self.subject.description
        return self.site.description or f"All sections of {self.site.title}"

    @property
    def site_link(self) -> str:
        return self.subject.link if self.subject else self.site.url

    @property
    def feed_id(self) -> str:
        scope = scope_prefix(self.subject.scope).rstrip("/") if self.subject else "all"
        return tag_uri(self.site, f"feed:{scope}")

    @property
    def logo(self) -> str | None:
        """The feed's image: a writer's photo in their feed, else the site's logo."""
        return (self.subject.image if self.subject else None) or store_url(self.site.logo, self.media_base_url)

    @property
    def icon(self) -> str | None:
        return (self.subject.image if self.subject else None) or store_url(self.site.icon, self.media_base_url)


def entry_updated(article: Article) -> datetime:
    """`updated` as atom:updated carries it. Stories given the same minute would share one, which the
    W3C validator warns of (DuplicateUpdated) and some readers take for one story: a time given without
    a fraction of a second gets one of 1–999 ms, fixed by the story's id — the same in every feed, and
    unchanged while the story is."""
    updated = article.updated
    if updated.microsecond:
        return updated
    return updated + _spread(article.id)


@lru_cache(maxsize=1 << 17)
def _spread(article_id: str) -> timedelta:
    """1–999 ms, fixed by the story's id: kept, since a build asks for it in every document a story is
    in (its digest was 1.5 % of a first build)."""
    spread = int.from_bytes(hashlib.blake2b(article_id.encode(), digest_size=4).digest(), "big")
    return timedelta(milliseconds=spread % 999 + 1)


def tag_uri(site: Site, specific: str) -> str:
    """RFC 4151 tag URI: stable across edits, moves of the base URL, and formats."""
    return f"tag:{site.host},{site.tag_date}:{quote(specific, safe='/:@!$&()*+,;=-._~')}"


# An id an editor gave that is already a valid URI: an RFC 4151 tag (its authority of letters of either case,
# as §2.1's alphaNum allows, digits, "-" and "."; its specific part and fragment made of RFC 3986 pchar, "/"
# and "?"), or a URN (RFC 8141: a NID of 2–32 letters, digits and hyphens; a name of the characters RFC 2141
# allows, which the W3C validator checks). The validator's own tag pattern takes lower case alone, and calls
# "tag:News.Example.com,2013:x" not a valid TAG; the id is the editor's all the same, and kept as written.
_ESCAPE = r"%[0-9A-Fa-f]{2}"
_TAG_CHAR = QUERY_CHAR  # RFC 4151 §2.1: a tag's specific part and fragment are RFC 3986 query characters
_URI_ID = re.compile(
    rf"tag:(?:[A-Za-z0-9._-]+@)?[A-Za-z0-9.-]+,\d{{4}}(?:-\d{{2}}(?:-\d{{2}})?)?:{_TAG_CHAR}*(?:#{_TAG_CHAR}*)?"
    rf"|urn:[A-Za-z0-9][A-Za-z0-9-]{{1,31}}:(?:[A-Za-z0-9()+,.:=@;$_!*'-]|{_ESCAPE})+"
)


def item_guid(article: Article, site: Site) -> tuple[str, bool]:
    """(guid, isPermaLink): the URL only when the editor declared it the story's permanent id."""
    if article.id.startswith(("http://", "https://")) and normalize_url(article.id) == article.url:
        return article.url, True
    if _URI_ID.fullmatch(article.id):
        return article.id, False  # already a tag: or urn: URI
    return tag_uri(site, article.id), False


def id_rewritten(article: Article, site: Site) -> tuple[str, str] | None:
    """(the id published, why) when an editor's id that is a URI (http(s), tag:, urn:) is not published as
    written: readers know a story by its id, so one that changed (docs/FORMAT.md, Ids) is a new item to them
    once. None for an id published as written, and for the plain ids a tag URI is made around."""
    written = article.id
    if not written.lower().startswith(("http://", "https://", "tag:", "urn:")):
        return None
    published, _ = item_guid(article, site)
    if published == written:
        return None
    if published == article.url:
        return published, "the story's url, escaped as RFC 3986 requires ('[', ']' or a second '#')"
    if written.lower().startswith(("http://", "https://")):
        return published, "it is not the story's url, so it is placed inside the site's tag URI"
    return published, "it is not a valid tag: URI (RFC 4151) or URN, so it is placed inside the site's tag URI"


def store_url(value: str | None, media_base_url: str) -> str | None:
    """A site-file image (logo, icon): store paths are served under the base URL."""
    if not value:
        return None
    if value.startswith(("http://", "https://")):
        return value
    return media_base_url + quote(value.lstrip("/"))


def content_html(item: Item) -> str:
    """The full story for readers that show only content: photo, dateline, body, related links."""
    article, parts = item.article, []
    photo = article.photo
    if photo is not None:
        size = f' width="{photo.width}" height="{photo.height}"' if photo.width and photo.height else ""
        caption = " ".join(
            html.escape(t, quote=False) for t in (photo.caption, f"({photo.credit})" if photo.credit else "") if t
        )
        parts.append(
            f'<figure><img src="{html.escape(photo.url)}" alt="{html.escape(photo.alt)}"{size}>'
            + (f"<figcaption>{caption}</figcaption>" if caption else "")
            + "</figure>"
        )
    body = item.prepared.body_html
    if len(body) < 2000 and "<img" not in body and not html_to_text(body).strip():
        # An embed alone (a video's <iframe>) sanitises to nothing, and readers prefer content to the
        # description: without this they showed an empty story. Link to its page, where the embed plays.
        body = f'<p><a href="{html.escape(article.url)}">{html.escape(article.title, quote=False)}</a></p>'
    if article.dateline and not html_to_text(body[:200]).casefold().startswith(article.dateline.casefold()):
        dateline = f"<strong>{html.escape(article.dateline, quote=False)}</strong> — "
        body = "<p>" + dateline + body[3:] if body.startswith("<p>") else f"<p>{dateline}</p>{body}"
    parts.append(body)
    if item.related:
        links = "".join(
            f'<li><a href="{html.escape(link.url)}">{html.escape(link.title, quote=False)}</a></li>'
            for link in item.related
        )
        parts.append(f"<h2>Related</h2><ul>{links}</ul>")
    return "\n".join(parts)
