"""A rendered document and the HTTP headers it is served with — by the service and by the static host.

Everything a request needs is computed once: the bytes, a strong validator and the header values
when the document is rendered, its gzip copy and validator the first time they are needed. A warm
request only looks them up.
"""

from __future__ import annotations

import base64
import hashlib
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime

from zlib_ng import gzip_ng

# Cache policies by kind of document. `feed` and `page`: fresh for max-age, then revalidated cheaply;
# `archive`: an RFC 5005 month that is over, not expected to change; `media`: photos.
FEED, PAGE, ARCHIVE, MEDIA = "feed", "page", "archive", "media"


@dataclass(frozen=True)
class CachePolicy:
    max_age: int = 300
    stale_while_revalidate: int = 60
    stale_if_error: int = 86400
    media_max_age: int = 86400
    archive_max_age: int = 604800

    def cache_control(self, kind: str) -> str:
        """RFC 9111 / RFC 5861: proxies and CDNs may keep serving a stale copy while they revalidate."""
        if kind == ARCHIVE:
            return f"public, max-age={self.archive_max_age}, immutable"
        if kind == MEDIA:
            return f"public, max-age={self.media_max_age}"
        return (
            f"public, max-age={self.max_age}, stale-while-revalidate={self.stale_while_revalidate}, "
            f"stale-if-error={self.stale_if_error}"
        )


def strong_etag(data: bytes) -> str:
    """A strong entity tag (RFC 9110 §8.8.3) that changes whenever a byte does."""
    digest = hashlib.sha256(data).digest()[:18]
    return base64.urlsafe_b64encode(digest).decode("ascii")


MIN_GZIP_BYTES = 256  # below this, gzip's own header and trailer are a large share of the saving


@dataclass(frozen=True, slots=True)
class Gzipped:
    """A document's gzip copy, with its own strong ETag (a different representation, RFC 9110 §8.8.3)."""

    body: bytes
    etag: str


@dataclass(frozen=True, eq=False)
class Rendered:
    """One document's bytes and identity ETag — and its gzip copy, made once, when `compress()` is
    first called (by the refresher right after an edit, by a build, or by a request that accepts
    gzip), so that a plain request after an edit never waits for a compression it does not use.

    A document the service keeps for good may hold its gzip copy only (`keep_gzip_only`): the
    body is then inflated again from it when asked for, the same bytes."""

    _plain: list[bytes | None]  # [the body], or [None] once only the gzip copy is kept
    mimetype: str  # with charset, as sent in Content-Type
    last_modified: datetime | None
    kind: str = FEED
    gzip_level: int | None = None  # None: never compressed (photos, documents under MIN_GZIP_BYTES)
    etag: str = field(default="")
    size: int = 0  # the body's length, known without inflating a body kept as its gzip copy alone
    _gzip: list[Gzipped] = field(default_factory=list, repr=False)  # the copy, once made
    _gzip_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @classmethod
    def of(
        cls, body: bytes, mimetype: str, last_modified: datetime | None, kind: str = FEED, gzip_level: int | None = 6
    ) -> Rendered:
        """Hash once; compress later, once (see compress)."""
        level = gzip_level if gzip_level is not None and len(body) >= MIN_GZIP_BYTES else None
        return cls([body], mimetype, last_modified, kind, level, strong_etag(body), len(body))

    @property
    def body(self) -> bytes:
        """The document's bytes (inflated from the gzip copy when only that is kept)."""
        plain = self._plain[0]
        if plain is not None:
            return plain
        inflated: bytes = gzip_ng.decompress(self._gzip[0].body)  # type: ignore[no-untyped-call]
        return inflated

    def keep_gzip_only(self) -> None:
        """Drop the body and keep the gzip copy alone (a fifth of the bytes for a feed): the warm
        documents of a large store are most of what a worker holds (docs/PERFORMANCE.md). A
        document never compressed keeps its body."""
        if self.compress() is not None:
            self._plain[0] = None

    def keep_gzip_copy(self, data: bytes) -> None:
        """Keep `data` alone: this document's gzip copy, made elsewhere as `compress` makes it (the first
        warm render's are made by a forked process: publish/gzipapart.py)."""
        with self._gzip_lock:
            if not self._gzip:
                self._gzip.append(_gzipped(data))
        self._plain[0] = None

    @property
    def gzippable(self) -> bool:
        return self.gzip_level is not None

    @property
    def held_bytes(self) -> int:
        """The bytes this document holds: its body unless only the gzip copy is kept, and that copy once made."""
        plain = self._plain[0]
        return (len(plain) if plain is not None else 0) + sum(len(copy.body) for copy in self._gzip)

    def compress(self) -> Gzipped | None:
        """The gzip copy, made by the first caller in any thread and kept; None if this document is
        never compressed. mtime=0 keeps the gzip bytes the same on every render. zlib-ng, not zlib:
        about twice as fast at the same level for nearly the same size (docs/PERFORMANCE.md)."""
        if self.gzip_level is None:
            return None
        if not self._gzip:
            with self._gzip_lock:  # one compression per document, whichever thread asks first
                if not self._gzip:
                    assert self._plain[0] is not None, "a body is dropped only once its copy is made"
                    self._gzip.append(_gzipped(gzip_bytes(self._plain[0], self.gzip_level)))
        return self._gzip[0]

    def headers(self, policy: CachePolicy, gzipped: bool = False) -> dict[str, str]:
        """The headers for one representation, as the service sends them and the build's manifest lists them."""
        gzip = self.compress() if gzipped else None
        headers = {
            "Content-Type": self.mimetype,
            "ETag": f'"{gzip.etag if gzip else self.etag}"',
            "Cache-Control": policy.cache_control(self.kind),
        }
        if self.last_modified is not None:
            headers["Last-Modified"] = format_datetime(self.last_modified.astimezone(UTC), usegmt=True)
        if self.gzippable:
            headers["Vary"] = "Accept-Encoding"
        if gzipped:
            headers["Content-Encoding"] = "gzip"
        return headers


def gzip_bytes(body: bytes, level: int) -> bytes:
    """A document's gzip copy: the same bytes wherever it is made (mtime=0: on every render too)."""
    # zlib-ng ships py.typed, but gzip_ng.compress has no annotations
    data: bytes = gzip_ng.compress(body, compresslevel=level, mtime=0)  # type: ignore[no-untyped-call]
    return data


def _gzipped(data: bytes) -> Gzipped:
    return Gzipped(data, strong_etag(data) + "-gz")
