"""WebSub publishing (W3C Recommendation, §7 Publishing): tell the hub which feeds changed, so
subscribers are pushed the news instead of polling for it.

The hub is told with one form-encoded POST per store change — `hub.mode=publish` and a `hub.url` for
each changed feed — from a background thread: a slow or absent hub never holds up a request or a
build. Failed attempts are retried a bounded number of times with exponential back-off; every outcome
is logged.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import logging
import os
import queue
import tempfile
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

from ..words import plural

log = logging.getLogger(__name__)
USER_AGENT = "feedsvc (WebSub publisher)"


@dataclass
class Outcome:
    urls: list[str]
    ok: bool
    attempts: int
    detail: str


@dataclass
class HubNotifier:
    hub_url: str
    attempts: int = 4
    backoff: float = 1.0  # seconds before the second attempt; doubled each time after
    timeout: float = 5.0  # per attempt
    outcomes: list[Outcome] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._queue: queue.Queue[list[str] | None] = queue.Queue()
        self._idle = threading.Event()
        self._idle.set()
        self._thread = threading.Thread(target=self._run, name="feedsvc-websub", daemon=True)
        self._thread.start()

    def notify(self, urls: list[str]) -> None:
        """Queue one publish notification for `urls`; returns at once."""
        if urls:
            self._idle.clear()
            self._queue.put(sorted(set(urls)))

    def wait(self, timeout: float) -> bool:
        """Wait (at most `timeout` seconds) until every queued notification was sent or gave up."""
        return self._idle.wait(timeout)

    def _run(self) -> None:
        while True:
            urls = self._queue.get()
            if urls is None:
                return
            try:
                self.outcomes.append(self._send(urls))
            except Exception:  # noqa: BLE001 — the notifier thread must survive anything
                log.exception("WebSub: notifying %s failed unexpectedly", self.hub_url)
            if self._queue.empty():
                self._idle.set()

    def _send(self, urls: list[str]) -> Outcome:
        body = urlencode([("hub.mode", "publish"), *(("hub.url", url) for url in urls)]).encode("ascii")
        detail = ""
        for attempt in range(1, self.attempts + 1):
            request = urllib.request.Request(
                self.hub_url,
                data=body,
                method="POST",
                headers={"Content-Type": "application/x-www-form-urlencoded", "User-Agent": USER_AGENT},
            )
            try:
                with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310 — configured hub
                    status = response.status
            except urllib.error.HTTPError as exc:
                status, detail = exc.code, f"HTTP {exc.code}"
                exc.close()
            except (OSError, ValueError) as exc:
                status, detail = None, str(getattr(exc, "reason", exc))
            if status is not None and 200 <= status < 300:
                log.info(
                    "WebSub: told %s of %s (HTTP %d, attempt %d)",
                    self.hub_url,
                    plural(len(urls), "changed feed"),
                    status,
                    attempt,
                )
                return Outcome(urls, True, attempt, f"HTTP {status}")
            if status is not None and 400 <= status < 500 and status not in (408, 429):
                break  # the hub refuses; asking again will not help
            if attempt < self.attempts:
                time.sleep(self.backoff * 2 ** (attempt - 1))
        log.warning(
            "WebSub: could not tell %s of %s after %s: %s",
            self.hub_url,
            plural(len(urls), "changed feed"),
            plural(attempt, "attempt"),
            detail or "refused",
        )
        return Outcome(urls, False, attempt, detail or "refused")


class ChangeLedger:
    """Which feed versions the hub has already heard about, shared by every worker of one service.

    Each worker reports only changes it saw itself (its own previous ETag → its new one), and only if
    no other worker reported that version yet: one notification per change, however many workers.
    """

    def __init__(self, store_root: Path, hub_url: str, directory: Path | None = None) -> None:
        key = hashlib.sha1(f"{Path(store_root).resolve()}\n{hub_url}".encode()).hexdigest()[:16]
        folder = Path(directory) if directory else Path(tempfile.gettempdir())
        folder.mkdir(parents=True, exist_ok=True)
        self.path = folder / f"feedsvc-websub-{key}.json"
        self._seen: dict[str, str] | None = None  # this worker's last view; None until the first

    def changed(self, current: dict[str, str]) -> list[str]:
        """The feed URLs to announce, given every feed's current ETag; records them as announced."""
        with open(self.path.with_suffix(".lock"), "a+") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                announced = json.loads(self.path.read_text("utf-8"))
            except (OSError, ValueError):
                announced = {}
            previous = self._seen if self._seen is not None else announced
            urls = [url for url, etag in current.items() if previous.get(url) != etag and announced.get(url) != etag]
            if urls:
                announced.update({url: current[url] for url in urls})
                temporary = self.path.with_suffix(f".{os.getpid()}.tmp")
                temporary.write_text(json.dumps(announced, sort_keys=True), "utf-8")
                os.replace(temporary, self.path)
        self._seen = dict(current)
        return urls
