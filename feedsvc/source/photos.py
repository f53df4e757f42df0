"""Photos kept in the store: their true byte length, MIME type and pixel size, read with Pillow.

An enclosure must state the real size and type, so nobody types them: the store measures each file
once per (size, mtime) and refuses what a feed reader could not show, or a static host could not serve
as what it is (`photo_file`: the one rule for the parser, /media/ and the build).
"""

from __future__ import annotations

import os
import posixpath
import stat
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

from .links import MEDIA_DIR


def pillow() -> ModuleType:
    """Pillow's Image module, imported by the first photo that is measured or served (a store of remote
    photos never needs it, and a one-off rebuild's process start is short on time)."""
    from PIL import Image

    # We check pixel counts ourselves, with a named problem, instead of Pillow's process-wide warning.
    Image.MAX_IMAGE_PIXELS = None
    return Image


WEB_IMAGE_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "GIF": "image/gif", "WEBP": "image/webp"}
FULL_DECODE_PIXELS = 16_000_000  # GIF and WebP larger than this are checked by their header only


@dataclass(frozen=True, slots=True)
class ImageInfo:
    mime_type: str
    length: int
    width: int
    height: int


class PhotoError(ValueError):
    """Why a file cannot be published as a photo, in words for an editor."""


# Static hosts (nginx, CDNs, Netlify) give a file its type by its extension: a photo named otherwise
# (.jfif, no extension) would reach readers as something else, so it is not published. The endings a
# photo may have (case aside), each with the type a host gives it: the build's host rules say these.
PHOTO_TYPES = {
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".gif": "image/gif",
    ".webp": "image/webp",
}


def photo_name_problem(path: str) -> str | None:
    """Why a store path cannot be a photo by its name alone, or None: it must be under media/, with no
    name on the way starting with `.` or `_` (not content, as elsewhere in the store), and end in a web
    image's extension."""
    parts = path.split("/")
    if len(parts) < 2 or parts[0] != MEDIA_DIR or any(part in ("", ".", "..") for part in parts):
        return "must be a path under media/ in the store"
    if any(part.startswith((".", "_")) for part in parts):
        return "has a name starting with '.' or '_' on its way; such files are not published"
    if not path.lower().endswith(tuple(PHOTO_TYPES)):
        *most, last = PHOTO_TYPES
        return f"must end in {', '.join(most)} or {last}: static hosts type a file by its extension; rename it"
    return None


def photo_file(store_root: Path, path: str) -> Path:
    """The file of the store photo at `path` (media/…), reached without following a link, or PhotoError.

    The one rule for store photos: the parser accepts, /media/ serves and the static build copies
    exactly what this returns (then `probe_image` measures it). A link is never followed, wherever it
    points: the build copies files, not links, and nothing outside the store may be published.
    """
    problem = photo_name_problem(path)
    if problem is not None:
        raise PhotoError(problem)
    current = store_root
    for part in path.split("/"):
        current = current / part
        mode = _stat(current, os.lstat).st_mode
        if stat.S_ISLNK(mode):
            what = (
                "is a link"
                if current == store_root / path
                else f"goes through {current.relative_to(store_root).as_posix()}/, a link"
            )
            raise PhotoError(f"{what}; links are not followed: put the file itself under media/")
    if not stat.S_ISREG(mode):
        raise PhotoError("is not a file")
    return current


def _stat(path: Path, how: Callable[[Path], os.stat_result]) -> os.stat_result:
    """`how(path)` (os.stat or os.lstat), its failure said as a photo problem in an editor's words."""
    try:
        return how(path)
    except FileNotFoundError:
        raise PhotoError("file not found") from None
    except OSError as exc:
        raise PhotoError(f"cannot read the file ({exc.strerror})") from None


def probe_image(path: Path, max_bytes: int, max_pixels: int) -> ImageInfo:
    """Measure an image file, reading all of it once so a truncated upload is caught now."""
    length = _stat(path, os.stat).st_size
    if length > max_bytes:
        raise PhotoError(f"file is {length:,} bytes, over the {max_bytes:,}-byte limit")
    if length == 0:
        raise PhotoError("file is empty")
    Image = pillow()
    try:
        with Image.open(path) as image:
            kind = image.format
            width, height = image.size
            if kind not in WEB_IMAGE_TYPES:
                raise PhotoError(f"is a {kind or 'unknown'} file, not a web image (use JPEG, PNG, GIF or WebP)")
            if width * height > max_pixels:
                raise PhotoError(f"is {width}×{height} pixels, over the {max_pixels:,}-pixel limit")
            # Read the whole file, so a truncated upload is caught now, without holding the pixels:
            if kind == "JPEG":
                image.draft("RGB", (max(1, width // 8), max(1, height // 8)))  # decoded at 1/8 size
                image.load()
            elif kind == "PNG":
                image.verify()  # every chunk and its checksum, no pixels
            elif width * height <= FULL_DECODE_PIXELS:
                image.load()
    except PhotoError:
        raise
    except Image.UnidentifiedImageError:
        raise PhotoError("is not an image") from None
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError) as exc:
        raise PhotoError(f"is damaged or truncated ({exc})") from None
    return ImageInfo(WEB_IMAGE_TYPES[kind], length, width, height)


def store_media_path(src: str) -> str | None:
    """Normalise a photo `src` to a path under media/, or None if it points anywhere else (whether the
    file there may be a photo is `photo_file`'s to say)."""
    path = posixpath.normpath(src.lstrip("/"))
    if path.startswith("../") or path == ".." or not path.startswith(MEDIA_DIR + "/"):
        return None
    return path
