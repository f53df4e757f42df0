"""`feedsvc check`: every problem in the store, with its file and field, before anything is published."""

from __future__ import annotations

import sys
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import click

from ..words import plural
from .options import chosen_store, config_option, load, require_folder, store_options
from .progress import Bars

if TYPE_CHECKING:
    from ..model import Problem
    from ..store.snapshot import StoreSnapshot


@click.command("check")
@store_options
@click.option(
    "--targets",
    is_flag=True,
    help="Also report what Microsoft Start, Flipboard and Google News would reject or degrade.",
)
@config_option
def command(store: Path | None, store_option: Path | None, targets: bool, config_file: str | None) -> None:
    """List every problem in STORE (or --store STORE; default: the configured store), each story held
    back until a later time, and count articles per section.

    Exits 1 when any article would be left out of the feeds.
    """
    from ..store.snapshot import Snapshot
    from ..store.store import Store

    config = load(config_file, store=chosen_store(store, store_option))
    require_folder("check", config.store)
    store_ = Store.open(
        config.store,
        media_base_url=config.feeds.base_url,
        limits=config.read,
        cache_dir=config.cache_path,
        progress=Bars().reading if sys.stderr.isatty() else None,
    )
    snapshot = store_.snapshot
    now = datetime.now(UTC)
    problems = [
        *snapshot.problems,
        *snapshot.dated_ahead(now, store_.display_root),
        *snapshot.look_alike_bylines(store_.display_root),
        *_ids_rewritten(snapshot, store_.display_root),
    ]
    for problem in [*problems, *snapshot.held_back(now, store_.display_root)]:
        click.echo(str(problem))
    if isinstance(snapshot, Snapshot):
        counts = Counter(a.section for a in snapshot.by_id.values() if a.visible_at(now))
        scheduled = sum(1 for a in snapshot.by_id.values() if not a.visible_at(now))
        per_section = ", ".join(f"{s.slug} {counts.get(s.slug, 0)}" for s in snapshot.site.sections)
        found = []
        from ..publish.publisher import Publisher

        publisher = Publisher(store_, config.feeds, config.cache_policy)
        if targets:
            from ..publish.targets import findings

            found = findings(publisher, now)
            for finding in found:
                click.echo(str(finding))
        from ..model import AUTHOR, TAG

        scopes = publisher.planner.scopes
        tags = (
            f"{plural(len(scopes.listed(TAG, snapshot, now)), 'tag')} with feeds (used by at least "
            f"{plural(config.feeds.tag_feed_min_stories, 'story')})"
            if config.feeds.tag_feeds
            else "tag feeds off"
        )
        click.echo(f"{plural(len(scopes.listed(AUTHOR, snapshot, now)), 'writer')} with feeds; {tags}")
        click.echo(
            f"{sum(counts.values())} published ({per_section}); {scheduled} scheduled, "
            f"{plural(snapshot.drafts, 'draft')}; {plural(len(snapshot.errors), 'error')}, "
            f"{plural(sum(p.severity == 'warning' for p in problems), 'warning')}"
            + (f", {plural(len(found), 'aggregator finding')}" if targets else "")
        )
    sys.exit(1 if snapshot.errors or snapshot.site is None else 0)


def _ids_rewritten(snapshot: StoreSnapshot, display_root: str) -> list[Problem]:
    """A warning for each story whose editor gave a URI as its id and whose feeds carry another one: feed
    readers match items by id, so the editor should know which one subscribers have (docs/FORMAT.md, `id`)."""
    from ..model import Problem
    from ..render.feedmodel import id_rewritten

    site = snapshot.site
    if site is None:
        return []
    warnings = []
    for article in sorted(snapshot.by_id.values(), key=lambda a: a.path):
        rewritten = id_rewritten(article, site)
        if rewritten is not None:
            published, why = rewritten
            message = f"{article.id!r} is published as {published!r}: {why}; feed readers know the story by that"
            warnings.append(Problem(display_root + article.path, "id", message, "warning"))
    return warnings
