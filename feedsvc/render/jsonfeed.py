"""JSON Feed 1.1 (https://www.jsonfeed.org/version/1.1/): the same feed, items and photo as RSS and Atom.

What JSON Feed has no field for travels in a `_feedsvc` extension object (the spec reserves keys that
start with an underscore for extensions): related links, the photo's caption and credit, the section.
Pure, like render.py: same info and items, same bytes.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from ..model import AUTHOR
from .feedmodel import FeedInfo, Item, content_html, item_guid
from .items import ItemKey, ItemTexts

VERSION = "https://jsonfeed.org/version/1.1"
EXTENSION_DOCS = "https://github.com/feedsvc/feedsvc/blob/main/docs/JSONFEED.md"


def _time(moment: datetime) -> str:
    return moment.isoformat()  # aware UTC: RFC 3339, as JSON Feed requires


def _item(item: Item, info: FeedInfo) -> dict[str, Any]:
    article, site = item.article, info.site
    section = site.section(article.section)
    entry: dict[str, Any] = {
        "id": item_guid(article, site)[0],
        "url": article.url,
        "title": article.title,
        "content_html": content_html(item),
        "summary": item.prepared.summary or article.title,
        "date_published": _time(article.published),
        "date_modified": _time(article.updated),
    }
    if article.authors:
        entry["authors"] = [{"name": a.name, **({"url": a.url} if a.url else {})} for a in article.authors]
    tags = [section.title if section else article.section, *article.tags]
    entry["tags"] = list(dict.fromkeys(tags))
    extension: dict[str, Any] = {
        "section": {"slug": article.section, "title": section.title if section else article.section}
    }
    photo = article.photo
    if photo is not None:
        entry["image"] = photo.url
        if photo.mime_type:
            attachment: dict[str, Any] = {"url": photo.url, "mime_type": photo.mime_type}
            if photo.caption:
                attachment["title"] = photo.caption
            if photo.length:
                attachment["size_in_bytes"] = photo.length
            entry["attachments"] = [attachment]
        extension["photo"] = {
            key: value
            for key, value in (
                ("url", photo.url),
                ("caption", photo.caption),
                ("credit", photo.credit),
                ("alt", photo.alt),
                ("width", photo.width),
                ("height", photo.height),
            )
            if value
        }
    if item.related:
        extension["related"] = [{"title": link.title, "url": link.url} for link in item.related]
    entry["_feedsvc"] = extension
    return entry


def render_json_feed(info: FeedInfo, items: list[Item]) -> bytes:
    site = info.site
    feed: dict[str, Any] = {
        "version": VERSION,
        "title": info.title,
        "home_page_url": info.site_link,
        "feed_url": info.self_url,
        "description": info.description,
        "language": site.language,
    }
    icon = info.icon
    if icon:
        feed["icon"] = icon
        feed["favicon"] = icon
    subject = info.subject
    if subject is not None and subject.scope.kind == AUTHOR:
        feed["authors"] = [
            {
                "name": subject.title,
                **({"url": subject.person_url} if subject.person_url else {}),
                **({"avatar": subject.image} if subject.image else {}),
            }
        ]
    if info.hub_url:
        feed["hubs"] = [{"type": "WebSub", "url": info.hub_url}]
    feed["_feedsvc"] = {
        "about": EXTENSION_DOCS,
        "updated": _time(max((i.article.updated for i in items), default=site.founded)),
        **({subject.scope.kind: {"slug": subject.scope.slug, "title": subject.title}} if subject else {}),
        **({"copyright": site.copyright} if site.copyright else {}),
    }
    feed["items"] = []  # last: the items' text goes where the empty list is
    document = json.dumps(feed, ensure_ascii=False, indent=2)
    if not items:
        return (document + "\n").encode("utf-8")
    assert document.endswith(_NO_ITEMS)
    texts = b",\n".join([_item_text(item, info) for item in items])
    return document[: -len(_NO_ITEMS)].encode("utf-8") + b"[\n" + texts + b"\n  ]\n}\n"


_NO_ITEMS = "[]\n}"
# This process's items as json.dumps wrote them. JSON Feeds are the subscription feeds' only (no
# archives): the newest stories of each scope, 2,000 distinct in the 10,000-story bench store's 122
# JSON Feeds, about 16 MB, which the service keeps warm; more would only hold what no feed shows.
_ITEMS = ItemTexts(limit=16 << 20)


def _item_text(item: Item, info: FeedInfo) -> bytes:
    """An item as `json.dumps(feed, indent=2)` writes it in the feed's list, two levels deep: written
    once per process and reused (a story is in its section's, writers' and tags' feeds). JSON strings
    hold no raw newline, so indenting every line of it alone gives the same text; json.dumps with an
    indent is the pure-Python encoder, which was 3 % of a first build."""
    key = ItemKey("json", info.site, item)
    text = _ITEMS.get(key)
    if text is None:
        written = json.dumps(_item(item, info), ensure_ascii=False, indent=2)
        text = ("    " + written.replace("\n", "\n    ")).encode("utf-8")
        _ITEMS.put(key, text)
    return text
