"""The store's site file, read again whenever its stat changes.

A site file that goes missing or turns bad is reported, and the last good one stays in use: taking
the publication down for a typo in its title would be worse than publishing the old title a while.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from ..model import Problem, Site
from ..source.photos import PhotoError, store_media_path
from ..source.site import SITE_FILE, SiteError, parse_site
from .files import ArticleReader, StatKey, file_time, stat_key


class SiteWatch:
    """The last good site (None until one is read) and the problems of the latest reading."""

    def __init__(self, root: Path, reader: ArticleReader, display: Callable[[str], str]) -> None:
        self._path = root / SITE_FILE
        self._reader = reader  # measures the site's own images
        self._name = display(SITE_FILE)
        self._stat: StatKey | None = None
        self.site: Site | None = None
        self.problems: list[Problem] = []

    def refresh(self, racy: Callable[[StatKey], bool]) -> Site | None:
        """Re-read the site file if its stat changed (or may hide a change: `racy`); the new site when
        the site itself (and so every story) changed, else None."""
        try:
            key = stat_key(self._path.stat())
        except OSError:
            self._stat = None
            self.problems = [
                Problem(
                    self._name,
                    None,
                    "is missing: the store needs a site file naming the publication "
                    "and its sections" + ("; the last good one stays in use" if self.site else ""),
                )
            ]
            return None
        if key == self._stat and not racy(key):
            return None
        self._stat = key
        try:
            site, warnings = parse_site(self._path.read_bytes(), self._name)
        except SiteError as exc:
            suffix = [Problem(self._name, None, "the last good site file stays in use", "warning")]
            self.problems = exc.problems + (suffix if self.site else [])
            return None
        except OSError as exc:
            self.problems = [Problem(self._name, None, f"cannot be read ({exc.strerror})")]
            return None
        self.problems = warnings + self._image_problems(site)
        site = replace(site, modified=file_time(key[0]))
        if self.site is not None and site.revision == self.site.revision:
            if site.modified != self.site.modified:
                self.site = site  # saved again unchanged: only the time documents are dated by moves
            return None
        self.site = site
        return site

    def undo(self, previous: Site | None) -> None:
        """Go back to `previous`: the site just read could not be applied (the store folder went away
        meanwhile); the next look reads the file again."""
        self.site, self._stat = previous, None

    def _image_problems(self, site: Site) -> list[Problem]:
        """The site's logo, icon and cover, when they are store paths, must be photos under media/:
        feeds and pages link to them, and a broken image in every reader goes unnoticed otherwise."""
        problems = []
        for name in ("logo", "icon", "cover"):
            value = getattr(site, name)
            if not value or value.startswith(("http://", "https://")):
                continue
            path = store_media_path(value)
            if path is None:
                message = f"{value!r} must be a path under media/ in the store, or an http(s) URL"
            else:
                try:
                    self._reader.photo_info(path)
                    continue
                except PhotoError as exc:
                    message = f"{path}: {exc}"
            problems.append(Problem(self._name, name, message + "; feeds link to it", "warning"))
        return problems
