"""One article file's bytes → an Article, or the named problems that keep it out.

The file's layout (UTF-8 text, the front matter between `---` lines, the body) and the Article put
together from its fields; each field is read by `fields`, each problem recorded by `fieldreader`.
Pure apart from the `photo_info` callback the store passes in: the same bytes, site and photo always
give the same Article, so the service and the static build agree.
"""

from __future__ import annotations

import hashlib
import posixpath
import re
import sys
from dataclasses import dataclass
from datetime import datetime

import yaml

from ..model import EPOCH, Article, Problem, RelatedRef, Site
from . import fields, frontmatter, limits
from .fieldreader import FieldReader, Reject, did_you_mean
from .fields import PhotoLookup
from .frontmatter import describe
from .text import forbidden_removed, xml_clean

KNOWN_FIELDS = frozenset(
    {
        "id",
        "title",
        "section",
        "published",
        "updated",
        "slug",
        "url",
        "authors",
        "author",
        "dateline",
        "summary",
        "tags",
        "status",
        "photo",
        "related",
    }
)
FIELD_NAMES = KNOWN_FIELDS - {"author"}  # what a misspelt name is matched against: `author` is an alias


@dataclass(slots=True)  # one per file, kept while the file is: no __dict__ for 100,000 of them
class ParseResult:
    article: Article | None
    problems: tuple[Problem, ...] = ()  # mostly none: the empty tuple is one object for every file
    photo_path: str | None = None  # the store photo this article depends on, if any
    body: str | None = None  # the Markdown body, kept only when the reader is asked to (builds)
    # A story left out still names the related ids it links to, (index, id), so the store can say in the
    # same run which of them no story has (a published story's links are the store's to follow).
    related_ids: tuple[tuple[int, str], ...] = ()


_WHITESPACE = re.compile(r"\s")
# What shows nothing on a page: whitespace, and the zero-width and format characters (Unicode's Cf:
# U+200B, U+200D, U+2060, U+FEFF, the soft hyphen, direction marks …) an editor's tool can leave.
_INVISIBLE = re.compile(r"[\s\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u206f\ufeff]*")
_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9:-]*)[^<>]*?(/?)>")
_VOID = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track", "wbr"}
)
MAX_HTML_DEPTH = 1000  # HTML parsers slow down with the square of nesting; no story nests this deep


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
                while True:  # close it, and whatever is still open inside it
                    top = stack.pop()
                    open_count[top] -= 1
                    if top == name:
                        break
        elif name not in _VOID:
            stack.append(name)
            open_count[name] = open_count.get(name, 0) + 1
            deepest = max(deepest, len(stack))
    return deepest


# The line that closes front matter: "---" or "...", spaces after it allowed (`\s` is what str.strip()
# strips); found from the newline before it, which the expression's search skips to quickly.
_CLOSING = re.compile(r"\n(?:---|\.\.\.)[^\S\n]*(?![^\n])")


def split_front_matter(text: str) -> tuple[str, str] | None:
    """(yaml, body) for a file that starts with a `---` line and has a closing `---` or `...` line."""
    if not text.startswith("---"):
        return None
    first_newline = text.find("\n")
    if first_newline < 0 or text[:first_newline].rstrip() != "---":
        return None
    closing = _CLOSING.search(text, first_newline)
    if closing is None:
        return None
    return text[first_newline + 1 : closing.start() + 1], text[closing.end() + 1 :]


def file_text(data: bytes) -> tuple[str, int]:
    """The file as text: UTF-8 (BOM dropped), Unix newlines, XML-forbidden characters removed (and how many).

    Raises UnicodeDecodeError for bytes that are not UTF-8.
    """
    text = data.decode("utf-8").removeprefix("\ufeff")
    text, removed = xml_clean(text)
    return (text.replace("\r\n", "\n") if "\r" in text else text), removed  # `in` is the quicker scan


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


def parse_article(
    relpath: str,
    data: bytes,
    site: Site,
    photo_info: PhotoLookup,
    *,
    display_root: str = "",
    keep_body: bool = False,
    modified: datetime | None = None,
) -> ParseResult:
    """Turn one file's bytes into an Article; every problem names the file and the field.

    Nothing here depends on where the feeds are served: a store photo's URL stays relative to that
    (`Photo.served_from`), so a parse cache holds for any base URL. `modified` is when the file was
    saved, as the store read it (the Article's own `modified`).
    """
    reader = FieldReader(display_root + relpath)
    try:
        result = _parse(relpath, data, site, photo_info, reader, modified)
        if keep_body:
            result.body = read_body(data)
        return result
    except Reject:
        return ParseResult(None, tuple(reader.problems), reader.photo_path, related_ids=reader.related_ids)
    except Exception as exc:  # noqa: BLE001 — a file must never take the store down
        reader.error(None, f"could not be read ({type(exc).__name__}: {exc}); please report this")
        return ParseResult(None, tuple(reader.problems), reader.photo_path)


def _parse(
    relpath: str, data: bytes, site: Site, photo_info: PhotoLookup, reader: FieldReader, modified: datetime | None
) -> ParseResult:
    try:
        text, removed = file_text(data)
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise reader.fail(
            None, f"is not UTF-8 (byte 0x{data[exc.start]:02x} on line {line}); save it as UTF-8"
        ) from exc
    if removed:
        reader.warn(None, forbidden_removed(removed))
    parts = split_front_matter(text)
    if parts is None:
        raise reader.fail(
            "front matter",
            "missing: the file must start with a '---' line, then the YAML "
            "fields, then another '---' line, then the body",
        )
    front, body = parts
    reader.escapes = "\\" in front  # only YAML escapes can bring back what file_text removed
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
            reader.warn(key, "is not a field feedsvc knows; it is ignored" + did_you_mean(key, FIELD_NAMES))

    # Every field is read, even after an error in another: the story is left out at the end, and one
    # run of `check` has named all its problems.
    title = reader.collect(lambda: reader.text(meta.get("title"), "title", required=True, limit=limits.TITLE))
    section = reader.collect(lambda: fields.section(reader, meta.get("section"), site))
    published = reader.collect(lambda: fields.date(reader, meta.get("published"), "published", site, required=True))
    updated = reader.collect(lambda: fields.date(reader, meta.get("updated"), "updated", site)) or published
    if published == EPOCH:
        reader.warn(
            "published",
            "is 1970-01-01 00:00 UTC, the date a system writes for one it does not have: "
            "readers would list the story decades ago; give its real date",
        )
    if published is not None and updated is not None and updated < published:
        reader.error(
            "updated",
            f"{describe(meta.get('updated'))} is before published "
            f"({describe(meta.get('published'))}); a correction cannot predate the story",
        )
    status = reader.collect(lambda: fields.status(reader, meta.get("status")))

    slug = reader.collect(
        lambda: reader.text(meta.get("slug"), "slug", plain=False, limit=limits.URL)
    ) or posixpath.basename(_default_id(relpath))
    if "/" in slug or slug in (".", ".."):
        reader.error("slug", f"{describe(slug)} must be one URL path segment (no '/')")
    url = reader.collect(lambda: fields.url(reader, meta.get("url"), site, section or "", slug)) or site.url
    article_id = reader.collect(
        lambda: reader.text(meta.get("id"), "id", plain=False, limit=limits.URL)
    ) or _default_id(relpath)
    if _WHITESPACE.search(article_id):
        reader.error("id", f"{describe(article_id)} must not contain spaces")

    shows_something = not _INVISIBLE.fullmatch(body)  # stops at the first visible character
    if not shows_something:
        reader.error(
            "body",
            "is empty: write the story below the closing '---' line"
            + (" (it holds only invisible characters)" if body.strip() else ""),
        )
    elif "<" in body and html_depth(body) > MAX_HTML_DEPTH:
        from .markdown import markdown_html  # loads cmark: only for this rare body (see its docstring)

        depth = html_depth(markdown_html(body))  # counted again where code shown as code is escaped
        if depth > MAX_HTML_DEPTH:
            reader.error(
                "body", f"has HTML nested {depth:,} levels deep (at most {MAX_HTML_DEPTH:,}); simplify the markup"
            )
    if shows_something:
        for message in fields.body_link_warnings(body, photo_info, url):
            reader.warn("body", message)

    # Optional parts: a problem in one leaves that part out, with a warning, and the story is published.
    photo = reader.optional(
        "the story is published without its photo", lambda: fields.photo(reader, meta.get("photo"), photo_info)
    )
    given_authors = meta.get("authors")  # `authors: ~` is not given, so `author` may stand in
    authors = fields.authors(reader, meta.get("author") if given_authors is None else given_authors)
    tags = fields.tags(reader, meta.get("tags"))
    related = fields.related(reader, meta.get("related"), url)
    dateline = (
        reader.optional("it is left out", lambda: reader.text(meta.get("dateline"), "dateline", limit=limits.DATELINE))
        or ""
    )
    dateline = sys.intern(dateline)  # one string per dateline, however many stories carry it
    summary = reader.optional(
        "the summary is made from the body", lambda: reader.text(meta.get("summary"), "summary", limit=limits.SUMMARY)
    )

    # A field the story needs is None only after an error that was recorded: the story is left out.
    if (
        title is None
        or section is None
        or published is None
        or updated is None
        or status is None
        or any(p.severity == "error" for p in reader.problems)
    ):
        reader.related_ids = tuple(
            (index, ref.article_id) for index, ref in enumerate(related) if isinstance(ref, RelatedRef)
        )
        raise Reject()
    photo_path = reader.photo_path
    digest = file_digest(data)
    # Its path too: a story's default id, slug and so URL are its file's name (a file renamed, the same bytes,
    # is another story or the same one at another address).
    revision = hashlib.blake2b(repr((digest, relpath, photo, site.revision)).encode(), digest_size=12)
    article = Article(
        id=article_id,
        path=relpath,
        slug=slug,
        title=title,
        section=section,
        url=url,
        published=published,
        updated=updated,
        digest=digest,
        revision=revision.hexdigest(),
        authors=authors,
        dateline=dateline,
        summary=summary,
        tags=tags,
        status=status,
        photo=photo,
        related=related,
        size=len(data),
        modified=modified,
    )
    return ParseResult(article, tuple(reader.problems), photo_path)
