"""`feedsvc check`, as an editor runs it before publishing."""

from __future__ import annotations

from .cli import feedsvc
from .conftest import ROOT, article


def check(*args, cwd=ROOT):
    return feedsvc("check", *args, cwd=cwd)


def test_the_sample_store_passes():
    result = check("articles/")
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip().splitlines()[-1] == (
        "12 published (world-nation 3, business 3, science 3, local 3); 1 scheduled, 1 draft; 0 errors, 0 warnings"
    )


def test_a_broken_store_fails_and_names_every_problem(tmp_path):
    result = check("tests/stores/problems")
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert "tests/stores/problems/world/bad-date.md: published: 'tomorrow-ish' is not a date" in lines
    assert any(line.startswith("tests/stores/problems/world/control-characters.md: warning:") for line in lines)
    assert (
        "tests/stores/problems/world/missing-photo.md: photo.src: warning: media/2013/not-uploaded-yet.jpg: "
        "file not found; the story is published without its photo" in lines
    )
    assert lines[-1].endswith("11 errors, 5 warnings")


def test_warnings_alone_do_not_fail_the_check(store_dir):
    store_dir.write("world/a.md", article(related=["world/missing"]))
    result = check(str(store_dir.root))
    assert result.returncode == 0
    assert "warning: no published or scheduled article has the id 'world/missing'" in result.stdout


def test_an_update_time_years_ahead_is_flagged_as_a_likely_typo(store_dir):
    store_dir.write("world/typo.md", article(published="2024-01-01 10:00", updated="2204-01-01 11:00"))
    store_dir.write(
        "world/scheduled.md",
        article(
            title="A story scheduled for next century, updated on the day",
            published="2199-06-01 08:00",
            updated="2199-06-01 09:00",
        ),
    )
    result = check(str(store_dir.root))
    assert result.returncode == 0  # a warning: the story is still published
    warnings = [line for line in result.stdout.splitlines() if "in the future" in line]
    assert warnings == [
        f"{store_dir.root}/world/typo.md: updated: warning: 2204-01-01 19:00 UTC is in the future; "
        "feeds will show that date (a typo?)"
    ]
    assert result.stdout.strip().endswith("0 errors, 1 warning")


def test_a_site_logo_or_icon_that_nothing_serves_is_named(store_dir):
    store_dir.write_site(
        logo="site/logo.png", icon="media/site/missing-icon.png", cover="https://cdn.example.com/c.jpg"
    )
    store_dir.write("world/a.md", article())
    result = check(str(store_dir.root))
    assert result.returncode == 0
    site = f"{store_dir.root}/_site.yml"
    assert (
        f"{site}: logo: warning: 'site/logo.png' must be a path under media/ in the store, or an http(s) URL; "
        "feeds link to it" in result.stdout.splitlines()
    )
    assert (
        f"{site}: icon: warning: media/site/missing-icon.png: file not found; feeds link to it"
        in result.stdout.splitlines()
    )
    assert "cover" not in result.stdout


def test_a_story_another_program_is_still_writing_is_reported_and_fails_the_check(store_dir):
    """check cannot read a file while its writer holds it open (it may be half-saved): saying nothing and
    exiting 0 would pass a store whose story was never checked."""
    store_dir.write("world/done.md", article(title="A story saved and closed"))
    path = store_dir.write("world/saving.md", article(title="A story still being saved"))
    with open(path, "r+b"):  # the writer is still at work
        result = check(str(store_dir.root))
    assert result.returncode == 1, result.stdout + result.stderr
    assert (
        f"{store_dir.root}/world/saving.md: is being written by another program, so it could not be read; "
        "it is left out until it is saved" in result.stdout.splitlines()
    )
    assert result.stdout.strip().splitlines()[-1] == (
        "1 published (world 1, business 0); 0 scheduled, 0 drafts; 1 error, 0 warnings"
    )


def test_check_warns_of_look_alike_bylines_unless_the_authors_file_names_both(store_dir):
    store_dir.write("world/a.md", article(title="A story with an accented byline", authors=["José Núñez"]))
    store_dir.write("world/b.md", article(title="A story without the accents", authors=["Jose Nunez"]))
    store_dir.write("world/c.md", article(title="A story with an initial", authors=["J. Núñez"]))
    lines = check(str(store_dir.root)).stdout.splitlines()
    assert (
        f"{store_dir.root}/world/b.md: authors: warning: 'Jose Nunez' looks like 'José Núñez' "
        f"({store_dir.root}/world/a.md): the same name once case and accents are set aside; they share one "
        "writer's feed; spell the byline one way, or list both in _authors.yml (also_known_as)" in lines
    )
    assert any("'J. Núñez' looks like 'José Núñez'" in line and "they get a feed each" in line for line in lines)
    store_dir.write("_authors.yml", "- name: José Núñez\n  also_known_as: [Jose Nunez, J. Núñez]\n")
    result = check(str(store_dir.root))
    assert "looks like" not in result.stdout
    assert result.stdout.splitlines()[-2] == "1 writer with feeds; 0 tags with feeds (used by at least 3 stories)"


def test_a_missing_store_is_named_in_one_line(tmp_path):
    result = check(str(tmp_path / "articels"))
    assert result.returncode == 2
    assert result.stderr.strip() == (
        f"feedsvc check: the article store {tmp_path / 'articels'} does not exist: give "
        "the store's folder as STORE or --store (or FEEDSVC_STORE), or make a new one "
        f"with `feedsvc init {tmp_path / 'articels'}`"
    )


def test_the_store_may_be_given_as_an_option_too(store_dir):
    store_dir.write("world/a.md", article())
    assert check("--store", str(store_dir.root)).stdout == check(str(store_dir.root)).stdout


def test_check_warns_of_each_story_whose_feeds_carry_another_id_than_its_editor_wrote(store_dir):
    """Feed readers know a story by its id: an editor who gave a URI as one is told, per story, when the
    feeds carry a different one (escaped, or placed inside the site's tag URI), so a story that readers
    see once more as new is explained. Valid ids, and plain ones the site's tag URI is made around, are not."""
    ids = {
        "world/escaped.md": "https://news.example.com/world/a[1]",
        "world/not-its-url.md": "https://old.example.com/story/1",
        "world/bad-tag.md": "tag:news.example.com,2013:a#b#c",
        "world/upper-case-tag.md": "tag:News.Example.com,2013:x",
        "world/uuid.md": "urn:uuid:6e8bc430-9c3a-11d9-9669-0800200c9a66",
        "world/plain.md": "world/a-plain-id",
    }
    for n, (path, given) in enumerate(ids.items()):
        url = ids["world/escaped.md"] if path == "world/escaped.md" else None
        story = article(title=f"A story with an id of its own, number {n}", id=given, **({"url": url} if url else {}))
        store_dir.write(path, story)
    result = check(str(store_dir.root))
    assert result.returncode == 0  # warnings: every story is published
    root, site = store_dir.root, "tag:news.example.com,2013-01-01:"
    assert [line for line in result.stdout.splitlines() if ": id: " in line] == [
        f"{root}/world/bad-tag.md: id: warning: 'tag:news.example.com,2013:a#b#c' is published as "
        f"'{site}tag:news.example.com,2013:a%23b%23c': it is not a valid tag: URI (RFC 4151) or URN, so it is "
        "placed inside the site's tag URI; feed readers know the story by that",
        f"{root}/world/escaped.md: id: warning: 'https://news.example.com/world/a[1]' is published as "
        "'https://news.example.com/world/a%5B1%5D': the story's url, escaped as RFC 3986 requires "
        "('[', ']' or a second '#'); feed readers know the story by that",
        f"{root}/world/not-its-url.md: id: warning: 'https://old.example.com/story/1' is published as "
        f"'{site}https://old.example.com/story/1': it is not the story's url, so it is placed inside the site's "
        "tag URI; feed readers know the story by that",
    ]
    assert result.stdout.strip().endswith("0 errors, 3 warnings")
