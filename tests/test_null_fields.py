"""`~`, `null` and nothing in front matter mean "not given" (docs/FORMAT.md): what a subscriber sees
of such a story, in every format, and what `feedsvc check` says of it. Quoted, they are text."""

from __future__ import annotations

import json

import pytest

from feedsvc.serve.app import create_app

from .cli import feedsvc
from .conftest import BASE_URL, make_jpeg
from .feeds import NS, parsed, xml

BODY = "Harbor officials said on Tuesday that the pier would reopen.\n\nA second paragraph.\n"
NULL_STORY = (
    """---
title: Pier reopens after repairs
section: world
published: 2013-05-02 17:40
updated: ~
summary: null
authors: ~
tags:
dateline: ~
photo: ~
related: NULL
slug: Null
id: ~
url:
status: ~
---
"""
    + BODY
)
TITLE = "Pier reopens after repairs"


def story(front: str, title: str = TITLE) -> str:
    return f"---\ntitle: {title}\nsection: world\npublished: 2013-05-02 17:40\n{front}\n---\n{BODY}"


def client_for(store_dir):
    app = create_app({"store": store_dir.root, "base_url": BASE_URL}, auto_refresh=False)
    return app.test_client()


def entry(client, path: str, title: str = TITLE):
    response = client.get(path)
    assert response.status_code == 200, path
    feed = parsed(response.data, BASE_URL + path.lstrip("/"), response.content_type)
    found = [e for e in feed.entries if e.title == title]
    assert len(found) == 1, [e.title for e in feed.entries]
    return found[0]


def check_lines(store_dir) -> tuple[int, list[str]]:
    result = feedsvc("check", str(store_dir.root))
    return result.returncode, result.stdout.splitlines()


def warnings_under(store_dir, folder: str) -> list[str]:
    """What `feedsvc check` says of the files under `folder`, named from there, sorted; it finds no error."""
    code, lines = check_lines(store_dir)
    assert code == 0, lines
    under = f"{store_dir.root}/{folder}"
    return sorted(line.removeprefix(under) for line in lines if line.startswith(under))


def test_a_story_whose_optional_fields_are_null_is_published_without_them(store_dir):
    store_dir.write("world/pier-reopens.md", NULL_STORY)
    client = client_for(store_dir)

    rss = entry(client, "/sections/world/rss.xml")
    assert rss.link == "https://news.example.com/world/pier-reopens"  # slug and url: the defaults
    assert rss.summary.startswith("Harbor officials said on Tuesday"), rss.summary  # made from the body
    assert "author" not in rss and "authors" not in rss
    assert [t.term for t in rss.tags] == ["World & Nation"]  # the section alone, no tag "~" or ""
    assert not rss.get("enclosures") and "media_content" not in rss
    assert rss.updated_parsed[:6] == rss.published_parsed[:6]  # `updated: ~` is the published time
    document = xml(client.get("/sections/world/rss.xml").data)
    assert not document.xpath("//item/dc:creator", namespaces=NS)
    assert document.xpath("//item/description/text()")[0].startswith("Harbor officials")

    atom = entry(client, "/sections/world/atom.xml")
    assert atom.summary.startswith("Harbor officials")
    assert [link.rel for link in atom.links] == ["alternate"]  # no related link, no enclosure
    assert atom.id.endswith(":world/pier-reopens")  # `id: ~`: the default id

    items = json.loads(client.get("/sections/world/feed.json").data)["items"]
    (item,) = [i for i in items if i["title"] == TITLE]
    assert item["summary"].startswith("Harbor officials")
    assert "authors" not in item and "image" not in item and "attachments" not in item
    assert item["tags"] == ["World & Nation"]  # the section alone

    # No writer called "~", no tag called "" or "~": their lists name nobody and nothing.
    for path in ("/authors.opml", "/tags.opml"):
        outlines = xml(client.get(path).data).xpath("//body//outline[@xmlUrl]")
        assert outlines == [], path

    code, lines = check_lines(store_dir)
    assert code == 0, lines
    assert not [line for line in lines if "pier-reopens" in line], lines
    assert lines[-1].startswith("1 published") and lines[-1].endswith("0 errors, 0 warnings"), lines


@pytest.mark.parametrize("field", ["title", "section", "published"])
@pytest.mark.parametrize("null", ["~", "null", ""])
def test_a_required_field_that_is_null_is_the_same_error_as_a_missing_one(store_dir, field, null):
    fields = {"title": TITLE, "section": "world", "published": "2013-05-02 17:40"}
    missing = "\n".join(f"{k}: {v}" for k, v in fields.items() if k != field)
    nulled = "\n".join(f"{k}: {null if k == field else v}" for k, v in fields.items())
    store_dir.write("world/missing.md", f"---\n{missing}\n---\n{BODY}")
    store_dir.write("world/nulled.md", f"---\n{nulled}\n---\n{BODY}")

    code, lines = check_lines(store_dir)
    assert code == 1, lines
    said = {
        name: [line.split(f"/world/{name}.md: ", 1)[1] for line in lines if f"/{name}.md: " in line]
        for name in ("missing", "nulled")
    }
    assert said["nulled"] == said["missing"] == [f"{field}: is required and missing"], lines


def test_a_null_list_item_is_left_out_with_a_warning_and_the_rest_published(store_dir):
    store_dir.write(
        "world/pier-reopens.md",
        story(
            "tags: [Harbor, ~, '']\n"
            "authors:\n  - null\n  - Ana Reporter\n"
            "related:\n  -\n  - title: Pier closes\n    url: https://news.example.com/world/pier-closes"
        ),
    )
    client = client_for(store_dir)
    rss = entry(client, "/sections/world/rss.xml")
    assert [t.term for t in rss.tags] == ["World & Nation", "Harbor"]
    assert rss.author == "Ana Reporter"
    atom = entry(client, "/sections/world/atom.xml")
    assert [link.href for link in atom.links if link.rel == "related"] == ["https://news.example.com/world/pier-closes"]

    assert warnings_under(store_dir, "world/pier-reopens.md: ") == [
        "authors[0]: warning: is empty; that author is left out",
        "related[0]: warning: is empty; that link is left out",
        "tags[1]: warning: is empty; that tag is left out",
        "tags[2]: warning: is empty; that tag is left out",
    ]


def test_nulls_inside_a_photo_a_byline_and_a_link_cost_that_part_alone(store_dir):
    make_jpeg(store_dir.root / "media/pier.jpg")
    store_dir.write(
        "world/pier-reopens.md",
        story(
            "photo:\n  src: media/pier.jpg\n  caption: ~\n  credit: null\n  alt:\n"
            "authors:\n  - name: Ana Reporter\n    email: ~\n    url: null\n  - name: ~\n"
            "related:\n  - title: ~\n    url: https://news.example.com/world/pier-closes\n"
            "dateline: ~"
        ),
    )
    store_dir.write("world/no-photo.md", story("photo:\n  src: ~\n  caption: A pier", title="A photo without src"))
    store_dir.write(
        "world/measured.md",
        story("photo:\n  src: media/pier.jpg\n  type: ~\n  length: ~\n  width: ~\n  height:", title="Measured"),
    )
    client = client_for(store_dir)
    rss = entry(client, "/sections/world/rss.xml")
    assert rss.author == "Ana Reporter"
    assert [e.href for e in rss.enclosures] == [BASE_URL + "media/pier.jpg"]
    document = xml(client.get("/sections/world/rss.xml").data)
    item = document.xpath(f"//item[title='{TITLE}']")[0]
    assert not item.xpath(".//media:description | .//media:credit", namespaces=NS)
    assert [c.text for c in item.xpath("dc:creator", namespaces=NS)] == ["Ana Reporter"]
    assert not entry(client, "/sections/world/rss.xml", "A photo without src").get("enclosures")

    assert warnings_under(store_dir, "world/") == [
        "no-photo.md: photo.src: warning: is required and missing; the story is published without its photo",
        "pier-reopens.md: authors[1].name: warning: is required and missing; that author is left out",
        "pier-reopens.md: related[0].title: warning: is required and missing; that link is left out",
    ]


def test_authors_null_lets_author_give_the_byline(store_dir):
    store_dir.write("world/pier-reopens.md", story("authors: ~\nauthor: Ana Reporter"))
    assert entry(client_for(store_dir), "/sections/world/rss.xml").author == "Ana Reporter"


def test_quoted_nulls_are_text(store_dir):
    store_dir.write(
        "world/pier-reopens.md",
        story("summary: 'null'\ndateline: '~'\nauthors: ['~', \"null\"]\ntags: ['~', Null Island]"),
    )
    client = client_for(store_dir)
    rss = entry(client, "/sections/world/rss.xml")
    assert rss.summary == "null"
    assert [a.name for a in rss.authors] == ["~", "null"]
    assert [t.term for t in rss.tags] == ["World & Nation", "~", "Null Island"]


def test_the_site_and_authors_files_read_nulls_as_not_given(store_dir):
    store_dir.write(
        "_site.yml",
        "title: The Test Times\nurl: https://news.example.com/\ndescription: ~\ncopyright: null\nlogo:\n"
        "language: en-us\ntimezone: America/Los_Angeles\ntag_date: 2013-01-01\n"
        "sections:\n  - slug: world\n    title: World & Nation\n    description: ~\n",
    )
    store_dir.write("_authors.yml", "- name: Ana Reporter\n  bio: ~\n  photo: null\n  url:\n  also_known_as: ~\n")
    store_dir.write("world/pier-reopens.md", story("authors: Ana Reporter"))
    client = client_for(store_dir)
    for path, description in [
        ("/sections/world/rss.xml", "World & Nation from The Test Times"),
        ("/authors/ana-reporter/rss.xml", "Stories by Ana Reporter from The Test Times"),
    ]:
        response = client.get(path)
        feed = parsed(response.data, BASE_URL + path.lstrip("/"), response.content_type).feed
        assert feed.description == description, path  # the default, not "~"
        assert "rights" not in feed and "image" not in feed, path  # no copyright "null", no logo
    code, lines = check_lines(store_dir)
    assert code == 0 and lines[-1].endswith("0 errors, 0 warnings"), lines
