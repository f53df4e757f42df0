"""The soak's editor and its tally (tests/test_soak.py): an editor thread that saves, rewrites in place,
breaks and deletes a few stories several times a second and remembers what the store holds, and what
the pollers saw, read strictly."""

from __future__ import annotations

import json
import os
import random
import re
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from html.parser import HTMLParser
from pathlib import Path

from .conftest import article
from .feeds import NS, xml
from .test_front_matter_bounds import alias_bomb

SLOTS = 8
SECTIONS = ("world", "business")
EDITS_PER_SECOND = 10
BROKEN = -1  # a slot's state while its file is broken
SLOT_TITLE = re.compile(r"Slot (\d+) (?:v(\d+)|final-(\d+))")
WHOLE_PARAGRAPH = re.compile(r"Paragraph \d+ of version [\w-]+: (word ?)+|An appended paragraph\.")


def slot_path(slot: int) -> str:
    return f"{SECTIONS[slot % 2]}/story-{slot}.md"


def slot_text(slot: int, version: str, rng: random.Random) -> str:
    paragraphs = "\n\n".join(
        f"Paragraph {n} of version {version}: " + "word " * rng.randint(5, 80) for n in range(rng.randint(1, 6))
    )
    return article(
        body=paragraphs,
        title=f"Slot {slot} {version}",
        section=SECTIONS[slot % 2],
        published=f"2013-05-{slot + 1:02d} 12:00",
    )


@dataclass
class Editor:
    """Edits the store at EDITS_PER_SECOND; remembers what the store holds when it stops."""

    root: Path
    seconds: float
    rng: random.Random = field(default_factory=lambda: random.Random(5))
    ops: Counter = field(default_factory=Counter)
    final: dict[int, str | None] = field(default_factory=dict)  # slot → final title, None if deleted
    stopped_at: float = 0.0
    # slot → (when a write began, the version it leaves, BROKEN, or None once deleted), in order
    history: dict[int, list[tuple[float, int | None]]] = field(default_factory=dict)

    def began(self, slot: int, state: int | None) -> None:
        self.history.setdefault(slot, []).append((time.monotonic(), state))

    def broken_within(self, slot: int, start: float, end: float) -> bool:
        """Was the slot's file broken (or being broken) at some moment from `start` to `end`? A worker
        started then has only the master's last good version of it (docs/RELIABILITY.md, "Known limits")."""
        state = None  # at `start`, then each state it took until `end`
        for began, after in self.history.get(slot, ()):
            if began > end:
                break
            if began > start and state == BROKEN:
                return True
            state = after
        return state == BROKEN

    def write_in_place(self, path: Path, text: str) -> None:
        data = text.encode("utf-8")
        cut = self.rng.randint(1, len(data) - 1)
        with open(path, "r+b") as fh:
            fh.truncate(0)
            fh.write(data[:cut])
            fh.flush()
            time.sleep(self.rng.uniform(0.001, 0.03))  # a reader may look right now
            fh.write(data[cut:])

    def replace(self, path: Path, text: str) -> None:
        temporary = path.with_name(f".{path.name}.tmp")
        temporary.write_text(text, "utf-8")
        os.replace(temporary, path)

    def step(self, version: int) -> None:
        slot = self.rng.randrange(SLOTS)
        path = self.root / slot_path(slot)
        text = slot_text(slot, f"v{version}", self.rng)
        if not path.exists():
            self.began(slot, version)
            path.write_text(text, "utf-8")
            self.ops["created"] += 1
            return
        choice = self.rng.random()
        if choice < 0.4:
            self.began(slot, version)
            self.write_in_place(path, text)
            self.ops["rewritten in place"] += 1
        elif choice < 0.6:
            self.began(slot, version)
            self.replace(path, text)
            self.ops["replaced by rename"] += 1
        elif choice < 0.7:
            with open(path, "a", encoding="utf-8") as fh:
                fh.write("\nAn appended paragraph.\n")
            self.ops["appended"] += 1
        elif choice < 0.75:
            self.began(slot, BROKEN)
            self.write_in_place(path, "---\ntitle: [broken\n---\nhalf a story\n")
            self.ops["broken in place"] += 1
        elif choice < 0.8:  # issue 13, case 8: bounded work, a named problem, the rest flows
            self.began(slot, BROKEN)
            self.replace(path, alias_bomb(f"Slot {slot} bomb"))
            self.ops["alias bombs (800 KB)"] += 1
        else:
            self.began(slot, None)
            path.unlink()
            self.ops["deleted"] += 1

    def run(self) -> None:
        deadline = time.monotonic() + self.seconds
        version = 0
        while time.monotonic() < deadline and version < self.seconds * EDITS_PER_SECOND * 2:
            version += 1
            self.step(version)
            time.sleep(1 / EDITS_PER_SECOND)
        for slot in range(SLOTS):  # the final state: known, valid, or gone
            path = self.root / slot_path(slot)
            if slot % 4 == 3:
                self.began(slot, None)
                path.unlink(missing_ok=True)
                self.final[slot] = None
            else:
                title_version = f"final-{version}"
                text = slot_text(slot, title_version, self.rng)
                self.began(slot, version + 1)
                if path.exists() and slot % 2:
                    self.write_in_place(path, text)
                else:
                    self.replace(path, text)
                self.final[slot] = f"Slot {slot} {title_version}"
        self.stopped_at = time.monotonic()


@dataclass
class Tally:
    lock: threading.Lock = field(default_factory=threading.Lock)
    statuses: Counter = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)
    bytes_by_etag: dict[str, str] = field(default_factory=dict)
    # ETag → (when received, Last-Modified) of each response that carried it, and the path it is of
    dates_by_etag: dict[str, list[tuple[float, datetime]]] = field(default_factory=dict)
    path_of_etag: dict[str, str] = field(default_factory=dict)
    after_date: int = 0  # responses with Last-Modified > Date
    # per poller: (sent, received, {slot: version shown}) of each feed it was sent, in order
    seen: dict[int, list[tuple[float, float, dict[int, int]]]] = field(default_factory=dict)
    requests: int = 0
    retries: int = 0

    def error(self, message: str) -> None:
        with self.lock:
            if len(self.errors) < 50:
                self.errors.append(message)


class _Page(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags = 0

    def handle_starttag(self, tag, attrs):
        self.tags += 1


def titles(path: str, body: bytes) -> set[str]:
    """The story titles a document lists, reading it strictly (raises on anything malformed)."""
    if path.endswith("feed.json"):
        items = json.loads(body.decode("utf-8"))["items"]
        for item in items:  # a story read while half-written would end mid-paragraph
            paragraphs = re.findall(r"<p>(.*?)</p>", item["content_html"], re.S)
            if not paragraphs or not all(WHOLE_PARAGRAPH.fullmatch(p) for p in paragraphs):
                raise AssertionError(f"a torn story was published: {item['title']}: {item['content_html'][-120:]!r}")
        return {item["title"] for item in items}
    if path.endswith("rss.xml"):
        return {t.text for t in xml(body).iterfind("channel/item/title")}
    if path.endswith("atom.xml"):
        return {t.text for t in xml(body).iterfind("atom:entry/atom:title", NS)}
    page = _Page()
    page.feed(body.decode("utf-8"))
    page.close()
    assert page.tags > 10 and body.rstrip().endswith(b"</html>")
    return set()


def slot_versions(shown: set[str]) -> dict[int, int]:
    """slot → the version of it a document shows (a final version comes after every other)."""
    versions = {}
    for title in shown:
        match = SLOT_TITLE.fullmatch(title)
        if match:
            slot, version, final = match.groups()
            versions[int(slot)] = int(version) if version else int(final) + 1
    return versions
