"""A digest per scope of the stories its documents (feeds, archives, page, subscribe page) are made
of, for a new process to tell which scopes an edit touched since the last build — what the
snapshot's changed scopes tell `--watch` and the service, which keep the last snapshot in memory.

A scope's documents depend on its stories (which, in what order, each as its file, photo and site
file make it), on the stories they link to (title, URL, when each appears and was saved), and on
what every document depends on (`context`). A scope whose mark is the last build's holds
the same documents, until the moment each document's plan said it changes on its own.
"""

from __future__ import annotations

import bisect
import hashlib
import math
from collections.abc import Hashable, Mapping
from datetime import datetime

from ..model import ALL, Article, RelatedRef, Scope
from ..store.snapshot import Snapshot
from ..store.timeline import month_bounds, month_of
from .dating import site_times
from .scopes import Scopes


def scope_name(scope: Scope, month: str | None = None) -> str:
    """The scope as a record names it: "section:world", "tag:harbor-street" ("all:" for every section);
    one month of it: "section:world@2013-05"."""
    return f"{scope.kind}:{scope.slug}" if month is None else f"{scope.kind}:{scope.slug}@{month[:7]}"


def _own_marks(by_id: Mapping[str, Article]) -> dict[str, str]:
    """Each story as it shows in a document, and as a link to it shows it and dates it: its revision
    covers its file's bytes (title, times, status…), its photo and the site file; its id, path and URL
    and when its file and photo were saved are spelled out besides."""
    marks = {}
    for article_id, article in by_id.items():
        modified = article.modified.timestamp() if article.modified else ""
        photo = article.photo.modified.timestamp() if article.photo and article.photo.modified else ""
        marks[article_id] = f"{article_id}|{article.path}|{article.url}|{article.revision}|{modified}|{photo}"
    return marks


def story_marks(by_id: Mapping[str, Article]) -> dict[str, int]:
    """Each story's part of any document, as a number: its own mark and those of the stories it links to."""
    own = _own_marks(by_id)
    found = {}
    for article_id, article in by_id.items():
        text = own[article_id]
        if article.related:
            text += "".join([own.get(ref.article_id, "-") for ref in article.related if isinstance(ref, RelatedRef)])
        found[article_id] = int.from_bytes(hashlib.blake2b(text.encode(), digest_size=16).digest())
    return found


def _digest(count: int, total: int, name: str = "") -> str:
    return hashlib.blake2b(f"{count}|{total}|{name}".encode(), digest_size=16).hexdigest()


def scope_marks(snapshot: Snapshot, known: Mapping[str, str]) -> dict[str, str]:
    """Each scope's mark (its timeline's name and its stories' marks), and the mark of each of its
    months ("section:world@2013-05": an archive page holds stories of one month). Summed, not strung
    together: the order of a timeline is that of its stories' times and ids, which their marks cover.

    A scope whose mark is in `known` (the last build's marks) has the months known there: they are
    made of its stories. Only the scopes an edit touched are walked month by month."""
    marks = story_marks(snapshot.by_id)
    known_months: dict[str, list[tuple[str, str]]] = {}
    for name, mark in known.items():
        whole, at, _ = name.partition("@")
        if at:
            known_months.setdefault(whole, []).append((name, mark))
    found = {}
    for scope, timeline in snapshot.timelines.items():
        name = scope_name(scope)
        found[name] = _digest(len(timeline.keys), sum([marks[key[1]] for key in timeline.keys]), timeline.name)
        if scope.kind == ALL:
            continue  # every section's stories have no archives
        if known.get(name) == found[name]:
            found.update(known_months.get(name, ()))
            continue
        keys, start = timeline.keys, 0
        while start < len(keys):  # newest first: a month at a time, found by bisection
            month = month_of(-keys[start][0])
            end = bisect.bisect_left(keys, (math.nextafter(-month_bounds(month)[0], math.inf),), start)
            found[f"{name}@{month}"] = _digest(end - start, sum([marks[key[1]] for key in keys[start:end]]))
            start = end
    return found


def context(scopes: Scopes, snapshot: Snapshot, now: datetime) -> Hashable:
    """What every document depends on besides its scope's stories (code and configuration aside: the
    fingerprints add them): the site and authors files, the month under way (archives hold the months
    that are over), and each scope with feeds at `now` with its subject, which its feeds name and story
    lines on every page link to."""
    site = snapshot.site
    subjects = tuple(scopes.subject(scope, snapshot) for scope in scopes.every(snapshot, now))
    return site.revision, site_times(site), snapshot.people.revision, month_of(now.timestamp()), subjects
