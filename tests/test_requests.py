"""Requests can't steer the service. Spoofed Host and forwarding headers change no byte of any document;
/media/ serves plain image files under media/ and nothing else — every trick to reach another file is a
404 and opens nothing. In-process checks use the Flask test client (and PEP 578 audit events to see
which files were opened); HTTP-level checks go through a real gunicorn on 127.0.0.1, serving the
trapped store (tests/conftest.py). Absurd requests and malformed validators: tests/test_request_abuse.py;
YAML tags: tests/test_yaml_tags.py.
"""

from __future__ import annotations

import pytest

from feedsvc.config import load_config
from feedsvc.serve.app import create_app
from feedsvc.static.build import build

from .audit import files_opened, opened_under
from .conftest import BASE_URL, SAMPLE_STORE
from .servers import raw, request

pytestmark = pytest.mark.xdist_group("requests")  # one trapped store and one gunicorn for the group, on one worker

FEED = "/sections/world-nation/atom.xml"

SPOOFS = [
    {"Host": "evil.example"},
    {"Host": "evil.example:8443"},
    {"X-Forwarded-Host": "evil.example", "X-Forwarded-Proto": "http", "X-Forwarded-Port": "81"},
    {"X-Forwarded-Prefix": "/evil", "X-Forwarded-For": "203.0.113.9", "X-Forwarded-Server": "evil.example"},
    {"Forwarded": 'for=203.0.113.9;host=evil.example;proto=http, for="[2001:db8::1]";host=x'},
    {
        "X-Original-URL": "/evil",
        "X-Rewrite-URL": "/evil",
        "X-Host": "evil.example",
        "X-HTTP-Host-Override": "evil.example",
        "X-Forwarded-Scheme": "http",
        "X-Url-Scheme": "http",
    },
    {"Host": "feeds.example.com\r\nX-Injected: 1".replace("\r\n", " ")},
]


@pytest.fixture(scope="module")
def trapped_app(trapped):
    app = create_app({"store": trapped["store"], "base_url": BASE_URL, "cache_dir": "off"}, auto_refresh=False)
    app.testing = True
    return app


def documents(app) -> list[str]:
    """Every non-media path the publication serves, with a leading slash."""
    return ["/" + p for p in app.extensions["feedsvc"].publisher.paths() if not p.startswith("media/")]


# ---- spoofed Host and forwarding headers ----------------------------------------------------------


def test_spoofed_host_and_forwarding_headers_change_no_byte_in_process(trapped_app):
    client = trapped_app.test_client()
    paths = documents(trapped_app)
    assert {"/rss.xml", "/atom.xml", "/", FEED, "/feeds.opml"} <= set(paths)
    for path in paths:
        honest = client.get(path)
        for headers in SPOOFS:
            spoofed = client.get(path, headers=headers)
            assert spoofed.status_code == 200, (path, headers)
            assert spoofed.data == honest.data, (path, headers)
            assert spoofed.headers["ETag"] == honest.headers["ETag"], (path, headers)
            assert spoofed.headers.get("Link") == honest.headers.get("Link"), (path, headers)
        assert b"evil.example" not in honest.data


def test_spoofed_host_and_forwarding_headers_change_no_byte_through_gunicorn(trapped_server, trapped_app):
    for path in documents(trapped_app):
        honest = request(trapped_server, path)
        assert honest.status == 200, path
        for headers in SPOOFS:
            spoofed = request(trapped_server, path, headers=headers)
            assert spoofed.status == 200, (path, headers)
            assert spoofed.body == honest.body, (path, headers)
            assert spoofed.headers["etag"] == honest.headers["etag"], (path, headers)
        # An absolute-form request target names another host: still the same bytes.
        absolute = raw(
            trapped_server,
            f"GET http://evil.example{path} HTTP/1.1\r\nHost: evil.example\r\nConnection: close\r\n\r\n".encode(),
        )
        assert absolute.status == 200 and absolute.body == honest.body, path


# ---- /media/ --------------------------------------------------------------------------------------

REFUSED_MEDIA = [
    "/media/../_site.yml",
    "/media/..%2f_site.yml",
    "/media/%2e%2e/_site.yml",
    "/media/%2E%2E%2F_site.yml",
    "/media/2013/../../_site.yml",
    "/media/%2e%2e%2f%2e%2e%2foutside%2fsecret.jpg",
    "/media/../../outside/secret.jpg",
    "/media/2013/%2e%2e/%2e%2e/%2e%2e/outside/secret.jpg",
    "/media/%252e%252e/_site.yml",
    "/media/..;/_site.yml",
    "/media/%c0%ae%c0%ae/_site.yml",
    "/media/\uff0e\uff0e/_site.yml",
    "/media//etc/passwd",
    "/media/%2fetc%2fpasswd",
    "/media///etc/hosts.jpg",
    "/media/%2F..%2F..%2Foutside%2Fsecret.jpg",
    "/media/..%5c_site.yml",
    "/media/..%5C..%5Coutside%5Csecret.jpg",
    "/media/real.jpg%00.png",
    "/media/real.jpg%00",
    "/media/%00",
    "/media/outside.jpg",
    "/media/inside-link.jpg",
    "/media/linkdir/inner.jpg",
    "/media/linkout/secret.jpg",
    "/media/.secret.jpg",
    "/media/.git/HEAD.jpg",
    "/media/.git/config",
    "/media/_private/draft.jpg",
    "/media/notes.txt",
    "/media/fake.jpg",
    "/media/page.html",
    "/media/real.jpg/",
    "/media/sub/../real.jpg",
    "/media",
    "/media/",
    "/media/sub/",
    "/_site.yml",
    "/.env",
    "/world-nation/obama-meets-pena-nieto.md",
    "/%2e%2e/outside/secret.jpg",
    "/sections/../_site.yml",
    "/sections/world-nation/../../_site.yml",
    "/.git/config",
    "/media/~/secret.jpg",
    "/media/" + "a/" * 300 + "x.jpg",
    "/media/" + "x" * 2000 + ".jpg",
]


def test_a_real_photo_is_served(trapped_app):
    """The control: without it, every 404 below could be a service that serves nothing."""
    client = trapped_app.test_client()
    for path in ("/media/real.jpg", "/media/sub/inner.jpg"):
        response = client.get(path)
        assert response.status_code == 200 and response.mimetype == "image/jpeg"
        assert response.data[:3] == b"\xff\xd8\xff"


@pytest.mark.parametrize("path", REFUSED_MEDIA)
def test_media_refuses_everything_but_plain_photos_and_reads_nothing_outside(trapped, trapped_app, path):
    client = trapped_app.test_client()
    with files_opened() as opened:
        response = client.get(path)
    assert response.status_code in (404, 414), (path, response.status_code)
    assert response.mimetype == "text/plain" and len(response.data) < 100
    assert b"\xff\xd8" not in response.data and b"SECRET" not in response.data
    outside_media = [
        name for name in opened_under(opened, trapped["base"]) if not opened_under([name], trapped["media"])
    ]
    assert not outside_media, f"{path} opened {outside_media}"
    assert not opened_under(
        opened,
        trapped["secret_dir"],
        trapped["media"] / ".git",
        trapped["media"] / ".secret.jpg",
        trapped["media"] / "_private",
        trapped["store"] / "_site.yml",
        trapped["store"] / ".env",
    )


def test_the_static_build_copies_no_trap_from_media(trapped, tmp_path):
    """The build writes what the service serves: plain photos only — no link target, hidden file or text."""
    out = tmp_path / "public"
    build(load_config(overrides={"store": trapped["store"], "base_url": BASE_URL, "cache_dir": "off"}), out)
    written = {str(p.relative_to(out / "media")) for p in (out / "media").rglob("*") if p.is_file()}
    expected = {str(p.relative_to(SAMPLE_STORE / "media")) for p in (SAMPLE_STORE / "media").rglob("*.*")}
    assert written == expected | {"real.jpg", "sub/inner.jpg"}
    secret = trapped["secret"].read_bytes()
    assert not [p for p in out.rglob("*") if p.is_file() and p.read_bytes() == secret]


@pytest.mark.parametrize("path", [p for p in REFUSED_MEDIA if "\uff0e" not in p])
def test_media_refusals_hold_through_gunicorn(trapped_server, path):
    reply = raw(trapped_server, f"GET {path} HTTP/1.1\r\nHost: feeds.example.com\r\nConnection: close\r\n\r\n".encode())
    assert 400 <= reply.status < 500, (path, reply.status)
    assert b"\xff\xd8" not in reply.body and b"SECRET" not in reply.body and b"[core]" not in reply.body


@pytest.mark.parametrize(
    "target",
    [
        b"/media/real.jpg\x00.png",
        b"/media/..\\..\\outside\\secret.jpg",
        b"/media/\xc0\xae\xc0\xae/_site.yml",
        b"/media/ /../_site.yml",
        b"/media/\xff\xfe.jpg",
        b"/media/real.jpg\r\n.png",
    ],
)
def test_raw_bytes_in_media_paths_through_gunicorn(trapped_server, target):
    reply = raw(trapped_server, b"GET " + target + b" HTTP/1.1\r\nHost: feeds.example.com\r\nConnection: close\r\n\r\n")
    assert 400 <= reply.status < 500, (target, reply.status)
    assert b"\xff\xd8" not in reply.body
