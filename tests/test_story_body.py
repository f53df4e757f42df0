"""What a subscriber sees of a story's body: the HTML an editor's Markdown becomes in RSS
(content:encoded), Atom (content) and JSON Feed (content_html), read from the served documents with
an XML parser and each fragment then parsed as HTML; the summary as feedparser reads it."""
from __future__ import annotations

import json
from dataclasses import dataclass

import lxml.html

from feedsvc.app import create_app

from .conftest import BASE_URL, article
from .feeds import NS, parsed, xml

STORY_URL = "https://news.example.com/world/story"


@dataclass
class Story:
    contents: dict[str, str]        # feed format → the story's HTML as that feed carries it
    summaries: dict[str, str]       # feed format → the summary a reader shows

    def fragments(self):
        """(format, the story's HTML parsed as a browser would) for RSS, Atom and JSON Feed."""
        return [(fmt, lxml.html.fragment_fromstring(body, create_parent="div")) for fmt, body in self.contents.items()]


def publish(store_dir, body: str, **fields) -> Story:
    """Publish one story with `body` and read it back from every feed format the service serves."""
    store_dir.write("world/story.md", article(body, **fields))
    client = create_app({"store": store_dir.root, "base_url": BASE_URL, "auto_refresh": False}).test_client()
    rss, atom, feed = (client.get("/sections/world/" + name) for name in ("rss.xml", "atom.xml", "feed.json"))
    item = xml(rss.data).find("channel/item")
    entry = xml(atom.data).find("atom:entry", NS)
    json_item = json.loads(feed.data)["items"][0]
    summaries = {fmt: parsed(response.data, BASE_URL + "sections/world/" + fmt, response.headers["Content-Type"])
                 .entries[0].summary for fmt, response in (("rss.xml", rss), ("atom.xml", atom))}
    summaries["feed.json"] = json_item["summary"]
    return Story({"rss.xml": item.findtext("content:encoded", namespaces=NS),
                  "atom.xml": entry.findtext("atom:content", namespaces=NS),
                  "feed.json": json_item["content_html"]}, summaries)


def words(element) -> str:
    return " ".join(element.text_content().split())


# ---- embeds: removed, never shown as markup -------------------------------------------------------

def test_a_video_embed_is_removed_rather_than_shown_as_markup(store_dir):
    story = publish(store_dir, 'Watch the speech.\n\n<iframe src="https://www.youtube.com/embed/xyz" width="560" '
                               'height="315"></iframe>\n\nThe speech lasted an hour.')
    for fmt, body in story.fragments():
        assert body.xpath("//iframe") == [], fmt
        assert words(body) == "Watch the speech. The speech lasted an hour.", fmt


def test_a_tweet_embed_keeps_the_quoted_tweet_and_loses_the_script(store_dir):
    story = publish(store_dir, 'She replied:\n\n<blockquote class="twitter-tweet"><p>We will be there.</p>'
                               '</blockquote><script async src="https://platform.twitter.com/widgets.js"></script>'
                               '\n\nThe meeting is on Friday.')
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
