"""The publication: every public path mapped to its rendered document.

This is the one rendering path. The service asks it for the document at a request's path; the static
build asks it for every path and writes the bytes. It renders a document only when the store changed
what that document shows (or a scheduled story's moment came), so a warm request does no rendering.
"""
from __future__ import annotations

import io
import logging
import math
import os
import posixpath
import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Callable, Hashable

from PIL import Image, UnidentifiedImageError

from .config import Config
from .media import WEB_IMAGE_TYPES
from .model import Article, RelatedLink, RelatedRef
from .pages import render_index
from .render import FeedInfo, Item, Prepared, prepare, render_feed
from .rendered import MEDIA, PAGE, CachePolicy, Rendered
from .store import Snapshot, Store, is_hidden
from .urls import FEED_FORMATS, INDEX_PATH, MEDIA_PREFIX, FeedKey, feed_paths, parse_feed_path

log = logging.getLogger(__name__)
FOREVER = math.inf
MEDIA_EXTENSIONS = (".jpg", ".jpeg", ".png", ".gif", ".webp")


@dataclass
class _Cached:
    generation: int
    valid_until: float          # POSIX time when a scheduled story changes what this shows
    identity: Hashable          # everything the bytes depend on
    rendered: Rendered


class Publisher:
    """Maps public paths to Rendered documents for one store and one configuration. Thread-safe."""

    def __init__(self, store: Store, config: Config, clock: Callable[[], datetime] | None = None) -> None:
        self.store = store
        self.config = config
        self.policy = CachePolicy(config.max_age, config.stale_while_revalidate, config.stale_if_error,
                                  config.media_max_age)
        self.clock = clock or (lambda: datetime.now(timezone.utc))
        self._documents: dict[str, _Cached] = {}
        self._prepared: OrderedDict[str, tuple[str, Prepared]] = OrderedDict()
        self._prepared_limit = 20_000
        self._render_lock = threading.RLock()
        self._media_lock = threading.Lock()
        self._media: OrderedDict[str, tuple[tuple, Rendered | None]] = OrderedDict()
        self._media_bytes = 0
        self._media_limit = 64 << 20

    # ---- what exists ------------------------------------------------------------------------

    def feed_keys(self, snapshot: Snapshot | None = None) -> list[FeedKey]:
        snapshot = snapshot or self.store.snapshot
        slugs = [s.slug for s in snapshot.site.sections] if snapshot.site else []
        return feed_paths(slugs)

    def paths(self) -> list[str]:
        """Every path the publication serves, as the static build writes them."""
        snapshot = self.store.snapshot
        if snapshot.site is None:
            return []
        return [INDEX_PATH, *(key.path for key in self.feed_keys(snapshot)), *self.media_paths()]

    def media_paths(self) -> list[str]:
        root = self.store.root / MEDIA_PREFIX.rstrip("/")
        found = []
        for directory, subdirs, files in _walk(root):
            for name in files:
                if name.lower().endswith(MEDIA_EXTENSIONS):
                    found.append(posixpath.join(MEDIA_PREFIX.rstrip("/"), directory, name) if directory
                                 else MEDIA_PREFIX + name)
        return sorted(found)

    # ---- documents ----------------------------------------------------------------------------

    def document(self, path: str, now: datetime | None = None) -> Rendered | None:
        """The document at `path` as of `now`, or None if the publication has no such path."""
        now = now or self.clock()
        if path.startswith(MEDIA_PREFIX):
            return self.media(path[len(MEDIA_PREFIX):])
        snapshot = self.store.snapshot
        if snapshot.site is None:
            return None
        if path == INDEX_PATH:
            return self._cached(path, snapshot, now, lambda: self._index_document(snapshot, now))
        key = parse_feed_path(path)
        if key is None or (key.section is not None and snapshot.site.section(key.section) is None):
            return None
        return self._cached(path, snapshot, now, lambda: self._feed_document(key, snapshot, now))

    def warm(self, now: datetime | None = None) -> int:
        """Render every feed and page now, so requests find them ready; returns how many were rendered."""
        rendered = 0
        for path in self.paths():
            if not path.startswith(MEDIA_PREFIX):
                before = self._documents.get(path)
                document = self.document(path, now)
                rendered += document is not None and (before is None or before.rendered is not document)
        return rendered

    def valid_until(self, path: str) -> float:
        cached = self._documents.get(path)
        return cached.valid_until if cached else FOREVER

    def _cached(self, path: str, snapshot: Snapshot, now: datetime,
                build: Callable[[], tuple[Hashable, float, Callable[[], Rendered]]]) -> Rendered:
        cached = self._documents.get(path)
        timestamp = now.timestamp()
        if cached is not None and cached.generation == snapshot.generation and timestamp < cached.valid_until:
            return cached.rendered
        with self._render_lock:
            cached = self._documents.get(path)
            if cached is not None and cached.generation == snapshot.generation and timestamp < cached.valid_until:
                return cached.rendered
            identity, valid_until, render = build()
            if cached is not None and cached.identity == identity:
                rendered = cached.rendered          # the store changed, but not what this shows
            else:
                rendered = render()
            self._documents[path] = _Cached(snapshot.generation, valid_until, identity, rendered)
            return rendered

    def _feed_info(self, key: FeedKey, snapshot: Snapshot) -> FeedInfo:
        return FeedInfo(key=key, site=snapshot.site,
                        section=snapshot.site.section(key.section) if key.section else None,
                        self_url=self.config.base_url + key.path, media_base_url=self.config.base_url,
                        ttl_minutes=max(1, self.config.max_age // 60), hub_url=self.config.hub_url)

    def items(self, key: FeedKey, snapshot: Snapshot, now: datetime, limit: int) -> tuple[list[Item], float]:
        """The feed's items at `now`, and the moment that selection next changes on its own."""
        articles = snapshot.timeline(key.section, now, limit)
        valid_until = snapshot.next_appearance(key.section, now) or FOREVER
        items = []
        for article in articles:
            prepared = self.prepared(article)
            if prepared is None:
                continue
            related, appears = self._resolve_related(article, snapshot, now)
            valid_until = min(valid_until, appears)
            items.append(Item(article, prepared, related))
        return items, valid_until

    def _feed_document(self, key: FeedKey, snapshot: Snapshot, now: datetime):
        info = self._feed_info(key, snapshot)
        items, valid_until = self.items(key, snapshot, now, self.config.items_per_feed)
        identity = (snapshot.site.revision, tuple((i.article.revision, i.related) for i in items))

        def render() -> Rendered:
            body = self._render_within_limit(info, items)
            last_modified = max((i.article.updated for i in items), default=None)
            return Rendered.of(body, f"{key.mimetype}; charset=utf-8", last_modified,
                               gzip_level=self.config.gzip_level)
        return identity, valid_until, render

    def _render_within_limit(self, info: FeedInfo, items: list[Item]) -> bytes:
        """Render, dropping whole items from the end until the feed fits max_feed_bytes."""
        body = render_feed(info, items)
        while len(body) > self.config.max_feed_bytes and items:
            keep = min(len(items) - 1, int(len(items) * self.config.max_feed_bytes / len(body)))
            items = items[:max(0, keep)]
            body = render_feed(info, items)
        return body

    def _resolve_related(self, article: Article, snapshot: Snapshot, now: datetime):
        links: list[RelatedLink] = []
        appears = FOREVER
        for link in article.related:
            if isinstance(link, RelatedRef):
                target = snapshot.by_id.get(link.article_id)
                if target is None:
                    continue
                if not target.visible_at(now):
                    appears = min(appears, target.published.timestamp()) if target.published > now else appears
                    continue
                links.append(RelatedLink(target.title, target.url))
            else:
                links.append(link)
        return tuple(links), appears

    def prepared(self, article: Article) -> Prepared | None:
        """The article's HTML and summary, rendered once per revision (Markdown dominates a cold render).

        None when the file no longer holds this version (deleted or rewritten since the store read it,
        and never rendered in this process): the story is left out of this render rather than shown
        without its body; the store's next look brings the new state.
        """
        cached = self._prepared.get(article.id)
        if cached is not None and cached[0] == article.revision:
            self._prepared.move_to_end(article.id)
            return cached[1]
        markdown = self.store.body(article)
        if markdown is None:
            log.info("%s%s: changed on disk since it was read; left out until the store looks again",
                     self.store.display_root, article.path)
            return None
        result = prepare(article, markdown, self.config.summary_length)
        self._prepared[article.id] = (article.revision, result)
        while len(self._prepared) > self._prepared_limit:
            self._prepared.popitem(last=False)
        return result

    def _index_document(self, snapshot: Snapshot, now: datetime):
        site = snapshot.site
        newest = snapshot.timeline(None, now, self.config.items_per_feed)
        last_modified = max((a.updated for a in newest), default=None)   # as the all-sections feed
        identity = (site.revision, last_modified)
        valid_until = snapshot.next_appearance(None, now) or FOREVER

        def render() -> Rendered:
            feeds = {key: self.config.base_url + key.path for key in self.feed_keys(snapshot)}
            body = render_index(site, feeds, self.config.base_url)
            return Rendered.of(body, "text/html; charset=utf-8", last_modified, kind=PAGE,
                               gzip_level=self.config.gzip_level)
        return identity, valid_until, render

    # ---- media --------------------------------------------------------------------------------

    def media(self, relative: str) -> Rendered | None:
        """A photo kept in the store, or None for anything that is not a plain image file inside media/."""
        path = self._safe_media_path(relative)
        if path is None:
            return None
        try:
            st = path.stat()
        except OSError:
            return None
        key = (st.st_mtime_ns, st.st_size, st.st_ino)
        with self._media_lock:
            cached = self._media.get(relative)
            if cached is not None and cached[0] == key:
                self._media.move_to_end(relative)
                return cached[1]
        rendered = self._read_media(path, st)
        with self._media_lock:
            previous = self._media.pop(relative, None)
            if previous is not None and previous[1] is not None:
                self._media_bytes -= len(previous[1].body)
            self._media[relative] = (key, rendered)
            self._media_bytes += len(rendered.body) if rendered else 0
            while self._media_bytes > self._media_limit and len(self._media) > 1:
                _, (_, dropped) = self._media.popitem(last=False)
                self._media_bytes -= len(dropped.body) if dropped else 0
        return rendered

    def _safe_media_path(self, relative: str):
        """Refuse anything but a visible regular file under media/, reached without leaving the store."""
        if not relative or len(relative) > 1024 or "\\" in relative or "\x00" in relative:
            return None
        parts = relative.split("/")
        if any(part in ("", ".", "..") or is_hidden(part) for part in parts):
            return None
        if not relative.lower().endswith(MEDIA_EXTENSIONS):
            return None
        media_root = (self.store.root / MEDIA_PREFIX).resolve()
        candidate = self.store.root / MEDIA_PREFIX / relative
        try:
            resolved = candidate.resolve(strict=True)
        except (OSError, RuntimeError):
            return None
        if resolved != media_root.joinpath(*parts) or not resolved.is_file():
            return None  # a symbolic link somewhere on the way: refused, wherever it points
        return resolved

    def _read_media(self, path, st) -> Rendered | None:
        if st.st_size > self.config.max_photo_bytes:
            return None
        try:
            data = path.read_bytes()
            with Image.open(io.BytesIO(data)) as image:
                kind = image.format
        except (OSError, UnidentifiedImageError, ValueError):
            return None
        if kind not in WEB_IMAGE_TYPES:
            return None
        modified = datetime.fromtimestamp(st.st_mtime // 1, timezone.utc)
        return Rendered.of(data, WEB_IMAGE_TYPES[kind], modified, kind=MEDIA, gzip_level=None)


def _walk(root):
    """(relative dir, subdirs, files) under root, skipping hidden names and symbolic links."""
    root = str(root)
    for directory, subdirs, files in os.walk(root):
        subdirs[:] = sorted(d for d in subdirs if not is_hidden(d) and not os.path.islink(os.path.join(directory, d)))
        relative = os.path.relpath(directory, root)
        yield ("" if relative == "." else relative.replace(os.sep, "/"), subdirs,
               sorted(f for f in files if not is_hidden(f) and not os.path.islink(os.path.join(directory, f))))


__all__ = ["Publisher", "FEED_FORMATS"]
