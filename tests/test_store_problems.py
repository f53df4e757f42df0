"""Every kind of broken article is left out with a message naming file, field and fix — and the good
stories beside it stay published; a bad optional part (a photo) is a warning, and its story is published
without it. The store is tests/stores/problems/, one file per problem."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from feedsvc.store.settings import ReadLimits
from feedsvc.store.store import Store

from .conftest import ROOT

PROBLEMS = ROOT / "tests" / "stores" / "problems"
NOW = datetime(2026, 1, 1, tzinfo=UTC)


@pytest.fixture(scope="module")
def store():
    store = Store(
        PROBLEMS,
        media_base_url="https://feeds.example.com/",
        limits=ReadLimits(max_article_bytes=4096),
        display_root="articles/",
    )
    store.refresh()
    return store


@pytest.fixture(scope="module")
def snapshot(store):
    return store.snapshot


def messages(snapshot, name: str) -> list[str]:
    return [str(p) for p in snapshot.problems if p.path == f"articles/world/{name}.md"]


@pytest.mark.parametrize(
    "name, expected",
    [
        ("bad-yaml", "articles/world/bad-yaml.md: front matter: is not valid YAML"),
        ("no-title", "articles/world/no-title.md: title: is required and missing"),
        (
            "unknown-section",
            "articles/world/unknown-section.md: section: 'Sports' is not a section of this site; "
            "declared sections: world (World & Nation), business (Business)",
        ),
        ("bad-date", "articles/world/bad-date.md: published: 'tomorrow-ish' is not a date"),
        (
            "updated-before-published",
            "articles/world/updated-before-published.md: updated: '2013-05-01 09:00' is "
            "before published ('2013-05-02 17:40')",
        ),
        (
            "duplicate-id-b",
            "articles/world/duplicate-id-b.md: id: 'shared-id' is already used by articles/world/duplicate-id-a.md",
        ),
        (
            "duplicate-url-b",
            "articles/world/duplicate-url-b.md: url: 'https://news.example.com/world/the-same-address' "
            "is already used by articles/world/duplicate-url-a.md",
        ),
        ("not-utf8", "articles/world/not-utf8.md: is not UTF-8 (byte 0xe9 on line 2); save it as UTF-8"),
        ("empty-body", "articles/world/empty-body.md: body: is empty"),
        (
            "too-big",
            "articles/world/too-big.md: is 6,007 bytes, over the 4,096-byte limit for one article; it was not read",
        ),
        (
            "python-tag",
            "articles/world/python-tag.md: front matter: the tag "
            "'tag:yaml.org,2002:python/object/apply:os.system' (line 2) is not allowed",
        ),
        ("duplicate-key", "articles/world/duplicate-key.md: front matter: the key 'title' is given twice (line 4)"),
    ],
)
def test_each_broken_article_is_left_out_with_a_named_error(snapshot, name, expected):
    found = messages(snapshot, name)
    assert any(message.startswith(expected) for message in found), found
    problem = next(p for p in snapshot.problems if str(p).startswith(expected))
    assert problem.severity == "error"
    titles = {a.path for a in snapshot.by_id.values()}
    assert f"world/{name}.md" not in titles


def test_good_articles_beside_broken_ones_stay_published(snapshot):
    published = {a.path for a in snapshot.timeline(None).visible_at(NOW, 100)}
    assert published == {
        "world/good-story.md",
        "business/another-good-story.md",
        "world/control-characters.md",
        "world/related-id-missing.md",
        "world/duplicate-id-a.md",
        "world/duplicate-url-a.md",
        "world/missing-photo.md",
        "world/photo-not-an-image.md",
    }


@pytest.mark.parametrize(
    "name, expected",
    [
        (
            "missing-photo",
            "articles/world/missing-photo.md: photo.src: warning: media/2013/not-uploaded-yet.jpg: file not "
            "found; the story is published without its photo",
        ),
        (
            "photo-not-an-image",
            "articles/world/photo-not-an-image.md: photo.src: warning: media/not-a-photo.jpg: is not an "
            "image; the story is published without its photo",
        ),
    ],
)
def test_a_bad_photo_is_a_warning_and_the_story_is_published_without_it(snapshot, name, expected):
    assert messages(snapshot, name) == [expected]
    story = next(a for a in snapshot.by_id.values() if a.path == f"world/{name}.md")
    assert story.photo is None


def test_forbidden_xml_characters_are_removed_with_a_warning(store, snapshot):
    found = messages(snapshot, "control-characters")
    assert "articles/world/control-characters.md: warning: removed 2 characters that XML 1.0 forbids" in found
    assert "articles/world/control-characters.md: title: warning: removed 1 character that XML 1.0 forbids" in found
    story = next(a for a in snapshot.by_id.values() if a.path == "world/control-characters.md")
    assert story.title == "A headline with a bell and a form feed"
    body = store.body(story)
    assert body.startswith("The body has a vertical tab") and "\x00" not in body and "\x0b" not in body


def test_a_related_id_that_matches_nothing_is_a_warning_and_the_link_is_dropped(snapshot):
    assert messages(snapshot, "related-id-missing") == [
        "articles/world/related-id-missing.md: related[0]: warning: no published or scheduled article has the id "
        "'world/no-such-story'; the link is left out until one does"
    ]


def test_the_python_tag_was_never_executed(snapshot):
    # The tag would have run `echo`; with the safe loader it is only a reported problem.
    assert messages(snapshot, "python-tag")


def test_a_draft_is_never_published(snapshot):
    assert all(a.path != "world/draft.md" for a in snapshot.by_id.values())
    assert snapshot.drafts == 1
    assert not messages(snapshot, "draft")


def test_a_related_link_by_id_resolves_to_the_other_article(snapshot):
    good = next(a for a in snapshot.by_id.values() if a.path == "world/good-story.md")
    target = snapshot.by_id[good.related[0].article_id]
    assert target.title == "Another good story, named by id from its neighbour"
    assert target.url == "https://news.example.com/business/another-good-story"
