"""The gzip copies of a first warm render, made by a forked process while this one renders on.

`Publisher.warm` renders every feed and page before the service answers, and keeps each as its gzip
copy alone; in gunicorn's master, before it forks any worker. Compressing was nearly half of that render
(2.8 of 6.2 s at 100,000 stories) and ran on one core of two. Here a process forked for the render
compresses each batch of documents while this one renders the next: the same call, level and bytes as
`Rendered.compress`; the documents keep their bodies until their copies are back. Where this process
cannot fork (threads running: a worker's refresher), or the helper fails, it compresses them itself.

The bodies go to the helper through memory both processes map (made before the fork), not through the
pipe: a pipe moves about 550 MB/s on our machine, and a warm render at 100,000 stories sends 350 MB.
Only their sizes go through the pipe, and the gzip copies (a fifth of the size) come back through it.
"""

from __future__ import annotations

import fcntl
import mmap
import os
import struct
from types import TracebackType

from .. import forking
from ..render.document import Rendered, gzip_bytes

BATCH = 4  # documents sent at a time: one batch is compressed while the next is rendered
# A pipe holds 64 KB by default: a batch of 7 MB then takes over a hundred hand-overs between the two
# processes, each a wake-up of the other, and the master waited in them 2.1 s of its 5.5 s warm render at
# 100,000 stories (0.1 CPU-s). 1 MB (Linux's /proc/sys/fs/pipe-max-size, the most an unprivileged
# process may ask) makes it seven.
PIPE_BYTES = 1 << 20
SHARED_BYTES = 16 << 20  # the bodies of a batch (7 MB at most at 100,000 stories); a larger one goes by the pipe
_INLINE = (1 << 64) - 1  # where a body is that came through the pipe, not the shared memory
_SIZE = struct.Struct("<Q")
_HEAD = struct.Struct("<QQQ")  # a body's gzip level, size, and where it is in the shared memory (or _INLINE)


class GzipApart:
    """Takes rendered documents (`keep_gzip_only`), and leaves each as its gzip copy alone by the time
    the `with` block ends."""

    def __init__(self, apart: bool) -> None:
        self._child: tuple[int, int, int] | None = None  # pid, the pipe to it, the pipe from it
        self._shared: mmap.mmap | None = None  # the batch's bodies, mapped by the helper too
        if apart and forking.can_fork():
            self._shared = _shared_memory()
            self._child = _start(self._shared)  # None if it could not (no pipe, no fork): compressed here then
        self._batch: list[Rendered] = []
        self._sent: list[Rendered] = []  # the batch the helper is compressing

    def __enter__(self) -> GzipApart:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None) -> None:
        try:
            if error is None:  # the batch sent last is collected before another is sent: never both ways at once
                self._collect()
                self._send()
                self._collect()
        finally:
            self._stop()
        for document in self._batch if error is None else ():  # only if the helper failed
            document.keep_gzip_only()

    def keep_gzip_only(self, document: Rendered) -> None:
        """`document.keep_gzip_only()`, now or (with a helper) before the block ends."""
        if self._child is None or not document.gzippable:
            document.keep_gzip_only()
            return
        self._batch.append(document)
        if len(self._batch) >= BATCH:
            self._collect()
            self._send()

    def _send(self) -> None:
        if self._child is None or not self._batch:
            return
        shared = self._shared
        if shared is not None and sum(len(document.body) for document in self._batch) > len(shared):
            shared = None  # too large for the shared memory: this batch goes through the pipe
        try:  # part by part: one buffer of a batch (7 MB) would leave holes in the master's heap
            if shared is not None:  # every body in place before the helper hears where they are
                heads, at = [], 0
                for document in self._batch:
                    body = document.body
                    shared[at : at + len(body)] = body
                    heads.append(_HEAD.pack(document.gzip_level or 0, len(body), at))
                    at += len(body)
                _write(self._child[1], _SIZE.pack(len(self._batch)) + b"".join(heads))
            else:
                _write(self._child[1], _SIZE.pack(len(self._batch)))
                for document in self._batch:
                    body = document.body
                    _write(self._child[1], _HEAD.pack(document.gzip_level or 0, len(body), _INLINE))
                    _write(self._child[1], body)
        except OSError:
            self._stop()  # the batch stays with this process
            return
        self._sent, self._batch = self._batch, []

    def _collect(self) -> None:
        """Wait for the batch sent last and give each document its copy."""
        if self._child is None or not self._sent:
            return
        try:
            copies = [_read(self._child[2], _SIZE.unpack(_read(self._child[2], _SIZE.size))[0]) for _ in self._sent]
        except (OSError, EOFError):
            self._stop()
            self._batch = self._sent + self._batch
        else:
            for document, copy in zip(self._sent, copies, strict=True):
                document.keep_gzip_copy(copy)
        self._sent = []

    def _stop(self) -> None:
        if self._child is not None:
            pid, to_child, from_child = self._child
            self._child = None
            os.close(to_child)  # the helper reads the end of its input and exits
            os.close(from_child)
            try:
                os.waitpid(pid, 0)
            except ChildProcessError:  # reaped by someone else (SIGCHLD ignored, a reaping handler)
                pass
        if self._shared is not None:
            self._shared.close()
            self._shared = None


def _shared_memory() -> mmap.mmap | None:
    """Anonymous memory the helper forked next shares (None where it cannot be had: the pipe then)."""
    try:
        return mmap.mmap(-1, SHARED_BYTES)  # MAP_SHARED: what one process writes, the other reads
    except (OSError, ValueError):
        return None


def _start(shared: mmap.mmap | None) -> tuple[int, int, int] | None:
    """Fork the helper: it compresses each batch it reads and writes the copies back, in order. None
    where a pipe or the fork fails (no descriptors left, a process limit, no memory to commit)."""
    opened: list[int] = []
    try:
        down_read, down_write = os.pipe()
        opened += (down_read, down_write)
        up_read, up_write = os.pipe()
        opened += (up_read, up_write)
        _widen(down_write)
        _widen(up_write)
        parent = os.getpid()
        pid = os.fork()
    except OSError:
        for fd in opened:
            os.close(fd)
        return None
    if pid == 0:
        try:
            os.close(down_write)
            os.close(up_read)
            forking.die_with_parent(parent)  # a killed master leaves no helper behind
            _serve(down_read, up_write, shared)
        finally:
            os._exit(0)
    os.close(down_read)
    os.close(up_write)
    return pid, down_write, up_read


def _widen(fd: int) -> None:
    """Ask for a pipe of PIPE_BYTES; keep the default where it is refused (a lower limit, not Linux)."""
    setting = getattr(fcntl, "F_SETPIPE_SZ", None)
    if setting is not None:
        try:
            fcntl.fcntl(fd, setting, PIPE_BYTES)
        except OSError:
            pass


def _serve(source: int, sink: int, shared: mmap.mmap | None) -> None:
    while True:
        try:
            count = _SIZE.unpack(_read(source, _SIZE.size))[0]
        except EOFError:
            return
        copies = []
        for _ in range(count):
            level, size, where = _HEAD.unpack(_read(source, _HEAD.size))
            if where == _INLINE or shared is None:
                body = _read(source, size)
            else:
                body = shared[where : where + size]
            copy = gzip_bytes(body, level)
            copies += [_SIZE.pack(len(copy)), copy]
        _write(sink, b"".join(copies))


def _read(fd: int, size: int) -> bytes:
    """Exactly `size` bytes (EOFError if the other end closed first)."""
    chunks = []
    while size:
        chunk = os.read(fd, min(size, 1 << 20))
        if not chunk:
            raise EOFError("the other end closed")
        chunks.append(chunk)
        size -= len(chunk)
    return b"".join(chunks)


def _write(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]
