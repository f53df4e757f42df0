"""A scope's subscribe page, for people who have never used a feed: what a feed reader is, one-click
links into the popular web readers, a `feed:` link for apps, the address to copy, and the raw feeds one
click further. Browsers no longer show a feed as anything but markup, so the pages' RSS, Atom and JSON
Feed buttons lead here. Pure, like the other renderers: same inputs, same bytes."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

from ..model import EVERYTHING, Site
from ..paths import FeedKey
from .pages import ENV, PageLinks, direction
from .subject import Subject


@dataclass(frozen=True)
class Reader:
    """A web feed reader and its "add this feed" address: `{feed}` stands for the feed's URL, percent-encoded."""

    name: str
    template: str

    def url(self, feed_url: str) -> str:
        return self.template.replace("{feed}", quote(feed_url, safe=""))


# Each reader's own documented "add feed" address, and where it is documented:
READERS = (
    # Feedly: a feed's id is "feed/" + its URL, and ids are URL-encoded when passed in a URL
    # (developer.feedly.com/cloud/, "Resource Ids"); the follow-button snippet Feedly hands out
    # (img#feedlyFollow from s3.feedly.com/img/follows/) links to
    # https://feedly.com/i/subscription/feed%2F<the feed's URL, encoded>.
    Reader("Feedly", "https://feedly.com/i/subscription/feed%2F{feed}"),
    # Inoreader: its subscription handler as registered in SubToMe's reader list
    # (github.com/superfeedr/subtome, app/scripts/services/store.js, {feed} filled with encodeURIComponent).
    Reader("Inoreader", "https://www.inoreader.com/?add_feed={feed}"),
    # NewsBlur: "?url=" opens its add-site dialog with that address (github.com/samuelclay/NewsBlur,
    # media/js/newsblur/views/feed_list_view.js, load_url_next_param); the same in SubToMe's list.
    Reader("NewsBlur", "https://www.newsblur.com/?url={feed}"),
    # Feedbin: "https://feedbin.com/?subscribe=%s" (Feedbin's help, "How to Subscribe", section "URL":
    # feedbin-help _posts/2013-11-28-how-to-subscribe.md; and the handler Feedbin registers with browsers,
    # github.com/feedbin/feedbin app/views/shared/_register_protocol_handlers.html.erb).
    Reader("Feedbin", "https://feedbin.com/?subscribe={feed}"),
    # The Old Reader: "configure 'http://theoldreader.com/feeds/subscribe?url=%s' in your RSS feed
    # handler" (its Howto page, github.com/theoldreader/i18n locales/en.yml, tour.tips.p1), over https.
    Reader("The Old Reader", "https://theoldreader.com/feeds/subscribe?url={feed}"),
)


def feed_uri(feed_url: str) -> str:
    """The feed URI that opens a desktop or phone feed reader app: "feed:" before the feed's absolute
    URL (draft-obasanjo-feed-URI-scheme-02 §2; the `feed://host/…` form cannot say https)."""
    return "feed:" + feed_url


def render_subscribe_page(site: Site, subject: Subject | None, links: PageLinks) -> bytes:
    """The subscribe page of every section (subject None) or of one section, writer or tag. Readers
    are given the RSS feed: every one of them reads it."""
    scope = subject.scope if subject else EVERYTHING
    name = subject.title if subject else site.title
    feeds = links.feeds(scope, f"{site.title} — {subject.title}" if subject else site.title)
    main = links.base_url + FeedKey(scope, "rss").path
    page = ENV.get_template("subscribe.html").render(
        site=site,
        direction=direction(site.language),
        subject=subject,
        name=name,
        page=links.page(scope),
        feeds=feeds,
        alternates=feeds,
        icon=links.icon(site),
        readers=[{"name": r.name, "url": r.url(main)} for r in READERS],
        feed_uri=feed_uri(main),
        sections=links.sections(site),
        home=links.page(EVERYTHING),
    )
    return page.encode("utf-8")
