"""The static door: every path the service serves, written as files a CDN or nginx can serve.

Same publisher, same bytes. The new tree is written beside the old one and swapped in with one
atomic rename, so a failed or killed build leaves the previous output exactly as it was. Files whose
bytes did not change are hard-linked from the previous output, so they keep their mtime and inode,
and the tree swapped out is kept to stage the next build, which then touches only what changed.
"""
from __future__ import annotations

import ctypes
import errno
import fcntl
import json
import logging
import os
import re
import shutil
import stat
import time
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Callable, Iterator
from urllib.parse import urlsplit, urlunsplit

from .. import forking
from ..config import Config
from ..publish.publisher import Publisher
from ..render.opml import OPML_MIMETYPE
from ..render.document import ARCHIVE, FEED, MEDIA, PAGE, CachePolicy, Rendered, dated
from ..store.store import Store
from ..serve.websub import HubNotifier
from ..paths import ARCHIVE_FORMATS, FEED_FORMATS, OPML_PATH, base_path, build_file_name

log = logging.getLogger(__name__)

BUILD_RECORD = ".feedsvc-build.json"     # what the last build wrote: lets the next one reuse files
HEADERS_FILE = "_headers"                # Netlify / Cloudflare Pages header rules
NGINX_FILE = "nginx-feedsvc.conf"        # an nginx snippet to include in a server block
RECORD_VERSION = 2


class BuildError(RuntimeError):
    """The build could not finish; the previous output is untouched."""


@dataclass
class BuildReport:
    out_dir: Path
    articles: int = 0
    feeds: int = 0
    files: int = 0
    written: list[str] = field(default_factory=list)
    reused: int = 0
    bytes: int = 0
    seconds: float = 0.0
    problems: int = 0
    errors: int = 0
    changed: bool = False
    processes: int = 1                       # how many processes rendered documents
    next_change: datetime | None = None
    notifier: HubNotifier | None = None      # set when a WebSub hub is being told of changed feeds

    def summary(self) -> str:
        state = (f"{len(self.written)} written, {self.reused} unchanged" if self.changed
                 else "nothing changed, output left as it was")
        line = (f"built {self.out_dir}: {self.articles} articles, {self.feeds} feeds, {self.files} files "
                f"({state}), {self.bytes:,} bytes, {self.seconds:.2f} s, {self.problems} problems")
        if self.next_change is not None:
            line += f"; next scheduled story at {self.next_change.isoformat()} (rebuild then)"
        return line


@dataclass(frozen=True)
class _Output:
    name: str                   # file name under the output folder
    data: bytes | None          # None: the previous build's file, kept as it is
    mtime: float | None
    etag: str
    size: int = 0


def _text_output(name: str, text: str) -> _Output:
    data = text.encode("utf-8")
    return _Output(name, data, None, Rendered.of(data, "text/plain", None, gzip_level=None).etag, len(data))


def netlify_headers(headers: dict[str, dict[str, str]]) -> str:
    """`_headers` in the format Netlify and Cloudflare Pages read: a path, then indented headers."""
    lines = ["# Written by feedsvc build: the headers the feed service sends for each path."]
    for path in sorted(headers):
        lines.append(path)
        lines.extend(f"  {name}: {value}" for name, value in sorted(headers[path].items()))
    return "\n".join(lines) + "\n"


def _location(pattern: str, mimetype: str | None, cache_control: str, link: str | None = None) -> str:
    lines = [f'location ~ "{pattern}" {{']
    if mimetype:
        lines += ["    types { }", f"    default_type {mimetype};"]
    lines += ["    gzip_static on;", "    gzip_vary on;", f'    add_header Cache-Control "{cache_control}";']
    if link:
        lines.append(f"    add_header Link '{link}';")
    return "\n".join(lines + ["}"])


def nginx_snippet(policy: CachePolicy, hub_url: str | None = None, base_url: str = "") -> str:
    """A snippet for an nginx `server` block whose `root` is the build output — or, when the base URL
    has a path (/feeds/), for a `location /feeds/` block that `alias`es it: every location below
    matches the published paths.

    Patterns, not one block per file, so a build that adds a section or an archive month needs no
    nginx reload. Regular expressions are tried in order: archives before subscription feeds.
    """
    root = "/" + base_path(base_url)              # "/" or "/feeds/": where the published paths start
    pattern = re.escape(root)
    feed, archive = policy.cache_control(FEED), policy.cache_control(ARCHIVE)
    blocks = []
    for fmt in ARCHIVE_FORMATS:
        file_name, mimetype = FEED_FORMATS[fmt]
        blocks += [f"# {fmt} archives (RFC 5005): months that are over",
                   _location(rf"^{pattern}sections/[^/]+/archive/[0-9]{{4}}-[0-9]{{2}}(-[0-9]+)?/{re.escape(file_name)}$",
                             mimetype, archive)]
    # WebSub discovery by Link header; nginx fills in each feed's own address (its published path).
    origin = urlunsplit(urlsplit(base_url)[:2] + ("", "", ""))
    link = f'<{hub_url}>; rel="hub", <{origin}$uri>; rel="self"' if hub_url else None
    for fmt, (file_name, mimetype) in FEED_FORMATS.items():
        blocks += [f"# {fmt} feeds", _location(rf"(^|/){re.escape(file_name)}$", mimetype, feed, link)]
    blocks += ["# the OPML list of every section feed",
               _location(rf"^{pattern}{re.escape(OPML_PATH)}$", OPML_MIMETYPE, feed),
               "# pages for people", _location(r"(^|/)index\.html$", None, policy.cache_control(PAGE))]
    types = " ".join([*(mimetype for _, mimetype in FEED_FORMATS.values()), OPML_MIMETYPE])
    if root == "/":
        server = f"""#   server {{
#       listen 80;
#       root /path/to/build/output;
#       include /path/to/build/output/{NGINX_FILE};
#   }}"""
    else:
        server = f"""#   server {{
#       listen 80;
#       location "{root}" {{                      # the base URL's path
#           alias /path/to/build/output/;
#           include /path/to/build/output/{NGINX_FILE};
#       }}
#   }}"""
    return f"""# Written by feedsvc build. Serve the build output with nginx as the feed service would:
#
{server}
#
# Content types with charset, precompressed .gz siblings (gzip_static), the service's Cache-Control
# (on answers a cache may keep, not on a 404), and validators: nginx's own ETag and Last-Modified
# (each file's time is its Last-Modified), so conditional GETs get 304s from nginx itself.

index index.html;
charset utf-8;
charset_types {types};
etag on;
if_modified_since before;     # as the service: unchanged since the date the client holds, or earlier
absolute_redirect off;        # "/sections/x" -> "/sections/x/" without a Host-derived address

{chr(10).join(blocks)}

location "{root}media/" {{
    add_header Cache-Control "{policy.cache_control(MEDIA)}";
}}

# Build records and dotfiles are not for the public.
location ~ (^|/)\\. {{ return 404; }}
location = "{root}{HEADERS_FILE}" {{ return 404; }}
location = "{root}{NGINX_FILE}" {{ return 404; }}
"""


# ---- writing, atomically ----------------------------------------------------------------------

def _read_record(out_dir: Path) -> dict:
    try:
        record = json.loads((out_dir / BUILD_RECORD).read_text("utf-8"))
        return record if record.get("version") == RECORD_VERSION else {}
    except (OSError, ValueError):
        return {}


def _intact(out_dir: str, name: str, entry: dict | None) -> os.stat_result | None:
    """The file's lstat, if the previous build wrote it and it is still there as written; else None."""
    if entry is None:
        return None
    try:
        st = os.lstat(f"{out_dir}/{name}")
    except OSError:
        return None
    return st if st.st_size == entry.get("size") and st.st_mtime_ns == entry.get("mtime_ns") else None


def _clear(path: str) -> None:
    """Remove whatever is at `path` in the staging tree: a file, a link or a folder."""
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return
    if stat.S_ISDIR(st.st_mode):
        shutil.rmtree(path)
    else:
        os.unlink(path)


def _exchange(staging: Path, out_dir: Path) -> None:
    """Swap two folders in one step (Linux renameat2 RENAME_EXCHANGE); elsewhere, two quick renames."""
    libc = ctypes.CDLL(None, use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is not None:
        at_fdcwd, rename_exchange = -100, 2
        if renameat2(at_fdcwd, os.fsencode(staging), at_fdcwd, os.fsencode(out_dir), rename_exchange) == 0:
            return
        err = ctypes.get_errno()
        if err not in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP):
            raise OSError(err, os.strerror(err), str(out_dir))
    aside = staging.with_name(staging.name + "-old")
    os.rename(out_dir, aside)
    os.rename(staging, out_dir)
    os.rename(aside, staging)


def _make_durable(tree: Path) -> None:
    """Flush a freshly written tree to disk: one syncfs(2) of its file system (Linux), or else an
    fsync of every file and folder in it."""
    libc = ctypes.CDLL(None, use_errno=True)
    syncfs = getattr(libc, "syncfs", None)
    if syncfs is not None:
        fd = os.open(tree, os.O_RDONLY)
        try:
            if syncfs(fd) == 0:
                return
        finally:
            os.close(fd)
    for path in sorted(tree.rglob("*"), key=lambda p: -len(p.parts)):
        if path.is_file():
            with open(path, "rb") as fh:
                os.fsync(fh.fileno())
        else:
            _fsync_dir(path)
    _fsync_dir(tree)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _check_out_dir(out_dir: Path) -> None:
    if out_dir.is_symlink() or (out_dir.exists() and not out_dir.is_dir()):
        raise BuildError(f"{out_dir}: exists and is not a folder; refusing to replace it")
    if out_dir.is_dir() and any(out_dir.iterdir()) and not (out_dir / BUILD_RECORD).is_file():
        raise BuildError(f"{out_dir}: exists and was not written by feedsvc build; refusing to replace it "
                         "(choose a new or empty folder)")


class TreeWriter:
    """Writes a new output tree beside the old one, file by file as documents are rendered (nothing is
    held in memory), then swaps it in with one atomic rename — or leaves everything as it was if nothing
    changed. Files whose bytes did not change are hard links to the previous output's, so they keep
    their mtime and inode.

    The tree swapped out is kept, hidden, as the next build's staging tree (`.<out>.staging`): it
    differs from the output only in what the last build changed, so an incremental build fixes up
    those files instead of making every folder and link again (a store with archives has hundreds
    of folders; figures in docs/PERFORMANCE.md). Nothing in it is trusted: each
    file is checked against the output (same inode) or written anew, and whatever the new tree does
    not hold is removed before the swap.
    """

    def __init__(self, out_dir: Path, report: BuildReport, progress: Callable[[str], None] | None = None) -> None:
        self.out_dir = out_dir.absolute()
        _check_out_dir(self.out_dir)
        self.previous = _read_record(self.out_dir) if self.out_dir.is_dir() else {}
        self.old_files = self.previous.get("files", {})
        self.report, self.progress = report, progress
        self.staging = self.out_dir.with_name(f".{self.out_dir.name}.staging")
        if self.staging.is_symlink() or (self.staging.exists() and not self.staging.is_dir()):
            self.staging.unlink()
        self.staging.mkdir(parents=True, exist_ok=True)
        self.record: dict[str, dict] = {}
        # Plain strings and a memory of checked folders: an incremental build visits thousands of files.
        self._old_root, self._new_root = str(self.out_dir), str(self.staging)
        self._folders: set[str] = {""}

    def kept(self, old_document: dict) -> bool:
        """Keep an unchanged document's files from the previous build, if they are all still intact."""
        names = old_document["files"]
        found = [_intact(self._old_root, name, self.old_files.get(name)) for name in names]
        if not all(found):
            return False
        for name, st in zip(names, found):
            self._link(name, self.old_files[name], st)
        return True

    def put(self, output: _Output) -> None:
        entry = self.old_files.get(output.name)
        if entry is not None and entry.get("etag") == output.etag:
            st = _intact(self._old_root, output.name, entry)
            if st is not None:
                self._link(output.name, entry, st)      # the same bytes as last time: keep that very file
                return
        self.folder(output.name)
        target = f"{self._new_root}/{output.name}"
        _clear(target)                  # never write into what may be a link to a published file
        with open(target, "xb") as fh:
            fh.write(output.data)
        if output.mtime is not None:
            os.utime(target, (output.mtime, output.mtime))
        self.record[output.name] = {"etag": output.etag, "mtime_ns": os.lstat(target).st_mtime_ns,
                                    "size": output.size}
        self.report.written.append(output.name)
        self.report.bytes += output.size
        if self.progress is not None:
            self.progress(output.name)

    def folder(self, name: str) -> None:
        """Make sure the staging folders that will hold the file `name` are real folders, once per build."""
        folder = name.rpartition("/")[0]
        if folder in self._folders:
            return
        parent, _, _ = folder.rpartition("/")
        if parent not in self._folders:
            self.folder(folder)
        path = f"{self._new_root}/{folder}"
        try:
            is_folder = stat.S_ISDIR(os.lstat(path).st_mode)
        except FileNotFoundError:
            os.mkdir(path)
        else:
            if not is_folder:           # a file, or a link that could lead out of the tree
                os.unlink(path)
                os.mkdir(path)
        self._folders.add(folder)

    def _link(self, name: str, entry: dict, published: os.stat_result) -> None:
        self.folder(name)
        target = f"{self._new_root}/{name}"
        try:
            staged = os.lstat(target)
            already = (staged.st_ino, staged.st_dev) == (published.st_ino, published.st_dev)
        except FileNotFoundError:
            already = False
        if not already:
            _clear(target)
            os.link(f"{self._old_root}/{name}", target)
        self.record[name] = entry
        self.report.reused += 1
        self.report.bytes += entry["size"]

    def part(self) -> tuple[dict, list[str], int, int]:
        """In a rendering process: what this writer put since the last call (then forget it), for `merge`."""
        done = (self.record, self.report.written, self.report.bytes, self.report.reused)
        self.record, self.progress = {}, None
        self.report = BuildReport(self.out_dir)
        return done

    def merge(self, part: tuple[dict, list[str], int, int]) -> None:
        """Take in what a rendering process put into the staging tree."""
        record, written, size, reused = part
        self.record.update(record)
        self.report.written += written
        self.report.bytes += size
        self.report.reused += reused
        if self.progress is not None:
            for name in written:
                self.progress(name)

    def _remove_strays(self) -> None:
        """Remove from the staging tree whatever the new tree does not hold (left by an earlier build)."""
        for folder, subfolders, files in os.walk(self._new_root):
            relative = os.path.relpath(folder, self._new_root).replace(os.sep, "/")
            prefix = "" if relative == "." else relative + "/"
            for name in files:
                if prefix + name not in self.record:
                    os.unlink(os.path.join(folder, name))
            for name in list(subfolders):
                if prefix + name not in self._folders:
                    _clear(os.path.join(folder, name))
                    subfolders.remove(name)

    def finish(self, documents: dict) -> None:
        """Swap the new tree in — unless it is the old one file for file, then leave everything as it was."""
        self.report.files = len(self.record)
        if not self.report.written and set(self.record) == set(self.old_files):
            self.report.changed = False
            if documents != self.previous.get("documents"):
                self._replace_record(documents)
            return
        self.report.changed = True
        self._remove_strays()
        record = f"{self._new_root}/{BUILD_RECORD}"
        _clear(record)
        with open(record, "x", encoding="utf-8") as fh:
            fh.write(self._record_text(documents))
        _make_durable(self.staging)          # everything on disk before the swap makes it visible
        if self.out_dir.exists():
            _exchange(self.staging, self.out_dir)     # the old tree is now the next build's staging tree
            _fsync_dir(self.out_dir.parent)
        else:
            os.rename(self.staging, self.out_dir)
            _fsync_dir(self.out_dir.parent)

    def _record_text(self, documents: dict) -> str:
        return json.dumps({"version": RECORD_VERSION, "files": self.record, "documents": documents}, sort_keys=True)

    def _replace_record(self, documents: dict) -> None:
        """The same files, new fingerprints (a feedsvc upgrade, an edit that changed no output): record them,
        or every later build would render every document again only to find the same bytes. The record is
        replaced atomically; no public file is touched."""
        temporary = self.out_dir / f"{BUILD_RECORD}.tmp-{os.getpid()}"
        with open(temporary, "w", encoding="utf-8") as fh:
            fh.write(self._record_text(documents))
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(temporary, self.out_dir / BUILD_RECORD)
        _fsync_dir(self.out_dir)


def write_documents(publisher: Publisher, now: datetime, writer: TreeWriter) -> dict[str, dict]:
    """Render every document into the writer — except those whose fingerprint is the one the previous
    build recorded (their files are kept, unrendered) — then the header manifest and nginx snippet.
    Returns the record of documents for the next build."""
    old_documents = writer.previous.get("documents", {})
    entries: dict[str, dict | None] = {}          # path → its record, in the order the paths are listed
    to_render: list[tuple[str, str | None]] = []
    for path in publisher.paths(now):
        fingerprint = publisher.fingerprint(path, now)
        old = old_documents.get(path)
        if fingerprint is not None and old is not None and old["fingerprint"] == fingerprint and writer.kept(old):
            entries[path] = old
        else:
            entries[path] = None
            to_render.append((path, fingerprint))
    entries.update(_render_all(publisher, now, writer, to_render))
    documents = {path: entry for path, entry in entries.items() if entry is not None}
    root = "/" + base_path(publisher.config.base_url)      # the paths as published: "/feeds/rss.xml"
    headers = {root + path: entry["headers"] for path, entry in documents.items()}
    writer.put(_text_output(HEADERS_FILE, netlify_headers(headers)))
    writer.put(_text_output(NGINX_FILE, nginx_snippet(publisher.policy, publisher.config.hub_url,
                                                      publisher.config.base_url)))
    return documents


def _render_into(publisher: Publisher, path: str, fingerprint: str | None, now: datetime,
                 writer: TreeWriter) -> dict | None:
    """Render one document and put its files (and a gzip copy) into the writer; its record, or None."""
    doc = publisher.render(path, now)
    if doc is None:
        return None
    old = writer.previous.get("documents", {}).get(path)
    if old is not None and "ETag" in old["headers"] and "Last-Modified" in old["headers"]:
        doc = dated(doc, old["headers"]["ETag"].strip('"'), parsedate_to_datetime(old["headers"]["Last-Modified"]), now)
    name = build_file_name(path)
    mtime = doc.last_modified.timestamp() if doc.last_modified else None
    files = [_Output(name, doc.body, mtime, doc.etag, len(doc.body))]
    gzip = doc.compress()
    if gzip is not None:
        files.append(_Output(name + ".gz", gzip.body, mtime, gzip.etag, len(gzip.body)))
    for output in files:
        writer.put(output)
    return {"fingerprint": fingerprint, "headers": publisher.headers(path, doc), "files": [f.name for f in files]}


# A first build with archives renders thousands of documents (Markdown, feedgen, gzip): spread over the
# cores, as the store's read is. Below this many, one process is as fast as starting others.
PARALLEL_DOCUMENTS = 300
RENDER_CHUNK = 16
_forked: tuple[Publisher, datetime, TreeWriter] | None = None    # what the rendering processes inherit


def _render_all(publisher: Publisher, now: datetime, writer: TreeWriter,
                to_render: list[tuple[str, str | None]]) -> Iterator[tuple[str, dict | None]]:
    """(path, record) for each document to render, in order; in forked processes when there are many
    (and this process has a single thread: forking a threaded process is unsafe)."""
    global _forked
    if len(to_render) < PARALLEL_DOCUMENTS or not forking.can_fork():
        for path, fingerprint in to_render:
            yield path, _render_into(publisher, path, fingerprint, now, writer)
        return
    for path, _ in to_render:                   # every folder now, so the processes never race to make one
        writer.folder(build_file_name(path))
    chunks = [to_render[i:i + RENDER_CHUNK] for i in range(0, len(to_render), RENDER_CHUNK)]
    writer.report.processes = forking.workers()
    _forked = (publisher, now, writer)
    try:
        with forking.forked_pool() as pool:
            for records, part in pool.map(_render_chunk, chunks):
                writer.merge(part)
                yield from records
    except BrokenProcessPool as exc:
        raise BuildError(f"a rendering process died ({exc}); the previous output is untouched") from None
    finally:
        _forked = None


def _render_chunk(chunk: list[tuple[str, str | None]]):
    """In a rendering process: render `chunk` into the inherited writer; the records and what was written."""
    publisher, now, writer = _forked
    writer.part()                     # forget what the parent had put before it forked this process
    records = [(path, _render_into(publisher, path, fingerprint, now, writer)) for path, fingerprint in chunk]
    return records, writer.part()


def _clean_leftovers(out_dir: Path) -> None:
    """Remove a build record that a killed build left half-written inside the output (a killed build's
    staging tree needs no cleaning: the next build checks every file in it)."""
    for leftover in out_dir.glob(f"{BUILD_RECORD}.tmp-*"):
        leftover.unlink(missing_ok=True)


def open_store(config: Config) -> Store:
    """The store as a build reads it: a story still being saved is waited for (a few seconds at most),
    so a half-saved file is not baked into the output."""
    return Store.from_config(config, wait=2.0, keep_bodies=True)


def build(config: Config, out_dir: str | os.PathLike, *, strict: bool = False, now: datetime | None = None,
          progress: Callable[[str], None] | None = None, store: Store | None = None,
          publisher: Publisher | None = None, notifier: HubNotifier | None = None) -> BuildReport:
    """Render every document and publish the tree to `out_dir`. Raises BuildError; never leaves a partial output.

    Given a `publisher` that lives on between builds (`feedsvc build --watch`), only documents whose
    stories changed are rendered again.
    """
    started = time.perf_counter()
    out_dir = Path(out_dir)
    report = BuildReport(out_dir)
    now = now or datetime.now(timezone.utc)
    if publisher is None:
        publisher = Publisher(store or open_store(config), config, clock=lambda: now)
    store = publisher.store
    snapshot = store.snapshot
    if snapshot.site is None:
        raise BuildError("; ".join(map(str, snapshot.problems)) or "the store has no site file")
    report.problems = len(snapshot.problems)
    report.errors = len(snapshot.errors)
    if strict and report.errors:
        raise BuildError(f"{report.errors} error(s) in the store and --strict was given; output left as it was")
    report.articles = snapshot.timeline(None).visible_count(now)
    report.feeds = len(publisher.feed_keys(snapshot))
    appearance = snapshot.timeline(None).next_appearance(now)
    report.next_change = datetime.fromtimestamp(appearance, timezone.utc) if appearance else None

    lock_path = out_dir.absolute().with_name(f".{out_dir.name}.lock")
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with open(lock_path, "w") as lock:
        try:
            # A POSIX record lock, not flock(2): the processes a build forks to render do not inherit it.
            fcntl.lockf(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except (BlockingIOError, PermissionError):
            raise BuildError(f"another build is writing {out_dir}; try again when it is done") from None
        _clean_leftovers(out_dir.absolute())
        try:
            writer = TreeWriter(out_dir, report, progress)
            writer.finish(write_documents(publisher, now, writer))
        except OSError as exc:
            raise BuildError(f"could not write {out_dir}: {exc}; the previous output is untouched") from exc
    report.seconds = time.perf_counter() - started
    if config.hub_url:
        feeds = {key.path for key in publisher.feed_keys(snapshot)}
        changed = [config.base_url + name for name in report.written if name in feeds]
        if changed:
            report.notifier = notifier or HubNotifier(config.hub_url)
            report.notifier.notify(changed)      # in the background: the output is already published
    return report
