"""The stores the fuzz writes (tests/test_fuzz_store.py): a site file with odd titles and a handful of
article files that are good, bad in a named way (each kind a problem `feedsvc check` must name), or wild
(arbitrary YAML values in known fields), with what each is expected to yield. The articles are drawn
by tests/fuzzarticles.py and tests/fuzzbad.py, from the text of tests/fuzztext.py."""

from __future__ import annotations

from hypothesis import settings
from hypothesis import strategies as st

from .conftest import SITE
from .fuzzarticles import Planned, good_article, wild_article
from .fuzzbad import bad_article
from .fuzztext import odd_text, quoted

# The profile loaded (tests/conftest.py) says how many stores, and whether a failure is shrunk; a
# build per store costs about what serving it does, and covers what serving left, so an eighth as many.
FUZZ = settings()
BUILD_FUZZ = settings(FUZZ, max_examples=max(1, FUZZ.max_examples // 8))


@st.composite
def stores(draw, marker_dir: str) -> tuple[str, list[Planned]]:
    """A site file (odd titles) and a handful of articles: always one or two good ones."""
    site = dict(SITE)
    site["title"] = "Times " + draw(odd_text)
    site["description"] = draw(odd_text)
    site["copyright"] = draw(odd_text)
    # Escapes only: a raw control character makes the whole site file unreadable YAML (articles differ).
    site_text = "\n".join(
        f"{key}: {draw(quoted(value, raw_ok=False))}" for key, value in site.items() if isinstance(value, str)
    )
    site_text += "\nsections:\n" + "\n".join(
        f"  - slug: {s['slug']}\n    title: {s['title']!r}\n"
        f"    description: {draw(quoted(draw(odd_text), raw_ok=False))}"
        for s in SITE["sections"]
    )
    planned = [draw(good_article(i)) for i in range(draw(st.integers(1, 2)))]
    planned += [draw(bad_article(i, f"{marker_dir}/pwned-bad-{i}")) for i in range(draw(st.integers(0, 3)))]
    planned += [draw(wild_article(i, f"{marker_dir}/pwned-wild-{i}")) for i in range(draw(st.integers(0, 4)))]
    return site_text + "\n", planned
