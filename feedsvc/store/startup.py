"""Whether a store can be published at all, asked once when a door opens.

A service started on a mistyped folder answers 404 to every request, which from outside looks like a
service that works; a build of it publishes nothing. Both refuse to start instead, with one line that
names the folder and what is wrong with it. Once running, a store that goes away or turns bad keeps
its last good feeds (`Store.refresh`): this is for the start only.
"""

from __future__ import annotations

import os
from pathlib import Path

from ..source.site import SITE_FILE
from .store import Store
from .walk import StoreUnreadable, check_root


class StoreUnavailable(Exception):
    """Nothing can be published from this store; str() is the one line that says why."""


def folder_problem(root: str | os.PathLike[str]) -> str | None:
    """Why `root` cannot be an article store's folder (missing, not a folder, not readable), or None.
    Cheap: asked before a store of 100,000 stories is read."""
    root = Path(root)
    try:
        check_root(root)
    except StoreUnreadable as exc:
        if not os.path.lexists(root):
            return (
                f"the article store {root} does not exist: give the store's folder as STORE or --store "
                f"(or FEEDSVC_STORE), or make a new one with `feedsvc init {root}`"
            )
        return f"the article store {root} cannot be read ({exc.reason})"
    return None


def require_publishable(store: Store) -> None:
    """Raise StoreUnavailable unless the store, as just read, has a folder and a site file to publish."""
    if store.snapshot.site is not None:
        return
    problem = folder_problem(store.root)
    if problem is not None:
        raise StoreUnavailable(problem)
    site_path = store.root / SITE_FILE
    if not os.path.lexists(site_path):
        raise StoreUnavailable(
            f"{store.root} is not an article store: it has no {SITE_FILE} naming the publication "
            "and its sections (docs/FORMAT.md; `feedsvc init` makes a new store)"
        )
    errors = [str(p) for p in store.snapshot.problems if p.severity == "error" and p.path.endswith(SITE_FILE)]
    raise StoreUnavailable("; ".join(errors) or f"{site_path} could not be read")
