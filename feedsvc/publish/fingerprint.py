"""Digests of what each document depends on, so the static build can skip a document whose inputs
did not change without rendering it."""

from __future__ import annotations

import hashlib
import sys
from collections.abc import Hashable
from pathlib import Path

from ..render.document import CachePolicy
from ..versions import installed
from .settings import FeedSettings

# What turns a story into bytes besides our code, each allowed a range of versions by pyproject.toml
# (feedgen aside): a new one may change the HTML of every body (kept in prepared.sqlite3 too) or feed.
RENDERING_LIBRARIES = ("cmarkgfm", "nh3", "feedgen", "lxml", "Jinja2", "MarkupSafe")


def _code_fingerprint() -> str:
    """Changes whenever feedsvc's own code or templates change, or Python or a library that renders
    with them is upgraded: rendered bytes may change with them."""
    digest = hashlib.blake2b(digest_size=12)
    package = Path(__file__).parent.parent
    for path in sorted([*package.rglob("*.py"), *package.glob("render/templates/*")]):
        digest.update(path.relative_to(package).as_posix().encode() + path.read_bytes())
    libraries = [(name, installed(name)) for name in RENDERING_LIBRARIES]
    digest.update(repr((sys.version_info[:3], libraries)).encode())
    return digest.hexdigest()


CODE_FINGERPRINT = _code_fingerprint()


class Fingerprints:
    """Each path's last identity and its digest under one configuration and this code.

    Of the configuration, only what shapes output bytes counts: the feed settings and the cache policy
    (feeds' <ttl>, and the headers the build records). The store's read limits change the snapshot,
    which the identity covers; how often the service looks, or whether it counts, changes no byte."""

    def __init__(self, feeds: FeedSettings, policy: CachePolicy) -> None:
        self._config_key = repr((feeds, policy))
        self._known: dict[str, tuple[Hashable, str]] = {}  # path → (identity, its digest)

    def of(self, path: str, identity: Hashable) -> str:
        """The digest of `identity` for `path`, computed once while the identity stays equal."""
        known = self._known.get(path)
        if known is not None and known[0] == identity:  # comparing is cheaper than repr and hash
            return known[1]
        digest = self.digest(identity)
        self._known[path] = (identity, digest)
        return digest

    def digest(self, identity: Hashable) -> str:
        """The digest of `identity` under this configuration and this code."""
        return hashlib.blake2b(
            repr((CODE_FINGERPRINT, self._config_key, identity)).encode(), digest_size=16
        ).hexdigest()
