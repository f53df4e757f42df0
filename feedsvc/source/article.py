"""One article file's bytes → an Article, or the named problems that keep it out.

Pure apart from the `photo_info` callback the store passes in: the same bytes, site and photo always
give the same Article, so the service and the static build agree.
"""
from __future__ import annotations

import difflib
import hashlib
import mimetypes
import posixpath
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from typing import Any, Literal, TypeVar, overload
from urllib.parse import quote, urljoin, urlsplit

import yaml

from ..model import Article, Author, Photo, Problem, RelatedLink, RelatedRef, Site, Status
from ..uri import normalize_url
from . import frontmatter, limits
from .dates import DateError, ambiguity, parse_date
from .links import media_path, relative_addresses
from .frontmatter import describe
from .photos import MEDIA_DIR, ImageInfo, PhotoError, photo_name_problem
from .text import decode_references, forbidden_removed, plain_text, shorten, xml_clean

KNOWN_FIELDS = frozenset({"id", "title", "section", "published", "updated", "slug", "url", "authors",
                          "author", "dateline", "summary", "tags", "status", "photo", "related"})
PHOTO_FIELDS = frozenset({"src", "caption", "credit", "alt", "type", "length", "width", "height"})
FIELD_NAMES = KNOWN_FIELDS - {"author"}       # what a misspelt name is matched against: `author` is an alias

PhotoLookup = Callable[[str], ImageInfo]  # store path → measured image, or raises PhotoError


@dataclass
class ParseResult:
    article: Article | None
    problems: list[Problem] = field(default_factory=list)
    photo_path: str | None = None   # the store photo this article depends on, if any
    body: str | None = None         # the Markdown body, kept only when the reader is asked to (builds)
    # A story left out still names the related ids it links to, (index, id), so the store can say in the
    # same run which of them no story has (a published story's links are the store's to follow).
    related_ids: tuple[tuple[int, str], ...] = ()


_SINGLE_SPACED = re.compile(r"\S+(?: \S+)*")
_WHITESPACE = re.compile(r"\s")
_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9:-]*)[^<>]*?(/?)>")
_VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source",
                   "track", "wbr"})
MAX_HTML_DEPTH = 1000     # HTML parsers slow down with the square of nesting; no story nests this deep


def html_depth(markdown: str) -> int:
    """How deeply the raw HTML in a body nests, counted roughly as a browser would (a guard, not a
    parser): "/>" closes nothing, void elements (br, img, …) do not nest, and an end tag closes only
    an element that is open — a stray one changes nothing."""
    stack: list[str] = []
    open_count: dict[str, int] = {}
    deepest = 0
    for closing, name, _ in _TAG.findall(markdown):
        name = name.lower()
        if closing:
            if open_count.get(name):
                while True:                       # close it, and whatever is still open inside it
                    top = stack.pop()
                    open_count[top] -= 1
                    if top == name:
                        break
        elif name not in _VOID:
            stack.append(name)
            open_count[name] = open_count.get(name, 0) + 1
            deepest = max(deepest, len(stack))
    return deepest
_URL_SAFE = re.compile(r"[A-Za-z0-9._~-]+")
_IMAGE_TYPE = re.compile(r"image/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}")     # RFC 6838 §4.2 names


class _Reject(Exception):
    """Stops parsing one file; the problem is already recorded."""


class _LeftOut(Exception):
    """Stops reading one optional part of a story (its photo, a link…); the warning is already recorded."""


T = TypeVar("T")


class _Reader:
    """Reads fields off the front matter, recording problems against the editor's file name."""

    def __init__(self, display_path: str) -> None:
        self.display_path = display_path
        self.escapes = True     # whether YAML escapes may have produced characters XML forbids
        self.problems: list[Problem] = []
        self.photo_path: str | None = None  # recorded even when the photo is bad, so its arrival is noticed
        self._left_out: str | None = None   # while reading an optional part: what a problem in it costs
        self.related_ids: tuple[tuple[int, str], ...] = ()

    def error(self, field_name: str | None, message: str) -> None:
        self.problems.append(Problem(self.display_path, field_name, message, "error"))

    def warn(self, field_name: str | None, message: str) -> None:
        self.problems.append(Problem(self.display_path, field_name, message, "warning"))

    def fail(self, field_name: str | None, message: str) -> Exception:
        """The exception to raise for a problem: in an optional part, a warning that leaves that part
        out; anywhere else, an error that keeps the story out."""
        if self._left_out is not None:
            self.warn(field_name, f"{message}; {self._left_out}")
            return _LeftOut()
        self.error(field_name, message)
        return _Reject()

    def collect(self, read: Callable[[], T]) -> T | None:
        """`read()`, or None when what it reads has an error: the error is recorded and the parse goes on
        with the next field, so one `check` names every problem of a file, not the first alone (the
        story is left out once every field has been read)."""
        try:
            return read()
        except _Reject:
            return None

    def optional(self, consequence: str, read: Callable[[], T]) -> T | None:
        """`read()`, or None when a problem in what it reads leaves that part out (`consequence` says
        so in the warning): a newsroom publishes a story without its photo rather than hold it."""
        outer, self._left_out = self._left_out, consequence
        try:
            return read()
        except _LeftOut:
            return None
        finally:
            self._left_out = outer

    @overload
    def text(self, value: Any, name: str, *, required: Literal[True], plain: bool = ...,
             limit: int | None = ...) -> str: ...
    @overload
    def text(self, value: Any, name: str, *, required: bool = ..., plain: bool = ...,
             limit: int | None = ...) -> str | None: ...

    def text(self, value: Any, name: str, *, required: bool = False, plain: bool = True,
             limit: int | None = None) -> str | None:
        """The field as clean text (None if not given): plain text loses markup, and one over `limit`
        characters is cut at a word; text that is not plain (URLs, ids) over `limit` is a problem."""
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                raise self.fail(name, "is required and missing" if value is None else "is empty")
            return None
        if value.__class__ is not str:
            if isinstance(value, bool) or not isinstance(value, (str, int, float)):
                raise self.fail(name, f"must be text, not {describe(value)}")
            value = str(value)
        text: str = value
        if self.escapes:
            text, removed = xml_clean(text)
            if removed:
                self.warn(name, forbidden_removed(removed))
        if plain and "&" in text:
            text = decode_references(text)
        stripped = False
        if plain and "<" in text:
            text, stripped = plain_text(text)
        if not _SINGLE_SPACED.fullmatch(text):
            text = " ".join(text.split())
        if not text:
            if not stripped and required:
                raise self.fail(name, "is empty")
            if stripped:
                message = "is only markup, and this field is plain text"
                if required:
                    raise self.fail(name, message)
                self.warn(name, f"{message}; it is left out")
            return None
        if stripped:
            self.warn(name, "HTML markup was removed (this field is plain text)")
        if limit is not None and len(text) > limit:
            message = f"is {len(text):,} characters, over the {limit:,}-character limit"
            if not plain:                           # a URL or an id cut short would be another one
                raise self.fail(name, message)
            self.warn(name, f"{message}; it is cut at a word")
            text = shorten(text, limit)
        return text

    def items(self, value: Any, name: str, limit: int) -> list[Any]:
        """A list field's items (one value is a list of one), the first `limit` of them."""
        items = value if isinstance(value, list) else [value]
        if len(items) > limit:
            self.warn(name, f"has {len(items):,} items, over the limit of {limit}; the first {limit} are kept")
        return items[:limit]


def split_front_matter(text: str) -> tuple[str, str] | None:
    """(yaml, body) for a file that starts with a `---` line and has a closing `---` or `...` line."""
    if not text.startswith("---"):
        return None
    first_newline = text.find("\n")
    if first_newline < 0 or text[:first_newline].rstrip() != "---":
        return None
    position = first_newline + 1
    while position <= len(text):
        end = text.find("\n", position)
        line = text[position:] if end < 0 else text[position:end]
        if line.rstrip() in ("---", "..."):
            return text[first_newline + 1:position], ("" if end < 0 else text[end + 1:])
        if end < 0:
            return None
        position = end + 1
    return None


def file_text(data: bytes) -> tuple[str, int]:
    """The file as text: UTF-8 (BOM dropped), Unix newlines, XML-forbidden characters removed (and how many).

    Raises UnicodeDecodeError for bytes that are not UTF-8.
    """
    text = data.decode("utf-8").removeprefix("\ufeff")
    text, removed = xml_clean(text)
    return text.replace("\r\n", "\n"), removed


def file_digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def read_body(data: bytes) -> str | None:
    """The Markdown body of an article file's bytes (what the parser saw), or None if it has none."""
    try:
        parts = split_front_matter(file_text(data)[0])
    except UnicodeDecodeError:
        return None
    return parts[1].strip("\n") if parts else None


def _default_id(relpath: str) -> str:
    return relpath[:-3] if relpath.endswith(".md") else relpath


def store_media_path(src: str) -> str | None:
    """Normalise a photo `src` to a path under media/, or None if it points anywhere else (whether the
    file there may be a photo is `photos.photo_file`'s to say)."""
    path = posixpath.normpath(src.lstrip("/"))
    if path.startswith("../") or path == ".." or not path.startswith(MEDIA_DIR + "/"):
        return None
    return path


def parse_article(relpath: str, data: bytes, site: Site, photo_info: PhotoLookup, *,
                  media_base_url: str, display_root: str = "", keep_body: bool = False) -> ParseResult:
    """Turn one file's bytes into an Article; every problem names the file and the field."""
    reader = _Reader(display_root + relpath)
    try:
        result = _parse(relpath, data, site, photo_info, media_base_url, reader)
        if keep_body:
            result.body = read_body(data)
        return result
    except _Reject:
        return ParseResult(None, reader.problems, reader.photo_path, related_ids=reader.related_ids)
    except Exception as exc:  # noqa: BLE001 — a file must never take the store down
        reader.error(None, f"could not be read ({type(exc).__name__}: {exc}); please report this")
        return ParseResult(None, reader.problems, reader.photo_path)


def _parse(relpath: str, data: bytes, site: Site, photo_info: PhotoLookup, media_base_url: str,
           reader: _Reader) -> ParseResult:
    try:
        text, removed = file_text(data)
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise reader.fail(None, f"is not UTF-8 (byte 0x{data[exc.start]:02x} on line {line}); save it as UTF-8") from exc
    if removed:
        reader.warn(None, forbidden_removed(removed))
    parts = split_front_matter(text)
    if parts is None:
        raise reader.fail("front matter", "missing: the file must start with a '---' line, then the YAML "
                                          "fields, then another '---' line, then the body")
    front, body = parts
    reader.escapes = "\\" in front     # only YAML escapes can bring back what file_text removed
    try:
        meta = frontmatter.load(front, first_line=2)
    except frontmatter.DuplicateKeyError as exc:
        raise reader.fail("front matter", f"{exc}; keep one") from exc
    except (frontmatter.TagError, frontmatter.KeyTypeError) as exc:
        raise reader.fail("front matter", str(exc)) from exc
    except frontmatter.TooLargeError as exc:
        raise reader.fail(exc.field or "front matter", str(exc)) from exc
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f" at line {mark.line + 2}, column {mark.column + 1}" if mark else ""
        raise reader.fail("front matter", f"is not valid YAML: {exc.problem}{where}") from exc
    except (yaml.YAMLError, ValueError, RecursionError, OverflowError, MemoryError) as exc:
        raise reader.fail("front matter", f"is not valid YAML ({type(exc).__name__})") from exc
    if not isinstance(meta, dict):
        raise reader.fail("front matter", f"must be a mapping of fields, not {describe(meta)}")
    for key in meta:
        if not isinstance(key, str):
            reader.error("front matter", f"has a field name that is not text ({describe(key)})")
        elif key not in KNOWN_FIELDS:
            reader.warn(key, "is not a field feedsvc knows; it is ignored" + _did_you_mean(key, FIELD_NAMES))

    # Every field is read, even after an error in another: the story is left out at the end, and one
    # run of `check` has named all its problems.
    title = reader.collect(lambda: reader.text(meta.get("title"), "title", required=True, limit=limits.TITLE))
    section = reader.collect(lambda: _section(reader, meta.get("section"), site))
    published = reader.collect(lambda: _date(reader, meta.get("published"), "published", site, required=True))
    updated = reader.collect(lambda: _date(reader, meta.get("updated"), "updated", site)) or published
    if published is not None and updated < published:
        reader.error("updated", f"{describe(meta.get('updated'))} is before published "
                                f"({describe(meta.get('published'))}); a correction cannot predate the story")
    status = reader.collect(lambda: _status(reader, meta.get("status")))

    slug = reader.collect(lambda: reader.text(meta.get("slug"), "slug", plain=False, limit=limits.URL)) or \
        posixpath.basename(_default_id(relpath))
    if "/" in slug or slug in (".", ".."):
        reader.error("slug", f"{describe(slug)} must be one URL path segment (no '/')")
    url = reader.collect(lambda: _url(reader, meta.get("url"), site, section or "", slug)) or site.url
    article_id = reader.collect(lambda: reader.text(meta.get("id"), "id", plain=False, limit=limits.URL)) or \
        _default_id(relpath)
    if _WHITESPACE.search(article_id):
        reader.error("id", f"{describe(article_id)} must not contain spaces")

    if not body.strip():
        reader.error("body", "is empty: write the story below the closing '---' line")
    elif "<" in body and html_depth(body) > MAX_HTML_DEPTH:
        from .markdown import markdown_html  # loads cmark: only for this rare body (see its docstring)
        depth = html_depth(markdown_html(body))      # counted again where code shown as code is escaped
        if depth > MAX_HTML_DEPTH:
            reader.error("body", f"has HTML nested {depth:,} levels deep (at most {MAX_HTML_DEPTH:,}); "
                                 "simplify the markup")
    if body.strip():
        for message in _body_link_warnings(body, photo_info, media_base_url, url):
            reader.warn("body", message)

    # Optional parts: a problem in one leaves that part out, with a warning, and the story is published.
    photo = reader.optional("the story is published without its photo",
                            lambda: _photo(reader, meta.get("photo"), photo_info, media_base_url))
    authors = _authors(reader, meta.get("authors", meta.get("author")))
    tags = _tags(reader, meta.get("tags"))
    related = _related(reader, meta.get("related"), url)
    dateline = reader.optional("it is left out",
                               lambda: reader.text(meta.get("dateline"), "dateline", limit=limits.DATELINE)) or ""
    summary = reader.optional("the summary is made from the body",
                              lambda: reader.text(meta.get("summary"), "summary", limit=limits.SUMMARY))

    if any(p.severity == "error" for p in reader.problems):
        reader.related_ids = tuple((index, ref.article_id) for index, ref in enumerate(related)
                                   if isinstance(ref, RelatedRef))
        raise _Reject()
    photo_path = reader.photo_path
    digest = file_digest(data)
    revision = hashlib.blake2b(repr((digest, photo, site.revision, media_base_url)).encode(), digest_size=12)
    article = Article(
        id=article_id, path=relpath, slug=slug, title=title, section=section, url=url,
        published=published, updated=updated, digest=digest, revision=revision.hexdigest(),
        authors=authors, dateline=dateline, summary=summary, tags=tags, status=status,
        photo=photo, related=related, size=len(data))
    return ParseResult(article, reader.problems, photo_path)


def _body_link_warnings(markdown: str, photo_info: PhotoLookup, media_base_url: str, own_url: str) -> list[str]:
    """What to tell the editor of a body's relative addresses: a store photo that is not there (or not
    one feedsvc publishes), and any other address a reader resolves against the story's URL."""
    warnings = []
    for address in relative_addresses(markdown):
        store_path = media_path(address)
        if store_path is None:
            warnings.append(f"the link {describe(address)} is relative, so readers resolve it against the story's "
                            f"address, to {urljoin(own_url, address)}: write an absolute URL (or a path under "
                            "media/ for a photo in the store)")
            continue
        problem = photo_name_problem(store_path)
        if problem is None:
            try:
                photo_info(store_path)
                continue
            except PhotoError as exc:
                problem = str(exc)
        named = describe(address) + ("" if address == store_path else f" ({store_path})")
        warnings.append(f"{named}: {problem}; readers get a broken image or link at "
                        f"{media_base_url}{quote(store_path)}")
    return warnings


def _did_you_mean(name: Any, known: frozenset[str], prefix: str = "") -> str:
    """"; did you mean 'authors'?" for a misspelt field name (difflib's closest), else the names known."""
    close = difflib.get_close_matches(str(name).lower(), sorted(known), n=1, cutoff=0.6)
    if close:
        return f"; did you mean '{prefix}{close[0]}'?"
    return "; the fields are " + ", ".join(prefix + field for field in sorted(known))


def _section(reader: _Reader, value: Any, site: Site) -> str:
    name = reader.text(value, "section", required=True)
    wanted = name.casefold()
    for section in site.sections:
        if section.slug == name or section.title.casefold() == wanted or section.slug == wanted:
            return section.slug
    known = ", ".join(f"{s.slug} ({s.title})" for s in site.sections) or "none"
    raise reader.fail("section", f"{describe(name)} is not a section of this site; declared sections: {known}")


@overload
def _date(reader: _Reader, value: Any, name: str, site: Site, *, required: Literal[True]) -> datetime: ...
@overload
def _date(reader: _Reader, value: Any, name: str, site: Site, *, required: bool = ...) -> datetime | None: ...


def _date(reader: _Reader, value: Any, name: str, site: Site, *, required: bool = False) -> datetime | None:
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


def _status(reader: _Reader, value: Any) -> Status:
    if value is None:
        return Status.PUBLISHED
    text = value.strip().lower() if isinstance(value, str) else None
    if text in ("published", "draft"):
        return Status(text)
    raise reader.fail("status", f"{describe(value)} must be 'published' or 'draft'")


def _url(reader: _Reader, value: Any, site: Site, section: str, slug: str) -> str:
    given = reader.text(value, "url", plain=False, limit=limits.URL)
    if given is None:       # section slugs are URL-safe by the site file's rules
        return f"{site.url}{section}/{slug if _URL_SAFE.fullmatch(slug) else quote(slug)}"
    absolute = urljoin(site.url, given) if given.startswith("/") else given
    parts = urlsplit(absolute)
    normalized = normalize_url(absolute) if parts.scheme in ("http", "https") and parts.netloc else None
    if normalized is None:
        raise reader.fail("url", f"{describe(given)} must be an absolute http(s) URL or a path starting with '/'")
    return normalized


def _photo(reader: _Reader, value: Any, photo_info: PhotoLookup, media_base_url: str) -> Photo | None:
    if value is None:
        return None
    if isinstance(value, str):
        value = {"src": value}
    if not isinstance(value, dict):
        raise reader.fail("photo", f"must be a mapping with src, caption and credit, not {describe(value)}")
    for key in value:
        if key not in PHOTO_FIELDS:
            reader.warn(f"photo.{key}", "is not a photo field feedsvc knows; it is ignored"
                        + _did_you_mean(key, PHOTO_FIELDS, "photo."))
    src = reader.text(value.get("src"), "photo.src", required=True, plain=False, limit=limits.URL)
    caption = reader.text(value.get("caption"), "photo.caption", limit=limits.CAPTION) or ""
    credit = reader.text(value.get("credit"), "photo.credit", limit=limits.CREDIT) or ""
    alt = reader.text(value.get("alt"), "photo.alt", limit=limits.CAPTION) or caption
    scheme = "https" if src.startswith("https://") else "http" if src.startswith("http://") else \
        urlsplit(src).scheme.lower()
    if scheme in ("http", "https"):
        url = normalize_url(src)
        if url is None:
            raise reader.fail("photo.src", "is not a valid http(s) URL")
        mime = reader.text(value.get("type"), "photo.type") or mimetypes.guess_type(urlsplit(url).path)[0]
        if mime is not None and not _IMAGE_TYPE.fullmatch(mime):
            raise reader.fail("photo.type", f"{describe(mime)} is not an image type (such as image/jpeg)")

        def number(key: str) -> int | None:
            return reader.optional("it is ignored", lambda: _positive_int(reader, value.get(key), f"photo.{key}"))
        return Photo(url=url, mime_type=mime, caption=caption, credit=credit, alt=alt,
                     length=number("length"), width=number("width"), height=number("height"))
    if scheme:
        raise reader.fail("photo.src", f"{describe(src)}: only http(s) URLs or paths under media/ are allowed")
    store_path = store_media_path(src)
    if store_path is None:
        raise reader.fail("photo.src", f"{describe(src)} must be a path under media/ in the store, or an http(s) URL")
    problem = photo_name_problem(store_path)
    if problem is not None:
        raise reader.fail("photo.src", f"{store_path}: {problem}")
    for key in ("type", "length", "width", "height"):
        if key in value:
            reader.warn(f"photo.{key}", "is measured from the file for photos in the store; the value given is ignored")
    reader.photo_path = store_path
    try:
        info = photo_info(store_path)
    except PhotoError as exc:
        raise reader.fail("photo.src", f"{store_path}: {exc}") from exc
    return Photo(url=media_base_url + quote(store_path), store_path=store_path, mime_type=info.mime_type,
                 length=info.length, width=info.width, height=info.height, caption=caption, credit=credit, alt=alt)


def _positive_int(reader: _Reader, value: Any, name: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise reader.fail(name, f"{describe(value)} must be a whole number")
    try:
        number = int(value)
    except ValueError:
        raise reader.fail(name, f"{describe(value)} must be a whole number") from None
    if not 0 < number < 1 << 40:
        raise reader.fail(name, f"{describe(value)} must be a positive number")
    return number


def _authors(reader: _Reader, value: Any) -> tuple[Author, ...]:
    if value is None:
        return ()
    authors = []
    for index, item in enumerate(reader.items(value, "authors", limits.AUTHORS)):
        author = reader.optional("that author is left out", partial(_author, reader, item, f"authors[{index}]"))
        if author is not None:
            authors.append(author)
    return tuple(authors)


def _author(reader: _Reader, item: Any, where: str) -> Author | None:
    if not isinstance(item, dict):
        name = reader.text(item, where, limit=limits.AUTHOR)
        return Author(name) if name else None
    name = reader.text(item.get("name"), f"{where}.name", required=True, limit=limits.AUTHOR)
    email = reader.optional("it is left out", lambda: reader.text(item.get("email"), f"{where}.email", plain=False,
                                                                  limit=limits.EMAIL))
    if email is not None and ("@" not in email or any(c in email for c in "<> \"")):
        reader.warn(f"{where}.email", f"{describe(email)} is not an email address; it is left out")
        email = None
    link = reader.optional("it is left out", lambda: reader.text(item.get("url"), f"{where}.url", plain=False,
                                                                 limit=limits.URL))
    if link is not None:
        normalized = normalize_url(link) if urlsplit(link).scheme in ("http", "https") else None
        if normalized is None:
            reader.warn(f"{where}.url", f"{describe(link)} is not an http(s) URL; it is left out")
        link = normalized
    return Author(name, email, link)


def _tags(reader: _Reader, value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    items = value if isinstance(value, list) else [value]
    tags: dict[str, None] = {}         # in order, each once: a dict, as a list's `in` made 80,000 tags take a minute
    for index, item in enumerate(items):
        tag = reader.optional("that tag is left out", partial(reader.text, item, f"tags[{index}]", limit=limits.TAG))
        if tag and tag not in tags:
            if len(tags) == limits.TAGS:          # counted once each, as published
                reader.warn("tags", f"has {len(items):,} items, over the limit of {limits.TAGS}; "
                                    f"the first {limits.TAGS} are kept")
                break
            tags[tag] = None
    return tuple(tags)


def _related(reader: _Reader, value: Any, own_url: str) -> tuple[RelatedLink | RelatedRef, ...]:
    if value is None:
        return ()
    links: list[RelatedLink | RelatedRef] = []
    for index, item in enumerate(reader.items(value, "related", limits.RELATED)):
        link = reader.optional("that link is left out", partial(_related_link, reader, item, f"related[{index}]", own_url))
        if link is not None:
            links.append(link)
    return tuple(links)


def _related_link(reader: _Reader, item: Any, where: str, own_url: str) -> RelatedLink | RelatedRef | None:
    if not isinstance(item, dict):
        target = reader.text(item, where, plain=False, limit=limits.URL)
        return RelatedRef(target) if target else None
    title = reader.text(item.get("title"), f"{where}.title", required=True, limit=limits.TITLE)
    href = reader.text(item.get("url"), f"{where}.url", required=True, plain=False, limit=limits.URL)
    absolute = href if href.startswith(("https://", "http://")) else urljoin(own_url, href)
    normalized = normalize_url(absolute) if urlsplit(absolute).scheme in ("http", "https") else None
    if normalized is None:
        raise reader.fail(f"{where}.url", f"{describe(href)} must be an http(s) URL")
    return RelatedLink(title, normalized)
