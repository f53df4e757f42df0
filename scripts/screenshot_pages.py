#!/usr/bin/env python3
"""Screenshots of the pages for people, for the README: the sample store served by the real service
(gunicorn on 127.0.0.1) and photographed in headless Chromium at a phone's width, JavaScript off —
the very browser setup tests/test_browser.py checks the pages with (tests/browser.py).

    .venv/bin/python scripts/screenshot_pages.py              # docs/page-home.png, page-section.png, page-subscribe.png
    .venv/bin/python scripts/screenshot_pages.py --out /tmp/shots --device desktop --full-page

Needs the test extra (`pip install -e '.[test]'`, for Playwright) and Debian's chromium
(scripts/install-system-deps). A PNG over --max-kb is re-encoded with a 256-colour palette.
"""

from __future__ import annotations

import argparse
import io
import socket
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from PIL import Image  # noqa: E402

from tests.browser import DEVICES, launch, missing_browser_message, new_context, serve_sample_store  # noqa: E402

# file: (path, screens from the top): the home page's subscribe box and first stories; the section
# page down to its lead story's photo, caption, credit and related links; a section's subscribe page.
SHOTS = {
    "page-home.png": ("", 1.0),
    "page-section.png": ("sections/world-nation/", 1.5),
    "page-subscribe.png": ("sections/world-nation/subscribe/", 1.25),
}
PORT = 8000  # README's `make serve` address, so the pictured feed URL is the one a reader of it sees


def port_is_free(port: int) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def save_png(png: bytes, path: Path, max_kb: int) -> int:
    """Write `png` losslessly re-compressed; if still over max_kb, as a 256-colour palette PNG."""
    with Image.open(io.BytesIO(png)) as image:
        image = image.convert("RGB")
        out = io.BytesIO()
        image.save(out, "PNG", optimize=True)
        if out.tell() > max_kb * 1024:
            out = io.BytesIO()
            image.quantize(colors=256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.FLOYDSTEINBERG).save(
                out, "PNG", optimize=True
            )
    path.write_bytes(out.getvalue())
    return len(out.getvalue())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs", help="folder for the PNGs (default: docs/)")
    parser.add_argument("--device", choices=sorted(DEVICES), default="phone")
    parser.add_argument("--scale", type=float, default=2, help="device pixel ratio (default 2, a phone's)")
    parser.add_argument("--full-page", action="store_true", help="the whole page, not its first screens")
    parser.add_argument(
        "--screens",
        type=float,
        help="without --full-page: how many screens from the top (default: 1 home, 1.5 section, 1.25 subscribe)",
    )
    parser.add_argument(
        "--port", type=int, default=PORT, help=f"serve on this port if free, else on any (default {PORT})"
    )
    parser.add_argument("--max-kb", type=int, default=400)
    args = parser.parse_args(argv)

    problem = missing_browser_message()
    if problem:
        print(f"screenshot_pages: {problem}", file=sys.stderr)
        return 1
    from playwright.sync_api import sync_playwright

    args.out.mkdir(parents=True, exist_ok=True)
    port = args.port if port_is_free(args.port) else None
    with serve_sample_store(port=port) as base_url, sync_playwright() as playwright:
        if port is None:
            print(f"screenshot_pages: port {args.port} is busy; the pictures show {base_url}", file=sys.stderr)
        browser = launch(playwright)
        context = new_context(browser, args.device, javascript=False, device_scale_factor=args.scale)
        page = context.new_page()
        for name, (path, screens) in SHOTS.items():
            page.goto(base_url + path, wait_until="load")
            width, height = page.viewport_size["width"], page.viewport_size["height"]
            if args.full_page:
                png = page.screenshot(full_page=True, animations="disabled")
            else:
                tall = min(
                    round(height * (args.screens or screens)), page.evaluate("document.scrollingElement.scrollHeight")
                )
                png = page.screenshot(
                    full_page=True, clip={"x": 0, "y": 0, "width": width, "height": tall}, animations="disabled"
                )
            size = save_png(png, args.out / name, args.max_kb)
            with Image.open(args.out / name) as saved:
                print(
                    f"{args.out / name}: {saved.width}×{saved.height} px, {size / 1024:.0f} KB "
                    f"({args.device}, {width} CSS px wide, ×{args.scale:g})"
                )
        context.close()
        browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
