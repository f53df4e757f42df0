"""What a feed says about itself: its self link, its RFC 5005 links between the subscription feed
and its archive pages, an archive's label, and the Feedly webfeeds branding."""

from __future__ import annotations

from collections.abc import Sequence

from ..model import Site
from ..paths import ARCHIVE_FORMATS, FeedKey
from ..render.feedmodel import FeedInfo, Webfeeds, store_url
from ..render.months import archive_label
from ..render.subject import Subject
from .settings import FeedSettings


def feed_info(
    key: FeedKey,
    subject: Subject | None,
    site: Site,
    months: Sequence[str],
    complete: bool,
    feeds: FeedSettings,
    max_age: int,
) -> FeedInfo:
    """The feed `key` names, about `subject` (None: every section), given its scope's archive pages
    (`months`, oldest first) and whether the subscription feed holds every story (RFC 5005 §2).
    Readers that honour <ttl> poll no more often than `max_age` allows."""
    base = feeds.base_url
    links: list[tuple[str, str]] = []
    label = None
    if key.month is None:
        if months:
            links.append(("prev-archive", base + key.archive(months[-1]).path))
    else:
        index = months.index(key.month)
        links.append(("current", base + key.subscription().path))
        if index > 0:
            links.append(("prev-archive", base + key.archive(months[index - 1]).path))
        if index + 1 < len(months):
            links.append(("next-archive", base + key.archive(months[index + 1]).path))
        label = archive_label(key.month)
    return FeedInfo(
        key=key,
        site=site,
        subject=subject,
        self_url=base + key.path,
        media_base_url=base,
        ttl_minutes=max(1, max_age // 60),
        hub_url=feeds.hub_url,
        links=tuple(links),
        complete=complete and key.format in ARCHIVE_FORMATS,
        archive_label=label,
        webfeeds=webfeeds(site, feeds) if key.format != "json" else None,
    )


def webfeeds(site: Site, feeds: FeedSettings) -> Webfeeds | None:
    """Feedly's branding elements, when configured: the site's icon, logo, cover and accent colour."""
    if not feeds.webfeeds:
        return None
    base = feeds.base_url
    return Webfeeds(
        icon=store_url(site.icon, base),
        logo=store_url(site.logo, base),
        cover=store_url(site.cover, base),
        accent_color=site.accent_color.lstrip("#") if site.accent_color else None,
    )
