"""Ids claimed by several files, and ids several stories link to, as their claimants and linkers come
and go one at a time: the store keeps one path as itself and several as a list or set (memory at
100,000 stories), so each count from three down to none is tried."""

from __future__ import annotations

from feedsvc.model import TAG, Scope
from feedsvc.store.store import Store

from .conftest import article


def published(store: Store) -> dict[str, str]:
    return {story.id: story.title for story in store.snapshot.by_id.values()}


def losers(store: Store, field: str) -> list[str]:
    return sorted(p.path.rsplit("/", 1)[-1] for p in store.snapshot.problems if p.field == field)


def test_an_id_claimed_by_three_files_goes_to_the_latest_as_they_leave(store_dir):
    for name, day in (("a", "01"), ("b", "02"), ("c", "03")):
        store_dir.write(
            f"world/{name}.md", article(id="story", title=f"Story {name}", published=f"2013-05-{day} 10:00")
        )
    store = Store(store_dir.root)
    store.refresh()
    assert published(store) == {"story": "Story c"} and losers(store, "id") == ["a.md", "b.md"]
    store_dir.delete("world/c.md")
    store.refresh()
    assert published(store) == {"story": "Story b"} and losers(store, "id") == ["a.md"]
    store_dir.write("world/c.md", article(id="story", title="Story c again", published="2013-05-03 10:00"))
    store.refresh()
    assert published(store) == {"story": "Story c again"} and losers(store, "id") == ["a.md", "b.md"]
    for name in ("c", "b"):
        store_dir.delete(f"world/{name}.md")
        store.refresh()
    assert published(store) == {"story": "Story a"} and losers(store, "id") == []
    store_dir.delete("world/a.md")
    store.refresh()
    assert published(store) == {}


def test_an_id_three_stories_link_to_dangles_for_each_until_it_is_published(store_dir):
    for name in ("x", "y", "z"):
        store_dir.write(f"world/{name}.md", article(id=name, title=f"Story {name}", tags=[name], related=["target"]))
    store = Store(store_dir.root)
    store.refresh()
    assert losers(store, "related[0]") == ["x.md", "y.md", "z.md"]
    store_dir.delete("world/z.md")
    store_dir.write("world/y.md", article(id="y", title="Story y, unlinked"))
    store.refresh()
    assert losers(store, "related[0]") == ["x.md"]
    store_dir.write("world/target.md", article(id="target", title="The target"))
    store.refresh()
    assert losers(store, "related[0]") == []
    before = store.snapshot.generation
    store_dir.write("world/target.md", article(id="target", title="The target, retitled"))
    changes = store.refresh()
    assert "world/target.md" in changes.edited and store.snapshot.generation > before
    changed = store.snapshot.changed_since(before)  # x shows the target's title: its tag's feed changes
    assert changed is not None and Scope(TAG, "x") in changed and Scope(TAG, "y") not in changed
    store_dir.delete("world/target.md")
    store.refresh()
    assert losers(store, "related[0]") == ["x.md"]
