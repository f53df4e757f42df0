#!/usr/bin/env python3
"""Draw the placeholder photos, logo, icon, cover and portrait that the sample article store references.

Every image is an honest placeholder: a simple abstract scene with a visible label saying so,
never a real photograph. Output is deterministic: fixed colours and random seeds, and Pillow
writes no timestamps or other metadata into these JPEG and PNG files, so a second run rewrites
identical bytes (given the same Pillow version and the same font on the machine).

    python scripts/make_sample_photos.py            # draw into articles/ beside this script
    python scripts/make_sample_photos.py STORE      # draw into another store folder
    python scripts/make_sample_photos.py --check    # only check that every referenced image is drawn here

Needs Pillow (`pip install pillow`). Exits non-zero when the store references a media file that
this script does not know how to draw, so a new photo reference is not forgotten.
"""

from __future__ import annotations

import argparse
import io
import random
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont, ImageOps

LABEL = "Placeholder image — The Sample Times sample store"
PHOTO_SIZE = (1200, 800)
COVER_SIZE = (1600, 900)
LOGO_SIZE = (600, 200)
ICON_SIZE = (256, 256)
PORTRAIT_SIZE = (600, 600)
JPEG_QUALITY = 85
MAX_JPEG_BYTES = 120 * 1024

ACCENT = (0x8A, 0x1C, 0x1C)  # the site's accent_color
INK = (28, 28, 30)
PAPER = (250, 247, 242)

RGB = tuple[int, int, int]
Scene = Callable[[ImageDraw.ImageDraw, tuple[int, int], random.Random], None]


# --- fonts ---------------------------------------------------------------------------------------

_SANS_BOLD = ("DejaVuSans-Bold.ttf", "LiberationSans-Bold.ttf", "Arial Bold.ttf")
_SANS = ("DejaVuSans.ttf", "LiberationSans-Regular.ttf", "Arial.ttf")
_SERIF_BOLD = ("DejaVuSerif-Bold.ttf", "LiberationSerif-Bold.ttf", "Georgia Bold.ttf")


def font(names: tuple[str, ...], size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    """The first installed font of `names` (Pillow searches the system font folders), else Pillow's own."""
    for name in names:
        try:
            return ImageFont.truetype(name, size)
        except OSError:
            continue
    return ImageFont.load_default(size=size)


def fitted(draw: ImageDraw.ImageDraw, text: str, names: tuple[str, ...], size: int, width: int):
    """The largest font of at most `size` points in which `text` fits in `width` pixels."""
    while size > 8:
        f = font(names, size)
        if draw.textlength(text, font=f) <= width:
            return f
        size -= 1
    return font(names, size)


# --- drawing helpers -----------------------------------------------------------------------------


def gradient(size: tuple[int, int], top: RGB, bottom: RGB) -> Image.Image:
    """A vertical two-colour gradient, the backdrop of every scene."""
    ramp = Image.linear_gradient("L").resize(size, Image.Resampling.BICUBIC)
    return ImageOps.colorize(ramp, black=top, white=bottom)


def shade(colour: RGB, factor: float) -> RGB:
    return tuple(max(0, min(255, round(c * factor))) for c in colour)  # type: ignore[return-value]


def label_band(image: Image.Image, description: str) -> Image.Image:
    """Lay the placeholder label and a short description over the bottom of the image."""
    w, h = image.size
    band_h = round(h * 0.2)
    overlay = Image.new("RGBA", image.size, (0, 0, 0, 0))
    d = ImageDraw.Draw(overlay)
    d.rectangle((0, h - band_h, w, h), fill=(15, 15, 18, 200))
    d.rectangle((0, h - band_h, w, h - band_h + 6), fill=ACCENT + (255,))
    margin = round(w * 0.04)
    title_font = fitted(d, LABEL, _SANS_BOLD, round(band_h * 0.3), w - 2 * margin)
    desc_font = fitted(d, description, _SANS, round(band_h * 0.2), w - 2 * margin)
    d.text((margin, h - band_h + band_h * 0.2), LABEL, font=title_font, fill=(255, 255, 255, 255))
    d.text((margin, h - band_h + band_h * 0.6), description, font=desc_font, fill=(225, 225, 225, 255))
    return Image.alpha_composite(image.convert("RGBA"), overlay).convert("RGB")


# --- scenes: abstract, recognisable at a glance, cheap to compress -------------------------------


def scene_palace(d: ImageDraw.ImageDraw, size: tuple[int, int], rng: random.Random) -> None:
    """A long colonnaded facade with two small figures walking toward it."""
    w, h = size
    base = round(h * 0.62)
    d.rectangle((0, base, w, h), fill=(150, 140, 126))
    d.rectangle((round(w * 0.08), round(h * 0.24), round(w * 0.92), base), fill=(176, 92, 70))
    d.rectangle((round(w * 0.06), round(h * 0.2), round(w * 0.94), round(h * 0.25)), fill=(214, 196, 170))
    for i in range(14):
        x = round(w * 0.11 + i * w * 0.057)
        d.rectangle((x, round(h * 0.3), x + round(w * 0.022), base - 8), fill=(222, 206, 182))
    d.line((w // 2, round(h * 0.04), w // 2, round(h * 0.2)), fill=INK, width=5)
    d.rectangle((w // 2 + 3, round(h * 0.04), w // 2 + 80, round(h * 0.09)), fill=(0, 104, 71))
    feet = round(h * 0.77)
    for cx in (round(w * 0.45), round(w * 0.55)):
        d.ellipse((cx - 15, feet - 130, cx + 15, feet - 100), fill=INK)
        d.rounded_rectangle((cx - 24, feet - 94, cx + 24, feet), radius=12, fill=INK)


def scene_harbor(d: ImageDraw.ImageDraw, size: tuple[int, int], rng: random.Random) -> None:
    """Water, a quay of stacked containers and three cranes."""
    w, h = size
    water = round(h * 0.62)
    d.rectangle((0, water, w, h), fill=(36, 82, 110))
    for i in range(9):
        y = water + 14 + i * 14
        d.line((rng.randrange(0, w // 3), y, rng.randrange(w // 2, w), y), fill=(70, 120, 150), width=2)
    quay = water - 10
    d.rectangle((0, quay, w, water), fill=(90, 90, 92))
    colours = [(178, 58, 44), (40, 96, 160), (214, 150, 40), (60, 130, 80), (120, 120, 124)]
    for col in range(22):
        for row in range(rng.randrange(1, 4)):
            x = 30 + col * 52
            y = quay - (row + 1) * 26
            d.rectangle((x, y, x + 48, y + 24), fill=rng.choice(colours), outline=(30, 30, 30))
    for k, x in enumerate((round(w * 0.22), round(w * 0.5), round(w * 0.78))):
        top = round(h * (0.12 + 0.04 * k))
        d.line((x, quay, x, top), fill=(200, 70, 40), width=14)
        d.line((x + 60, quay, x + 60, top + 30), fill=(200, 70, 40), width=14)
        d.line((x - 160, top, x + 180, top), fill=(200, 70, 40), width=16)
        d.line((x + 120, top, x + 120, top + 140), fill=INK, width=3)


def scene_shopfront(d: ImageDraw.ImageDraw, size: tuple[int, int], rng: random.Random) -> None:
    """A brick-red shopfront with a striped awning, a window and a door."""
    w, h = size
    d.rectangle((0, round(h * 0.12), w, h), fill=(150, 70, 58))
    for row in range(30):
        y = round(h * 0.12) + row * 24
        d.line((0, y, w, y), fill=(128, 58, 48), width=2)
    sign = (round(w * 0.14), round(h * 0.16), round(w * 0.86), round(h * 0.27))
    d.rectangle(sign, fill=(30, 52, 44))
    d.text((sign[0] + 30, sign[1] + 14), "HARDWARE · SINCE 1963", font=font(_SERIF_BOLD, 46), fill=(236, 214, 150))
    top, bottom = round(h * 0.3), round(h * 0.4)
    stripe = w // 16
    for i in range(16):
        d.polygon(
            [(i * stripe, top), ((i + 1) * stripe, top), ((i + 1) * stripe + 10, bottom), (i * stripe + 10, bottom)],
            fill=(236, 232, 222) if i % 2 else (30, 90, 70),
        )
    d.rectangle(
        (round(w * 0.1), round(h * 0.44), round(w * 0.58), round(h * 0.76)),
        fill=(170, 200, 210),
        outline=(40, 40, 40),
        width=8,
    )
    for i in range(5):
        x = round(w * 0.13) + i * 80
        d.rectangle(
            (x, round(h * 0.62), x + 50, round(h * 0.74)),
            fill=rng.choice([(200, 60, 50), (60, 90, 160), (220, 180, 60), (90, 140, 90)]),
        )
    d.rectangle((round(w * 0.66), round(h * 0.44), round(w * 0.84), h), fill=(60, 40, 30))
    d.ellipse((round(w * 0.81), round(h * 0.62), round(w * 0.82), round(h * 0.64)), fill=(220, 190, 90))


def scene_tidepools(d: ImageDraw.ImageDraw, size: tuple[int, int], rng: random.Random) -> None:
    """Dark rock with shallow pools and a scatter of small creatures."""
    w, h = size
    d.rectangle((0, round(h * 0.3), w, h), fill=(70, 66, 62))
    for _ in range(7):
        cx, cy = rng.randrange(80, w - 80), rng.randrange(round(h * 0.36), round(h * 0.76))
        rx, ry = rng.randrange(90, 200), rng.randrange(40, 80)
        d.ellipse((cx - rx, cy - ry, cx + rx, cy + ry), fill=(52, 120, 128), outline=(44, 40, 38), width=6)
        for _ in range(5):
            x, y = cx + rng.randrange(-rx // 2, rx // 2), cy + rng.randrange(-ry // 2, ry // 2)
            r = rng.randrange(6, 14)
            d.ellipse((x - r, y - r, x + r, y + r), fill=rng.choice([(226, 120, 60), (150, 60, 120), (230, 200, 90)]))


def scene_skyline(d: ImageDraw.ImageDraw, size: tuple[int, int], rng: random.Random) -> None:
    """A city skyline above a harbor: the cover of the publication's feeds."""
    w, h = size
    ground = round(h * 0.72)
    x = 0
    while x < w:
        bw, bh = rng.randrange(60, 150), rng.randrange(120, 420)
        d.rectangle((x, ground - bh, x + bw, ground), fill=shade((60, 50, 70), rng.uniform(0.7, 1.1)))
        for wy in range(ground - bh + 16, ground - 16, 28):
            for wx in range(x + 12, x + bw - 16, 24):
                if rng.random() < 0.35:
                    d.rectangle((wx, wy, wx + 10, wy + 14), fill=(240, 210, 130))
        x += bw + rng.randrange(4, 20)
    d.rectangle((0, ground, w, h), fill=(30, 56, 80))


def scene_portrait(d: ImageDraw.ImageDraw, size: tuple[int, int], rng: random.Random) -> None:
    """A head-and-shoulders silhouette: a stand-in for a writer's portrait, not a likeness of anyone."""
    w, h = size
    d.ellipse((w * 0.33, h * 0.14, w * 0.67, h * 0.52), fill=(92, 70, 60))
    d.pieslice((w * 0.14, h * 0.56, w * 0.86, h * 1.3), 180, 360, fill=ACCENT)


@dataclass(frozen=True)
class Placeholder:
    """One image of the store: where it goes and what it stands in for."""

    path: str  # store-relative
    description: str  # printed under the placeholder label
    scene: Scene
    top: RGB  # backdrop gradient
    bottom: RGB
    seed: int
    size: tuple[int, int] = PHOTO_SIZE


PHOTOS: tuple[Placeholder, ...] = (
    Placeholder(
        "media/2013/obama-pena-nieto.jpg",
        "Stands in for: two presidents arriving at the National Palace, Mexico City",
        scene_palace,
        (120, 160, 200),
        (230, 220, 200),
        seed=1,
    ),
    Placeholder(
        "media/2013/port-cranes.jpg",
        "Stands in for: container cranes over the port's outer terminal (sample story)",
        scene_harbor,
        (150, 180, 210),
        (235, 225, 210),
        seed=2,
    ),
    Placeholder(
        "media/2013/hardware-store.jpg",
        "Stands in for: a family hardware store on Harbor Street (sample story)",
        scene_shopfront,
        (170, 200, 220),
        (220, 225, 230),
        seed=3,
    ),
    Placeholder(
        "media/2013/tide-pools.jpg",
        "Stands in for: students counting creatures in tide pools (sample story)",
        scene_tidepools,
        (180, 210, 225),
        (245, 235, 215),
        seed=4,
    ),
    Placeholder(
        "media/staff/priya-natarajan.jpg",
        "Stands in for: a portrait of a fictional reporter",
        scene_portrait,
        (215, 205, 190),
        (240, 232, 220),
        seed=6,
        size=PORTRAIT_SIZE,
    ),
    Placeholder(
        "media/site/cover.jpg",
        "Cover image for the feeds of The Sample Times",
        scene_skyline,
        (40, 30, 70),
        (210, 120, 90),
        seed=5,
        size=COVER_SIZE,
    ),
)


# --- rendering -----------------------------------------------------------------------------------


def render_placeholder(p: Placeholder) -> bytes:
    image = gradient(p.size, p.top, p.bottom)
    p.scene(ImageDraw.Draw(image), p.size, random.Random(p.seed))
    image = label_band(image, p.description)
    return encode(image, "JPEG")


def render_logo() -> bytes:
    """A wordmark: the publication's name in the accent colour over a thin rule."""
    image = Image.new("RGB", LOGO_SIZE, PAPER)
    d = ImageDraw.Draw(image)
    w, h = LOGO_SIZE
    name = "The Sample Times"
    f = fitted(d, name, _SERIF_BOLD, 72, w - 40)
    d.text((w / 2, h * 0.44), name, font=f, fill=ACCENT, anchor="mm")
    d.line((40, h * 0.72, w - 40, h * 0.72), fill=ACCENT, width=3)
    d.text((w / 2, h * 0.85), "sample logo · feedsvc", font=font(_SANS, 18), fill=(110, 110, 110), anchor="mm")
    return encode(image, "PNG")


def render_icon() -> bytes:
    """A square monogram for feed readers' lists."""
    image = Image.new("RGB", ICON_SIZE, ACCENT)
    d = ImageDraw.Draw(image)
    w, h = ICON_SIZE
    d.rectangle((10, 10, w - 11, h - 11), outline=PAPER, width=4)
    d.text((w / 2, h / 2), "ST", font=font(_SERIF_BOLD, 132), fill=PAPER, anchor="mm")
    return encode(image, "PNG")


def encode(image: Image.Image, fmt: str) -> bytes:
    """Bytes with no metadata: no EXIF, no ICC profile, no PNG text or time chunks."""
    out = io.BytesIO()
    if fmt == "JPEG":
        image.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True)
    else:
        image.save(out, "PNG", optimize=True)
    return out.getvalue()


def drawers() -> dict[str, Callable[[], bytes]]:
    """Every image this script draws, by store path."""
    table: dict[str, Callable[[], bytes]] = {p.path: (lambda p=p: render_placeholder(p)) for p in PHOTOS}
    table["media/site/logo.png"] = render_logo
    table["media/site/icon.png"] = render_icon
    return table


# --- what the store references -------------------------------------------------------------------

_PHOTO_SRC = re.compile(r"^\s+src:\s*['\"]?(media/[^'\"\s#]+)", re.MULTILINE)
_SITE_MEDIA = re.compile(r"^(?:logo|icon|cover):\s*['\"]?(media/[^'\"\s#]+)", re.MULTILINE)
_AUTHOR_PHOTO = re.compile(r"^\s+photo:\s*['\"]?(media/[^'\"\s#]+)", re.MULTILINE)


def referenced(store: Path) -> dict[str, str]:
    """Store media paths named by the site file and by articles' front matter, each with who names it."""
    refs: dict[str, str] = {}
    site = store / "_site.yml"
    if site.exists():
        for m in _SITE_MEDIA.finditer(site.read_text(encoding="utf-8-sig")):
            refs.setdefault(m.group(1), "_site.yml")
    authors = store / "_authors.yml"
    if authors.exists():
        for m in _AUTHOR_PHOTO.finditer(authors.read_text(encoding="utf-8-sig")):
            refs.setdefault(m.group(1), "_authors.yml")
    for md in sorted(store.rglob("*.md")):
        rel = md.relative_to(store)
        if any(part.startswith(("_", ".")) for part in rel.parts) or rel.parts[0] == "media":
            continue
        text = md.read_text(encoding="utf-8-sig")
        parts = text.split("\n---", 1) if text.startswith("---") else [""]
        for m in _PHOTO_SRC.finditer(parts[0]):
            refs.setdefault(m.group(1), rel.as_posix())
    return refs


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("store", nargs="?", type=Path, default=Path(__file__).resolve().parent.parent / "articles")
    parser.add_argument("--check", action="store_true", help="check references only; write nothing")
    args = parser.parse_args(argv)

    table = drawers()
    refs = referenced(args.store)
    missing = {path: who for path, who in refs.items() if path not in table}
    for path, who in sorted(missing.items()):
        print(f"{args.store / who}: photo {path} is not drawn by this script; add it to PHOTOS", file=sys.stderr)
    for path in sorted(set(table) - set(refs)):
        print(f"warning: {path} is drawn but nothing in {args.store} references it", file=sys.stderr)
    if args.check:
        return 1 if missing else 0

    for path, draw in table.items():
        data = draw()
        if path.endswith(".jpg") and len(data) > MAX_JPEG_BYTES:
            print(f"warning: {path} is {len(data)} bytes, over {MAX_JPEG_BYTES}", file=sys.stderr)
        target = args.store / path
        if target.exists() and target.read_bytes() == data:
            print(f"unchanged {target} ({len(data)} bytes)")
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f".{target.name}.tmp")
        tmp.write_bytes(data)
        tmp.replace(target)
        print(f"wrote     {target} ({len(data)} bytes)")
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
