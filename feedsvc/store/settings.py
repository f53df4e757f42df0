"""What the store is told: how much it may read of one file, and how often it looks again.

Frozen values the configuration fills in (config.py keeps the flat keys users write); neither shapes
a rendered byte by itself, so neither is part of a build's fingerprint.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ReadLimits:
    """The most the store reads of one story or photo: a larger one is a named problem, not a story."""

    max_article_bytes: int = 1 << 20
    max_photo_bytes: int = 20 << 20
    max_photo_pixels: int = 60_000_000


@dataclass(frozen=True)
class RefreshSettings:
    """How a running service (or `build --watch`) keeps up with the folder."""

    refresh_seconds: float = 0.5  # how often store changes are applied
    rescan_seconds: float = 30.0  # full stat scan, the safety net under file-system events
    watch: bool = True  # use file-system events (watchdog) where available
