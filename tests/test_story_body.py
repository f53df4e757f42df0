"""What a subscriber sees of a story's body: the HTML an editor's Markdown becomes in RSS
(content:encoded), Atom (content) and JSON Feed (content_html), read from the served documents with
an XML parser and each fragment then parsed as HTML; the summary as feedparser reads it."""

from __future__ import annotations

import json
from dataclasses import dataclass

import lxml.html

from feedsvc.serve.app import create_app

from .conftest import BASE_URL, article
from .feeds import NS, parsed, xml

STORY_URL = "https://news.example.com/world/story"


@dataclass
class Story:
    contents: dict[str, str]  # feed format → the story's HTML as that feed carries it
    summaries: dict[str, str]  # feed format → the summary a reader shows
    sanitised: dict[str, str]  # feed format → the story's HTML after feedparser's own sanitiser

    def fragments(self):
        """(format, the story's HTML parsed as a browser would) for RSS, Atom and JSON Feed."""
        return [(fmt, lxml.html.fragment_fromstring(body, create_parent="div")) for fmt, body in self.contents.items()]


def publish(store_dir, body: str, **fields) -> Story:
    """Publish one story with `body` and read it back from every feed format the service serves."""
    store_dir.write("world/story.md", article(body, **fields))
    client = create_app({"store": store_dir.root, "base_url": BASE_URL}, auto_refresh=False).test_client()
    rss, atom, feed = (client.get("/sections/world/" + name) for name in ("rss.xml", "atom.xml", "feed.json"))
    item = xml(rss.data).find("channel/item")
    entry = xml(atom.data).find("atom:entry", NS)
    json_item = json.loads(feed.data)["items"][0]
    entries = {
        fmt: parsed(response.data, BASE_URL + "sections/world/" + fmt, response.headers["Content-Type"]).entries[0]
        for fmt, response in (("rss.xml", rss), ("atom.xml", atom))
    }
    summaries = {fmt: e.summary for fmt, e in entries.items()} | {"feed.json": json_item["summary"]}
    return Story(
        {
            "rss.xml": item.findtext("content:encoded", namespaces=NS),
            "atom.xml": entry.findtext("atom:content", namespaces=NS),
            "feed.json": json_item["content_html"],
        },
        summaries,
        {fmt: e.content[0].value for fmt, e in entries.items()},
    )


def words(element) -> str:
    return " ".join(element.text_content().split())


# ---- embeds: removed, never shown as markup -------------------------------------------------------


def test_a_video_embed_is_removed_rather_than_shown_as_markup(store_dir):
    story = publish(
        store_dir,
        'Watch the speech.\n\n<iframe src="https://www.youtube.com/embed/xyz" width="560" '
        'height="315"></iframe>\n\nThe speech lasted an hour.',
    )
    for fmt, body in story.fragments():
        assert body.xpath("//iframe") == [], fmt
        assert words(body) == "Watch the speech. The speech lasted an hour.", fmt


def test_a_tweet_embed_keeps_the_quoted_tweet_and_loses_the_script(store_dir):
    story = publish(
        store_dir,
        'She replied:\n\n<blockquote class="twitter-tweet"><p>We will be there.</p>'
        '</blockquote><script async src="https://platform.twitter.com/widgets.js"></script>'
        "\n\nThe meeting is on Friday.",
    )
    for fmt, body in story.fragments():
        assert body.xpath("//script") == [], fmt
        assert [words(q) for q in body.xpath("//blockquote")] == ["We will be there."], fmt
        assert words(body) == "She replied: We will be there. The meeting is on Friday.", fmt


def test_a_style_block_is_removed_with_its_rules(store_dir):
    story = publish(store_dir, "<style>.x{color:red}</style>\n\nA story in plain paragraphs.")
    for fmt, body in story.fragments():
        assert body.xpath("//style") == [], fmt
        assert words(body) == "A story in plain paragraphs.", fmt
    assert set(story.summaries.values()) == {"A story in plain paragraphs."}


# ---- footnotes: a superscript link in the text, the notes at the end, none of it in the summary ------


def test_a_footnote_is_a_superscript_link_to_its_text_at_the_end_of_the_story(store_dir):
    story = publish(
        store_dir,
        "The minister resigned on Friday[^1].\n\nHer deputy takes over.\n\n"
        "[^1]: According to a statement from her office.",
    )
    for fmt, body in story.fragments():
        [mark] = body.xpath("//p/sup/a")
        assert mark.text == "1" and mark.get("href") == STORY_URL + "#fn-1", fmt
        # The notes follow the story, set off by a rule; the link's fragment names the note, and the
        # note links back to the mark by its id, so both lead to the same places on the story's page.
        *paragraphs, notes = body
        assert [words(p) for p in paragraphs] == ["The minister resigned on Friday1.", "Her deputy takes over."], fmt
        assert notes.tag == "section" and notes[0].tag == "hr", fmt
        [note] = notes.xpath("ol/li")
        assert note.get("id") == "fn-1" and words(note).startswith("According to a statement from her office."), fmt
        [back] = note.xpath(".//a")
        assert back.get("href") == STORY_URL + "#" + mark.get("id"), fmt
        assert "[^1]" not in words(body), fmt


def test_a_one_word_footnote_is_a_note_not_a_link_to_that_word(store_dir):
    story = publish(store_dir, "Figures were revised[^a].\n\n[^a]: Reuters")
    for fmt, body in story.fragments():
        assert [a.get("href") for a in body.xpath("//a")] == [STORY_URL + "#fn-a", STORY_URL + "#fnref-a"], fmt
        assert words(body.xpath("//section/ol/li")[0]).startswith("Reuters"), fmt


def test_the_summary_leaves_out_footnotes_and_their_marks(store_dir):
    story = publish(
        store_dir,
        "The minister resigned on Friday[^1], her office said[^note].\n\n"
        "Her deputy takes over.\n\n[^1]: A statement.\n\n[^note]: Read out at noon.",
    )
    assert set(story.summaries.values()) == {"The minister resigned on Friday, her office said. Her deputy takes over."}


# ---- smaller structure: disclosure, direction, headings, nothing left empty ---------------------------


def test_a_details_block_keeps_its_summary_apart_from_the_hidden_text(store_dir):
    story = publish(store_dir, "<details><summary>More</summary>Hidden text</details>\n\nThe story goes on.")
    for fmt, body in story.fragments():
        [details] = body.xpath("details")
        assert [words(s) for s in details.xpath("summary")] == ["More"], fmt
        assert words(details.xpath("summary")[0]) == "More" and words(details) == "More Hidden text", fmt
    assert set(story.summaries.values()) == {"More Hidden text The story goes on."}
    # feedparser's sanitiser drops <summary> but keeps its text: the words must still stand apart.
    for fmt, body in story.sanitised.items():
        assert words(lxml.html.fragment_fromstring(body, create_parent="div")).startswith("More Hidden text"), fmt


def test_a_paragraph_keeps_its_writing_direction(store_dir):
    story = publish(
        store_dir,
        '<p dir="rtl">שלום עולם</p>\n\n<blockquote dir="RTL"><p>مرحبا</p></blockquote>\n\n'
        '<p dir="sideways">Not a direction.</p>',
    )
    for fmt, body in story.fragments():
        assert [(e.tag, e.get("dir")) for e in body] == [("p", "rtl"), ("blockquote", "rtl"), ("p", None)], fmt


def test_removed_svg_and_math_leave_no_empty_paragraphs(store_dir):
    story = publish(
        store_dir, 'Before.\n\n<svg width="10"><circle r="1"/>\n</svg>\n\n<math><mi>x</mi></math>\n\nAfter.'
    )
    for fmt, body in story.fragments():
        assert [(e.tag, words(e)) for e in body] == [("p", "Before."), ("p", "After.")], fmt


def test_a_first_level_heading_in_the_body_ranks_below_the_headline(store_dir):
    story = publish(store_dir, "# Background\n\nSome history.\n\n<h1>Reaction</h1>\n\nSome quotes.")
    for fmt, body in story.fragments():
        assert body.xpath("//h1") == [], fmt
        assert [(e.tag, words(e)) for e in body] == [
            ("h2", "Background"),
            ("p", "Some history."),
            ("h2", "Reaction"),
            ("p", "Some quotes."),
        ], fmt


def test_a_body_of_only_invisible_characters_is_empty_and_check_says_so(store_dir):
    """Zero-width spaces, a byte-order mark and a soft hyphen show nothing: readers would get a blank story."""
    store_dir.write("world/blank.md", article("\u200b\u200d\ufeff\n\n\u00ad \u2060", title="A blank story"))
    store_dir.write("world/story.md", article("A story with words in it.", title="A story with words"))
    app = create_app({"store": store_dir.root, "base_url": BASE_URL}, auto_refresh=False)
    feed = parsed(app.test_client().get("/sections/world/rss.xml").data, BASE_URL, "application/rss+xml")
    assert [e.title for e in feed.entries] == ["A story with words"]  # the good story is kept
    problems = [str(p) for p in app.extensions["feedsvc"].store.snapshot.problems]
    assert any("blank.md" in p and "body" in p and "only invisible characters" in p for p in problems), problems


def test_a_right_to_left_override_in_a_title_is_closed_where_the_title_ends(store_dir):
    """A stray U+202E (RIGHT-TO-LEFT OVERRIDE) would reverse everything after the title on its line."""
    store_dir.write("world/story.md", article("A story.", title="\u202eAn overridden title"))
    client = create_app({"store": store_dir.root, "base_url": BASE_URL}, auto_refresh=False).test_client()
    rss = xml(client.get("/sections/world/rss.xml").data)
    assert rss.findtext("channel/item/title") == "\u202eAn overridden title\u202c"
    page = lxml.html.fromstring(client.get("/sections/world/").data)
    shown = [t for t in page.xpath("//a/text()") if "An overridden title" in t]
    assert shown and all(t.count("\u202e") == t.count("\u202c") for t in shown)


def test_a_story_dated_at_the_unix_epoch_is_published_with_a_warning(store_dir):
    """1970-01-01 00:00 UTC is what a CMS export writes for a missing date: the editor should know."""
    store_dir.write("world/story.md", article("A story.", title="Dated by accident", published="1970-01-01T00:00:00Z"))
    app = create_app({"store": store_dir.root, "base_url": BASE_URL}, auto_refresh=False)
    feed = parsed(app.test_client().get("/sections/world/rss.xml").data, BASE_URL, "application/rss+xml")
    assert [e.title for e in feed.entries] == ["Dated by accident"]
    problems = [str(p) for p in app.extensions["feedsvc"].store.snapshot.problems]
    assert any("published" in p and "1970-01-01" in p and "real date" in p for p in problems), problems
