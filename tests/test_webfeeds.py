"""Feedly/Inoreader extras: with webfeeds = true, every XML feed carries the site's icon, logo, cover
and accent colour in the webfeeds namespace; without it (the default), none — the W3C validator warns
about the namespace, so it is opt-in."""

from __future__ import annotations

import pytest

from feedsvc.serve.app import create_app

from .conftest import BASE_URL, SAMPLE_STORE
from .feeds import xml

WEBFEEDS = {"webfeeds": "http://webfeeds.org/rss/1.0"}


@pytest.mark.parametrize("path, parent", [("/rss.xml", "channel"), ("/sections/science/atom.xml", ".")])
def test_webfeeds_elements_come_from_the_site_file(path, parent):
    app = create_app({"store": SAMPLE_STORE, "base_url": BASE_URL, "webfeeds": True}, auto_refresh=False)
    root = xml(app.test_client().get(path).data)
    scope = root.find(parent) if parent != "." else root
    assert scope.findtext("webfeeds:icon", namespaces=WEBFEEDS) == BASE_URL + "media/site/icon.png"
    assert scope.findtext("webfeeds:logo", namespaces=WEBFEEDS) == BASE_URL + "media/site/logo.png"
    assert scope.find("webfeeds:cover", WEBFEEDS).get("image") == BASE_URL + "media/site/cover.jpg"
    assert scope.findtext("webfeeds:accentColor", namespaces=WEBFEEDS) == "8a1c1c"


def test_webfeeds_are_off_by_default(client):
    assert b"webfeeds" not in client.get("/rss.xml").data
    assert b"webfeeds" not in client.get("/atom.xml").data
