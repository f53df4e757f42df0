"""The static build served by a real nginx with the snippet the build writes: the same feeds, types and
Cache-Control as the service, precompressed gzip, and 304s on conditional GETs."""

from __future__ import annotations

import gzip
import shutil
from urllib.parse import quote

import pytest

from feedsvc.static.build import NGINX_FILE, build

from .conftest import BASE_URL, SAMPLE_STORE
from .servers import nginx, request
from .test_build import config_for

pytestmark = pytest.mark.xdist_group("nginx")  # one build and one nginx for the module, on one worker

FEEDS = ["/rss.xml", "/atom.xml", "/sections/world-nation/rss.xml", "/sections/local/atom.xml"]


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    out = tmp_path_factory.mktemp("site") / "public"
    build(config_for(SAMPLE_STORE), out)
    with nginx(out, out / NGINX_FILE, tmp_path_factory.mktemp("nginx")) as port:
        yield port, out


@pytest.mark.parametrize("path", FEEDS + ["/", "/media/2013/obama-pena-nieto.jpg"])
def test_nginx_serves_the_service_bytes_types_and_cache_control(served, client, path):
    port, _ = served
    reply = request(port, path)
    service = client.get(path)
    assert reply.status == 200
    assert reply.body == service.data
    assert reply.headers["content-type"] == service.headers["Content-Type"]
    assert reply.headers["cache-control"] == service.headers["Cache-Control"]
    assert reply.headers["last-modified"] == service.headers["Last-Modified"]


@pytest.mark.parametrize("path", FEEDS)
def test_nginx_sends_the_precompressed_file(served, client, path):
    port, out = served
    reply = request(port, path, headers={"Accept-Encoding": "gzip"})
    assert reply.headers["content-encoding"] == "gzip"
    assert reply.body == (out / (path.lstrip("/") + ".gz")).read_bytes()
    assert gzip.decompress(reply.body) == client.get(path).data
    assert "Accept-Encoding" in reply.headers["vary"]


@pytest.mark.parametrize("path", FEEDS)
def test_nginx_answers_conditional_gets_with_304(served, path):
    port, _ = served
    first = request(port, path)
    by_etag = request(port, path, headers={"If-None-Match": first.headers["etag"]})
    by_date = request(port, path, headers={"If-Modified-Since": first.headers["last-modified"]})
    assert (by_etag.status, by_date.status) == (304, 304)
    assert by_etag.body == b"" and by_etag.headers["etag"] == first.headers["etag"]


@pytest.mark.parametrize("path", ["/.feedsvc-build.json", "/_headers", f"/{NGINX_FILE}"])
def test_build_records_are_not_served(served, path):
    port, _ = served
    assert request(port, path).status == 404


def test_nginx_answers_a_later_if_modified_since_with_304_as_the_service_does(served, client):
    port, _ = served
    later = "Fri, 01 Jan 2038 00:00:00 GMT"
    assert request(port, FEEDS[0], headers={"If-Modified-Since": later}).status == 304
    assert client.get(FEEDS[0], headers={"If-Modified-Since": later}).status_code == 304


@pytest.mark.parametrize("path", ["/sections/local/archive/1999-01/rss.xml", "/media/2013/gone.jpg", "/nothing.xml"])
def test_a_missing_file_is_not_given_a_cache_lifetime(served, path):
    """A CDN must not keep a 404 for the week an archive document may be kept."""
    port, _ = served
    reply = request(port, path)
    assert reply.status == 404 and "cache-control" not in reply.headers


def test_a_folder_without_its_slash_is_redirected_without_trusting_the_host_header(served):
    port, _ = served
    reply = request(port, "/sections/local", headers={"Host": "evil.example"})
    assert reply.status == 301 and "evil.example" not in reply.headers.get("location", "")


@pytest.fixture(scope="module")
def served_under_a_path(tmp_path_factory):
    """The build for base_url …/feeds/, served by nginx as the snippet's own header says: a
    `location /feeds/` that aliases the output and includes the snippet."""
    out = tmp_path_factory.mktemp("site") / "public"
    build(config_for(SAMPLE_STORE, base_url="https://feeds.example.com/feeds/", hub_url="https://hub.example/"), out)
    server = tmp_path_factory.mktemp("conf") / "server.conf"
    server.write_text(f'location "/feeds/" {{\n    alias {out}/;\n    include {out / NGINX_FILE};\n}}\n')
    with nginx(tmp_path_factory.mktemp("empty"), server, tmp_path_factory.mktemp("nginx")) as port:
        yield port, out


def test_under_a_base_path_nginx_serves_what_the_headers_manifest_and_the_service_promise(served_under_a_path):
    from feedsvc.serve.app import create_app

    from .test_build import read_headers_file

    port, out = served_under_a_path
    rules = read_headers_file(out)
    assert "/feeds/rss.xml" in rules and "/feeds/" in rules and "/rss.xml" not in rules
    service = create_app(
        {"store": SAMPLE_STORE, "base_url": "https://feeds.example.com/feeds/", "hub_url": "https://hub.example/"},
        auto_refresh=False,
    ).test_client()
    for path in [
        "/feeds/",
        *(f"/feeds{path}" for path in FEEDS),
        "/feeds/sections/world-nation/feed.json",
        "/feeds/feeds.opml",
        "/feeds/media/2013/obama-pena-nieto.jpg",
    ]:
        reply, expected = request(port, path), service.get(path)
        assert reply.status == 200, path
        assert reply.body == expected.data, path
        for name in ("Content-Type", "Cache-Control", "Last-Modified", "Link"):
            assert reply.headers.get(name.lower()) == expected.headers.get(name), (path, name)
        if path in rules:
            assert rules[path]["Cache-Control"] == reply.headers["cache-control"], path
    gzipped = request(port, "/feeds/sections/local/atom.xml", headers={"Accept-Encoding": "gzip"})
    assert gzipped.headers["content-encoding"] == "gzip"
    for path in ["/feeds/.feedsvc-build.json", "/feeds/_headers", f"/feeds/{NGINX_FILE}"]:
        assert request(port, path).status == 404, path


# ---- every file the build writes, as a server with or without nginx's own mime.types serves it ----

ODD_PHOTOS = {  # name under media/ → the format of its bytes
    "2013/a-png-named-jpg.jpg": "PNG",
    "2013/spring.webp": "WEBP",
    "2013/loop.gif": "GIF",
    "2013/SHOUTING.JPEG": "JPEG",
    '2013/say "cheese" {now}; $uri.jpg': "GIF",
}


@pytest.fixture(scope="module", params=["with mime.types", "without mime.types"])
def every_kind(request, tmp_path_factory):
    """A build with archives and photos of every kind (one whose name says JPEG but holds a PNG),
    served by nginx in a server that includes nginx's mime.types, and in one that does not."""
    from PIL import Image

    store = tmp_path_factory.mktemp("store") / "newsroom"
    shutil.copytree(SAMPLE_STORE, store)
    for name, kind in ODD_PHOTOS.items():
        Image.new("RGB", (40, 30), (10, 200, 90)).save(store / "media" / name, kind)
    out = tmp_path_factory.mktemp("site") / "public"
    build(config_for(store, items_per_feed=2), out)
    server = tmp_path_factory.mktemp("conf") / "server.conf"
    bare = "types { }\ndefault_type application/octet-stream;\n" if request.param == "without mime.types" else ""
    server.write_text(f"{bare}include {out / NGINX_FILE};\n")
    with nginx(out, server, tmp_path_factory.mktemp("nginx")) as port:
        yield port, out, store


def test_every_file_is_served_with_the_headers_the_manifest_promises(every_kind):
    from .test_build import read_headers_file

    port, out, _ = every_kind
    rules = read_headers_file(out)
    assert any("/archive/" in path for path in rules) and sum(p.startswith("/media/") for p in rules) >= 10
    for path, promised in rules.items():
        reply = request(port, quote(path))
        assert reply.status == 200, path
        assert reply.body == (out / (path.lstrip("/") + ("index.html" if path.endswith("/") else ""))).read_bytes()
        for name in ("Content-Type", "Cache-Control", "Last-Modified", "Vary"):
            assert reply.headers.get(name.lower()) == promised.get(name), (path, name)


def test_every_precompressed_file_is_sent_for_its_own_name_and_never_under_its_file_name(every_kind):
    """gzip_static sends `x.gz` for `x` to a client that accepts gzip; `/x.gz` itself is not a
    published address (the service has no such path), so it is not found."""
    port, out, _ = every_kind
    siblings = sorted(out.rglob("*.gz"))
    assert len(siblings) >= 20
    for sibling in siblings:
        name = "/" + str(sibling.relative_to(out))
        plain = name.removesuffix(".gz").removesuffix("index.html")
        zipped = request(port, plain, headers={"Accept-Encoding": "gzip"})
        assert zipped.headers["content-encoding"] == "gzip" and zipped.body == sibling.read_bytes(), plain
        assert "Accept-Encoding" in zipped.headers["vary"]
        assert zipped.headers["last-modified"] == request(port, plain).headers["last-modified"]
        for headers in ({}, {"Accept-Encoding": "gzip"}):
            direct = request(port, name, headers=headers)
            assert direct.status == 404, (name, direct.status, direct.headers.get("content-type"))
            assert "cache-control" not in direct.headers


def test_an_archive_has_no_gzip_copy_and_nginx_compresses_it_for_a_client_that_asks(every_kind):
    """The build writes no .gz of an RFC 5005 archive (fetched rarely): nginx compresses it for a client
    that accepts gzip and sends it as it is to one that does not — the service's bytes either way, with
    Vary — and a conditional poll of either representation gets 304."""
    from feedsvc.serve.app import create_app

    port, out, store = every_kind
    service = create_app({"store": store, "base_url": BASE_URL, "items_per_feed": 2}, auto_refresh=False).test_client()
    archives = sorted("/" + str(p.relative_to(out)) for p in out.rglob("archive/*/*.xml"))
    assert len(archives) >= 16 and not list(out.rglob("archive/**/*.gz"))
    for path in archives:
        expected = service.get(path)
        plain = request(port, path)
        zipped = request(port, path, headers={"Accept-Encoding": "gzip"})
        assert (plain.status, zipped.status, expected.status_code) == (200, 200, 200), path
        assert "content-encoding" not in plain.headers and plain.body == expected.data, path
        assert zipped.headers["content-encoding"] == "gzip" and gzip.decompress(zipped.body) == expected.data, path
        for reply in (plain, zipped):
            assert "Accept-Encoding" in reply.headers["vary"], path
            for name in ("Content-Type", "Cache-Control", "Last-Modified"):
                assert reply.headers[name.lower()] == expected.headers[name], (path, name)
        for reply, asks in ((plain, {}), (zipped, {"Accept-Encoding": "gzip"})):
            by_etag = request(port, path, headers={**asks, "If-None-Match": reply.headers["etag"]})
            by_date = request(port, path, headers={**asks, "If-Modified-Since": reply.headers["last-modified"]})
            assert (by_etag.status, by_date.status, by_etag.body) == (304, 304, b""), (path, asks)


def test_behind_a_cdn_nginx_still_compresses_archives_and_sends_the_precompressed_files(every_kind):
    """A CDN or proxy in front adds Via: nginx's default (gzip_proxied off) would then answer every
    request uncompressed, and the CDN keep that. The answers carry Vary: Accept-Encoding, so a cache
    keeps the two apart: the snippet lets nginx compress for proxies too."""
    port, out, _ = every_kind
    archive = "/" + str(sorted(out.rglob("archive/*/*.xml"))[0].relative_to(out))
    for path in [archive, "/rss.xml", "/sections/local/atom.xml"]:
        reply = request(port, path, headers={"Accept-Encoding": "gzip", "Via": "1.1 cdn.example"})
        assert reply.headers.get("content-encoding") == "gzip", path
        assert gzip.decompress(reply.body) == request(port, path).body, path
        assert "Accept-Encoding" in reply.headers["vary"], path


def test_nginx_compresses_an_archive_at_the_services_level_not_its_own_default(every_kind):
    """gzip_comp_level is 1 unless set: archives would go out larger than the service sends them."""
    port, out, _ = every_kind
    for file in sorted(out.rglob("archive/*/*.xml"))[:4]:
        path = "/" + str(file.relative_to(out))
        zipped = request(port, path, headers={"Accept-Encoding": "gzip"}).body
        assert len(zipped) < len(gzip.compress(file.read_bytes(), compresslevel=1)), path
