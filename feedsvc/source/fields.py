"""Each field of a story's front matter → its value in the model, or a problem: the section it names,
its dates, status, URL, photo, bylines, tags and related links; and the relative addresses in its body.
"""

from __future__ import annotations

import mimetypes
import re
import sys
from collections.abc import Callable
from datetime import datetime
from functools import partial
from typing import Any, Literal, overload
from urllib.parse import quote, urljoin, urlsplit

from ..model import Author, Photo, RelatedLink, RelatedRef, Site, Status
from ..uri import normalize_url
from . import limits
from .dates import DateError, ambiguity, parse_date
from .fieldreader import FieldReader, already_clean, did_you_mean
from .frontmatter import describe
from .links import media_path, relative_addresses
from .photos import ImageInfo, PhotoError, photo_name_problem, store_media_path

PHOTO_FIELDS = frozenset({"src", "caption", "credit", "alt", "type", "length", "width", "height"})

PhotoLookup = Callable[[str], ImageInfo]  # store path → measured image, or raises PhotoError

_URL_SAFE = re.compile(r"[A-Za-z0-9._~-]+")
_IMAGE_TYPE = re.compile(r"image/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}")  # RFC 6838 §4.2 names

_NUMBER_LIMIT = 1 << 40  # a photo's size or length: anything larger is a typo, not a photo


def body_link_warnings(markdown: str, photo_info: PhotoLookup, own_url: str) -> list[str]:
    """What to tell the editor of a body's relative addresses: a store photo that is not there (or not
    one feedsvc publishes), and any other address a reader resolves against the story's URL. A photo's
    address is named under the feeds' base URL, not with it: a reading does not depend on where the
    feeds are served (issue 17: the parse cache holds for any base URL)."""
    warnings = []
    for address in relative_addresses(markdown):
        store_path = media_path(address)
        if store_path is None:
            warnings.append(
                f"the link {describe(address)} is relative, so readers resolve it against the story's "
                f"address, to {urljoin(own_url, address)}: write an absolute URL (or a path under "
                "media/ for a photo in the store)"
            )
            continue
        problem = photo_name_problem(store_path)
        if problem is None:
            try:
                photo_info(store_path)
                continue
            except PhotoError as exc:
                problem = str(exc)
        named = describe(address) + ("" if address == store_path else f" ({store_path})")
        warnings.append(
            f"{named}: {problem}; readers get a broken image or link at {quote(store_path)} under the feeds' base URL"
        )
    return warnings


def section(reader: FieldReader, value: Any, site: Site) -> str:
    name = reader.text(value, "section", required=True)
    wanted = name.casefold()
    for section in site.sections:
        if section.slug == name or section.title.casefold() == wanted or section.slug == wanted:
            return section.slug
    known = ", ".join(f"{s.slug} ({s.title})" for s in site.sections) or "none"
    raise reader.fail("section", f"{describe(name)} is not a section of this site; declared sections: {known}")


@overload
def date(reader: FieldReader, value: Any, name: str, site: Site, *, required: Literal[True]) -> datetime: ...
@overload
def date(reader: FieldReader, value: Any, name: str, site: Site, *, required: bool = ...) -> datetime | None: ...


def date(reader: FieldReader, value: Any, name: str, site: Site, *, required: bool = False) -> datetime | None:
    if value is None or value == "":
        if required:
            raise reader.fail(name, "is required and missing")
        return None
    try:
        moment = parse_date(value, site.tz)
    except DateError as exc:
        raise reader.fail(name, f"{describe(value)} {exc}") from exc
    doubt = ambiguity(value)
    if doubt is not None:
        reader.warn(name, f"{describe(value)} {doubt}")
    return moment


def status(reader: FieldReader, value: Any) -> Status:
    if value is None:
        return Status.PUBLISHED
    text = value.strip().lower() if isinstance(value, str) else None
    if text in ("published", "draft"):
        return Status(text)
    raise reader.fail("status", f"{describe(value)} must be 'published' or 'draft'")


def url(reader: FieldReader, value: Any, site: Site, section: str, slug: str) -> str:
    given = reader.text(value, "url", plain=False, limit=limits.URL)
    if given is None:  # section slugs are URL-safe by the site file's rules
        return f"{site.url}{section}/{slug if _URL_SAFE.fullmatch(slug) else quote(slug)}"
    absolute = urljoin(site.url, given) if given.startswith("/") else given
    parts = urlsplit(absolute)
    normalized = normalize_url(absolute) if parts.scheme in ("http", "https") and parts.netloc else None
    if normalized is None:
        raise reader.fail("url", f"{describe(given)} must be an absolute http(s) URL or a path starting with '/'")
    return normalized


def photo(reader: FieldReader, value: Any, photo_info: PhotoLookup) -> Photo | None:
    if value is None:
        return None
    if isinstance(value, str):
        value = {"src": value}
    if not isinstance(value, dict):
        raise reader.fail("photo", f"must be a mapping with src, caption and credit, not {describe(value)}")
    for key in value:
        if key not in PHOTO_FIELDS:
            reader.warn(
                f"photo.{key}",
                "is not a photo field feedsvc knows; it is ignored" + did_you_mean(key, PHOTO_FIELDS, "photo."),
            )
    src = reader.text(value.get("src"), "photo.src", required=True, plain=False, limit=limits.URL)
    caption = reader.text(value.get("caption"), "photo.caption", limit=limits.CAPTION) or ""
    credit = sys.intern(reader.text(value.get("credit"), "photo.credit", limit=limits.CREDIT) or "")
    alt = reader.text(value.get("alt"), "photo.alt", limit=limits.CAPTION) or caption
    scheme = (
        "https" if src.startswith("https://") else "http" if src.startswith("http://") else urlsplit(src).scheme.lower()
    )
    if scheme in ("http", "https"):
        url = normalize_url(src)
        if url is None:
            raise reader.fail("photo.src", "is not a valid http(s) URL")
        mime = reader.text(value.get("type"), "photo.type") or mimetypes.guess_type(urlsplit(url).path)[0]
        mime = mime and sys.intern(mime)
        if mime is not None and not _IMAGE_TYPE.fullmatch(mime):
            raise reader.fail("photo.type", f"{describe(mime)} is not an image type (such as image/jpeg)")

        def number(key: str) -> int | None:
            given = value.get(key)
            if given.__class__ is str and given.isascii() and given.isdigit() and 0 < (n := int(given)) < _NUMBER_LIMIT:
                return n  # the usual case, which `_positive_int` would give back too
            return reader.optional("it is ignored", lambda: _positive_int(reader, given, f"photo.{key}"))

        return Photo(
            url=url,
            mime_type=mime,
            caption=caption,
            credit=credit,
            alt=alt,
            length=number("length"),
            width=number("width"),
            height=number("height"),
        )
    if scheme:
        raise reader.fail("photo.src", f"{describe(src)}: only http(s) URLs or paths under media/ are allowed")
    store_path = store_media_path(src)
    if store_path is None:
        raise reader.fail("photo.src", f"{describe(src)} must be a path under media/ in the store, or an http(s) URL")
    problem = photo_name_problem(store_path)
    if problem is not None:
        raise reader.fail("photo.src", f"{store_path}: {problem}")
    for key in ("type", "length", "width", "height"):
        if value.get(key) is not None:  # a null is "not given"
            reader.warn(f"photo.{key}", "is measured from the file for photos in the store; the value given is ignored")
    reader.photo_path = store_path
    try:
        info = photo_info(store_path)
    except PhotoError as exc:
        raise reader.fail("photo.src", f"{store_path}: {exc}") from exc
    return Photo(
        url=quote(store_path),
        store_path=store_path,
        mime_type=info.mime_type,
        length=info.length,
        width=info.width,
        height=info.height,
        caption=caption,
        credit=credit,
        alt=alt,
    )


def _is_http(url: str) -> bool:
    """Is `url`'s scheme http or https? The common spelling is known without splitting the URL."""
    return url.startswith(("https://", "http://")) or urlsplit(url).scheme in ("http", "https")


def _positive_int(reader: FieldReader, value: Any, name: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise reader.fail(name, f"{describe(value)} must be a whole number")
    try:
        number = int(value)
    except ValueError:
        raise reader.fail(name, f"{describe(value)} must be a whole number") from None
    if not 0 < number < _NUMBER_LIMIT:
        raise reader.fail(name, f"{describe(value)} must be a positive number")
    return number


def _not_given(value: Any) -> bool:
    """A list field that is null (`~`, `null`, nothing) or blank text: not given, so nothing to say."""
    return value is None or (value.__class__ is str and not value.strip())


def authors(reader: FieldReader, value: Any) -> tuple[Author, ...]:
    if _not_given(value):
        return ()
    authors = []
    for index, item in enumerate(reader.items(value, "authors", limits.AUTHORS)):
        if reader.empty_item(item, f"authors[{index}]", "that author is left out"):
            continue
        author = reader.optional("that author is left out", partial(_author, reader, item, f"authors[{index}]"))
        if author is not None:
            authors.append(author)
    return tuple(authors)


_AUTHORS: dict[tuple[str, str | None, str | None], Author] = {}  # one Author per byline, shared


def _shared_author(name: str, email: str | None = None, link: str | None = None) -> Author:
    """The same Author object for the same byline: a newsroom's stories share a few hundred bylines,
    and a worker holds every story (issue 17: memory per worker at 100,000 stories)."""
    key = (name, email, link)
    author = _AUTHORS.get(key)
    if author is None:
        if len(_AUTHORS) >= 10_000:
            _AUTHORS.clear()
        author = _AUTHORS[key] = Author(sys.intern(name), email, link)
    return author


def _author(reader: FieldReader, item: Any, where: str) -> Author | None:
    if not isinstance(item, dict):
        name = reader.text(item, where, limit=limits.AUTHOR)
        return _shared_author(name) if name else None
    name = reader.text(item.get("name"), f"{where}.name", required=True, limit=limits.AUTHOR)
    email = reader.optional(
        "it is left out", lambda: reader.text(item.get("email"), f"{where}.email", plain=False, limit=limits.EMAIL)
    )
    if email is not None and ("@" not in email or any(c in email for c in '<> "')):
        reader.warn(f"{where}.email", f"{describe(email)} is not an email address; it is left out")
        email = None
    link = reader.optional(
        "it is left out", lambda: reader.text(item.get("url"), f"{where}.url", plain=False, limit=limits.URL)
    )
    if link is not None:
        normalized = normalize_url(link) if _is_http(link) else None
        if normalized is None:
            reader.warn(f"{where}.url", f"{describe(link)} is not an http(s) URL; it is left out")
        link = normalized
    return _shared_author(name, email, link)


def tags(reader: FieldReader, value: Any) -> tuple[str, ...]:
    if _not_given(value):
        return ()
    items = value if isinstance(value, list) else [value]
    tags: dict[str, None] = {}  # in order, each once: a dict, as a list's `in` made 80,000 tags take a minute
    for index, item in enumerate(items):
        if already_clean(item, limits.TAG):  # most tags: no need to ready a message or a way out
            tag: str | None = item
        elif reader.empty_item(item, f"tags[{index}]", "that tag is left out"):
            continue
        else:
            tag = reader.optional(
                "that tag is left out", partial(reader.text, item, f"tags[{index}]", limit=limits.TAG)
            )
        if tag and tag not in tags:
            if len(tags) == limits.TAGS:  # counted once each, as published
                reader.warn(
                    "tags",
                    f"has {len(items):,} items, over the limit of {limits.TAGS}; the first {limits.TAGS} are kept",
                )
                break
            tags[sys.intern(tag)] = None  # one string per tag, however many stories carry it
    return tuple(tags)


def related(reader: FieldReader, value: Any, own_url: str) -> tuple[RelatedLink | RelatedRef, ...]:
    if _not_given(value):
        return ()
    links: list[RelatedLink | RelatedRef] = []
    for index, item in enumerate(reader.items(value, "related", limits.RELATED)):
        if reader.empty_item(item, f"related[{index}]", "that link is left out"):
            continue
        link = reader.optional(
            "that link is left out", partial(_related_link, reader, item, f"related[{index}]", own_url)
        )
        if link is not None:
            links.append(link)
    return tuple(links)


def _related_link(reader: FieldReader, item: Any, where: str, own_url: str) -> RelatedLink | RelatedRef | None:
    if not isinstance(item, dict):
        target = reader.text(item, where, plain=False, limit=limits.URL)
        return RelatedRef(target) if target else None
    title = reader.text(item.get("title"), f"{where}.title", required=True, limit=limits.TITLE)
    href = reader.text(item.get("url"), f"{where}.url", required=True, plain=False, limit=limits.URL)
    absolute = href if href.startswith(("https://", "http://")) else urljoin(own_url, href)
    normalized = normalize_url(absolute) if _is_http(absolute) else None
    if normalized is None:
        raise reader.fail(f"{where}.url", f"{describe(href)} must be an http(s) URL")
    return RelatedLink(title, normalized)
