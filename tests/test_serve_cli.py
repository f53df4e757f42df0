"""`feedsvc serve` as a newcomer and a platform team run it: gunicorn with the shipped settings by default,
Werkzeug's server with --dev, the same flags and environment for both; links that lead to the address it
listens on unless a base URL is configured; and no start at all on a store with nothing to publish.

Every server here listens on a free port and runs from a temporary folder (not the repository), as an
installed feedsvc would; gunicorn's control socket is off, so servers running side by side never share one.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from lxml import etree

from .conftest import ROOT, SAMPLE_STORE
from .servers import free_port, request, wait_until_serving

NS = {"atom": "http://www.w3.org/2005/Atom"}
GUNICORN_ARGS = "--workers 1 --no-control-socket"  # tunes gunicorn as a platform team would


@contextlib.contextmanager
def serving(*args: str, cwd: Path, env: dict | None = None):
    """`feedsvc serve … --port P` until the block ends; yields (P, a dict whose "stderr" is what the
    server wrote there, once the block is over and the server stopped)."""
    port = free_port()
    environment = {**os.environ, "GUNICORN_CMD_ARGS": GUNICORN_ARGS, **(env or {})}
    process = subprocess.Popen(
        [sys.executable, "-m", "feedsvc.cli", "serve", *args, "--port", str(port)],
        cwd=cwd,
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    said: dict[str, str] = {}
    try:
        wait_until_serving(port, process, "/rss.xml")
        yield port, said
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            said["stderr"] = process.communicate(timeout=15)[1]
        except subprocess.TimeoutExpired:
            process.kill()
            said["stderr"] = process.communicate()[1]


REMOTE_PHOTO = "https://news.example.com/images/"  # the sample store's one photo kept elsewhere


def links(port: int, path: str) -> tuple[str, list[str]]:
    """A feed's self link and its store photos' enclosure URLs, read from the RSS document the server answers."""
    reply = request(port, path)
    assert reply.status == 200, reply
    root = etree.fromstring(reply.body)
    self_link = root.xpath("/rss/channel/atom:link[@rel='self']/@href", namespaces=NS)[0]
    return self_link, [url for url in root.xpath("//item/enclosure/@url") if not url.startswith(REMOTE_PHOTO)]


def test_serve_runs_gunicorn_with_the_shipped_settings_and_links_to_the_port_it_listens_on(tmp_path):
    with serving(str(SAMPLE_STORE), cwd=tmp_path) as (port, said):
        self_link, enclosures = links(port, "/rss.xml")
        assert request(port, "/").headers.get("server", "").startswith("gunicorn")
    err = said["stderr"]
    assert self_link == f"http://127.0.0.1:{port}/rss.xml"
    assert enclosures and all(url.startswith(f"http://127.0.0.1:{port}/media/") for url in enclosures)
    [started] = [line for line in err.splitlines() if line.startswith("feedsvc: serving")]
    assert started == (
        f"feedsvc: serving {SAMPLE_STORE} at http://127.0.0.1:{port}/ with gunicorn, 1 worker × 4 threads; "
        f"feeds link to http://127.0.0.1:{port}/ (no base URL is configured: give the public one with "
        "--base-url or FEEDSVC_BASE_URL)"
    )
    assert "Using worker: feedsvc.serve.worker.RequestBufferingWorker" in err  # the shipped settings
    assert "development server" not in err


def test_dev_runs_werkzeug_with_the_same_flags(tmp_path):
    base = "https://feeds.example.com/news/"
    with serving(str(SAMPLE_STORE), "--dev", "--base-url", base, cwd=tmp_path) as (port, _):
        self_link, enclosures = links(port, "/news/rss.xml")
        assert request(port, "/news/rss.xml").headers["server"].startswith("Werkzeug/")
    assert self_link == base + "rss.xml"
    assert enclosures and all(url.startswith(base + "media/") for url in enclosures)


@pytest.mark.parametrize("mode", [[], ["--dev"]], ids=["gunicorn", "dev"])
def test_the_environment_configures_both_servers_alike(tmp_path, mode):
    env = {
        "FEEDSVC_STORE": str(SAMPLE_STORE),
        "FEEDSVC_BASE_URL": "https://feeds.example.com/",
        "FEEDSVC_ITEMS_PER_FEED": "3",
    }
    with serving(*mode, cwd=tmp_path, env=env) as (port, _):
        self_link, enclosures = links(port, "/rss.xml")
        items = etree.fromstring(request(port, "/rss.xml").body).xpath("//item")
    assert self_link == "https://feeds.example.com/rss.xml"
    assert len(items) == 3


def test_the_store_may_be_given_as_store_or_as_an_option_but_not_as_two_folders(tmp_path):
    other = tmp_path / "other"
    other.mkdir()
    result = subprocess.run(
        [sys.executable, "-m", "feedsvc.cli", "serve", str(SAMPLE_STORE), "--store", str(other)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert (
        f"the store is given twice, as STORE ({SAMPLE_STORE}) and as --store ({other}); give it once" in result.stderr
    )


def start(command: list[str], cwd: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    """Run a server that is expected to refuse to start; a server that starts instead is stopped."""
    try:
        return subprocess.run(
            command,
            cwd=cwd,
            env={**os.environ, "GUNICORN_CMD_ARGS": GUNICORN_ARGS, **(env or {})},
            capture_output=True,
            text=True,
            timeout=30,
        )
    except subprocess.TimeoutExpired as exc:
        raise AssertionError(f"started instead of refusing: {exc.stderr}") from None


REFUSALS = {
    "missing": (lambda tmp: tmp / "articels", "the article store {store} does not exist"),
    "a file": (lambda tmp: tmp / "notes.txt", "the article store {store} cannot be read (Not a directory)"),
    "no site file": (lambda tmp: tmp / "empty", "{store} is not an article store: it has no _site.yml"),
}


def refusal_store(tmp_path: Path, kind: str) -> tuple[Path, str]:
    make, message = REFUSALS[kind]
    store = make(tmp_path)
    if kind == "a file":
        store.write_text("not a store")
    elif kind == "no site file":
        (store / "world").mkdir(parents=True)
        (store / "world/a.md").write_text("---\ntitle: A story\n---\nWithout a site.\n")
    return store, message.format(store=store)


@pytest.mark.parametrize("kind", REFUSALS)
@pytest.mark.parametrize("mode", [[], ["--dev"]], ids=["gunicorn", "dev"])
def test_serve_refuses_a_store_with_nothing_to_publish_in_one_line(tmp_path, kind, mode):
    store, message = refusal_store(tmp_path, kind)
    port = free_port()
    result = start([sys.executable, "-m", "feedsvc.cli", "serve", str(store), "--port", str(port), *mode], tmp_path)
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0], result.stderr
    assert "Traceback" not in result.stderr and "Listening" not in result.stderr


@pytest.mark.parametrize("kind", REFUSALS)
def test_gunicorn_wsgi_app_refuses_a_store_with_nothing_to_publish(tmp_path, kind):
    """Its master stops (exit code 3, before any worker is forked) instead of answering 404 to everything."""
    store, message = refusal_store(tmp_path, kind)
    result = start(
        [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{free_port()}", "wsgi:app"],
        ROOT,
        env={"FEEDSVC_STORE": str(store)},
    )
    assert result.returncode == 3
    said = [line for line in result.stderr.splitlines() if line.startswith("feedsvc:")]
    assert len(said) == 1 and said[0].startswith(f"feedsvc: {message}"), result.stderr
    assert "Booting worker" not in result.stderr and "Traceback" not in result.stderr


def test_the_shipped_settings_are_found_where_feedsvc_is_installed(tmp_path):
    """Outside the repository (no gunicorn.conf.py, no wsgi.py), gunicorn runs the package's settings and app."""
    port = free_port()
    env = {
        **os.environ,
        "GUNICORN_CMD_ARGS": GUNICORN_ARGS,
        "FEEDSVC_STORE": str(SAMPLE_STORE),
        "FEEDSVC_BASE_URL": f"http://127.0.0.1:{port}/",
    }
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "-c",
            "python:feedsvc.serve.gunicorn_conf",
            "--bind",
            f"127.0.0.1:{port}",
            "feedsvc.serve.production:wsgi_app()",
        ],
        cwd=tmp_path,
        env=env,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        wait_until_serving(port, process, "/rss.xml")
        self_link, _ = links(port, "/rss.xml")
    finally:
        process.send_signal(signal.SIGTERM)
        _, err = process.communicate(timeout=15)
    assert self_link == f"http://127.0.0.1:{port}/rss.xml"
    assert "Using worker: feedsvc.serve.worker.RequestBufferingWorker" in err
