"""Script spotting, for the hostile-input tests: what in a served document (feed, OPML, page) could run
script or load active content in a reader or a browser, each finding named by kind and place.

A finding is (kind, where, what): kind "html" for fields that are HTML (content, RSS item
descriptions, JSON content_html), "text" for plain-text fields (titles, categories, names, captions,
summaries — plain by the spec, but some readers put them into a page unescaped), "url" for links and
ids, "page" for the pages for people.
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser

from feedsvc.render.pages import NO_ICON

from .feeds import xml
from .hostile import read_feed

DANGEROUS_ELEMENTS = frozenset(
    {
        "script",
        "iframe",
        "frame",
        "frameset",
        "object",
        "embed",
        "applet",
        "style",
        "base",
        "meta",
        "form",
        "link",
        "svg",
        "math",
        "template",
        "noscript",
        "input",
        "button",
        "textarea",
        "select",
        "isindex",
        "xml",
        "import",
    }
)
URL_ATTRIBUTES = frozenset(
    {
        "href",
        "src",
        "action",
        "formaction",
        "background",
        "poster",
        "cite",
        "data",
        "codebase",
        "xlink:href",
        "dynsrc",
        "lowsrc",
        "longdesc",
        "usemap",
        "manifest",
        "ping",
        "srcset",
        "content",
        "profile",
        "classid",
        "archive",
        "icon",
    }
)
DANGEROUS_SCHEMES = ("javascript:", "vbscript:", "data:", "livescript:", "mocha:")
_URL_NOISE = re.compile(r"[\x00-\x20\x7f]")  # browsers drop these before reading a scheme (WHATWG URL)
_NOT_IN_URI = re.compile(r'[<>"`\x00-\x20\x7f]')  # RFC 3986: never raw in a URI; markup when shown unescaped
URL_KEYS = frozenset(
    {
        "href",
        "url",
        "link",
        "id",
        "guid",
        "src",
        "uri",
        "comments",
        "license",
        "docs",
        "scheme",
        "domain",
        "image",
        "icon",
        "favicon",
        "home_page_url",
        "feed_url",
        "external_url",
        "banner_image",
        "xmlUrl",
        "htmlUrl",
    }
)
HTML_TYPES = ("text/html", "application/xhtml+xml", "html", "xhtml")

Finding = tuple[str, str, str]


def dangerous_url(value: str) -> bool:
    """Would a browser run or inline this URL? (after stripping whitespace and controls, any case)"""
    return _URL_NOISE.sub("", value).lower().startswith(DANGEROUS_SCHEMES)


def url_findings(value: str, where: str) -> list[Finding]:
    """A URL or id a document publishes: no script scheme, no raw markup characters (RFC 3986 wants them %-encoded)."""
    if dangerous_url(value):
        return [("url", where, f"a script URL: {value!r}")]
    bad = "".join(sorted(set(_NOT_IN_URI.findall(value))))
    return [("url", where, f"not a valid URI (raw {bad!r}): {value!r}")] if bad else []


class _Inspector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in DANGEROUS_ELEMENTS:
            self.found.append(f"<{tag}> element")
        for name, value in attrs:
            if name.startswith("on") or name in ("style", "srcdoc", "http-equiv"):
                self.found.append(f"{name}= on <{tag}>")
            elif name in URL_ATTRIBUTES and value:
                urls = [u.strip().split(" ")[0] for u in value.split(",")] if name == "srcset" else [value]
                if any(dangerous_url(u) for u in urls):
                    self.found.append(f"{name}={value!r} on <{tag}>")

    handle_startendtag = handle_starttag


def script_in_html(fragment: str) -> list[str]:
    """What in `fragment`, read as HTML by a browser, could run script or load active content."""
    if "<" not in fragment:  # no tag, so nothing to find (a character reference never makes one)
        return []
    inspector = _Inspector()
    inspector.feed(fragment)
    inspector.close()
    return inspector.found


def _text_findings(value: str, where: str, kind: str) -> list[Finding]:
    return [(kind, where, what) for what in script_in_html(value)]


def feedparser_findings(value, where: str = "", kind: str = "text") -> list[Finding]:
    """feedparser's view (already unescaped): each string read as HTML, each URL-ish key checked.
    A string is "html" when feedparser says its type is HTML (its `_detail`, or the detail itself)."""
    found: list[Finding] = []
    if isinstance(value, dict):
        own = "html" if str(value.get("type", "")) in HTML_TYPES and "value" in value else "text"
        for key, item in value.items():
            if key.endswith("_parsed") or key in ("bozo_exception", "headers", "namespaces"):
                continue
            if isinstance(item, str):
                if key in URL_KEYS:
                    found += url_findings(item, f"{where}.{key}")
                    continue
                detail = value.get(key + "_detail")
                item_kind = (
                    own
                    if key == "value"
                    else ("html" if isinstance(detail, dict) and detail.get("type") in HTML_TYPES else "text")
                )
                found += _text_findings(item, f"{where}.{key}", item_kind)
            else:
                found += feedparser_findings(item, f"{where}.{key}")
    elif isinstance(value, (list, tuple)):
        for index, item in enumerate(value):
            found += feedparser_findings(item, f"{where}[{index}]")
    elif isinstance(value, str):
        found += _text_findings(value, where, kind)
    return found


def _xml_kind(element) -> str:
    local = element.tag.rsplit("}", 1)[-1]
    parent = element.getparent()
    parent_local = parent.tag.rsplit("}", 1)[-1] if parent is not None and isinstance(parent.tag, str) else ""
    if local == "encoded" or (local == "description" and parent_local == "item"):
        return "html"
    if local in ("content", "summary", "title", "subtitle", "rights") and element.get("type") in HTML_TYPES:
        return "html"
    return "text"


def xml_findings(body: bytes) -> list[Finding]:
    """A raw XML document (feed or OPML): every element's text (unescaped by the XML parser) and every
    attribute read as HTML, every URL-like element and attribute checked as a URL."""
    found: list[Finding] = []
    for element in xml(body).iter():
        if not isinstance(element.tag, str):
            continue
        local = element.tag.rsplit("}", 1)[-1]
        if element.text and element.text.strip():
            if local in ("id", "guid", "link", "uri", "url", "docs", "comments", "icon", "logo", "loc"):
                found += url_findings(element.text, f"<{local}>")
            else:
                found += _text_findings(element.text, f"<{local}>", _xml_kind(element))
        for name, value in element.attrib.items():
            short = name.rsplit("}", 1)[-1]
            if short in URL_KEYS or short.lower().endswith(("url", "href", "src")):
                found += url_findings(value, f"<{local} {short}>")
            elif short not in ("type", "rel", "medium", "version", "length", "fileSize", "width", "height"):
                found += _text_findings(value, f"<{local} {short}>", "text")
    return found


def json_findings(value, where: str = "") -> list[Finding]:
    """A JSON Feed: content_html is HTML, every other string plain text, URL-valued keys are URLs."""
    found: list[Finding] = []
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(item, str):
                if key in URL_KEYS or key.endswith("url"):
                    found += url_findings(item, f"{where}.{key}")
                else:
                    found += _text_findings(item, f"{where}.{key}", "html" if key == "content_html" else "text")
            else:
                found += json_findings(item, f"{where}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += json_findings(item, f"{where}[{index}]")
    return found


# The page template's own elements and attributes: anything else in a page came from store text.
PAGE_ELEMENTS = {
    "html": {"lang", "dir"},
    "head": set(),
    "meta": {"charset", "name", "content"},
    "title": set(),
    "link": {"rel", "type", "title", "href"},
    "style": set(),
    "body": set(),
    "header": set(),
    "p": {"class"},
    "a": {"href", "type", "class", "rel"},
    "nav": {"aria-label"},
    "main": set(),
    "h1": set(),
    "h2": {"id"},
    "section": {"class", "aria-labelledby"},
    "div": {"class", "style"},
    "label": {"for"},
    "input": {"id", "type", "readonly", "value"},
    "article": set(),
    "time": {"datetime"},
    "figure": set(),
    "img": {"src", "alt", "width", "height", "loading"},
    "figcaption": set(),
    "span": {"class"},
    "ul": {"class"},
    "li": set(),
    "strong": set(),
    "footer": set(),
    "br": set(),
    "code": {"class", "id"},
}


class _PageInspector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self.counts: dict[str, int] = {}

    def handle_starttag(self, tag, attrs):
        self.counts[tag] = self.counts.get(tag, 0) + 1
        allowed = PAGE_ELEMENTS.get(tag)
        if allowed is None:
            self.found.append(f"<{tag}> is not an element of the page template")
            return
        attributes = dict(attrs)
        for name, value in attrs:
            if name == "href" and attributes == {"rel": "icon", "href": NO_ICON}:
                continue  # the template's own empty icon, for a site file without one (store text is never data:)
            if name not in allowed:
                self.found.append(f"{name}= on <{tag}> is not an attribute of the page template")
            elif name in ("href", "src") and not (value or "").removeprefix("feed:").startswith(
                ("https://", "http://")
            ):
                self.found.append(f"{name}={value!r} on <{tag}> is not an absolute http(s) URL (or its feed: URI)")
            elif name == "style" and not re.fullmatch(r"aspect-ratio:[0-9]+/[0-9]+", value or ""):
                self.found.append(f"style={value!r} on <{tag}> is not a photo's aspect ratio")
        template_meta = (
            "charset" in attributes
            or attributes.get("name") in ("viewport", "description")
            or attributes == {"name": "robots", "content": "noindex"}
        )  # a subscribe page's own
        if tag == "meta" and not template_meta:
            self.found.append(f"<meta {attributes}>")
        if tag == "link" and attributes.get("rel") not in ("alternate", "outline", "icon"):
            self.found.append(f"<link {attributes}>")

    handle_startendtag = handle_starttag


def page_findings(body: bytes) -> list[Finding]:
    """A page for people: only the template's elements and attributes, one style sheet, no script."""
    inspector = _PageInspector()
    inspector.feed(body.decode("utf-8"))
    inspector.close()
    found = [("page", "page", what) for what in inspector.found]
    counts = inspector.counts
    if counts.get("style") != 1 or counts.get("title") != 1 or counts.get("input", 0) > 1:
        found.append(("page", "page", f"template-only elements were added: {counts}"))
    return found


def findings(path: str, body: bytes) -> list[Finding]:
    """Everything in one served document that could run script in a reader or a browser."""
    name = path.rsplit("/", 1)[-1]
    if name == "feed.json":
        return json_findings(json.loads(body))
    if name in ("rss.xml", "atom.xml"):
        return xml_findings(body) + feedparser_findings(read_feed(path, body))
    if name.endswith((".opml", "sitemap.xml")):
        return xml_findings(body)
    if name == "robots.txt":  # no store text in it: it names the sitemap, nothing else
        return [] if body.decode("ascii").count("\n") == 4 else [("text", "robots.txt", body.decode("ascii"))]
    return page_findings(body)
