"""Each story's HTML and summary, rendered from its Markdown once per revision and kept: Markdown
dominates a cold render, and one story shows in several feeds and pages."""

from __future__ import annotations

import hashlib
import logging
from collections import OrderedDict

from ..model import Article
from ..render.feedmodel import Prepared, prepare
from ..store.store import Store
from . import fingerprint
from .preparedfiles import PreparedFiles

log = logging.getLogger(__name__)


class BodyUnread(Exception):
    """A story's body could not be read back: its file no longer holds the version the store read
    (removed, being rewritten, or unreadable for a moment). Its documents are rendered without it,
    and say so (`publish.cache.Unreadable`)."""

    def __init__(self, path: str) -> None:
        super().__init__(f"{path}: could not be read back")
        self.path = path  # the store path


class PreparedCache:
    """The newest `limit` stories' prepared HTML, by article id and revision; and, given `files`, what
    an earlier process prepared (`publish.preparedfiles`)."""

    def __init__(self, store: Store, summary_length: int, media_base_url: str, limit: int = 20_000) -> None:
        self.store = store
        self.summary_length = summary_length
        self.media_base_url = media_base_url  # where store photos are served: the feeds' base URL
        self.limit = limit
        self._prepared: OrderedDict[str, tuple[str, Prepared]] = OrderedDict()
        self.files: PreparedFiles | None = None

    def key(self, article: Article) -> str:
        """A digest of everything `prepare` makes the story's HTML and summary of: its file's bytes (the
        Markdown), its URL (relative links resolve against it), its own summary and dateline, the
        settings, and the code."""
        made_of = (article.digest, article.url, article.summary, article.dateline, self.summary_length)
        text = repr((fingerprint.CODE_FINGERPRINT, self.media_base_url, made_of))
        return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()

    def get(self, article: Article) -> Prepared | None:
        """The article's HTML and summary; None when they cannot be made from its body (logged). Raises
        BodyUnread when the file no longer holds this version (deleted or rewritten since the store read
        it, and never rendered in this process): the story is left out of this render rather than shown
        without its body, and the document says so."""
        cached = self._prepared.get(article.id)
        if cached is not None and cached[0] == article.revision:
            self._prepared.move_to_end(article.id)
            return cached[1]
        key = ""
        if self.files is not None:
            key = self.key(article)
            kept = self.files.get(key)
            if kept is not None:
                self._remember(article, kept)
                return kept
        markdown = self.store.body(article)
        if markdown is None:
            raise BodyUnread(article.path)
        try:
            result = prepare(article, markdown, self.summary_length, self.media_base_url)
        except Exception:  # noqa: BLE001 — one story's body must never take its feeds down
            log.exception(
                "%s%s: the body could not be rendered; the story is left out", self.store.display_root, article.path
            )
            return None
        if self.files is not None:
            self.files.put(key, result)
        self._remember(article, result)
        return result

    def _remember(self, article: Article, prepared: Prepared) -> None:
        self._prepared[article.id] = (article.revision, prepared)
        while len(self._prepared) > self.limit:
            self._prepared.popitem(last=False)
