"""A synthetic article store of any size, for benchmarks: deterministic, realistic in shape, small on disk
(photos are remote URLs, so 100,000 stories take a few hundred MB of Markdown, not of images).

Two shapes:
- `newsroom` (the default; issue 17): dates spread over two years (about 24 monthly archives per
  section), bodies of about 600 words with subheadings and links, a remote photo with caption, credit,
  type, length and pixel size on every story, 3 related links, 5 tags, a summary on half of them;
- `compact`: the shape the figures before issue 17 were measured on (three years, 4–8 short
  paragraphs, a photo on two stories of three, a few tags, a related link on one in four), kept so
  those figures (the warm feed, 304s) can be compared across runs.

    python -m bench.synth OUT_DIR --articles 10000 --sections 20 [--shape newsroom|compact] [--flat] [--seed 1]
"""

from __future__ import annotations

import argparse
import hashlib
import random
import shutil
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

WORDS = (
    "council city state report official budget plan river school market health court police "
    "election vote energy housing transit water climate museum festival study research company "
    "workers union season team coach library park street harbor bridge airport county federal "
    "program students teachers families residents neighbors business owners farmers scientists "
    "data survey record week month year morning evening spring summer autumn winter"
).split()
START = datetime(2011, 1, 1, tzinfo=UTC)
CACHE = Path(__file__).resolve().parent / "out" / "stores"  # git-ignored
SPAN_DAYS = 3 * 365
NEWSROOM_SPAN_DAYS = 2 * 365
SHAPES = ("newsroom", "compact")
DEFAULT_SHAPE = "newsroom"


def _sentence(rng: random.Random, low: int = 8, high: int = 22) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(low, high))]
    return " ".join(words).capitalize() + "."


def _paragraph(rng: random.Random) -> str:
    return " ".join(_sentence(rng) for _ in range(rng.randint(2, 5)))


def _body(rng: random.Random, index: int, n: int) -> str:
    paragraphs = [_paragraph(rng) for _ in range(rng.randint(4, 8))]
    words = paragraphs[1].split(" ")
    words[1] = f"**{words[1]}**"
    paragraphs[1] = " ".join(words)
    other = rng.randrange(n)
    paragraphs.insert(2, f"See [an earlier report](https://news.example.com/archive/{other}) and *our coverage*.")
    if index % 5 == 0:
        paragraphs.insert(3, "\n".join(f"- {_sentence(rng, 3, 8)}" for _ in range(3)))
    return "\n\n".join(paragraphs)


def section_slugs(count: int) -> list[str]:
    return [f"section-{i:02d}" for i in range(count)]


def _site_file(root: Path, slugs: list[str]) -> None:
    site = [
        "title: The Synthetic Times",
        "url: https://news.example.com/",
        "language: en-us",
        "timezone: America/New_York",
        "tag_date: 2011-01-01",
        "description: A synthetic store for feedsvc benchmarks.",
        "sections:",
    ]
    for slug in slugs:
        site += [
            f"  - slug: {slug}",
            f"    title: Section {slug[-2:]}",
            f"    description: Stories filed under {slug}.",
        ]
    (root / "_site.yml").write_text("\n".join(site) + "\n", "utf-8")


def generate(
    root: Path, articles: int, sections: int, *, seed: int = 1, flat: bool = False, shape: str = DEFAULT_SHAPE
) -> Path:
    """Write the store; returns its root. Same arguments, same bytes."""
    if shape not in SHAPES:
        raise ValueError(f"shape: {shape!r} is not one of {', '.join(SHAPES)}")
    rng = random.Random(seed)
    root.mkdir(parents=True, exist_ok=True)
    slugs = section_slugs(sections)
    _site_file(root, slugs)
    story = _newsroom_story if shape == "newsroom" else _compact_story
    for index in range(articles):
        relpath = _story_path(index, slugs, flat)
        path = root / relpath
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(story(rng, index, articles, slugs, flat), "utf-8")
    return root


def _front_matter(
    rng: random.Random, index: int, slugs: list[str], span_days: int, tags: Callable[[], str]
) -> list[str]:
    """The front matter every shape starts with: title, section, dates, byline, dateline and tags
    (`tags` draws them, after the dateline, so each shape's stores stay as they were)."""
    section = slugs[index % len(slugs)]
    published = START + timedelta(minutes=rng.randrange(span_days * 24 * 60))
    updated = published + timedelta(hours=rng.randint(1, 48)) if index % 7 == 0 else None
    title = _sentence(rng, 5, 12).rstrip(".")
    lines = ["---", f'title: "{title}"', f"section: {section}", f"published: {published:%Y-%m-%d %H:%M}"]
    if updated:
        lines.append(f"updated: {updated:%Y-%m-%d %H:%M}")
    dateline = f"dateline: {rng.choice(WORDS).upper()}"
    return lines + [f"authors: [Staff Writer {index % 40}]", dateline, f"tags: [{tags()}, synthetic]"]


def _compact_story(rng: random.Random, index: int, articles: int, slugs: list[str], flat: bool) -> str:
    """One story of the `compact` shape (the figures before issue 17)."""
    lines = _front_matter(rng, index, slugs, SPAN_DAYS, lambda: f"{rng.choice(WORDS)}, {rng.choice(WORDS)}")
    if index % 3 != 2:
        lines += [
            "photo:",
            f"  src: https://images.example.com/{index}.jpg",
            "  type: image/jpeg",
            f"  length: {rng.randint(40_000, 400_000)}",
            "  width: 1200",
            "  height: 800",
            f'  caption: "{_sentence(rng, 6, 14)}"',
            "  credit: Synthetic Photo Desk",
        ]
    if index % 4 == 0 and index > 0:
        target = rng.randrange(index)
        lines += [
            "related:",
            f"  - {_story_id(target, slugs, flat)}",
            f'  - title: "{_sentence(rng, 4, 8).rstrip(".")}"',
            f"    url: https://news.example.com/related/{rng.randrange(articles)}",
        ]
    lines.append("---")
    return "\n".join(lines) + "\n" + _body(rng, index, articles) + "\n"


LINK_TEXTS = (
    "the council's report",
    "an earlier story",
    "the full budget",
    "the court filing",
    "our explainer",
    "the survey results",
    "the agency's statement",
    "a map of the area",
    "last year's coverage",
)


def _newsroom_body(rng: random.Random, index: int, n: int) -> str:
    """About 600 words: paragraphs under two or three subheadings, with links, emphasis, and a list in one
    story of five."""
    words_left, paragraphs, headings = 600 + rng.randint(-60, 60), [], rng.randint(2, 3)
    every = max(2, 12 // (headings + 1))
    while words_left > 0:
        if paragraphs and len(paragraphs) % every == 0 and headings:
            paragraphs.append(f"## {_sentence(rng, 3, 6).rstrip('.')}")
            headings -= 1
        paragraph = _paragraph(rng)
        if rng.random() < 0.4:
            sentence = _sentence(rng, 6, 12).rstrip(".")
            paragraph += (
                f" Read [{rng.choice(LINK_TEXTS)}](https://news.example.com/archive/{rng.randrange(n)}) "
                f"for *more* on {sentence.lower()}."
            )
        paragraphs.append(paragraph)
        words_left -= paragraph.count(" ") + 1
    words = paragraphs[0].split(" ")
    words[1] = f"**{words[1]}**"
    paragraphs[0] = " ".join(words)
    if index % 5 == 0:
        paragraphs.insert(3, "\n".join(f"- {_sentence(rng, 3, 8)}" for _ in range(3)))
    return "\n\n".join(paragraphs)


def _newsroom_story(rng: random.Random, index: int, articles: int, slugs: list[str], flat: bool) -> str:
    """One story of the `newsroom` shape (issue 17)."""
    lines = _front_matter(rng, index, slugs, NEWSROOM_SPAN_DAYS, lambda: ", ".join(rng.sample(WORDS, 4)))
    if index % 2 == 0:
        lines.append(f'summary: "{_sentence(rng, 18, 30)} {_sentence(rng, 10, 20)}"')
    lines += [
        "photo:",
        f"  src: https://images.example.com/{index}.jpg",
        "  type: image/jpeg",
        f"  length: {rng.randint(40_000, 400_000)}",
        "  width: 1200",
        "  height: 800",
        f'  caption: "{_sentence(rng, 6, 14)}"',
        "  credit: Synthetic Photo Desk",
    ]
    lines.append("related:")
    if index > 0:
        lines.append(f"  - {_story_id(rng.randrange(index), slugs, flat)}")
    for _ in range(3 if index == 0 else 2):
        lines += [
            f'  - title: "{_sentence(rng, 4, 8).rstrip(".")}"',
            f"    url: https://news.example.com/related/{rng.randrange(articles)}",
        ]
    lines.append("---")
    return "\n".join(lines) + "\n" + _newsroom_body(rng, index, articles) + "\n"


def cached(articles: int, sections: int, *, seed: int = 1, flat: bool = False, shape: str = DEFAULT_SHAPE) -> Path:
    """A generated store under bench/out/stores, reused while this file and the arguments are unchanged
    (writing 100,000 newsroom stories takes about a minute)."""
    tag = hashlib.blake2b(
        Path(__file__).read_bytes() + repr((articles, sections, seed, flat, shape)).encode(), digest_size=4
    ).hexdigest()
    name = f"a{articles}-s{sections}{'-flat' if flat else ''}-{shape}"
    root = CACHE / f"{name}-{tag}"
    done = root / ".complete"  # hidden: not an article
    if not done.exists():
        for stale in CACHE.glob(f"{name}-*"):
            shutil.rmtree(stale, ignore_errors=True)  # made by an older synth.py: 100k stories are 600 MB
        generate(root, articles, sections, seed=seed, flat=flat, shape=shape)
        time.sleep(2.5)  # the store re-reads files modified within 2 s of its last look (as git does)
        done.write_text("")
    return root


def story_files(root: Path, section: str | None = None) -> list[Path]:
    """The store's article files (of one section folder), in path order."""
    return sorted((root / section if section else root).rglob("story-*.md"))


def _story_path(index: int, slugs: list[str], flat: bool) -> str:
    if flat:
        return f"stories/story-{index:06d}.md"
    return f"{slugs[index % len(slugs)]}/{index // 1000:03d}/story-{index:06d}.md"


def _story_id(index: int, slugs: list[str], flat: bool) -> str:
    return _story_path(index, slugs, flat)[:-3]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out", type=Path)
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--sections", type=int, default=20)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--flat", action="store_true", help="every story in one folder")
    parser.add_argument("--shape", choices=SHAPES, default=DEFAULT_SHAPE)
    args = parser.parse_args()
    generate(args.out, args.articles, args.sections, seed=args.seed, flat=args.flat, shape=args.shape)
    print(f"wrote {args.articles} {args.shape} articles in {args.sections} sections to {args.out}")


if __name__ == "__main__":
    main()
