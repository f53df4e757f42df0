"""Which versions of the libraries feedsvc reads and renders with are installed: part of the caches'
fingerprints, since a new one may turn the same file into other bytes.

Read from the names of the `<name>-<version>.dist-info` folders on sys.path, as wheels are installed
(the first found wins, as with importlib.metadata): importing importlib.metadata, and the email parser
it reads METADATA files with, cost every command about 20 ms of CPU, a one-off build's included. A
library installed otherwise (an egg) is asked of importlib.metadata.
"""

from __future__ import annotations

import functools
import os
import re
import sys

_SEPARATORS = re.compile(r"[-_.]+")


def installed(name: str) -> str:
    """The installed version of distribution `name`, or "" when it is not installed."""
    version = _dist_infos().get(_normalized(name))
    if version is not None:
        return version
    from importlib import metadata

    try:
        return metadata.version(name) or ""  # None for a folder without its METADATA
    except metadata.PackageNotFoundError:
        return ""


def _normalized(name: str) -> str:
    """A distribution's name as its folder spells it, in any case ("Jinja2", "jinja2": "jinja2")."""
    return _SEPARATORS.sub("_", name).lower()


@functools.cache
def _dist_infos() -> dict[str, str | None]:
    """Each distribution's version by its normalised name, from the `.dist-info` folders on sys.path;
    None where the first found is an `.egg-info` (importlib.metadata reads it). A folder without its
    METADATA (an install cut short) does not count, as importlib.metadata skips it too."""
    found: dict[str, str | None] = {}
    for entry in sys.path:
        try:
            names = os.listdir(entry or ".")
        except OSError:  # not a folder (a zip file), or gone
            continue
        for folder in sorted(names):
            stem, dot, kind = folder.rpartition(".")
            name, _, version = stem.partition("-")
            if not dot or _normalized(name) in found:
                continue
            if kind == "egg-info":
                found[_normalized(name)] = None
            elif kind == "dist-info" and version and os.path.isfile(os.path.join(entry or ".", folder, "METADATA")):
                found[_normalized(name)] = version
    return found
