"""OPML 2.0 (http://opml.org/spec2.opml): a list of feeds in one file, so a reader can subscribe to all
of them at once — every section's (`feeds.opml`), every writer's, every tag's. One outline per feed, in
RSS (listing Atom and JSON too would make readers subscribe to each story three times)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from email.utils import format_datetime

from lxml import etree

from ..model import Site

OPML_MIMETYPE = "text/x-opml"


@dataclass(frozen=True)
class Outline:
    """One feed in the list: its name, RSS address, web page and description."""

    title: str
    xml_url: str
    html_url: str
    description: str = ""


def render_opml(site: Site, title: str, outlines: Sequence[Outline], modified: datetime | None) -> bytes:
    root = etree.Element("opml", version="2.0")
    head = etree.SubElement(root, "head")
    etree.SubElement(head, "title").text = title
    if modified is not None:
        etree.SubElement(head, "dateModified").text = format_datetime(modified, usegmt=True)
    body = etree.SubElement(root, "body")
    # `text` alone: OPML 2.0 gives `title` only to type="rss" outlines, and the W3C validator warns of a
    # folder with more (MissingOutlineType); it also rejects 2.0's optional head `<docs>`, so none is written.
    folder = etree.SubElement(body, "outline", text=site.title)
    for outline in outlines:
        attributes = {
            "type": "rss",
            "version": "RSS2",
            "text": outline.title,  # readers name the subscription after `text`
            "title": outline.title,
            "xmlUrl": outline.xml_url,
            "htmlUrl": outline.html_url,
            "language": site.language,
        }
        if outline.description:
            attributes["description"] = outline.description
        etree.SubElement(folder, "outline", attributes)
    return etree.tostring(root, pretty_print=True, xml_declaration=True, encoding="UTF-8")
