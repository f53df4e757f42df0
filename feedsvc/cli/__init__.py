"""The command line, one module per command: `feedsvc init | check | serve | build | stats`.

Wiring only: each command reads the configuration (`options`), calls into the package and says what
happened in words an editor or a platform engineer can act on.
"""

from __future__ import annotations

import click

from . import build, check, init, serve, stats


@click.group()
@click.version_option(package_name="feedsvc")
def main() -> None:
    """Publish a newsroom's article store: RSS 2.0, Atom 1.0 and JSON Feed 1.1 feeds for every section,
    writer and tag and for all of them, RFC 5005 archives, OPML lists of the feeds, pages for people with
    a subscribe page per feed, and the photos.

    \b
    feedsvc init news/             a new store to start from
    feedsvc check news/            every problem, with its file and field
    feedsvc serve news/            the feed service (gunicorn; --dev for Werkzeug's)
    feedsvc build public/ news/    the same documents as static files
    """


for _module in (init, check, serve, build, stats):
    main.add_command(_module.command)
