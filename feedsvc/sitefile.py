"""The store's site file (`_site.yml`): the publication and its sections."""
from __future__ import annotations

import hashlib
import re
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from . import yamltext
from .articlefile import _describe
from .model import Problem, Section, Site
from .text import decode_references, plain_text, xml_clean

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
            error(name, f"must be text, not {_describe(value)}")
            return ""
        cleaned, _ = xml_clean(str(value))
        return " ".join(plain_text(decode_references(cleaned))[0].split())

    try:
        document, removed = xml_clean(data.decode("utf-8-sig"))
        if removed:
            warnings.append(Problem(display_path, None, f"{removed} character(s) that XML 1.0 forbids were removed",
                                    "warning"))
        meta = yamltext.load(document)
    except UnicodeDecodeError:
        raise SiteError([Problem(display_path, None, "is not UTF-8; save it as UTF-8")]) from None
    except Exception as exc:  # noqa: BLE001 — any YAML failure is the editor's to fix
        raise SiteError([Problem(display_path, None, f"is not valid YAML: {exc}")]) from None
    if not isinstance(meta, dict):
        raise SiteError([Problem(display_path, None, "must be a mapping of settings")])

    title = text(meta.get("title"), "title", required=True)
    url = text(meta.get("url"), "url", required=True)
    if url and (urlsplit(url).scheme not in ("http", "https") or not urlsplit(url).netloc):
        error("url", f"{url!r} must be an absolute http(s) URL")
    if url and not url.endswith("/"):
        url += "/"
    zone_name = text(meta.get("timezone"), "timezone") or "UTC"
    try:
        zone = ZoneInfo(zone_name)
    except (ZoneInfoNotFoundError, ValueError):
        error("timezone", f"{zone_name!r} is not an IANA time zone name (e.g. America/Los_Angeles)")
        zone = ZoneInfo("UTC")
    language = text(meta.get("language"), "language") or "en"
    if not _LANGUAGE.match(language):
        error("language", f"{language!r} is not a language tag (e.g. en-us)")
    tag_date = text(meta.get("tag_date"), "tag_date")
    if not tag_date:
        warnings.append(Problem(display_path, "tag_date", "is not set, so story ids use 2000-01-01: set it once to a "
                                "date your domain was yours, and never change it", "warning"))
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

    if problems:
        raise SiteError(problems)
    site = Site(
        title=title, url=url, language=language.lower(), tz=zone,
        description=text(meta.get("description"), "description"),
        copyright=text(meta.get("copyright"), "copyright"),
        logo=text(meta.get("logo"), "logo") or None, icon=text(meta.get("icon"), "icon") or None,
        cover=text(meta.get("cover"), "cover") or None,
        accent_color=("#" + accent.lstrip("#")) if accent else None,
        tag_date=tag_date, sections=tuple(sections),
        revision=hashlib.blake2b(data, digest_size=12).hexdigest())
    return site, warnings
