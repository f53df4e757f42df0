"""Feed XML: (feed, items, site) → bytes. The only importer of feedgen, and pure: no request, no clock.

feedgen 1.0.0 traps handled here (each has a test in tests/test_feedgen_traps.py that notices an
upstream change):
- entry and feed times default to *now*: every time is set from content;
- `add_entry` prepends: entries are added with order="append";
- Atom entry links lose rel/type/length/title (python-feedgen#135): enclosure, related links and
  authors are written by our own entry extension, not `FeedEntry.link`/`author`;
- RSS `<author>` needs an email, so a byline would vanish or clash with dc:creator: RSS gets dc:creator;
- the RSS channel <link> is the last link added: the site link is added last;
- its RFC 822 date formatting calls setlocale(): serialisation runs under one lock;
- it writes its own version into <generator>: the generator is set explicitly;
- its media extension wraps media:content in media:group (rejected by the W3C validator) and has no
  media:description/credit: Media RSS is written by our extension too.
And a feedparser trap (6.0.10–6.0.14): it reads media:description as the entry's summary and keeps
it as `summary_detail` (which rss2email mails) unless a summary comes after it: see _summary_after.
"""

from __future__ import annotations

import html
import threading
from datetime import datetime
from urllib.parse import quote, urljoin

from feedgen.ext.base import BaseEntryExtension, BaseExtension
from feedgen.feed import FeedGenerator
from lxml import etree

from ..model import AUTHOR, Photo
from .feedmodel import FeedInfo, Item, content_html, entry_updated, item_guid
from .items import ItemKey, ItemTexts, splice, split

ATOM_NS = "http://www.w3.org/2005/Atom"
MEDIA_NS = "http://search.yahoo.com/mrss/"
DC_NS = "http://purl.org/dc/elements/1.1/"
FH_NS = "http://purl.org/syndication/history/1.0"  # RFC 5005
WEBFEEDS_NS = "http://webfeeds.org/rss/1.0"  # Feedly's extras, also read by Inoreader
GENERATOR = "feedsvc"
GENERATOR_URI = "https://github.com/feedsvc/feedsvc"

_SERIALISE = threading.Lock()  # feedgen's formatRFC2822 flips the process locale


# ---- feedgen extensions: what feedgen writes wrongly or not at all ---------------------------------


class _FeedExtension(BaseExtension):
    """Feed-level links and markers feedgen has no place for: WebSub hub, RFC 5005, webfeeds."""

    info: FeedInfo  # set by render_feed right after feedgen makes the extension

    def extend_ns(self) -> dict[str, str]:
        namespaces = {"media": MEDIA_NS, "dc": DC_NS}
        if self.info.complete or self.info.archive_label:
            namespaces["fh"] = FH_NS
        if self.info.webfeeds:
            namespaces["webfeeds"] = WEBFEEDS_NS
        return namespaces

    def _links(self) -> list[tuple[str, str]]:
        hub = [("hub", self.info.hub_url)] if self.info.hub_url else []
        return hub + list(self.info.links)

    def _markers(self, parent: etree._Element) -> None:
        info = self.info
        if info.complete:
            etree.SubElement(parent, f"{{{FH_NS}}}complete")
        if info.archive_label:
            etree.SubElement(parent, f"{{{FH_NS}}}archive")
        webfeeds = info.webfeeds
        if webfeeds:
            for name, value in (("icon", webfeeds.icon), ("logo", webfeeds.logo)):
                if value:
                    etree.SubElement(parent, f"{{{WEBFEEDS_NS}}}{name}").text = value
            if webfeeds.cover:
                etree.SubElement(parent, f"{{{WEBFEEDS_NS}}}cover", image=webfeeds.cover)
            if webfeeds.accent_color:
                etree.SubElement(parent, f"{{{WEBFEEDS_NS}}}accentColor").text = webfeeds.accent_color

    def extend_rss(self, feed: etree._Element) -> etree._Element:
        channel = feed[0]
        for rel, href in self._links():
            etree.SubElement(channel, f"{{{ATOM_NS}}}link", href=href, rel=rel)
        self._markers(channel)
        return feed

    def extend_atom(self, feed: etree._Element) -> etree._Element:
        for rel, href in self._links():  # Atom's own namespace is feedgen's default
            etree.SubElement(feed, "link", href=href, rel=rel)
        subject = self.info.subject
        if subject is not None and subject.scope.kind == AUTHOR:  # a writer's feed is by them (RFC 4287 §4.2.1)
            author = etree.SubElement(feed, "author")
            etree.SubElement(author, "name").text = subject.title
            if subject.person_url:
                etree.SubElement(author, "uri").text = subject.person_url
        self._markers(feed)
        return feed


class _EntryExtension(BaseEntryExtension):
    """Media RSS, enclosures, related links and bylines, written the same way in both formats."""

    item: Item  # set by _add_entry right after feedgen makes the extension
    publication: str = ""  # the site's title: the author of a story without a byline

    def extend_ns(self) -> dict[str, str]:
        return {"media": MEDIA_NS, "dc": DC_NS}

    def _media(self, parent: etree._Element, photo: Photo) -> None:
        attrs = {"url": photo.url, "medium": "image"}
        for name, value in (
            ("type", photo.mime_type),
            ("fileSize", photo.length),
            ("width", photo.width),
            ("height", photo.height),
        ):
            if value:
                attrs[name] = str(value)
        content = etree.SubElement(parent, f"{{{MEDIA_NS}}}content", attrs)
        if photo.caption:
            etree.SubElement(content, f"{{{MEDIA_NS}}}description", type="plain").text = photo.caption
        if photo.credit:
            etree.SubElement(content, f"{{{MEDIA_NS}}}credit").text = photo.credit
        thumb = {"url": photo.url}
        if photo.width and photo.height:
            thumb.update(width=str(photo.width), height=str(photo.height))
        etree.SubElement(content, f"{{{MEDIA_NS}}}thumbnail", thumb)

    def extend_rss(self, entry: etree._Element) -> etree._Element:
        article = self.item.article
        # RSS 2.0 has no per-item modification time; atom:updated is read by feedparser and others.
        etree.SubElement(entry, f"{{{ATOM_NS}}}updated").text = entry_updated(article).isoformat()
        for author in article.authors:
            etree.SubElement(entry, f"{{{DC_NS}}}creator").text = author.name
        photo = article.photo
        if photo is not None and photo.length and photo.mime_type:
            # RSS 2.0: one enclosure per item, with its true length (RSS Best Practices Profile).
            etree.SubElement(entry, "enclosure", url=photo.url, length=str(photo.length), type=photo.mime_type)
        for link in self.item.related:
            etree.SubElement(entry, f"{{{ATOM_NS}}}link", rel="related", href=link.url, title=link.title)
        if photo is not None:
            self._media(entry, photo)
        _summary_after(entry, photo, rss=True)
        return entry

    def extend_atom(self, entry: etree._Element) -> etree._Element:
        article = self.item.article
        if not article.authors:  # RFC 4287 §4.1.2: an entry has an author; without a byline, the publication
            etree.SubElement(etree.SubElement(entry, "author"), "name").text = self.publication
        for author in article.authors:
            element = etree.SubElement(entry, "author")
            etree.SubElement(element, "name").text = author.name
            if author.email:
                etree.SubElement(element, "email").text = author.email
            if author.url:
                etree.SubElement(element, "uri").text = author.url
        photo = article.photo
        if photo is not None and photo.mime_type:
            attrs = {"rel": "enclosure", "href": photo.url, "type": photo.mime_type}
            if photo.length:
                attrs["length"] = str(photo.length)
            etree.SubElement(entry, "link", attrs)
        for link in self.item.related:
            etree.SubElement(entry, "link", rel="related", href=link.url, title=link.title)
        if photo is not None:
            self._media(entry, photo)
        _summary_after(entry, photo, rss=False)
        return entry


def _summary_after(entry: etree._Element, photo: Photo | None, rss: bool) -> None:
    """The story's summary after the photo's media:description, or feedparser clients show the caption.

    feedparser (`_start_description`, `pop`) sets `summary_detail` from each summary-like element it
    reads, media:description included; one met before content becomes content instead. So an Atom
    summary moves last (order means nothing in Atom); RSS keeps `description` before content:encoded
    (RSS Best Practices Profile: the W3C validator warns otherwise) and repeats it last as atom:summary.
    """
    if photo is None or not photo.caption:
        return
    if rss:
        summary = etree.SubElement(entry, f"{{{ATOM_NS}}}summary", type="html")
        summary.text = entry.findtext("description")
    else:
        atom_summary = entry.find("summary")
        if atom_summary is not None:
            entry.remove(atom_summary)
            entry.append(atom_summary)


_ITEMS = ItemTexts()  # this process's items as feedgen wrote them (render.items)


def render_feed(info: FeedInfo, items: list[Item]) -> bytes:
    """One feed document. Same info and items → same bytes: feedgen writes the items it has not
    written before (in any document), and the document around items it has (`render.items`)."""
    fmt = info.key.format
    updated = max((entry_updated(i.article) for i in items), default=info.site.founded)
    site = info.site  # all an item's bytes depend on besides the item itself
    keys = [ItemKey(fmt, site, item) for item in items]
    texts = [_ITEMS.get(key) for key in keys]
    missing = [index for index, text in enumerate(texts) if text is None]
    if missing:
        body = _render(info, [items[index] for index in missing], updated)
        written = split(body, fmt, len(missing))
        if written is None:  # not shaped as expected: as feedgen wrote it
            return body if len(missing) == len(items) else _render(info, items, updated)
        for index, text in zip(missing, written, strict=True):
            texts[index] = text
            _ITEMS.put(keys[index], text)
        if len(missing) == len(items):
            return body
    known = [text for text in texts if text is not None]
    assert len(known) == len(items)
    return splice(_render(info, [], updated), fmt, known)


def _render(info: FeedInfo, items: list[Item], updated: datetime) -> bytes:
    """The document as feedgen writes it, with these items and this `updated`."""
    site = info.site
    fg = FeedGenerator()
    fg.register_extension("feedsvc", _FeedExtension, _EntryExtension)
    fg.feedsvc.info = info
    fg.id(info.feed_id)
    fg.title(info.title)
    fg.subtitle(info.description)
    fg.language(site.language)
    if site.copyright:
        fg.rights(site.copyright)
    fg.generator(GENERATOR, uri=GENERATOR_URI)
    fg.docs("https://www.rssboard.org/rss-specification")
    fg.updated(updated)
    fg.ttl(info.ttl_minutes)
    logo, icon = info.logo, info.icon
    if logo:
        fg.image(url=logo, title=info.title, link=info.site_link)
    if icon:
        fg.icon(icon)
    fg.link(href=info.self_url, rel="self", type=info.key.mimetype)
    fg.link(href=info.site_link, rel="alternate", type="text/html")  # last: it becomes the RSS <link>
    for item in items:
        _add_entry(fg, item, info)
    with _SERIALISE:
        serialise = fg.rss_str if info.key.format == "rss" else fg.atom_str
        document: bytes = serialise(pretty=True, encoding="UTF-8", xml_declaration=True)
    return document


def _add_entry(fg: FeedGenerator, item: Item, info: FeedInfo) -> None:
    article, site = item.article, info.site
    fe = fg.add_entry(order="append")
    fe.feedsvc.item = item
    fe.feedsvc.publication = site.title
    guid, permalink = item_guid(article, site)
    fe.guid(guid, permalink=permalink)
    fe.title(article.title)
    fe.link(href=article.url, rel="alternate", type="text/html")
    fe.published(article.published)
    fe.updated(entry_updated(article))
    section = site.section(article.section)
    categories = [
        {
            "term": article.section,
            "label": section.title if section else article.section,
            "scheme": urljoin(site.url, quote(article.section) + "/"),
        }
    ]
    categories += [{"term": tag} for tag in article.tags]
    fe.category(categories)
    summary = item.prepared.summary
    if info.key.format == "rss":
        fe.description(html.escape(summary, quote=False) or html.escape(article.title, quote=False))
    else:
        fe.summary(summary or article.title, type="text")
    fe.content(content_html(item), type="html")
