"""Requests can't steer the service. Spoofed Host and forwarding headers change no byte of any document;
/media/ serves plain image files under media/ and nothing else — every trick to reach another file is a
404 and opens nothing; absurd request lines, headers and methods get a 4xx, never a 5xx, from Flask and
from the production server; malformed validators are ignored; YAML tags that would run code are a
reported problem and run nothing. In-process checks use the Flask test client (and PEP 578 audit
events to see which files were opened); HTTP-level checks go through a real gunicorn on 127.0.0.1.
"""

from __future__ import annotations

import gzip
import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from feedsvc.config import load_config
from feedsvc.serve.app import create_app
from feedsvc.static.build import build

from .conftest import BASE_URL, ROOT, SAMPLE_STORE, article, make_jpeg
from .hostile import files_opened, opened_under
from .servers import Reply, gunicorn, request

pytestmark = pytest.mark.xdist_group("requests")  # one trapped store and one gunicorn for the module, on one worker

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


# ---- a store with traps laid in and around media/ --------------------------------------------------


@pytest.fixture(scope="module")
def trapped(tmp_path_factory) -> dict[str, Path]:
    """The sample store, plus: a secret JPEG outside it, and in media/ links out and in, hidden files,
    a hidden folder, a text file, a text file named .jpg, and a real photo to show serving works."""
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


@pytest.fixture(scope="module")
def trapped_app(trapped):
    app = create_app({"store": trapped["store"], "base_url": BASE_URL, "cache_dir": "off"}, auto_refresh=False)
    app.testing = True
    return app


@pytest.fixture(scope="module")
def server(trapped):
    with gunicorn(trapped["store"], BASE_URL, extra_env={"FEEDSVC_CACHE_DIR": "off"}) as port:
        yield port


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


def test_spoofed_host_and_forwarding_headers_change_no_byte_through_gunicorn(server, trapped_app):
    for path in documents(trapped_app):
        honest = request(server, path)
        assert honest.status == 200, path
        for headers in SPOOFS:
            spoofed = request(server, path, headers=headers)
            assert spoofed.status == 200, (path, headers)
            assert spoofed.body == honest.body, (path, headers)
            assert spoofed.headers["etag"] == honest.headers["etag"], (path, headers)
        # An absolute-form request target names another host: still the same bytes.
        absolute = raw(
            server,
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
def test_media_refusals_hold_through_gunicorn(server, path):
    reply = raw(server, f"GET {path} HTTP/1.1\r\nHost: feeds.example.com\r\nConnection: close\r\n\r\n".encode())
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
def test_raw_bytes_in_media_paths_through_gunicorn(server, target):
    reply = raw(server, b"GET " + target + b" HTTP/1.1\r\nHost: feeds.example.com\r\nConnection: close\r\n\r\n")
    assert 400 <= reply.status < 500, (target, reply.status)
    assert b"\xff\xd8" not in reply.body


# ---- absurd requests ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/" + "a" * 1025,
        FEED + "?" + "q" * 2049,
        FEED + "?" + "a=1&" * 600,
        "/sections/" + "x" * 5000 + "/rss.xml",
        "/media/" + "%2e" * 2000,
    ],
)
def test_overlong_paths_and_query_strings_get_a_4xx_in_process(client, path):
    response = client.get(path)
    assert 400 <= response.status_code < 500, (len(path), response.status_code)


@pytest.mark.parametrize(
    "where, length",
    [("path", n) for n in (1_100, 2_100, 4_000, 4_100, 8_200, 70_000)]
    + [("query", n) for n in (2_100, 4_000, 4_100, 8_200, 70_000)],
)
def test_overlong_request_lines_get_a_4xx_from_gunicorn(server, where, length):
    """Over the service's limits (1,024-byte path, 2,048-byte query) or gunicorn's own (4,094-byte line)."""
    target = "/" + "a" * length if where == "path" else FEED + "?q=" + "b" * length
    reply = raw(server, f"GET {target} HTTP/1.1\r\nHost: feeds.example.com\r\nConnection: close\r\n\r\n".encode())
    assert 400 <= reply.status < 500, (where, length, reply.status)


@pytest.mark.parametrize(
    "headers",
    [
        b"X-Long: " + b"a" * 9000 + b"\r\n",
        b"".join(b"X-Many-%d: 1\r\n" % i for i in range(150)),
        b"If-None-Match: " + b'"x", ' * 1600 + b"\r\n",
        b"Cookie: " + b"c=1; " * 1500 + b"\r\n",
        b"X-Bad\x00Name: 1\r\n",
        b"X-Folded: a\r\n b\r\n",
        b"Content-Length: -1\r\n",
        b"Content-Length: 99999999999999999999\r\n",
        b"Transfer-Encoding: chunked\r\nContent-Length: 5\r\n",
    ],
)
def test_absurd_headers_get_a_4xx_or_are_ignored_by_gunicorn(server, headers):
    reply = raw(
        server,
        b"GET " + FEED.encode() + b" HTTP/1.1\r\nHost: feeds.example.com\r\n" + headers + b"Connection: close\r\n\r\n",
    )
    assert reply.status < 500, (headers[:60], reply.status)


@pytest.mark.parametrize(
    "method", ["POST", "PUT", "DELETE", "PATCH", "PROPFIND", "MKCOL", "TRACE", "BREW", "FOO", "M-SEARCH", "LINK"]
)
def test_unknown_methods_get_405_in_process_and_through_gunicorn(client, server, method):
    response = client.open(FEED, method=method, data=b"x=1")
    assert response.status_code == 405, method
    assert set(response.headers["Allow"].replace(" ", "").split(",")) <= {"GET", "HEAD", "OPTIONS"}
    reply = request(server, FEED, method=method)
    assert reply.status == 405, (method, reply.status)
    assert "GET" in reply.headers["allow"]


@pytest.mark.parametrize(
    "line",
    [
        b"get /rss.xml HTTP/1.1",
        b"GET /rss.xml HTTP/9.9",
        b"GET /rss.xml",
        b"GET\t/rss.xml HTTP/1.1",
        b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03",
        b"G\x00T /rss.xml HTTP/1.1",
        b"GET /rss.xml HTTP/1.1 extra",
        b"CONNECT evil.example:443 HTTP/1.1",
    ],
)
def test_malformed_request_lines_never_get_a_5xx_from_gunicorn(server, line):
    reply = raw(server, line + b"\r\nHost: feeds.example.com\r\nConnection: close\r\n\r\n")
    assert reply.status == 0 or reply.status < 500, (line, reply.status)


def test_options_lists_only_safe_methods(client):
    response = client.open(FEED, method="OPTIONS")
    assert response.status_code in (200, 204, 405)
    assert set(response.headers["Allow"].replace(" ", "").split(",")) <= {"GET", "HEAD", "OPTIONS"}
    assert len(response.data) < 100


# ---- malformed validators and negotiation ----------------------------------------------------------

MALFORMED = {
    "If-None-Match": [
        '"',
        "W/",
        'W/"',
        '"a',
        'a"',
        "*, *",
        ",,,,",
        '"a" "b"',
        'W/W/"a"',
        '"' + "x" * 6000 + '"',
        ", ".join(f'"{i}"' for i in range(1500)),
        "\t",
        '"\\"',
        "null",
        "W/*",
        '"é"',
    ],
    "If-Modified-Since": [
        "yesterday",
        "0",
        "-1",
        "99999999999",
        "Mon, 32 Jan 2013 00:00:00 GMT",
        "Mon, 01 Jan 0000 00:00:00 GMT",
        "Mon, 01 Jan 99999 00:00:00 GMT",
        "Mon, 01 Jan 1 00:00:00 GMT",
        "Sun, 06 Nov 1994 08:49:37 GMT, Sun, 06 Nov 1994 08:49:37 GMT",
        "Sunday, 06-Nov-94 08:49:37 GMT",
        "Sun Nov  6 08:49:37 1994",
        "2013-05-02T17:40:00Z",
        "Thu, 01 Jan 1970 00:00:00 +9999",
        "é",
    ],
    "If-Unmodified-Since": ["garbage", "Mon, 01 Jan 99999 00:00:00 GMT", "0"],
    "If-Match": ['"', "W/", ",,"],
    "If-Range": ['"', "Mon, 01 Jan 99999 00:00:00 GMT", 'W/"x"'],
    "Accept-Encoding": [
        "gzip;q=abc",
        "gzip;q=1e999",
        "gzip;q=nan",
        "gzip;q=-1",
        "gzip;q=",
        ";;;",
        "*;q=0",
        "identity;q=0, *;q=0",
        "gzip, " * 2000,
        "br;q=1.0, gzip;q=0.5, *;q=0.1",
        "GZIP",
        "x-gzip",
        "gzip;level=9;q=1",
        "\x7f",
    ],
    "Range": [
        "bytes=abc",
        "bytes=0-0",
        "bytes=-0",
        "bytes=99999999999999999999-",
        "bytes=5-1",
        ", ".join(f"{i}-{i}" for i in range(2000)).join(["bytes=", ""]),
        "items=0-1",
        "bytes=-",
        "bytes=0-,0-",
    ],
}
CASES = [(name, value) for name, values in MALFORMED.items() for value in values]


@pytest.mark.parametrize("name, value", CASES, ids=[f"{n}-{i}" for i, (n, _) in enumerate(CASES)])
def test_malformed_validators_and_negotiation_never_error_in_process(client, name, value):
    plain = client.get(FEED).data
    response = client.get(FEED, headers={name: value})
    assert response.status_code in (200, 304, 406, 412, 416), (name, value[:80], response.status_code)
    if response.status_code == 200:
        body = gzip.decompress(response.data) if response.headers.get("Content-Encoding") == "gzip" else response.data
        assert body == plain, (name, value[:80])  # the whole feed, never a fragment
    if response.status_code == 304:
        assert response.data == b""


@pytest.mark.parametrize("name, value", CASES, ids=[f"{n}-{i}" for i, (n, _) in enumerate(CASES)])
def test_malformed_validators_and_negotiation_never_error_through_gunicorn(server, name, value):
    header = f"{name}: {value}\r\n".encode()
    reply = raw(
        server, f"GET {FEED} HTTP/1.1\r\nHost: feeds.example.com\r\n".encode() + header + b"Connection: close\r\n\r\n"
    )
    assert 0 < reply.status < 500, (name, value[:80], reply.status)


@pytest.mark.parametrize("value", [b'\xff\xfe"a"', b'"\xc3\x28"', b'W/"\x80\x81"', b'"a"\x00'])
def test_non_ascii_validators_through_gunicorn(server, value):
    for name in (b"If-None-Match", b"If-Modified-Since", b"Accept-Encoding"):
        reply = raw(
            server,
            b"GET "
            + FEED.encode()
            + b" HTTP/1.1\r\nHost: feeds.example.com\r\n"
            + name
            + b": "
            + value
            + b"\r\nConnection: close\r\n\r\n",
        )
        assert 0 < reply.status < 500, (name, value, reply.status)


# ---- YAML tags run nothing ------------------------------------------------------------------------


def python_tag_payloads(marker: Path) -> dict[str, str]:
    """Article files whose YAML would create `marker`(-N) if a loader ran Python."""

    def touch(n: int) -> str:
        return f'["touch {marker}-{n}"]'

    return {
        "world/apply.md": f"---\ntitle: !!python/object/apply:os.system {touch(1)}\nsection: world\n"
        "published: 2013-05-02\n---\nx\n",
        "world/new.md": f"---\ntitle: !!python/object/new:os.system {touch(2)}\nsection: world\n"
        "published: 2013-05-02\n---\nx\n",
        "world/verbatim.md": f"---\ntitle: !<tag:yaml.org,2002:python/object/apply:os.system> {touch(3)}\n"
        "section: world\n"
        "published: 2013-05-02\n---\nx\n",
        "world/nested.md": f"---\ntitle: fine\nsection: world\npublished: 2013-05-02\nphoto:\n  src: https://x.example/a.jpg\n"
        f"  caption: !!python/object/apply:subprocess.check_call [[touch, {marker}-4]]\n---\nx\n",
        "world/in-list.md": f"---\ntitle: fine\nsection: world\npublished: 2013-05-02\ntags:\n  - a\n"
        f"  - !!python/object/apply:os.system {touch(5)}\n---\nx\n",
        "world/name.md": "---\ntitle: !!python/name:os.system\nsection: world\npublished: 2013-05-02\n---\nx\n",
        "world/module.md": "---\ntitle: !!python/module:os\nsection: world\npublished: 2013-05-02\n---\nx\n",
        "world/merge.md": f"---\nbase: &b !!python/object/apply:os.system {touch(6)}\ntitle: fine\nsection: world\n"
        "published: 2013-05-02\n---\nx\n",
    }


def test_a_python_yaml_tag_is_a_named_problem_and_runs_nothing(store_dir, tmp_path):
    marker = tmp_path / "pwned"
    payloads = python_tag_payloads(marker)
    for relpath, text in payloads.items():
        store_dir.write(relpath, text)
    store_dir.write("world/good.md", article(title="A good story beside the traps"))
    app = create_app({"store": store_dir.root, "base_url": BASE_URL}, auto_refresh=False)
    snapshot = app.extensions["feedsvc"].store.snapshot
    errors = {p.path for p in snapshot.problems if p.severity == "error"}
    display = os.path.normpath(str(store_dir.root)) + "/"
    for relpath in payloads:
        assert display + relpath in errors, relpath
    assert [a.path for a in snapshot.by_id.values()] == ["world/good.md"]
    assert not list(tmp_path.glob("pwned*")), "a YAML tag ran code"


def test_a_python_tag_in_the_site_file_runs_nothing_in_check_and_build(store_dir, tmp_path):
    marker = tmp_path / "pwned-site"
    site = (store_dir.root / "_site.yml").read_text()
    store_dir.write(
        "_site.yml", site.replace("title: The Test Times", f'title: !!python/object/apply:os.system ["touch {marker}"]')
    )
    for relpath, text in python_tag_payloads(tmp_path / "pwned").items():
        store_dir.write(relpath, text)
    env = {**os.environ, "FEEDSVC_BASE_URL": BASE_URL, "FEEDSVC_CACHE_DIR": "off"}
    check = subprocess.run(
        [sys.executable, "-m", "feedsvc.cli", "check", str(store_dir.root)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert check.returncode == 1 and "_site.yml" in check.stdout + check.stderr
    built = subprocess.run(
        [sys.executable, "-m", "feedsvc.cli", "build", str(tmp_path / "out"), "--store", str(store_dir.root)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert built.returncode != 0 and "Traceback" not in built.stderr
    assert not list(tmp_path.glob("pwned*")), "a YAML tag ran code"


# ---- raw HTTP ---------------------------------------------------------------------------------------


def raw(port: int, data: bytes, timeout: float = 10) -> Reply:
    """Send bytes as they are (http.client refuses some of these) and read the reply; status 0 if the
    server closed the connection without one."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(data)
        chunks = []
        while True:
            try:
                chunk = sock.recv(65536)
            except ConnectionResetError:
                break
            if not chunk:
                break
            chunks.append(chunk)
    response = b"".join(chunks)
    if not response.startswith(b"HTTP/"):
        return Reply(0, {}, response)
    head, _, body = response.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return Reply(int(lines[0].split()[1]), headers, body)
