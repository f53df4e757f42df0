"""The article store: a folder of article files read into immutable snapshots of the model.

`refresh()` looks at the folder again and re-reads only what changed (by a stat scan, or just the
paths a file-system watcher names), keeping the last good version of any story whose file turns bad.
Readers take `store.snapshot`, which never changes under them; a refresh publishes a new one.
"""
from __future__ import annotations

import bisect
import os
import stat
import threading
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Callable, Iterable, Iterator

import immutables

from ..source.article import MEDIA_DIR, ParseResult, file_digest, read_body, store_media_path
from ..source.photos import PhotoError
from ..model import Article, Problem, RelatedRef, Site, Status
from .parsecache import ParseCache
from .files import ArticleReader, StatKey, being_written, is_hidden, read_many, stat_key
from ..source.site import SITE_FILE, SiteError, parse_site
from .policy import collector_paused, worth_saving
from .snapshot import Changes, Snapshot, StoreSnapshot
from .timeline import ALL, Timeline, TimelineIndex

RACY_NS = 2_000_000_000             # a file modified this close to the last look is re-read anyway (as git does)
WRITER_CHECK_NS = 60_000_000_000    # a file modified this recently is checked for a writer still at work


@dataclass
class _File:
    stat: StatKey
    current: ParseResult            # the latest reading of the file
    last_good: Article | None       # what stays published while `current` is broken

    @property
    def effective(self) -> Article | None:
        return self.current.article or self.last_good


class Store:
    """Reads and re-reads one article folder. One refresh at a time; any number of snapshot readers."""

    def __init__(self, root: str | os.PathLike, *, media_base_url: str, max_article_bytes: int = 1 << 20,
                 max_photo_bytes: int = 20 << 20, max_photo_pixels: int = 60_000_000,
                 display_root: str | None = None, cache_dir: str | os.PathLike | None = None) -> None:
        self.root = Path(root)
        self.media_base_url = media_base_url
        self.max_article_bytes = max_article_bytes
        self.display_root = display_root if display_root is not None else _display_root(self.root)
        self._reader = ArticleReader(self.root, None, media_base_url, max_article_bytes, max_photo_bytes,
                                     max_photo_pixels, self.display_root)
        self._cache = ParseCache(Path(cache_dir)) if cache_dir else None
        self._lock = threading.Lock()
        self._files: dict[str, _File] = {}
        self._problem_paths: set[str] = set()              # paths whose latest reading has problems
        self._referrers: dict[str, set[str]] = {}          # related id → paths of stories naming it
        self._dangling: set[str] = set()                   # related ids that name no published story
        self._contested: set[tuple[str, str]] = set()      # ("id" | "url", value) claimed by several paths
        self._site: Site | None = None
        self._site_stat: StatKey | None = None
        self._site_problems: list[Problem] = []
        self._photo_users: dict[str, set[str]] = {}        # store photo → article paths that use it
        self._id_claims: dict[str, list[str]] = {}         # id → paths claiming it, in path order
        self._url_claims: dict[str, list[str]] = {}
        self._published: dict[str, Article] = {}           # path → the story it publishes
        # Shared with snapshots, never copied; a MapMutation while a full re-read indexes every story.
        self._by_id: immutables.Map[str, Article] = immutables.Map()
        self._timelines = TimelineIndex()
        self._drafts = 0
        self.unsettled: list[Problem] = []                 # files left out because they were being written
        self._bulk = False                                 # indexing a full re-read: order is rebuilt after
        self._settle_before_ns: int | None = None
        self._generation = 0
        self._last_look_ns = 0
        self.snapshot: StoreSnapshot = StoreSnapshot(0, None, {}, {ALL: Timeline((), {})}, (), 0)

    @classmethod
    def from_config(cls, config, *, settle: float = 0.0, wait: float = 0.0, keep_bodies: bool = False) -> "Store":
        """A store read once, as the configuration says (the service and the build share this).

        A file another process still has open for writing is left for a later look (and, with
        `settle`, one modified that recently too). With `wait`, such files are looked at again until
        they are done or `wait` seconds pass; any still being written then are left out, with a warning.
        """
        store = cls(config.store, media_base_url=config.base_url, max_article_bytes=config.max_article_bytes,
                    max_photo_bytes=config.max_photo_bytes, max_photo_pixels=config.max_photo_pixels,
                    cache_dir=config.cache_path)
        store._reader.keep_bodies = keep_bodies
        deferred = store.refresh(settle=settle).deferred
        if wait > 0:
            deadline = time.monotonic() + wait
            while deferred and time.monotonic() < deadline:
                time.sleep(max(settle, 0.1))
                deferred = store.refresh(deferred, settle=settle).deferred
            store.unsettled = [Problem(store._display(path), None, "was still being written; left out this time",
                                       "warning") for path in sorted(deferred)]
            if deferred:
                store._publish()
        return store

    # ---- looking at the folder -----------------------------------------------------------------

    def refresh(self, paths: Iterable[str] | None = None, settle: float = 0.0) -> Changes:
        """Apply what changed on disk: everything (a stat scan) or only `paths` (store-relative).

        With `settle`, a scan leaves files modified less than that many seconds ago for the next
        look: they may still be being written.
        """
        with self._lock:
            started_ns = time.time_ns()
            self._settle_before_ns = started_ns - int(settle * 1e9) if settle else None
            changes = Changes()
            site_problems = self._site_problems
            if self._refresh_site(changes):
                # Every story is re-read: index them in bulk (one sort at the end, not one insert each).
                self._reset_indexes()
                self._bulk = True
                self._by_id = self._by_id.mutate()     # 100,000 inserts in place; one Map at the end
                with collector_paused(lambda: len(self._files)):
                    try:
                        self._read_everything(changes)
                        for relpath in sorted(self._files):
                            self._reconsider(relpath)
                    finally:
                        self._bulk = False
                        self._by_id = self._by_id.finish()
                    self._timelines.rebuild(self._slugs(), self._published.values())
            elif paths is None:
                self._scan(changes, force=False)
            else:
                self._refresh_paths(paths, changes)
            self._last_look_ns = started_ns
            if changes or self._generation == 0 or site_problems != self._site_problems:
                self._publish()
            return changes

    def _display(self, relpath: str) -> str:
        return self.display_root + relpath

    def _racy(self, key: StatKey) -> bool:
        return key[0] >= self._last_look_ns - RACY_NS

    def _refresh_site(self, changes: Changes) -> bool:
        """Re-read the site file if it changed; True when the site itself (and so every story) changed."""
        path = self.root / SITE_FILE
        try:
            key = stat_key(path.stat())
        except OSError:
            self._site_stat = None
            self._site_problems = [Problem(self._display(SITE_FILE), None,
                                           "is missing: the store needs a site file naming the publication "
                                           "and its sections" + ("; the last good one stays in use" if self._site else ""))]
            return False
        if key == self._site_stat and not self._racy(key):
            return False
        self._site_stat = key
        try:
            site, warnings = parse_site(path.read_bytes(), self._display(SITE_FILE))
        except SiteError as exc:
            suffix = [Problem(self._display(SITE_FILE), None, "the last good site file stays in use", "warning")]
            self._site_problems = exc.problems + (suffix if self._site else [])
            return False
        except OSError as exc:
            self._site_problems = [Problem(self._display(SITE_FILE), None, f"cannot be read ({exc.strerror})")]
            return False
        self._site_problems = warnings + self._site_image_problems(site)
        if self._site is not None and site.revision == self._site.revision:
            return False
        self._site = self._reader.site = site
        changes.site = True
        return True

    def _site_image_problems(self, site: Site) -> list[Problem]:
        """The site's logo, icon and cover, when they are store paths, must be photos under media/:
        feeds and pages link to them, and a broken image in every reader goes unnoticed otherwise."""
        problems = []
        for name in ("logo", "icon", "cover"):
            value = getattr(site, name)
            if not value or value.startswith(("http://", "https://")):
                continue
            path = store_media_path(value)
            if path is None:
                message = f"{value!r} must be a path under media/ in the store, or an http(s) URL"
            else:
                try:
                    self._reader.photo_info(path)
                    continue
                except PhotoError as exc:
                    message = f"{path}: {exc}"
            problems.append(Problem(self._display(SITE_FILE), name, message + "; feeds link to it", "warning"))
        return problems

    def _walk(self) -> Iterator[tuple[str, os.stat_result | None]]:
        """Every article file (store-relative path, lstat), skipping hidden names and media/."""
        stack = [("", str(self.root))]
        while stack:
            prefix, directory = stack.pop()
            try:
                entries = list(os.scandir(directory))
            except OSError:
                continue
            for entry in entries:
                name = entry.name
                if is_hidden(name):
                    continue
                try:
                    if entry.is_dir(follow_symlinks=False):
                        if not (prefix == "" and name == MEDIA_DIR):
                            stack.append((prefix + name + "/", entry.path))
                    elif name.endswith(".md"):
                        yield prefix + name, entry.stat(follow_symlinks=False)
                except OSError:
                    yield prefix + name, None

    def _cache_context(self) -> tuple:
        reader = self._reader
        return (self._site.revision if self._site else None, reader.media_base_url, reader.max_article_bytes,
                reader.max_photo_bytes, reader.max_photo_pixels, reader.display_root)

    def _read_everything(self, changes: Changes) -> None:
        """Read every file (in parallel processes for a large store), reusing the parse cache where a
        file's stat shows it unchanged since the cache was written."""
        cached, photos, written_ns = self._cache.load(self._cache_context()) if self._cache else ({}, {}, 0)
        for photo, entry in photos.items():
            self._reader.photos.setdefault(photo, entry)
        to_read: list[tuple[str, StatKey, os.stat_result]] = []
        seen: set[str] = set()
        for relpath, st in self._walk():
            seen.add(relpath)
            if st is None:
                continue
            if self._unsettled(relpath, st):
                changes.deferred.add(relpath)      # perhaps half-saved: the next look takes it
                continue
            key = stat_key(st)
            entry = cached.get(relpath)
            if (entry is not None and entry[0] == key and key[0] < written_ns - RACY_NS
                    and not (entry[1].photo_path and self._reader.photo_changed(entry[1].photo_path))):
                self._file(relpath, key, entry[1], changes)
            else:
                to_read.append((relpath, key, st))
        for relpath, key, result in read_many(self._reader, to_read):
            self._file(relpath, key, result, changes)
        for relpath in [p for p in self._files if p not in seen]:
            self._forget(relpath, changes)
        missed = len(to_read) + len(cached.keys() - seen)
        if self._cache is not None and worth_saving(missed, len(cached), len(self._files)):
            self.save_cache()

    def save_cache(self) -> None:
        """Remember every file's current reading (the service calls this now and then; builds after each run)."""
        if self._cache is None or self._site is None:
            return
        files = {relpath: (known.stat, replace(known.current, body=None) if known.current.body else known.current)
                 for relpath, known in self._files.items()}
        self._cache.save(self._cache_context(), files, dict(self._reader.photos))

    def _scan(self, changes: Changes, force: bool) -> None:
        seen: set[str] = set()
        for relpath, st in self._walk():
            seen.add(relpath)
            self._consider(relpath, changes, force, st)
        for relpath in [p for p in self._files if p not in seen]:
            self._forget(relpath, changes)
        for photo in list(self._photo_users):
            if self._reader.photo_changed(photo):
                for relpath in sorted(self._photo_users.get(photo, ())):
                    self._consider(relpath, changes, True)

    def _refresh_paths(self, paths: Iterable[str], changes: Changes) -> None:
        for relpath in sorted({p.replace(os.sep, "/").lstrip("/") for p in paths}):
            parts = relpath.split("/")
            if parts[0] == MEDIA_DIR:
                if relpath in self._photo_users and self._reader.photo_changed(relpath):
                    for user in sorted(self._photo_users.get(relpath, ())):
                        self._consider(user, changes, True)
            elif relpath.endswith(".md") and not any(is_hidden(p) for p in parts):
                self._consider(relpath, changes, True)

    def body(self, article: Article) -> str | None:
        """`article`'s Markdown body, read back from its file; None if the file no longer holds that version."""
        known = self._files.get(article.path)
        if known is not None and known.current.body is not None and known.current.article is article:
            body, known.current.body = known.current.body, None   # kept from the reading (builds): used once
            return body
        try:
            with open(self.root / article.path, "rb") as fh:
                data = fh.read(self.max_article_bytes + 1)
        except OSError:
            return None
        return read_body(data) if file_digest(data) == article.digest else None

    def photo_acceptable(self, photo: str) -> bool:
        """Would a story be published with this store photo (media/…)? Measured once per version."""
        try:
            self._reader.photo_info(photo)
            return True
        except PhotoError:
            return False

    # ---- one file ------------------------------------------------------------------------------

    def _consider(self, relpath: str, changes: Changes, force: bool, st: os.stat_result | None = None) -> None:
        """Re-read one article file if it changed (or `force`), and file the result."""
        path = self.root / relpath
        if st is None:
            try:
                st = path.lstat()
            except OSError:
                if relpath in self._files:
                    self._forget(relpath, changes)
                return
        key = stat_key(st)
        known = self._files.get(relpath)
        if known is not None and known.stat == key and not force and not self._racy(key):
            return
        if self._unsettled(relpath, st):
            changes.deferred.add(relpath)          # still being written, perhaps: look again shortly
            return
        self._file(relpath, key, self._reader.read(relpath, st), changes)

    def _unsettled(self, relpath: str, st: os.stat_result) -> bool:
        """Perhaps half-saved: modified within the settle time, or (lately modified and) still open
        for writing by another process."""
        if self._settle_before_ns is not None and st.st_mtime_ns > self._settle_before_ns:
            return True
        return (stat.S_ISREG(st.st_mode) and st.st_size <= self.max_article_bytes      # never opens what it refuses
                and st.st_mtime_ns > time.time_ns() - WRITER_CHECK_NS and being_written(self.root / relpath))

    def _file(self, relpath: str, key: StatKey, result: ParseResult, changes: Changes) -> None:
        """File a new reading of one path: keep the last good story, note what changed, re-index."""
        known = self._files.get(relpath)
        before = known.effective if known else None
        self._set_photo_user(relpath, known.current.photo_path if known else None, result.photo_path)
        if known is None:
            known = self._files[relpath] = _File(key, result, result.article)
            changes.added.add(relpath)
        else:
            if result.article is None and known.last_good is not None:
                result.problems.append(Problem(self._display(relpath), None,
                                               "the last good version stays published until this is fixed",
                                               "warning"))
            unchanged = (result.article.revision == known.current.article.revision
                         if result.article and known.current.article else
                         result.article is None and known.current.article is None
                         and result.problems == known.current.problems)
            known.stat, known.current = key, result
            if unchanged:
                return
            known.last_good = result.article or known.last_good
            changes.edited.add(relpath)
        self._track_problems(relpath, result)
        self._index(relpath, before, known.effective)

    def _forget(self, relpath: str, changes: Changes) -> None:
        known = self._files.pop(relpath)
        self._set_photo_user(relpath, known.current.photo_path, None)
        self._problem_paths.discard(relpath)
        self._index(relpath, known.effective, None)
        changes.deleted.add(relpath)

    def _track_problems(self, relpath: str, result: ParseResult) -> None:
        if result.problems:
            self._problem_paths.add(relpath)
        else:
            self._problem_paths.discard(relpath)

    def _track_references(self, relpath: str, before: Article | None, after: Article | None) -> None:
        """Keep the reverse index of related-by-id links, and which of them dangle."""
        for article, add in ((before, False), (after, True)):
            for ref in article.related if article is not None else ():
                if isinstance(ref, RelatedRef):
                    referrers = self._referrers.setdefault(ref.article_id, set())
                    (referrers.add if add else referrers.discard)(relpath)
                    if not referrers:
                        del self._referrers[ref.article_id]
                    self._update_dangling(ref.article_id)

    def _update_dangling(self, article_id: str) -> None:
        if article_id in self._referrers and article_id not in self._by_id:
            self._dangling.add(article_id)
        else:
            self._dangling.discard(article_id)

    def _set_photo_user(self, relpath: str, old: str | None, new: str | None) -> None:
        if old == new:
            return
        if old is not None:
            users = self._photo_users.get(old, set())
            users.discard(relpath)
            if not users:
                self._photo_users.pop(old, None)
                self._reader.photos.pop(old, None)
        if new is not None:
            self._photo_users.setdefault(new, set()).add(relpath)

    # ---- indexes -------------------------------------------------------------------------------
    # Kept up to date one path at a time, so noticing one edit costs about the same in a store of
    # ten stories or of a hundred thousand.

    def _index(self, relpath: str, before: Article | None, after: Article | None) -> None:
        """Move one path's story through the claim indexes, then re-decide every path it competes with."""
        if before is after:
            return
        self._track_references(relpath, before, after)
        if before is not None and before.status is Status.DRAFT:
            self._drafts -= 1
        if after is not None and after.status is Status.DRAFT:
            self._drafts += 1
        claimed = [(a.id, a.url) for a in (before, after) if a is not None and a.status is not Status.DRAFT]
        if before is not None and before.status is not Status.DRAFT:
            _unclaim(self._id_claims, before.id, relpath)
            _unclaim(self._url_claims, before.url, relpath)
        if after is not None and after.status is not Status.DRAFT:
            bisect.insort(self._id_claims.setdefault(after.id, []), relpath)
            bisect.insort(self._url_claims.setdefault(after.url, []), relpath)
        contenders = {relpath}
        for article_id, url in claimed:
            contenders.update(self._id_claims.get(article_id, ()))
            contenders.update(self._url_claims.get(url, ()))
            for key, claims in ((("id", article_id), self._id_claims), (("url", url), self._url_claims)):
                if len(claims.get(key[1], ())) > 1:
                    self._contested.add(key)
                else:
                    self._contested.discard(key)
        for path in sorted(contenders):
            self._reconsider(path)

    def _winner(self, relpath: str) -> Article | None:
        """The story `relpath` publishes: not a draft, in a declared section, first in path order to claim its id and URL."""
        known = self._files.get(relpath)
        article = known.effective if known else None
        if article is None or article.status is Status.DRAFT or self._site is None:
            return None
        if self._site.section(article.section) is None:
            return None
        if self._id_claims[article.id][0] != relpath or self._url_claims[article.url][0] != relpath:
            return None
        return article

    def _reconsider(self, relpath: str) -> None:
        desired = self._winner(relpath)
        current = self._published.get(relpath)
        if desired is current:
            return
        if current is not None:
            del self._published[relpath]
            if self._by_id.get(current.id) is current:
                if self._bulk:
                    del self._by_id[current.id]
                else:
                    self._by_id = self._by_id.delete(current.id)
                self._update_dangling(current.id)
        if desired is not None:
            self._published[relpath] = desired
            if self._bulk:
                self._by_id[desired.id] = desired
            else:
                self._by_id = self._by_id.set(desired.id, desired)
            self._update_dangling(desired.id)
        if not self._bulk:
            self._timelines.move(current, desired)

    def _slugs(self) -> list[str]:
        return [section.slug for section in self._site.sections] if self._site else []

    def _reset_indexes(self) -> None:
        """Start the story indexes over for a new site file: sections and URLs may all have changed."""
        self._published.clear()
        self._by_id = immutables.Map()
        self._dangling = set(self._referrers)
        self._timelines.reset(self._slugs())

    def _publish(self) -> None:
        """Publish a new snapshot: copies of what changed, sharing unchanged section timelines."""
        self._generation += 1
        rest = (self._by_id, self._timelines.publish(self._by_id, set(self._slugs())), tuple(self._problems()),
                len(self._files), self._drafts)
        if self._site is None:
            self.snapshot = StoreSnapshot(self._generation, None, *rest)
        else:
            self.snapshot = Snapshot(self._generation, self._site, *rest)   # what the publisher renders from

    def _problems(self) -> list[Problem]:
        problems = list(self._site_problems) + self.unsettled
        for relpath in self._problem_paths:
            problems.extend(self._files[relpath].current.problems)
        for target in self._dangling:
            for relpath in self._referrers[target]:
                for index, ref in enumerate(self._files[relpath].effective.related):
                    if ref == RelatedRef(target):
                        problems.append(Problem(self._display(relpath), f"related[{index}]",
                                                f"no published or scheduled article has the id {target!r}; "
                                                "the link is left out until one does", "warning"))
        for what, value in self._contested:
            paths = (self._id_claims if what == "id" else self._url_claims)[value]
            for loser in paths[1:]:
                problems.append(Problem(self._display(loser), what,
                                        f"{value!r} is already used by {self._display(paths[0])}; "
                                        "this story is left out until one of them changes"))
        problems.sort(key=lambda p: (p.path, p.severity != "error", p.field or "", p.message))
        return problems


def _unclaim(claims: dict[str, list[str]], value: str, relpath: str) -> None:
    paths = claims.get(value)
    if paths and relpath in paths:
        paths.remove(relpath)
        if not paths:
            del claims[value]


def _display_root(root: Path) -> str:
    """How the store's folder is named in messages: as it was given (e.g. "articles/")."""
    text = os.path.normpath(str(root))
    return "" if text == "." else text.replace(os.sep, "/") + "/"
