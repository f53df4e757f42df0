"""YAML tags that would run code are a reported problem and run nothing: in an article file (any field,
nested, in a list, through an alias), and in the site file, in `feedsvc check` and `feedsvc build`.
"""

from __future__ import annotations

import os
from pathlib import Path

from feedsvc.serve.app import create_app

from .cli import feedsvc
from .conftest import BASE_URL, article


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
    env: dict[str, str | None] = {"FEEDSVC_BASE_URL": BASE_URL, "FEEDSVC_CACHE_DIR": "off"}
    check = feedsvc("check", str(store_dir.root), env=env)
    assert check.returncode == 1 and "_site.yml" in check.stdout + check.stderr
    built = feedsvc("build", str(tmp_path / "out"), "--store", str(store_dir.root), env=env)
    assert built.returncode != 0 and "Traceback" not in built.stderr
    assert not list(tmp_path.glob("pwned*")), "a YAML tag ran code"
