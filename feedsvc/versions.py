"""Which versions of the libraries feedsvc reads and renders with are installed: part of the caches'
fingerprints, since a new one may turn the same file into other bytes."""

from __future__ import annotations

from importlib import metadata


def installed(name: str) -> str:
    """The installed version of distribution `name`, or "" when it is not installed."""
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return ""
