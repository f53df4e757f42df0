"""What each layer loads. Reading stories needs neither the Markdown renderer nor the sanitiser (those
are rendering), and the configuration names its cache folder without importing the store: checked in a
fresh interpreter, where nothing else has imported them first."""

from __future__ import annotations

import json
import subprocess
import sys

from .conftest import article

RENDERING = {"cmarkgfm", "nh3", "feedgen", "jinja2"}


def modules_loaded_by(code: str) -> set[str]:
    code += "\nimport json, sys; print(json.dumps(sorted(sys.modules)))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    return set(json.loads(done.stdout.splitlines()[-1]))


def test_parsing_a_story_loads_no_markdown_renderer_and_no_sanitiser(store_dir):
    store_dir.write("world/a.md", article(body="Some *Markdown*, a [link](/b) and `<code>`.", tags=["a & b"]))
    loaded = modules_loaded_by(f"""
from pathlib import Path
from feedsvc.source.article import parse_article
from feedsvc.source.site import parse_site
root = Path({str(store_dir.root)!r})
site, _ = parse_site((root / "_site.yml").read_bytes())
data = (root / "world/a.md").read_bytes()
result = parse_article("world/a.md", data, site, None)
assert result.article is not None, result.problems
""")
    assert "feedsvc.source.article" in loaded
    assert not loaded & RENDERING
    assert not {name for name in loaded if name.startswith(("feedsvc.render", "feedsvc.store"))}


def test_the_configuration_names_its_cache_folder_without_loading_the_store():
    loaded = modules_loaded_by("from feedsvc.config import Config\nassert Config().cache_path is not None")
    settings = {
        "feedsvc.store.settings",
        "feedsvc.publish.settings",
        "feedsvc.stats.settings",
        "feedsvc.render.document",
    }
    packages = {"feedsvc", "feedsvc.store", "feedsvc.publish", "feedsvc.stats", "feedsvc.render"}
    assert {name for name in loaded if name.startswith("feedsvc")} == {
        "feedsvc.config",
        "feedsvc.uri",
    } | settings | packages
    assert not loaded & (RENDERING | {"PIL", "yaml"})


def test_the_static_build_loads_neither_the_service_nor_websub():
    """The build reports which feeds changed; telling the hub is its caller's job (cli), not the build's."""
    loaded = modules_loaded_by("import feedsvc.static.build")
    assert "feedsvc.static.build" in loaded
    assert not {name for name in loaded if name.startswith("feedsvc.serve")}
    assert "flask" not in loaded
