"""The store's site file (`_site.yml`): the publication and its sections."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ..model import Problem, Section, Site, Tag
from ..uri import base_url, is_dns_name, normalize_url
from . import frontmatter
from .frontmatter import describe
from .slugs import slugify
from .text import decode_references, forbidden_removed, plain_text, xml_clean

SITE_FILE = "_site.yml"
_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_TAG_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
_COLOR = re.compile(r"^#?[0-9a-fA-F]{6}$")
_LANGUAGE = re.compile(r"^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8})*$")


class SiteError(ValueError):
    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(map(str, problems)))
        self.problems = problems


def parse_site(data: bytes, display_path: str = SITE_FILE) -> tuple[Site, list[Problem]]:
    """Read the site file; raise SiteError naming every problem that makes it unusable."""
    problems: list[Problem] = []
    warnings: list[Problem] = []

    def error(field_name: str | None, message: str) -> None:
        problems.append(Problem(display_path, field_name, message))

    def text(value: Any, name: str, required: bool = False) -> str:
        if value is None or value == "":
            if required:
                error(name, "is required and missing")
            return ""
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            error(name, f"must be text, not {describe(value)}")
            return ""
        cleaned, _ = xml_clean(str(value))
        return " ".join(plain_text(decode_references(cleaned))[0].split())

    try:
        document, removed = xml_clean(data.decode("utf-8-sig"))
        if removed:
            warnings.append(Problem(display_path, None, forbidden_removed(removed), "warning"))
        meta = frontmatter.load(document)
    except UnicodeDecodeError:
        raise SiteError([Problem(display_path, None, "is not UTF-8; save it as UTF-8")]) from None
    except Exception as exc:  # noqa: BLE001 — any YAML failure is the editor's to fix
        raise SiteError([Problem(display_path, None, f"is not valid YAML: {exc}")]) from None
    if not isinstance(meta, dict):
        raise SiteError([Problem(display_path, None, "must be a mapping of settings")])

    title = text(meta.get("title"), "title", required=True)
    url = _site_url(text(meta.get("url"), "url", required=True), error)
    zone_name = text(meta.get("timezone"), "timezone") or "UTC"
    try:
        zone = ZoneInfo(zone_name)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # a folder of zones, or a name too long for a file
        error("timezone", f"{zone_name!r} is not an IANA time zone name (e.g. America/Los_Angeles)")
        zone = ZoneInfo("UTC")
    language = text(meta.get("language"), "language") or "en"
    if not _LANGUAGE.match(language):
        error("language", f"{language!r} is not a language tag (e.g. en-us)")
    tag_date = text(meta.get("tag_date"), "tag_date")
    if not tag_date:
        warnings.append(
            Problem(
                display_path,
                "tag_date",
                "is not set, so story ids use 2000-01-01: set it once to a "
                "date your domain was yours, and never change it",
                "warning",
            )
        )
        tag_date = "2000-01-01"
    if not _TAG_DATE.match(tag_date):
        error("tag_date", f"{tag_date!r} must be YYYY, YYYY-MM or YYYY-MM-DD")
    accent = text(meta.get("accent_color"), "accent_color") or None
    if accent and not _COLOR.match(accent):
        error("accent_color", f"{accent!r} must be a colour like '#8a1c1c'")

    sections: list[Section] = []
    raw_sections = meta.get("sections")
    if not isinstance(raw_sections, list) or not raw_sections:
        error("sections", "must list at least one section with slug, title and description")
        raw_sections = []
    for index, item in enumerate(raw_sections):
        where = f"sections[{index}]"
        if not isinstance(item, dict):
            error(where, "must be a mapping with slug, title and description")
            continue
        slug = text(item.get("slug"), f"{where}.slug", required=True)
        if slug and not _SLUG.match(slug):
            error(f"{where}.slug", f"{slug!r} must be lower-case letters, digits and hyphens")
        if any(s.slug == slug for s in sections):
            error(f"{where}.slug", f"{slug!r} is declared twice")
        section_title = text(item.get("title"), f"{where}.title") or slug
        sections.append(Section(slug, section_title, text(item.get("description"), f"{where}.description")))

    tags: list[Tag] = []
    raw_tags = meta.get("tags")
    if raw_tags is not None and not isinstance(raw_tags, list):
        error("tags", "must be a list of tags, each with a name (or slug), and a title or description")
        raw_tags = []
    for index, item in enumerate(raw_tags or []):
        where = f"tags[{index}]"
        if not isinstance(item, dict):
            error(where, "must be a mapping with a name (or slug), and a title or description")
            continue
        name = text(item.get("name"), f"{where}.name")
        slug = text(item.get("slug"), f"{where}.slug") or slugify(name)
        if not slug or not _SLUG.match(slug):
            error(f"{where}.slug", f"needs a name, or a slug of lower-case letters, digits and hyphens (got {slug!r})")
            continue
        if any(t.slug == slug for t in tags):
            error(f"{where}", f"the tag {slug!r} is described twice")
        tags.append(
            Tag(
                slug,
                text(item.get("title"), f"{where}.title") or name or slug,
                text(item.get("description"), f"{where}.description"),
            )
        )

    def image(name: str) -> str | None:
        """A store path as given (served under the base URL), or an absolute URL made a valid URI."""
        value = text(meta.get(name), name) or None
        if value is None or not value.lower().startswith(("http://", "https://")):
            return value
        normalized = normalize_url(value)
        if normalized is None:
            error(name, f"{value!r} is not a usable http(s) URL")
        return normalized

    images = {name: image(name) for name in ("logo", "icon", "cover")}
    if problems:
        raise SiteError(problems)
    site = Site(
        title=title,
        url=url,
        language=language.lower(),
        tz=zone,
        description=text(meta.get("description"), "description"),
        copyright=text(meta.get("copyright"), "copyright"),
        logo=images["logo"],
        icon=images["icon"],
        cover=images["cover"],
        accent_color=("#" + accent.lstrip("#")) if accent else None,
        tag_date=tag_date,
        sections=tuple(sections),
        tags=tuple(tags),
        revision=hashlib.blake2b(data, digest_size=12).hexdigest(),
    )
    return site, warnings


def _site_url(url: str, error: Callable[[str, str], None]) -> str:
    """The site URL made a valid URI once, here, so every link and id built from it is one: the host in
    IDNA (punycode), the path percent-encoded, ending in "/" so paths can be appended."""
    if not url:
        return url
    normalized, usable = base_url(url)
    if normalized is None:
        error("url", f"{url!r} must be an absolute http(s) URL, like https://news.example.com/")
        return url
    if not usable:
        error("url", f"{url!r} must not have a query or fragment: story links are made by adding paths to it")
    if not is_dns_name(urlsplit(normalized).hostname or ""):
        # RFC 4151 §2.1: a tag: URI's authority is a DNS name; story and feed ids are tag: URIs of this host.
        error("url", f"{url!r} must name its host by a domain name (story ids are tag: URIs made from it)")
    return normalized
