"""Shared fixtures: the sample store, tiny stores written per test, and the app built on them; the
Hypothesis profiles; what running on every core needs (tests/parallel.py); and the trapped store and
its gunicorn the request tests share."""

from __future__ import annotations

import os
import shutil
import signal
from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, Phase, settings

from .parallel import _run_lock, _serial_when_marked, pytest_collection_modifyitems, pytest_pyfunc_call  # noqa: F401

ROOT = Path(__file__).resolve().parent.parent
SAMPLE_STORE = ROOT / "articles"
BASE_URL = "https://feeds.example.com/"

SITE = {
    "title": "The Test Times",
    "url": "https://news.example.com/",
    "description": "A tiny store for tests.",
    "language": "en-us",
    "timezone": "America/Los_Angeles",
    "tag_date": "2013-01-01",
    "sections": [
        {"slug": "world", "title": "World & Nation", "description": "News from everywhere."},
        {"slug": "business", "title": "Business", "description": "Money and work."},
    ],
}


def article(body: str = "A body with enough words to summarise.\n\nA second paragraph.", **fields) -> str:
    """An article file's text: YAML front matter from `fields`, then the Markdown body."""
    fields.setdefault("title", "A perfectly ordinary headline")
    fields.setdefault("section", "world")
    fields.setdefault("published", "2013-05-02 17:40")
    fields = {k: v for k, v in fields.items() if v is not None}
    return "---\n" + yaml.safe_dump(fields, allow_unicode=True, sort_keys=False) + "---\n" + body + "\n"


class StoreDir:
    """A store folder a test writes into, by store-relative path."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def write(self, relpath: str, content: str | bytes) -> Path:
        path = self.root / relpath
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, str):
            content = content.encode("utf-8")
        path.write_bytes(content)
        return path

    def write_site(self, **changes) -> Path:
        return self.write("_site.yml", yaml.safe_dump({**SITE, **changes}, allow_unicode=True, sort_keys=False))

    def delete(self, relpath: str) -> None:
        (self.root / relpath).unlink()


# ---- Hypothesis: how hard the fuzz tests (tests/test_fuzz_store.py) try -------------------------
# `default` for a developer's run and `ci` (which Hypothesis loads itself where CI is set, as .ci/run
# does: the same, derandomized, so every CI run tries the same stores) try fifty stores and do not
# shrink, so a failure costs seconds and is printed as generated, with a blob to replay it. `long`
# (`make test-long`, which passes --hypothesis-profile=long) tries thousands and shrinks what fails.
_FUZZ = settings(
    settings.get_profile("default"),
    max_examples=50,
    deadline=None,
    print_blob=True,
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.filter_too_much,
        HealthCheck.large_base_example,
    ],
)
settings.register_profile("default", _FUZZ)
settings.register_profile("ci", _FUZZ, derandomize=True, database=None)
settings.register_profile("long", _FUZZ, max_examples=4000, phases=list(Phase))


def _isolate(patch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith("FEEDSVC_"):
            patch.delenv(name)
    patch.setenv("FEEDSVC_CACHE_DIR", "off")  # tests that want the parse cache turn it on
    patch.setenv("FEEDSVC_STATS", "false")  # and those that count subscribers, counting


@pytest.fixture(scope="session", autouse=True)
def _isolated_session():
    """No FEEDSVC_* variable or feedsvc.toml from the developer's shell reaches the apps, stores and
    servers that module-scoped fixtures share (they are made before any test's own environment); the
    counter's thread would also keep a later build from forking."""
    with pytest.MonkeyPatch.context() as patch:
        _isolate(patch)
        yield


@pytest.fixture(autouse=True)
def _isolated_environment(monkeypatch):
    """Nor any a test before this one left behind."""
    _isolate(monkeypatch)


def pytest_configure(config):
    """Tests stop `feedsvc build --watch` with SIGINT, as Ctrl-C does. A run started in the background
    (`make test &`, nohup, some CI runners) inherits SIGINT ignored, and every process it starts would
    too, and go on running: take the signal back."""
    if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)


@pytest.fixture
def store_dir(tmp_path) -> StoreDir:
    store = StoreDir(tmp_path / "store")
    store.root.mkdir()
    store.write_site()
    return store


def make_jpeg(path: Path, size=(1200, 800), color=(30, 90, 160)) -> Path:
    from PIL import Image

    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", size, color).save(path, "JPEG", quality=80)
    return path


@pytest.fixture(scope="module")
def sample_app():
    """The sample store's app, shared by a module's tests: they only read it."""
    from feedsvc.serve.app import create_app

    app = create_app({"store": SAMPLE_STORE, "base_url": BASE_URL}, auto_refresh=False)
    app.testing = True
    return app


@pytest.fixture
def client(sample_app):
    return sample_app.test_client()


@pytest.fixture(scope="session")
def browser():
    """Headless Chromium (tests/browser.py), started once for the run: the modules that use it are one
    xdist group, `browser`, so they share it on one worker."""
    from .browser import running_chromium

    yield from running_chromium()


@pytest.fixture(scope="session")
def trapped(tmp_path_factory) -> dict[str, Path]:
    """The sample store, plus: a secret JPEG outside it, and in media/ links out and in, hidden files,
    a hidden folder, a text file, a text file named .jpg, and a real photo to show serving works. Made
    once for the run: the request modules, one xdist group (`requests`), share it and its gunicorn on one
    worker, and only read it."""
    base = tmp_path_factory.mktemp("requests")
    store = base / "store"
    shutil.copytree(SAMPLE_STORE, store)
    secret_dir = base / "outside"
    secret = make_jpeg(secret_dir / "secret.jpg", size=(32, 32), color=(200, 0, 0))
    media = store / "media"
    make_jpeg(media / "real.jpg", size=(40, 30))
    make_jpeg(media / "sub/inner.jpg", size=(40, 30))
    (media / "outside.jpg").symlink_to(secret)
    (media / "inside-link.jpg").symlink_to(media / "real.jpg")
    (media / "linkdir").symlink_to(media / "sub", target_is_directory=True)
    (media / "linkout").symlink_to(secret_dir, target_is_directory=True)
    make_jpeg(media / ".secret.jpg", size=(8, 8))
    make_jpeg(media / ".git/HEAD.jpg", size=(8, 8))
    (media / ".git/config").write_text("[core]\n")
    make_jpeg(media / "_private/draft.jpg", size=(8, 8))
    (media / "notes.txt").write_text("not an image\n")
    (media / "fake.jpg").write_text("this is text pretending to be a JPEG\n")
    (media / "page.html").write_text("<script>alert(1)</script>")
    (store / ".env").write_text("SECRET=1\n")
    return {"base": base, "store": store, "secret": secret, "secret_dir": secret_dir, "media": media}


@pytest.fixture(scope="session")
def trapped_server(trapped):
    """A real gunicorn serving the trapped store."""
    from .servers import gunicorn

    with gunicorn(trapped["store"], BASE_URL, extra_env={"FEEDSVC_CACHE_DIR": "off"}) as port:
        yield port


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)
