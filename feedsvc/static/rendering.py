"""Rendering the documents a build writes, each into its `TreeWriter` (with a gzip copy, but for an
archive) as it is rendered: in this process when there are few, else in processes forked for it, each
given whole archive months so that a story is written (Markdown, feedgen) by one process only."""

from __future__ import annotations

import gc
import os
from collections.abc import Iterator, Mapping
from datetime import datetime, timedelta
from typing import Any, NamedTuple

from .. import forking
from ..model import EPOCH, Photo
from ..paths import FeedKey, Route, build_file_name, route
from ..publish.cache import Unreadable
from ..publish.publisher import Publisher
from ..render import items
from .hostrules import precompressed
from .photos import render
from .report import BuildReport
from .tree import BuildError, Output, Part, TreeWriter

_MICROSECOND = timedelta(microseconds=1)  # a datetime's finest step


class ToRender(NamedTuple):
    """A document the build renders: its path, its fingerprint (None: made again by the next build too),
    and until when its plan holds on its own (POSIX time; None: for ever), which the record keeps."""

    path: str
    fingerprint: str | None
    until: float | None


def _render_into(
    publisher: Publisher, document: ToRender, now: datetime, writer: TreeWriter, photos: Mapping[str, Photo]
) -> dict[str, Any] | None:
    """Render one document and put its files (and, but for an archive, a gzip copy) into the writer;
    its record, or None. A document a story was left out of for a fault (its file removed or being
    replaced as it was read back) is recorded without a fingerprint: the next build makes it again."""
    path, fingerprint = document.path, document.fingerprint
    left_out: tuple[str, ...] = ()
    try:
        doc = render(publisher, path, now, photos)
    except Unreadable as unread:  # written as the store holds it now
        doc, fingerprint, left_out = unread.partial, None, unread.left_out
    if doc is None:
        return None
    name = build_file_name(path)
    # Its file time in integers all the way: no float of seconds to round on the way to os.utime.
    mtime_ns = (doc.last_modified - EPOCH) // _MICROSECOND * 1000 if doc.last_modified else None
    files = [Output(name, doc.body, mtime_ns, doc.etag, len(doc.body))]
    gzip = doc.compress() if precompressed(doc.kind) else None
    if gzip is not None:
        files.append(Output(name + ".gz", gzip.body, mtime_ns, gzip.etag, len(gzip.body)))
    for output in files:
        writer.put(output)
    record: dict[str, Any] = {
        "fingerprint": fingerprint,
        "headers": publisher.headers(path, doc, keep=False),
        "files": [f.name for f in files],
    }
    if left_out:
        record["unread"] = sorted(set(left_out))
    record["until"] = document.until
    return record


# A first build with archives renders thousands of documents (Markdown, feedgen): spread over the
# cores, as the store's read is. Below this many, one process is as fast as starting others.
PARALLEL_DOCUMENTS = 300
RENDER_CHUNK = 16
_forked: tuple[Publisher, datetime, TreeWriter, Mapping[str, Photo]] | None = None  # what rendering processes inherit
_frozen_in = 0  # the rendering process that froze what it inherited


def render_all(
    publisher: Publisher,
    now: datetime,
    writer: TreeWriter,
    to_render: list[ToRender],
    photos: Mapping[str, Photo],
    report: BuildReport,
) -> Iterator[tuple[str, dict[str, Any] | None]]:
    """(path, record) for each document to render, in order; in forked processes when there are many
    (and this process has a single thread: forking a threaded process is unsafe)."""
    global _forked
    if len(to_render) < PARALLEL_DOCUMENTS or not forking.can_fork():
        for document in to_render:
            yield document.path, _render_into(publisher, document, now, writer, photos)
        return
    from concurrent.futures.process import BrokenProcessPool  # with the pool: see forking.forked_pool

    for path, _, _ in to_render:  # the folders now, so the processes never race to make one, but for
        name = build_file_name(path)  # an archive month's own: made by the one process rendering that month
        writer.folder(name.rpartition("/")[0] if _archive_month(path) else name)
    chunks = _chunks(to_render)
    report.processes = forking.workers()
    if publisher.prepared_cache.files is not None:  # each process opens its own, and saves what it prepared
        publisher.prepared_cache.files.close()
    _forked = (publisher, now, writer, photos)
    try:
        with forking.forked_pool() as pool:
            for records, part in pool.map(_render_chunk, chunks):
                writer.merge(part)
                yield from records
    except BrokenProcessPool as exc:
        raise BuildError(f"a rendering process died ({exc}); the previous output is untouched") from None
    finally:
        _forked = None


def _chunks(to_render: list[ToRender]) -> list[list[ToRender]]:
    """The documents in chunks for the rendering processes: each month's archives whole, so each story
    is written (Markdown, feedgen) by one process only, the largest months first; then the rest,
    RENDER_CHUNK at a time, to keep both processes busy to the end."""
    months: dict[str, list[ToRender]] = {}
    for document in to_render:
        months.setdefault(_archive_month(document.path), []).append(document)
    others = months.pop("", [])
    return sorted(months.values(), key=len, reverse=True) + [
        others[i : i + RENDER_CHUNK] for i in range(0, len(others), RENDER_CHUNK)
    ]


def _archive_month(path: str) -> str:
    """The month of an archive document ("" for any other document): a month's archives are planned
    and rendered together."""
    return month_of(route(path))


def month_of(key: Route | None) -> str:
    """The month of the archive document `key` names ("" for any other document)."""
    return key.month[:7] if isinstance(key, FeedKey) and key.month else ""


def _render_chunk(chunk: list[ToRender]) -> tuple[list[tuple[str, dict[str, Any] | None]], Part]:
    """In a rendering process: render `chunk` into the inherited writer; the records and what was written."""
    global _frozen_in
    assert _forked is not None, "only in a process forked by render_all"
    if _frozen_in != os.getpid():
        # What the process inherited (the store, the plans) lives as long as it does: its collections
        # leave it out (gc.freeze, a list splice) instead of walking it, and so copying its pages (a
        # cold default build: garbage collection 1.5 → 0.4 CPU-s in the two processes).
        gc.freeze()
        _frozen_in = os.getpid()
        items.keep_in(None)  # a build this large follows a change no kept item outlives: no lookups
    publisher, now, writer, photos = _forked
    writer.part()  # forget what the parent had put before it forked this process
    records = [(document.path, _render_into(publisher, document, now, writer, photos)) for document in chunk]
    if publisher.prepared_cache.files is not None:  # for the one-off build after this one
        publisher.prepared_cache.files.save()
    return records, writer.part()
