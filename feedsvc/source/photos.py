"""Photos kept in the store: their true byte length, MIME type and pixel size, read with Pillow.

An enclosure must state the real size and type, so nobody types them: the store measures each file
once per (size, mtime) and refuses what a feed reader could not show.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, UnidentifiedImageError

# We check pixel counts ourselves, with a named problem, instead of Pillow's process-wide warning.
Image.MAX_IMAGE_PIXELS = None

WEB_IMAGE_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "GIF": "image/gif", "WEBP": "image/webp"}
FULL_DECODE_PIXELS = 16_000_000      # GIF and WebP larger than this are checked by their header only


@dataclass(frozen=True, slots=True)
class ImageInfo:
    mime_type: str
    length: int
    width: int
    height: int


class PhotoError(ValueError):
    """Why a file cannot be published as a photo, in words for an editor."""


def probe_image(path: Path, max_bytes: int, max_pixels: int) -> ImageInfo:
    """Measure an image file, reading all of it once so a truncated upload is caught now."""
    try:
        length = os.stat(path).st_size
    except FileNotFoundError:
        raise PhotoError("file not found") from None
    except OSError as exc:
        raise PhotoError(f"cannot read the file ({exc.strerror})") from None
    if length > max_bytes:
        raise PhotoError(f"file is {length:,} bytes, over the {max_bytes:,}-byte limit")
    if length == 0:
        raise PhotoError("file is empty")
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
                image.verify()                   # every chunk and its checksum, no pixels
            elif width * height <= FULL_DECODE_PIXELS:
                image.load()
    except PhotoError:
        raise
    except UnidentifiedImageError:
        raise PhotoError("is not an image") from None
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError) as exc:
        raise PhotoError(f"is damaged or truncated ({exc})") from None
    return ImageInfo(WEB_IMAGE_TYPES[kind], length, width, height)
