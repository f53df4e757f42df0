"""Pages for people, as a person sees them: the real service (gunicorn on 127.0.0.1, the sample store)
opened in headless Chromium (Debian's `chromium`, driven by Playwright) on a phone and on a laptop, with
JavaScript off and on. What is asserted is what is on the screen: the page fits the screen's width, the
lead story's photo is painted with its caption and credit and no image is broken, the subscribe buttons
are there, one line high, big enough to tap and lead to the subscribe page, and the feed address is
shown whole, ready to copy. The subscribe page of every kind of scope is checked the same way: its
reader links, feed: link, address and raw feeds. Each view is also saved as a PNG (under pytest's tmp
dir) and checked not to be blank.

Chromium comes from `scripts/install-system-deps` (which `make test` runs); if it is missing these
tests fail, they are not skipped.
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path
from urllib.parse import quote

import pytest
from PIL import Image, ImageChops, ImageStat

from .browser import new_context, serve_sample_store
from .conftest import SAMPLE_STORE

pytestmark = pytest.mark.xdist_group("browser")  # one Chromium for both browser modules, on one worker

SEED_PHOTO = "media/2013/obama-pena-nieto.jpg"
SEED_TITLE = "Obama meets privately with Mexican President Peña Nieto"
SEED_CAPTION = (
    "Barack Obama, at left, and Enrique Peña Nieto, at right, walk in together for their joint "
    "news conference at Mexico City's National Palace."
)
SEED_CREDIT = "(Pablo Martinez Monsivais / Associated Press)"
PAGES = {  # path: (document title, first heading, folder of its feeds)
    "/": ("The Sample Times", "Latest stories", ""),
    "/sections/world-nation/": ("World & Nation — The Sample Times", "World & Nation", "sections/world-nation/"),
}
FEEDS = {
    "RSS": ("rss.xml", "application/rss+xml"),
    "Atom": ("atom.xml", "application/atom+xml"),
    "JSON Feed": ("feed.json", "application/feed+json"),
}
# The sample's remote photo is on news.example.com, a domain reserved for examples: never a broken image.
REMOTE_TITLE = "Volunteer sky watchers log a record night for the spring comet survey"
REMOTE_ALT = "Abstract illustration of small telescopes silhouetted against a dusk sky."
SUBSCRIBE_PAGES = {  # folder of the scope: its name
    "": "The Sample Times",
    "sections/world-nation/": "World & Nation",
    "authors/priya-natarajan/": "Priya Natarajan",
    "tags/harbor-street/": "Harbor Street",
}
# Each reader's documented "add feed" address (see feedsvc/render/subscribe.py for the sources).
READERS = {
    "Feedly": "https://feedly.com/i/subscription/feed%2F{}",
    "Inoreader": "https://www.inoreader.com/?add_feed={}",
    "NewsBlur": "https://www.newsblur.com/?url={}",
    "Feedbin": "https://feedbin.com/?subscribe={}",
    "The Old Reader": "https://theoldreader.com/feeds/subscribe?url={}",
}

# How many lines of text an element's content takes on the screen.
LINES = """element => {
  const range = document.createRange(); range.selectNodeContents(element);
  return new Set([...range.getClientRects()].filter(r => r.width > 0).map(r => Math.round(r.bottom))).size;
}"""
# Does all of an element's content show inside it (nothing cut off, nothing scrolled out of view)?
FITS = """element => element.scrollWidth <= element.clientWidth && element.scrollHeight <= element.clientHeight
                    && getComputedStyle(element).textOverflow !== 'ellipsis'"""

# WCAG 2.x contrast ratio of an element's text against the first opaque background behind it.
CONTRAST = """element => {
  const rgb = s => s.match(/[\\d.]+/g).map(Number);
  const lum = ([r, g, b]) => { const c = v => (v /= 255) <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
                               return 0.2126 * c(r) + 0.7152 * c(g) + 0.0722 * c(b); };
  let back = [255, 255, 255];
  for (let e = element; e; e = e.parentElement) {
    const b = rgb(getComputedStyle(e).backgroundColor);
    if (b.length < 4 || b[3] === 1) { back = b.slice(0, 3); break; }
  }
  const [hi, lo] = [lum(rgb(getComputedStyle(element).color)), lum(back)].sort((a, b) => b - a);
  return (hi + 0.05) / (lo + 0.05);
}"""


@pytest.fixture(scope="module")
def service():
    with serve_sample_store() as base_url:
        yield base_url


def inside_width(box: dict, width: float) -> bool:
    return (
        box is not None
        and box["width"] > 0
        and box["height"] > 0
        and box["x"] >= 0
        and box["x"] + box["width"] <= width + 0.5
    )


def wait_for_image(image, timeout: float = 10) -> int:
    """The image's natural width once it has loaded (0 if it never does)."""
    deadline = time.monotonic() + timeout
    while True:
        width = image.evaluate("img => img.complete ? img.naturalWidth : -1")
        if width >= 0 or time.monotonic() > deadline:
            return max(width, 0)
        time.sleep(0.05)


def distinct_colours(png: Path) -> int:
    with Image.open(png) as shot:
        return len(shot.convert("RGB").getcolors(maxcolors=1 << 24))


# Each page on each screen with JavaScript off and on: make test opens the four views that hold every
# pair of page, screen and setting; make test-long all eight.
PAIRWISE = {
    ("/", "phone", False),
    ("/", "desktop", True),
    ("/sections/world-nation/", "phone", True),
    ("/sections/world-nation/", "desktop", False),
}
VIEWS = [
    pytest.param(
        path,
        device,
        javascript,
        id=f"{page_id}-{device}-{'js' if javascript else 'no-js'}",
        marks=() if (path, device, javascript) in PAIRWISE else pytest.mark.slow,
    )
    for path, page_id in zip(PAGES, ["home", "section"], strict=True)
    for device in ("phone", "desktop")
    for javascript in (False, True)
]


@pytest.mark.parametrize(("path", "device", "javascript"), VIEWS)
def test_a_person_sees_the_page_its_photo_and_how_to_subscribe(browser, service, tmp_path, path, device, javascript):
    title, heading, folder = PAGES[path]
    context = new_context(browser, device, javascript)
    try:
        page = context.new_page()
        if not javascript:  # the switch really is off: an inline script does nothing
            page.set_content("<title>before</title><script>document.title = 'ran'</script>")
            assert page.title() == "before"
        response = page.goto(service + path.lstrip("/"), wait_until="load")
        assert response.status == 200 and response.headers["content-type"].startswith("text/html")

        # It renders, as the page it is, and fits the screen: nothing to scroll sideways.
        assert page.title() == title
        assert page.get_by_role("heading", level=1).inner_text() == heading
        assert page.locator("script").count() == 0  # nothing there needs JavaScript
        width = page.evaluate("innerWidth")
        assert width == page.viewport_size["width"]
        assert page.evaluate("document.scrollingElement.scrollWidth") <= width

        # The subscribe buttons: visible on the first screen, one line high, big enough to tap, each
        # leading to the subscribe page (not to a feed a browser shows as markup).
        assert page.evaluate("scrollY") == 0
        box = page.locator("section.subscribe")
        heights = set()
        for label in FEEDS:
            button = box.get_by_role("link", name=label, exact=True)
            assert button.is_visible()
            target = button.bounding_box()
            assert inside_width(target, width) and target["height"] >= 44, (label, target)
            assert button.evaluate(LINES) == 1, f"{label!r} wraps"
            heights.add(round(target["height"]))
            assert 0 <= target["y"] and target["y"] + target["height"] <= page.viewport_size["height"]
            assert button.evaluate(CONTRAST) >= 4.5
            assert button.get_attribute("href") == f"{service}{folder}subscribe/"
        assert len(heights) == 1, f"the buttons are not all one height: {heights}"

        # The address to copy is there, whole: not cut off, not scrolled, no "…".
        address = box.locator("code#feed-url")
        assert address.is_visible() and inside_width(address.bounding_box(), width)
        assert address.inner_text() == f"{service}{folder}rss.xml" and address.evaluate(FITS)

        # What it looks like: a screenshot of the first screen that is a real page, not a blank.
        screen = tmp_path / f"{path.strip('/').replace('/', '-') or 'home'}-{device}.png"
        page.screenshot(path=screen, animations="disabled")
        with Image.open(screen) as shot:
            assert shot.size == (width, page.viewport_size["height"])
        assert distinct_colours(screen) > 500, "the screenshot is (nearly) blank"

        # The seed story's photo has loaded and is painted, inside the screen's width.
        story = page.locator("article", has=page.get_by_role("link", name=SEED_TITLE))
        photo = story.locator(f'figure img[src="{service}{SEED_PHOTO}"]')
        photo.scroll_into_view_if_needed()  # loading="lazy" (with JavaScript)
        assert wait_for_image(photo) == 1200
        frame = photo.bounding_box()
        assert photo.is_visible() and inside_width(frame, width)
        assert frame["height"] == pytest.approx(frame["width"] * 800 / 1200, abs=1.5)  # not squashed
        shown = tmp_path / f"photo-{device}.png"
        photo.screenshot(path=shown, animations="disabled")
        with Image.open(shown) as painted, Image.open(SAMPLE_STORE / SEED_PHOTO) as original:
            expected = original.convert("RGB").resize(painted.size, Image.Resampling.BILINEAR)
            difference = ImageStat.Stat(ImageChops.difference(painted.convert("RGB"), expected)).mean
            assert max(difference) < 12, f"the photo area does not show the photo (mean difference {difference})"
            assert max(ImageStat.Stat(painted.convert("RGB")).stddev) > 20  # not a flat box

        # Its caption and credit are readable text beside it.
        caption = story.locator("figcaption")
        assert caption.is_visible() and inside_width(caption.bounding_box(), width)
        assert " ".join(caption.inner_text().split()) == f"{SEED_CAPTION} {SEED_CREDIT}"
        credit = caption.locator(".credit")
        assert credit.is_visible() and credit.inner_text() == SEED_CREDIT
        assert caption.evaluate(CONTRAST) >= 4.5 and credit.evaluate(CONTRAST) >= 4.5

        # No image on the page is broken: each one loads once it is on the screen.
        images = page.locator("img")
        assert images.count() >= 1 and page.locator(f'img[src^="{service}"]').count() == images.count()
        for i in range(images.count()):
            images.nth(i).scroll_into_view_if_needed()
            assert wait_for_image(images.nth(i)) > 0, images.nth(i).get_attribute("src")

        # The button takes a reader to the subscribe page.
        page.evaluate("scrollTo(0, 0)")
        with page.expect_navigation():
            box.get_by_role("link", name="RSS", exact=True).click()
        assert page.url == f"{service}{folder}subscribe/"
        assert page.get_by_role("heading", level=1).inner_text() == f"Subscribe to {SUBSCRIBE_PAGES[folder]}"
    finally:
        context.close()


@pytest.mark.parametrize("device", ["phone", "desktop"])
def test_a_remote_photo_that_cannot_load_keeps_its_place_with_its_alt_text(browser, service, tmp_path, device):
    context = new_context(browser, device, javascript=False)
    try:
        page = context.new_page()
        page.goto(service, wait_until="load")
        story = page.locator("article", has=page.get_by_role("link", name=REMOTE_TITLE))
        assert story.locator("img").count() == 0  # no broken image
        stand_in = story.locator("figure .no-photo")
        stand_in.scroll_into_view_if_needed()
        assert stand_in.is_visible() and stand_in.inner_text() == REMOTE_ALT
        frame = stand_in.bounding_box()
        assert inside_width(frame, page.evaluate("innerWidth"))
        assert frame["height"] == pytest.approx(frame["width"] * 800 / 1200, abs=1.5)  # the photo's own shape
        assert story.locator("figcaption").inner_text().startswith("Volunteers set up telescopes")
        stand_in.screenshot(path=tmp_path / f"no-photo-{device}.png", animations="disabled")
    finally:
        context.close()


@pytest.mark.parametrize("device", ["phone", "desktop"])
@pytest.mark.parametrize("folder", list(SUBSCRIBE_PAGES), ids=["all", "section", "writer", "tag"])
def test_a_newcomer_can_subscribe_from_the_subscribe_page(browser, service, tmp_path, folder, device):
    name, rss = SUBSCRIBE_PAGES[folder], f"{service}{folder}rss.xml"
    context = new_context(browser, device, javascript=False)
    try:
        page = context.new_page()
        response = page.goto(f"{service}{folder}subscribe/", wait_until="load")
        assert response.status == 200 and response.headers["content-type"] == "text/html; charset=utf-8"
        width = page.evaluate("innerWidth")
        assert page.get_by_role("heading", level=1).inner_text() == f"Subscribe to {name}"
        assert page.evaluate("document.scrollingElement.scrollWidth") <= width
        assert page.locator("p.lede").inner_text().startswith("A feed reader is an app or website")

        # Autodiscovery still points at the feeds themselves.
        assert page.locator('link[rel="alternate"]').evaluate_all("links => links.map(l => [l.type, l.href])") == [
            [kind, service + folder + file] for file, kind in FEEDS.values()
        ]

        # One click into each web reader, with this feed's address percent-encoded as that reader documents.
        readers = page.locator("section[aria-labelledby=web-readers] a")
        assert readers.all_inner_texts() == list(READERS)
        for i, (reader, address) in enumerate(READERS.items()):
            link = readers.nth(i)
            assert link.get_attribute("href") == address.format(quote(rss, safe="")), reader
            target = link.bounding_box()
            assert link.is_visible() and inside_width(target, width) and target["height"] >= 44, (reader, target)
            assert link.evaluate(LINES) == 1 and link.evaluate(CONTRAST) >= 4.5, reader

        # The app link, and the address shown whole: the screen is as wide as it gets, the URL not cut.
        app = page.get_by_role("link", name="Open in my feed app")
        assert app.is_visible() and app.get_attribute("href") == "feed:" + rss
        address = page.locator("code#feed-url")
        assert address.is_visible() and address.inner_text() == rss and address.evaluate(FITS)
        assert inside_width(address.bounding_box(), width)

        # The raw feeds, one click further, are the feeds.
        for label, (file, kind) in FEEDS.items():
            raw = page.locator("section[aria-labelledby=raw]").get_by_role("link", name=label, exact=True)
            assert raw.is_visible() and raw.get_attribute("href") == service + folder + file
            feed = page.request.get(raw.get_attribute("href"))
            assert feed.status == 200 and feed.headers["content-type"].startswith(kind), label
        assert page.locator("img").count() == 0

        screen = tmp_path / f"subscribe-{folder.strip('/').replace('/', '-') or 'all'}-{device}.png"
        page.screenshot(path=screen, full_page=True, animations="disabled")
        assert distinct_colours(screen) > 100, "the screenshot is (nearly) blank"
    finally:
        context.close()


@pytest.mark.costly
@pytest.mark.parametrize("icon", [True, False], ids=["site-icon", "no-icon"])
def test_a_first_visit_leaves_nothing_in_the_browser_console(browser, tmp_path, icon):
    """A page that names no icon makes the browser ask for /favicon.ico, which nothing publishes: a 404
    in the console of every visitor's first page. Each case is served on a port of its own, as the
    browser asks a host for its icon once."""
    store = tmp_path / "store"
    shutil.copytree(SAMPLE_STORE, store)
    if not icon:
        site = store / "_site.yml"
        site.write_text(
            "".join(line for line in site.read_text("utf-8").splitlines(True) if not line.startswith("icon:"))
        )
    with serve_sample_store(store) as base_url:
        context = new_context(browser, "desktop", javascript=False)
        try:
            page = context.new_page()
            said: list[str] = []
            page.on("console", lambda message: said.append(f"{message.type}: {message.text}"))
            for path in ("", "sections/world-nation/subscribe/"):
                assert page.goto(base_url + path, wait_until="load").status == 200
                page.wait_for_timeout(1000)  # the icon is asked for after the load event
            assert said == []
            icon_link = page.locator('link[rel="icon"]')
            assert icon_link.get_attribute("href") == (base_url + "media/site/icon.png" if icon else "data:,")
        finally:
            context.close()
