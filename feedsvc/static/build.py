"""The static door: every path the service serves, written as files a CDN or nginx can serve.

Same publisher, same bytes. Documents whose inputs did not change since the last build (by their
fingerprint) are not rendered again; the rest are rendered — in forked processes when there are
many (`rendering`) — into a `TreeWriter`, which swaps the new tree in atomically. The build reports
which feeds it rewrote; telling a WebSub hub is the caller's job.
"""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ..config import Config
from ..model import Problem
from ..paths import MEDIA_PREFIX, base_path, route
from ..publish.preparedfiles import PreparedFiles
from ..publish.publisher import Publisher
from ..render import items
from ..store.store import Store
from ..words import plural
from .hostrules import HEADERS_FILE, NGINX_FILE, netlify_headers, nginx_snippet
from .photos import PhotoChanged, described_photos
from .rendering import ToRender, month_of, render_all
from .report import BuildReport, Phases, Quiet
from .tree import BUILD_RECORD as BUILD_RECORD  # the record's name, for those who read it
from .tree import BuildError, Output, TreeWriter, clean_leftovers, refuse_overlap, why_not
from .unchanged import Standing, recorded


def write_documents(
    publisher: Publisher,
    now: datetime,
    writer: TreeWriter,
    report: BuildReport,
    phases: Phases | None = None,
    retry_unread: bool = False,
) -> dict[str, dict[str, Any]]:
    """Render every document into the writer — except those whose fingerprint is the one the previous
    build recorded (their files are kept, unrendered) — then the header manifest and nginx snippet.
    Returns the record of documents for the next build. The documents of scopes no story changed in
    since the previous build are not even planned (`Standing`): their fingerprints stand.

    Two phases: "rendering" the documents that changed, then "writing" the new tree's files — those of
    the rendered documents are already written as each was rendered; the unchanged documents' files
    are linked in (or, if one was changed or removed in the output, rendered anew), then the host
    rules written. With `retry_unread`, a story whose file changed after the read is read again and
    StoriesChanged raised (the build starts over) rather than the story left out."""
    phases = phases or Quiet()
    old_documents = writer.previous.get("documents", {})
    standing = Standing(publisher, now, writer.previous)
    writer.notes, writer.dated = standing.notes, standing.dated
    paths = standing.paths(publisher, now)
    entries: dict[str, dict[str, Any] | None] = dict.fromkeys(paths)  # path → its record, in the order of paths
    to_render: list[ToRender] = []
    unchanged: list[tuple[str, str, dict[str, Any]]] = []
    # A month's archives of every section, writer and tag, one after another: they carry the same
    # stories, so planning them finds each story's links resolved (publish.selection.Selector), and a
    # rendering process finds its items written (render.items), while they are still remembered.
    keys = {path: route(path) for path in paths}  # looked up once: sorting and `holds` both ask
    for path in sorted(paths, key=lambda path: month_of(keys[path])):
        old = old_documents.get(path)
        entries[path] = None
        if old is not None and standing.holds(keys[path], old):
            unchanged.append((path, old["fingerprint"], old))
            continue
        found = publisher.fingerprint(path, now)
        fingerprint, until = (found[0], recorded(found[1])) if found is not None else (None, 0.0)
        if fingerprint is not None and old is not None and old["fingerprint"] == fingerprint:
            unchanged.append((path, fingerprint, {**old, "until": until}))
        else:
            to_render.append(ToRender(path, fingerprint, until))
    photos = described_photos(publisher.store.snapshot)
    phases.begin("rendering", len(to_render), "document")
    for path, entry in render_all(publisher, now, writer, to_render, photos, report):
        entries[path] = entry
        phases.advance()
    phases.end()
    # "writing" the new tree, or — when no document changed — "keeping" the one there (said as such)
    phases.begin(
        "writing" if to_render else "keeping",
        len(writer.written) + sum(len(old["files"]) for _, _, old in unchanged) + 2,
        "file",
    )
    phases.advance(len(writer.written))
    damaged: list[ToRender] = []
    for path, fingerprint, old in unchanged:
        # Looked at once, as it is linked (a stat of each file): one changed in the output is rendered anew.
        if writer.kept(old):
            entries[path] = old
            phases.advance(len(old["files"]))
        else:
            damaged.append(ToRender(path, fingerprint, old.get("until", 0.0)))
    for path, entry in render_all(publisher, now, writer, damaged, photos, report):
        entries[path] = entry
        phases.advance(len(entry["files"]) if entry else 1)
    documents = {path: entry for path, entry in entries.items() if entry is not None}
    unread = sorted({name for entry in documents.values() for name in entry.get("unread", ())})
    if unread and retry_unread and publisher.store.refresh(unread):
        raise StoriesChanged(f"{plural(len(unread), 'story')} changed while the build ran ({', '.join(unread[:3])})")
    report.unread = [Problem(publisher.store.display_root + name, None, UNREAD) for name in unread]
    report.problems += len(unread)
    root = "/" + base_path(publisher.feeds.base_url)  # the paths as published: "/feeds/rss.xml"
    headers = {root + path: entry["headers"] for path, entry in documents.items()}
    writer.put(Output.text(HEADERS_FILE, netlify_headers(headers)))
    photos_types = {
        root + path: entry["headers"]["Content-Type"]
        for path, entry in documents.items()
        if path.startswith(MEDIA_PREFIX)
    }
    feeds = publisher.feeds
    snippet = nginx_snippet(publisher.policy, feeds.hub_url, feeds.base_url, photos_types, feeds.gzip_level)
    writer.put(Output.text(NGINX_FILE, snippet))
    phases.advance(2)
    return documents


UNREAD = "could not be read back as the build ran: left out of its documents, which the next build makes again"


def open_store(config: Config, progress: Callable[[int, int], None] | None = None) -> Store:
    """The store as a build reads it: a story still being saved is waited for (a few seconds at most),
    so a half-saved file is not baked into the output. `progress` hears (files read, files in all).
    No story's body is kept from the read: the rendering processes forked from this one would each
    count them all (470 MB at 100,000 stories); each is read back as its story is rendered."""
    return Store.open(
        config.store,
        media_base_url=config.feeds.base_url,
        limits=config.read,
        cache_dir=config.cache_path,
        wait=2.0,
        progress=progress,
    )


TRIES = 3  # builds started over because a photo or a story changed under them, before giving up


class StoriesChanged(BuildError):
    """A story's file changed after the build read it, so its body could not be read back: the build
    starts over from the store as it is now rather than publish every document without the story."""


def build(
    config: Config,
    out_dir: str | os.PathLike[str],
    *,
    strict: bool = False,
    now: datetime | None = None,
    progress: Callable[[str], None] | None = None,
    store: Store | None = None,
    publisher: Publisher | None = None,
    phases: Phases | None = None,
) -> BuildReport:
    """Render every document and publish the tree to `out_dir`. Raises BuildError; never leaves a partial output.

    Given a `publisher` that lives on between builds (`feedsvc build --watch`), only documents whose
    stories changed are rendered again. The report names the feeds that changed; announcing them to
    a WebSub hub is the caller's job (the build itself makes no network request).

    A photo that changes while the build runs would not match what the feeds say of it, and a story
    whose file changes cannot have its body read back: the build looks at the store again and starts
    over, up to TRIES times (a story still changing on the last try is left out, and reported).

    `progress` hears the name of each file written anew; `phases`, how far each phase has got.
    """
    started = time.perf_counter()
    out_dir = Path(out_dir)
    refuse_overlap(publisher.store.root if publisher else store.root if store else config.store, out_dir)
    now = now or datetime.now(UTC)
    if publisher is None:
        publisher = Publisher(store or open_store(config), config.feeds, config.cache_policy, clock=lambda: now)
        if config.cache_path is not None:  # a new process: what earlier ones prepared, beside the parse cache
            publisher.prepared_cache.files = PreparedFiles(config.cache_path)
    kept = publisher.prepared_cache.files  # and feed items, under the code and settings that wrote them
    items.keep_in(kept, publisher.fingerprints.digest("feed items") if kept is not None else "")
    try:
        report, writer = _locked_build(publisher, out_dir, now, strict, progress, phases)
    finally:
        items.keep_in(None)
    if kept is not None:
        kept.close()  # saved, and its write-ahead log checkpointed into the file
    report.written, report.reused, report.bytes = writer.written, writer.reused, writer.total_bytes
    report.files = len(writer.record)
    feeds = {key.path for key in publisher.feed_keys(publisher.store.snapshot, now)}
    # WebSub topics whose content changed: a feed only dated anew is no news to announce (as the service,
    # which announces a feed when its ETag changes).
    report.changed_feeds = [
        publisher.feeds.base_url + name for name in report.written if name in feeds and writer.has_new_bytes(name)
    ]
    report.seconds = time.perf_counter() - started
    return report


def _locked_build(
    publisher: Publisher,
    out_dir: Path,
    now: datetime,
    strict: bool,
    progress: Callable[[str], None] | None,
    phases: Phases | None,
) -> tuple[BuildReport, TreeWriter]:
    """The build under the output's lock, tried again while a photo or a story changes under it."""
    lock_path = out_dir.absolute().with_name(f".{out_dir.name}.lock")
    try:
        lock_path.parent.mkdir(parents=True, exist_ok=True)
        lock = open(lock_path, "w")
    except OSError as exc:
        raise BuildError(f"could not write {out_dir}: {why_not(exc, lock_path.parent)}") from None
    with lock:
        try:
            # A POSIX record lock, not flock(2): the processes a build forks to render do not inherit it.
            fcntl.lockf(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except (BlockingIOError, PermissionError):
            raise BuildError(f"another build is writing {out_dir}; try again when it is done") from None
        for attempt in range(1, TRIES + 1):
            try:
                report, writer = _build_once(
                    publisher, out_dir, now, strict, progress, phases or Quiet(), retry_unread=attempt < TRIES
                )
                break
            except StoriesChanged:
                continue  # write_documents has read them again
            except PhotoChanged as exc:
                if attempt == TRIES:
                    raise BuildError(
                        f"{exc} (it changed on each of {attempt} tries); the previous output is untouched"
                    ) from None
                publisher.store.refresh()  # the stories that use it are read again
            except OSError as exc:
                raise BuildError(
                    f"could not write {out_dir}: {why_not(exc, out_dir.absolute())}; the previous output is untouched"
                ) from exc
    return report, writer


def _build_once(
    publisher: Publisher,
    out_dir: Path,
    now: datetime,
    strict: bool,
    progress: Callable[[str], None] | None,
    phases: Phases,
    retry_unread: bool,
) -> tuple[BuildReport, TreeWriter]:
    """One try at the build, from the store's current snapshot; raises PhotoChanged or StoriesChanged
    to be tried again."""
    report = BuildReport(out_dir)
    snapshot = publisher.store.snapshot
    if snapshot.site is None:
        raise BuildError("; ".join(map(str, snapshot.problems)) or "the store has no site file")
    report.problems = len(snapshot.problems)
    report.errors = len(snapshot.errors)
    if strict and report.errors:
        raise BuildError(f"{plural(report.errors, 'error')} in the store and --strict was given; output left as it was")
    report.articles = snapshot.timeline(None).visible_count(now)
    report.feeds = len(publisher.feed_keys(snapshot, now))
    appearance = snapshot.timeline(None).next_appearance(now)
    report.next_change = datetime.fromtimestamp(appearance, UTC) if appearance else None
    clean_leftovers(out_dir.absolute())
    writer = TreeWriter(out_dir, progress)
    report.changed = writer.finish(write_documents(publisher, now, writer, report, phases, retry_unread))
    phases.end()  # "writing" (or "keeping") ends once the new tree is in place
    return report, writer
