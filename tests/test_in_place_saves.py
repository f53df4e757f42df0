"""A published story stays published, whole, while an editor's tool rewrites its file in place.

Some editors and sync tools save by opening the file, truncating it and writing the new text in
pieces. Every moment in between is a reading of a file that is not the story: empty, cut short, or
changing under the reader. None of those readings may take the story out of a feed, nor put half
of it in.
"""

from __future__ import annotations

import json
import re
import threading
import time

import feedparser
import pytest

from .conftest import BASE_URL, article
from .servers import gunicorn, request

SAVES_PER_SECOND = 10
SECONDS = 3.0
STORY_ID = "world/hot"


def version(number: int) -> bytes:
    """One saved version: its title and every paragraph name the version, and the body ends "complete."."""
    body = "\n\n".join(f"Paragraph {p} of version {number}, written out in full." for p in range(12))
    return article(
        title=f"The developing story, version {number}",
        published="2013-05-02 17:40",
        body=body + "\n\nThis version is complete.",
    ).encode()


def save_in_place(path, stop: threading.Event, saved: list[int]) -> None:
    """Rewrite `path` in place SAVES_PER_SECOND times a second: open, truncate, write in eight pieces
    with small pauses, so the file is mid-write most of the time and closed only briefly between saves
    (the front matter comes first: a reading in between can look like a whole story)."""
    number = 0
    deadline = time.monotonic() + SECONDS
    while not stop.is_set() and time.monotonic() < deadline:
        started = time.monotonic()
        number += 1
        data = version(number)
        pieces = [data[i * len(data) // 8 : (i + 1) * len(data) // 8] for i in range(8)]
        with open(path, "r+b") as fh:
            fh.truncate(0)
            for piece in pieces:
                fh.write(piece)
                fh.flush()
                time.sleep(0.009)
        saved.append(number)
        stop.wait(max(0.0, 1 / SAVES_PER_SECOND - (time.monotonic() - started)))


def story_in(feed_path: str, body: bytes) -> tuple[bool, str]:
    """Is the hot story in this feed, and (JSON Feed) is its body whole?"""
    if feed_path.endswith(".json"):
        items = [i for i in json.loads(body)["items"] if i["title"].startswith("The developing story")]
        if not items:
            return False, ""
        text = re.sub(r"<[^>]+>", " ", items[0]["content_html"]).split()
        return True, " ".join(text[-3:])
    parsed = feedparser.parse(body)
    assert not parsed.bozo, parsed.bozo_exception
    return any(e.title.startswith("The developing story") for e in parsed.entries), "is complete."


@pytest.mark.serial  # the two seconds are the promise: measured with no other test beside it
def test_a_story_saved_in_place_ten_times_a_second_never_leaves_its_feeds(store_dir):
    """Through a real gunicorn (the writer and the workers run at once, as an editor's tool and the
    service do): zero polls may lack the story or show half of it."""
    path = store_dir.write("world/hot.md", version(0))
    store_dir.write("world/calm.md", article(title="A calm story nobody edits", published="2013-05-01 09:00"))
    stop, saved = threading.Event(), []
    writer = threading.Thread(target=save_in_place, args=(path, stop, saved), daemon=True)
    lacking, half, polls = [], [], 0
    feeds = [
        "/feed.json",
        "/sections/world/feed.json",
        "/feed.json",
        "/rss.xml",
        "/feed.json",
        "/sections/world/feed.json",
        "/feed.json",
        "/sections/world/atom.xml",
    ]
    with gunicorn(store_dir.root, BASE_URL, extra_env={"FEEDSVC_REFRESH_SECONDS": "0.05"}) as port:
        try:
            writer.start()
            deadline = time.monotonic() + SECONDS + 5  # a bound, should the writer hang
            while writer.is_alive() and time.monotonic() < deadline and polls < 100_000:
                feed = feeds[polls % len(feeds)]
                reply = request(port, feed)
                assert reply.status == 200, (feed, reply.status)
                present, ending = story_in(feed, reply.body)
                if not present:
                    lacking.append(feed)
                elif not ending.endswith("is complete."):
                    half.append(ending)
                polls += 1
        finally:
            stop.set()
            writer.join(timeout=5)
        assert len(saved) >= SAVES_PER_SECOND * SECONDS * 0.7, f"the writer saved only {len(saved)} times"
        assert polls >= 100, f"only {polls} polls"
        assert not half, f"{len(half)} of {polls} polls showed a half-saved story: {half[:3]}"
        assert not lacking, f"{len(lacking)} of {polls} polls lacked the story ({sorted(set(lacking))})"
        # The writer stopped: its last version reaches every worker within the promised two seconds.
        final = f"The developing story, version {saved[-1]}"
        waited = time.monotonic() + 2
        seen = 0
        while time.monotonic() < waited and seen < 8:
            titles = [i["title"] for i in json.loads(request(port, "/feed.json").body)["items"]]
            seen = seen + 1 if final in titles else 0
            time.sleep(0.02)
        assert seen == 8, f"{final!r} did not reach every worker within 2 s"


LEASE_RACE = r"""
import fcntl, subprocess, sys, time
from pathlib import Path
from feedsvc.store import files

path = sys.argv[1]
real_fcntl = fcntl.fcntl

def writer_opens_during_the_lease(fd, command, arg=0):
    result = real_fcntl(fd, command, arg)
    if command == fcntl.F_SETLEASE and arg == fcntl.F_RDLCK:
        subprocess.Popen([sys.executable, "-c", "import sys; open(sys.argv[1], 'r+b').close()", path])
        time.sleep(0.5)                   # the writer's open breaks the lease meanwhile
    return result

fcntl.fcntl = writer_opens_during_the_lease
print(files.being_written(Path(path)), flush=True)
"""


def test_a_writer_opening_the_file_during_the_writer_check_does_not_kill_the_reader(store_dir):
    """The check for a writer at work takes a read lease for an instant. A writer opening the file in
    that instant breaks the lease, and Linux tells the lease holder with a signal: SIGIO by default,
    which ends a Python process (a gunicorn worker). The check must survive it."""
    import subprocess
    import sys

    from .conftest import ROOT

    path = store_dir.write("world/story.md", version(1))
    result = subprocess.run(
        [sys.executable, "-c", LEASE_RACE, str(path)], cwd=ROOT, capture_output=True, text=True, timeout=30
    )
    assert result.returncode == 0, f"the reader died (exit {result.returncode}): {result.stderr}"
    assert result.stdout.strip() == "False"
