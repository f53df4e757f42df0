"""Feed items written once and reused. A story is an item of its section's feed, its writers' and its
tags' feeds and their archives, in RSS and in Atom — the same <item> or <entry> in every one of them,
since nothing in it depends on the document around it. feedgen builds each document's XML element by
element, which was most of a first build's time (issue 17: 29 % of a default build's samples, and the
tag feeds multiplied the items). So an item's bytes, as feedgen wrote them in one document, are kept,
and a document whose items are all known is written by feedgen without items, with theirs spliced in
where feedgen appends items: at the end of the channel (RSS) or of the feed (Atom), at the depth of
its pretty printing.

A new process — a one-off `feedsvc build` — finds the items an earlier one wrote in a `KeptItems`
(`publish.preparedfiles`, beside the parse cache) when one is given (`keep_in`), by a digest of all
an item's bytes are made of.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Hashable
from typing import Protocol

from ..model import Article, RelatedLink, Site
from .feedmodel import Item, Prepared

# Where an item starts and ends, and where the items end, in feedgen's pretty-printed output. In the
# text between, "<" is always escaped: these can only be the elements themselves.
_OPEN = {"rss": b"\n    <item>\n", "atom": b"\n  <entry>\n"}
_CLOSE = {"rss": b"    </item>\n", "atom": b"  </entry>\n"}
_END = {"rss": b"  </channel>\n</rss>\n", "atom": b"</feed>\n"}


def split(body: bytes, fmt: str, count: int) -> list[bytes] | None:
    """The bytes of the last `count` items of a document in `fmt`; None if it is not shaped as expected."""
    if not count:
        return []
    end = len(body) - len(_END[fmt])
    start = body.find(_OPEN[fmt])
    if start < 0 or body[end:] != _END[fmt]:
        return None
    close = _CLOSE[fmt]
    parts = body[start + 1 : end].split(close)
    if parts[-1] != b"" or len(parts) - 1 < count:
        return None
    return [part + close for part in parts[-1 - count : -1]]


def splice(skeleton: bytes, fmt: str, texts: list[bytes]) -> bytes:
    """A document written without items, with these items' bytes where feedgen appends items."""
    end = len(skeleton) - len(_END[fmt])
    return skeleton[:end] + b"".join(texts) + skeleton[end:]


class ItemKey(tuple[int, str, Site, Article, Prepared, tuple[RelatedLink, ...]]):
    """All an item's bytes depend on: the format, the site, and the item's story, body and resolved links.

    Compared in full, as `((fmt, site), item)` was, but hashed once, by the format and the story's id
    and revision (a part of what is compared, so equal keys hash alike): hashing the Site and the
    Article dataclasses field by field on every lookup was 6 % of a first build (issue 17)."""

    __slots__ = ()

    def __new__(cls, fmt: str, site: Site, item: Item) -> ItemKey:
        article = item.article
        return tuple.__new__(
            cls, (hash((fmt, article.id, article.revision)), fmt, site, article, item.prepared, item.related)
        )

    def __hash__(self) -> int:
        return self[0]


class KeptItems(Protocol):
    """Items' bytes kept on disk by an earlier process, by the digest `ItemTexts` names them by."""

    def get_item(self, key: str) -> bytes | None: ...

    def put_item(self, key: str, text: bytes) -> None: ...


# Where this process's items are kept for the next (None: nowhere), and what besides an item's own
# parts its bytes depend on: the code, libraries and settings that rendered it (publish.fingerprint).
_kept: tuple[KeptItems, str] | None = None
_spelled: dict[int, tuple[object, str]] = {}  # id → (the object, kept alive, its repr digested)


def keep_in(kept: KeptItems | None, context: str = "") -> None:
    """Look items up in, and put new ones into, `kept` from now on (None: stop), under `context`."""
    global _kept
    _kept = None if kept is None else (kept, context)
    _spelled.clear()


def _spelled_out(part: object) -> str:
    """A digest of `part`'s repr, once per object: a story's body is part of one item in each format."""
    memo = _spelled.get(id(part))
    if memo is None or memo[0] is not part:
        if len(_spelled) > 30_000:
            _spelled.clear()
        memo = _spelled[id(part)] = (part, hashlib.blake2b(repr(part).encode(), digest_size=16).hexdigest())
    return memo[1]


def _digest(key: Hashable, context: str) -> str | None:
    """The name of an item on disk: a digest of all its bytes depend on (an ItemKey's parts and
    `context`); None for any other key. The site and the story by their revisions, which change with
    anything an item shows of them (`model`), not by their reprs: a story with a store photo is a new
    Article in each document (`served_from`, whose base URL `context` covers), so no memo saved those."""
    if not isinstance(key, ItemKey):
        return None
    _, fmt, site, article, prepared, related = key
    text = repr((context, fmt, site.revision, article.revision, _spelled_out(prepared), related))
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


class ItemTexts:
    """Items' bytes by what they are made of, the most recently used kept within `limit` bytes, and
    those of earlier processes when kept on disk (`keep_in`). Thread-safe (the service renders in
    several threads)."""

    def __init__(self, limit: int = 64 << 20) -> None:
        self._limit = limit
        self._texts: OrderedDict[Hashable, bytes] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> bytes | None:
        with self._lock:
            text = self._texts.get(key)
            if text is not None:
                self._texts.move_to_end(key)
                return text
        kept = _kept
        name = _digest(key, kept[1]) if kept is not None else None
        if kept is None or name is None:
            return None
        text = kept[0].get_item(name)
        if text is not None:
            self._remember(key, text)
        return text

    def put(self, key: Hashable, text: bytes) -> None:
        kept = _kept
        name = _digest(key, kept[1]) if kept is not None else None
        if kept is not None and name is not None:
            kept[0].put_item(name, text)
        self._remember(key, text)

    def _remember(self, key: Hashable, text: bytes) -> None:
        with self._lock:
            old = self._texts.pop(key, None)
            self._size += len(text) - (len(old) if old is not None else 0)
            self._texts[key] = text
            while self._size > self._limit and self._texts:
                self._size -= len(self._texts.popitem(last=False)[1])

    def clear(self) -> None:
        with self._lock:
            self._texts.clear()
            self._size = 0
