"""OPML 2.0 (http://opml.org/spec2.opml): every section's feed in one file, so a reader can subscribe
to the whole publication at once. One outline per section, in RSS (listing Atom and JSON too would
make readers subscribe to each story three times)."""
from __future__ import annotations

from datetime import datetime
from email.utils import format_datetime

from lxml import etree

from ..model import Site
from ..paths import FeedKey

OPML_MIMETYPE = "text/x-opml"


def render_opml(site: Site, base_url: str, modified: datetime | None) -> bytes:
    root = etree.Element("opml", version="2.0")
    head = etree.SubElement(root, "head")
    etree.SubElement(head, "title").text = f"{site.title} — every section"
    if modified is not None:
        etree.SubElement(head, "dateModified").text = format_datetime(modified, usegmt=True)
    etree.SubElement(head, "docs").text = "http://opml.org/spec2.opml"
    body = etree.SubElement(root, "body")
    folder = etree.SubElement(body, "outline", text=site.title, title=site.title)
    for section in site.sections:
        attributes = {
            "type": "rss",
            "version": "RSS2",
            "text": f"{site.title} — {section.title}",   # readers name the subscription after `text`
            "title": f"{site.title} — {section.title}",
            "xmlUrl": base_url + FeedKey(section.slug, "rss").path,
            "htmlUrl": f"{site.url}{section.slug}/",
            "language": site.language,
        }
        if section.description:
            attributes["description"] = section.description
        etree.SubElement(folder, "outline", attributes)
    return etree.tostring(root, pretty_print=True, xml_declaration=True, encoding="UTF-8")
