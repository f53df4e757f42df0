"""What a build does with the stories' bodies: it keeps none from the read (each rendering process
would count them all), reads each back as its story is rendered, and reads again a story saved after
the read rather than publish the feeds without it."""

from __future__ import annotations

from datetime import UTC, datetime

import feedsvc.static.rendering as rendering
from feedsvc.static.build import build

from .conftest import article
from .test_build import config_for


def test_the_store_a_build_reads_holds_none_of_its_stories_bodies(store_dir):
    """A build forks its rendering processes from the process that read the store, and each counts
    every page it inherits: keeping each story's Markdown from its reading (470 MB of 100,000 stories)
    put the reading process and each rendering process of a 100,000-story build over a gigabyte. The
    bodies are read back as each story is rendered, as the service reads them."""
    import tracemalloc

    from feedsvc.static.build import open_store

    paragraph = "The harbour commission voted on Tuesday to reopen the north pier, closed since the storm. " * 40
    body = "\n\n".join([paragraph] * 16)  # about 57 KB of Markdown
    for i in range(40):
        store_dir.write(f"world/{i:02d}.md", article(body, title=f"Story {i} of the harbour's long week"))
    tracemalloc.start()
    try:
        store = open_store(config_for(store_dir.root))
        held, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(store.snapshot.by_id) == 40
    assert held < 40 * len(body) // 4, f"the store holds {held:,} bytes for {40 * len(body):,} bytes of bodies"


def test_a_story_saved_while_the_build_renders_is_published_as_saved(store_dir, tmp_path, monkeypatch):
    """The build reads each body back as it renders; an editor saving a story after the read made
    that read-back fail, and the build published every feed without the story. It now reads the story
    again and starts over, so the feeds carry it as saved, with no problem reported."""
    import feedparser

    for i in range(6):
        store_dir.write(f"world/s{i}.md", article(f"The first draft of story {i}.", title=f"Story {i}"))
    render, saved = rendering.render, []

    def render_after_a_save(publisher, path, now, photos):
        if not saved:  # an editor saves story 3 once the store has been read
            saved.append(path)
            story = store_dir.root / "world/s3.md"
            story.write_text(story.read_text().replace("The first draft of story 3.", "Story 3 as corrected."))
        return render(publisher, path, now, photos)

    monkeypatch.setattr(rendering, "render", render_after_a_save)
    report = build(config_for(store_dir.root), tmp_path / "public", now=datetime(2024, 1, 1, tzinfo=UTC))
    assert saved and report.unread == []
    feed = feedparser.parse((tmp_path / "public/rss.xml").read_bytes())
    story = next(entry for entry in feed.entries if entry.title == "Story 3")
    assert "Story 3 as corrected." in story.content[0].value
    assert len(feed.entries) == 6
