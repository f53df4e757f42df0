"""`feedsvc init`: a new article store to start from — a site file that explains itself, one section,
one story with a photo — which `feedsvc check` passes and `feedsvc build` builds as it is."""

from __future__ import annotations

import json
import os
import sys
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import click

from ..uri import base_url
from .options import chosen_store, store_options

SECTION = "news"
STORY = "welcome"

SITE = """\
# The publication: feedsvc reads this file first. Every field is explained below; the format of the
# stories is in docs/FORMAT.md. Run `feedsvc check {folder}` after each change.

# The publication's name: the title of every feed and page.
title: {quoted_title}

# The public web site the stories live on (not where the feeds are served: that is base_url, in the
# configuration). A story's link is this address, its section and its slug: {url}{section}/{story}
url: {url}

# One line about the publication, shown by feed readers.
description: {description}

# The language of the stories, as a language tag (en, en-gb, fr, pt-br…).
language: en

# The newsroom's time zone (an IANA name such as Europe/Berlin): a date written without a zone is in it.
timezone: {zone}

# Shown in every feed. Optional.
copyright: {copyright}

# A date your domain was already yours, as YYYY-MM-DD. It goes into every story's id (an RFC 4151 tag:
# URI) so feed readers can tell stories apart: set it once and never change it.
tag_date: {today}

# Optional: a logo (wide) and an icon (square) for the feeds and pages, as paths under media/ in this
# folder or as https:// URLs. Uncomment to use them.
# logo: media/site/logo.png
# icon: media/site/icon.png

# The sections. Each has a slug (lower-case letters, digits and hyphens: it is part of the feeds'
# addresses, /sections/<slug>/rss.xml, so keep it once published), a title and a description. A
# story names its section by slug or by title.
sections:
  - slug: {section}
    title: News
    description: {section_description}
"""

STORY_TEXT = """\
---
title: Welcome to your new article store
section: {section}
published: {published}
authors:
  - The Newsroom
summary: A sample story made by feedsvc init. Replace it with your own, or delete it.
tags: [sample]
photo:
  src: {photo}
  caption: A picture drawn by feedsvc init to show where a story's photo goes.
  credit: feedsvc
  alt: Coloured bands with the words "Your photo here".
---
This story was made by `feedsvc init`. Each story is one Markdown file like this one: its fields
between the two `---` lines, then the story itself.

Write stories in folders by section (this one is `{section}/{story}.md`), keep photos under `media/`,
and run `feedsvc check` before publishing: it names every problem with its file and field.
"""


@click.command("init")
@store_options
@click.option("--title", default="The Newsroom", show_default=True, help="The publication's name.")
@click.option(
    "--url", default="https://news.example.com/", show_default=True, help="The public web site the stories live on."
)
def command(store: Path | None, store_option: Path | None, title: str, url: str) -> None:
    """Make a new article store in STORE (a new or empty folder): a commented _site.yml with one
    section, a sample story with a photo, and media/. `feedsvc check STORE` passes on it as it is."""
    folder = chosen_store(store, store_option)
    if folder is None:
        raise click.UsageError("name the folder to make the store in: feedsvc init news/")
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        what = "is not a folder" if not folder.is_dir() else "is not empty"
        click.echo(
            f"feedsvc init: {folder} {what}; a new store is made in a new or empty folder, so nothing "
            "of yours is overwritten",
            err=True,
        )
        sys.exit(2)
    site_url, usable = base_url(url)
    if site_url is None or not usable:
        raise click.BadParameter(
            f"{url!r} is not an http(s) address like https://news.example.com/", param_hint="--url"
        )
    zone = _local_zone()
    now = datetime.now(ZoneInfo(zone)) - timedelta(minutes=1)  # in the past: published at once
    photo = f"media/{now:%Y}/{STORY}.jpg"
    (folder / SECTION).mkdir(parents=True, exist_ok=True)
    (folder / "_site.yml").write_text(
        SITE.format(
            folder=folder,
            url=site_url,
            section=SECTION,
            story=STORY,
            zone=zone,
            today=f"{now:%Y-%m-%d}",
            quoted_title=_quoted(title),
            description=_quoted(f"News from {title}."),
            copyright=_quoted(f"© {now.year} {title}"),
            section_description=_quoted(f"The latest from {title}."),
        ),
        "utf-8",
    )
    (folder / SECTION / f"{STORY}.md").write_text(
        STORY_TEXT.format(section=SECTION, story=STORY, published=f"{now:%Y-%m-%d %H:%M}", photo=photo), "utf-8"
    )
    draw_photo(folder / photo)
    click.echo(
        f"made a new article store in {folder}: _site.yml (the publication, one section), "
        f"{SECTION}/{STORY}.md (a sample story) and {photo}"
    )
    click.echo(
        f"next: set title, url and timezone in {folder / '_site.yml'}, then\n"
        f"  feedsvc check {folder}\n  feedsvc serve {folder}"
    )


def _quoted(text: str) -> str:
    """Text as a YAML double-quoted scalar (JSON's string syntax is YAML's), whatever it holds."""
    return json.dumps(text, ensure_ascii=False)


def _local_zone() -> str:
    """This machine's IANA time zone name (what /etc/localtime links to), or UTC."""
    name = os.environ.get("TZ", "").lstrip(":")
    if not name:
        target = os.path.realpath("/etc/localtime")
        name = target.split("/zoneinfo/", 1)[1] if "/zoneinfo/" in target else "UTC"
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return "UTC"
    return "UTC" if name in ("Etc/UTC", "UCT", "Universal", "Zulu") else name


def draw_photo(path: Path, size: tuple[int, int] = (1200, 675)) -> None:
    """A JPEG made here and now: coloured bands and a caption, so the sample story has a real photo."""
    from PIL import Image, ImageDraw, ImageFont

    image = Image.new("RGB", size, (24, 60, 96))
    draw = ImageDraw.Draw(image)
    width, height = size
    for band, colour in enumerate([(40, 96, 150), (70, 130, 180), (220, 160, 60), (190, 80, 60)]):
        top = height // 2 + band * height // 8
        draw.rectangle([0, top, width, top + height // 8], fill=colour)
    try:
        font = ImageFont.load_default(size=72)  # Pillow 10.1+ with FreeType
        draw.text((width // 2, height // 4), "Your photo here", fill=(255, 255, 255), font=font, anchor="mm")
    except (TypeError, ValueError, OSError):
        draw.text((width // 3, height // 4), "Your photo here", fill=(255, 255, 255))
    path.parent.mkdir(parents=True, exist_ok=True)
    image.save(path, "JPEG", quality=85)
