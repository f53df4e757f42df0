"""What a scoped feed or page is about — a section, a writer or a tag — named as readers see it."""

from __future__ import annotations

from dataclasses import dataclass

from ..model import Scope


@dataclass(frozen=True)
class Subject:
    """A section's, writer's or tag's title, description, page and picture, everything defaulted:
    the feeds and the page of a scope say the same things about it."""

    scope: Scope
    title: str  # "Business", "Priya Natarajan", "Harbor Street"
    description: str  # what the feed says of it: the editors' words, else a default
    link: str  # the web page about it: RSS <link>, Atom's alternate, home_page_url
    image: str | None = None  # absolute URL: a writer's photo (the feed's image and icon)
    person_url: str | None = None  # a writer's own page, as the feed's author URI
    lede: str = ""  # the editors' own words only: pages and OPML say nothing rather than a default
