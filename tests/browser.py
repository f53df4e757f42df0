"""Headless Chromium for the pages-for-people checks: Debian's `chromium` driven by Playwright, and the
sample store served by the real service at an address the browser can load everything from.

Shared by tests/test_browser.py and scripts/screenshot_pages.py, so the README's screenshots are taken
exactly the way the test looks at the pages. Playwright's own browser download is never used: the
browser is the one `scripts/install-system-deps` installs (/usr/bin/chromium).
"""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from .conftest import SAMPLE_STORE
from .servers import free_port, gunicorn

CHROMIUM = Path(shutil.which("chromium") or "/usr/bin/chromium")
# Headless, as root, on a machine with no outside network: no sandbox (root), no GPU, none of the
# background connections (updates, sync, QUIC probes) a browser makes on its own, and every host name
# unresolvable, so a request anywhere but 127.0.0.1 fails at once (a page must not need one).
# Playwright adds --headless and a fresh --user-data-dir per launch.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--font-render-hinting=none",
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
]

# A phone (an iPhone 12–15-sized screen, which honours <meta name="viewport">) and a laptop.
DEVICES = {
    "phone": {
        "viewport": {"width": 390, "height": 844},
        "device_scale_factor": 1,
        "is_mobile": True,
        "has_touch": True,
    },
    "desktop": {"viewport": {"width": 1280, "height": 800}, "device_scale_factor": 1},
}


def missing_browser_message() -> str | None:
    if not CHROMIUM.exists():
        return (
            f"Chromium is not installed ({CHROMIUM} is missing): run scripts/install-system-deps "
            "(`make test` does), which installs Debian's chromium"
        )
    try:
        import playwright  # noqa: F401
    except ImportError:
        return "Playwright is not installed: pip install -e '.[test]'"
    return None


def launch(playwright):
    """Debian's Chromium, headless, from a Playwright instance (`sync_playwright().start()`)."""
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)


def running_chromium() -> Iterator:
    """The `browser` fixture (tests/conftest.py): Debian's Chromium, closed after the tests; a machine
    without it fails the tests with what to install (never skips them)."""
    problem = missing_browser_message()
    if problem:
        pytest.fail(problem, pytrace=False)
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    try:
        chromium = launch(playwright)
        yield chromium
        chromium.close()
    finally:
        playwright.stop()


def new_context(browser, device: str, javascript: bool, **overrides):
    """A fresh browser profile at `device` size, with JavaScript on or off."""
    options = {
        **DEVICES[device],
        "java_script_enabled": javascript,
        "locale": "en-US",
        "timezone_id": "America/Los_Angeles",
        "color_scheme": "light",
        "reduced_motion": "reduce",
    }
    return browser.new_context(**{**options, **overrides})


@contextlib.contextmanager
def serve_sample_store(
    store: Path = SAMPLE_STORE, port: int | None = None, settings: dict[str, str] | None = None
) -> Iterator[str]:
    """The sample store served by `gunicorn wsgi:app` on 127.0.0.1 (on `port`, or a free one), with its
    base_url set to that very address so the photos and feed links on the page load from it; yields the
    base URL. No FEEDSVC_* setting from the caller's shell reaches the service, nor a parse cache folder,
    nor subscriber counting — only `settings` (FEEDSVC_* variables)."""
    port = port or free_port()
    base_url = f"http://127.0.0.1:{port}/"
    with contextlib.ExitStack() as stack:
        saved = {name: os.environ.pop(name) for name in list(os.environ) if name.startswith("FEEDSVC_")}
        try:
            stack.enter_context(
                gunicorn(
                    store,
                    base_url,
                    workers=1,
                    port=port,
                    extra_env={"FEEDSVC_CACHE_DIR": "off", "FEEDSVC_STATS": "false", **(settings or {})},
                )
            )
        finally:
            os.environ.update(saved)
        yield base_url
