"""A problem in an optional part of a story (its photo, one related link, one tag, one author) leaves
that part out with a warning naming file and field; the story itself is published. A newsroom would
rather publish breaking news without its photo than hold it over a typo in a related link."""

from __future__ import annotations

import pytest

from feedsvc.serve.app import create_app

from .cli import feedsvc
from .conftest import BASE_URL, article, make_jpeg
from .feeds import NS, parsed, xml

GOOD_LINK = {"title": "The earlier story", "url": "https://news.example.com/world/earlier"}


def service(store_dir):
    app = create_app({"store": store_dir.root, "base_url": BASE_URL}, auto_refresh=False)
    return app.test_client(), app.extensions["feedsvc"]


def warnings_for(service_, name: str) -> dict[str, str]:
    return {
        p.field: p.message
        for p in service_.store.snapshot.problems
        if p.path.endswith(f"/world/{name}.md") and p.severity == "warning"
    }


def errors(service_) -> list[str]:
    return [str(p) for p in service_.store.snapshot.problems if p.severity == "error"]


def entry(client, title: str, path: str = "/sections/world/rss.xml"):
    response = client.get(path)
    assert response.status_code == 200
    feed = parsed(response.data, BASE_URL + path.lstrip("/"), response.content_type)
    found = [e for e in feed.entries if e.title == title]
    assert found, [e.title for e in feed.entries]
    return found[0]


@pytest.mark.parametrize("bad_url", ["javascript:alert(1)", "ftp://files.example.com/report.pdf"])
def test_a_related_link_with_a_bad_url_is_left_out_and_the_story_published(store_dir, bad_url):
    store_dir.write(
        "world/links.md",
        article(
            title="A story with one bad related link", related=[GOOD_LINK, {"title": "A bad link", "url": bad_url}]
        ),
    )
    client, svc = service(store_dir)
    assert not errors(svc)
    assert warnings_for(svc, "links")["related[1].url"].endswith("that link is left out")
    atom = entry(client, "A story with one bad related link", "/sections/world/atom.xml")
    related = [link.href for link in atom.links if link.rel == "related"]
    assert related == [GOOD_LINK["url"]]
    document = xml(client.get("/sections/world/atom.xml").data)
    assert not document.xpath(
        "//atom:link[starts-with(@href, 'javascript:') or starts-with(@href, 'ftp:')]", namespaces=NS
    )


def test_a_related_title_or_author_that_is_only_markup_is_left_out(store_dir):
    store_dir.write(
        "world/markup.md",
        article(
            title="A story with markup where text belongs",
            related=[{"title": "<script>alert(1)</script>", "url": "https://news.example.com/x"}, GOOD_LINK],
            authors=[{"name": "<img src=x onerror=alert(1)>"}, "Ana Reporter"],
            tags=["Politics", {"not": "a tag"}, "Mexico"],
        ),
    )
    client, svc = service(store_dir)
    assert not errors(svc)
    warned = warnings_for(svc, "markup")
    assert warned["related[0].title"].endswith("that link is left out"), warned
    assert warned["authors[0].name"].endswith("that author is left out"), warned
    assert warned["tags[1]"].endswith("that tag is left out"), warned
    item = entry(client, "A story with markup where text belongs")
    assert item.author == "Ana Reporter"
    assert [t.term for t in item.tags if t.term != "World & Nation"] == ["Politics", "Mexico"]  # and the section
    atom = entry(client, "A story with markup where text belongs", "/sections/world/atom.xml")
    assert [link.href for link in atom.links if link.rel == "related"] == [GOOD_LINK["url"]]


@pytest.mark.parametrize("problem", ["missing", "a folder", "not an image", "remote, not an image type"])
def test_a_bad_photo_is_left_out_and_the_story_published_without_it(store_dir, problem):
    photo = {"src": "media/photo.jpg", "caption": "A caption", "credit": "A credit"}
    if problem == "a folder":
        (store_dir.root / "media/photo.jpg").mkdir(parents=True)
    elif problem == "not an image":
        store_dir.write("media/photo.jpg", "this is text, not a JPEG\n")
    elif problem == "remote, not an image type":
        photo = {"src": "https://cdn.example.com/story.html", "type": "text/html", "length": 1234}
    store_dir.write("world/photo.md", article(title="Breaking news, its photo not ready", photo=photo))
    client, svc = service(store_dir)
    assert not errors(svc)
    warned = warnings_for(svc, "photo")
    field = "photo.type" if problem.startswith("remote") else "photo.src"
    assert warned[field].endswith("the story is published without its photo"), warned
    for path in ("/rss.xml", "/sections/world/rss.xml", "/sections/world/atom.xml"):
        item = entry(client, "Breaking news, its photo not ready", path)
        assert not item.get("enclosures") and not item.get("media_content"), path
    feed = client.get("/sections/world/feed.json").get_json()
    assert [i.get("image") for i in feed["items"]] == [None]
    page = client.get("/sections/world/")
    assert page.status_code == 200 and b"Breaking news, its photo not ready" in page.data


def test_a_photo_that_arrives_later_is_picked_up(store_dir):
    store_dir.write(
        "world/photo.md",
        article(title="Published before its photo", photo={"src": "media/late.jpg", "caption": "Late", "credit": "Us"}),
    )
    client, svc = service(store_dir)
    assert not entry(client, "Published before its photo").get("enclosures")
    make_jpeg(store_dir.root / "media/late.jpg", size=(800, 600))
    svc.store.refresh()
    enclosures = entry(client, "Published before its photo").enclosures
    assert [(e.href, e.type) for e in enclosures] == [(BASE_URL + "media/late.jpg", "image/jpeg")]
    assert "photo.src" not in warnings_for(svc, "photo")
    assert client.get("/media/late.jpg").status_code == 200


def test_check_names_each_warning_and_passes(store_dir):
    store_dir.write(
        "world/links.md",
        article(
            title="Links",
            related=[
                GOOD_LINK,
                {"title": "ftp", "url": "ftp://x.example.com/a"},
                {"title": "js", "url": "javascript:alert(1)"},
            ],
            photo={"src": "media/none.jpg"},
        ),
    )
    result = feedsvc("check", str(store_dir.root))
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    prefix = f"{store_dir.root}/world/links.md: "
    assert any(line.startswith(prefix + "related[1].url: warning: ") for line in lines), lines
    assert any(line.startswith(prefix + "related[2].url: warning: ") for line in lines), lines
    assert (
        prefix + "photo.src: warning: media/none.jpg: file not found; the story is published without its photo" in lines
    )
    assert lines[-1].startswith("1 published") and lines[-1].endswith("0 errors, 3 warnings"), lines


def test_what_a_story_cannot_exist_without_still_keeps_it_out(store_dir):
    store_dir.write("world/no-title.md", article(title="<b></b>", photo={"src": "media/none.jpg"}))
    client, svc = service(store_dir)
    found = [(p.field, p.severity) for p in svc.store.snapshot.problems if p.path.endswith("no-title.md")]
    assert ("title", "error") in found
    assert not svc.store.snapshot.by_id
