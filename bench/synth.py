"""A synthetic article store of any size, for benchmarks: deterministic, realistic in shape, small on disk
(photos are remote URLs, so 100,000 stories take a few hundred MB of Markdown, not of images).

    python -m bench.synth OUT_DIR --articles 10000 --sections 20 [--flat] [--seed 1]
"""
from __future__ import annotations

import argparse
import hashlib
import random
import shutil
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

WORDS = ("council city state report official budget plan river school market health court police "
         "election vote energy housing transit water climate museum festival study research company "
         "workers union season team coach library park street harbor bridge airport county federal "
         "program students teachers families residents neighbors business owners farmers scientists "
         "data survey record week month year morning evening spring summer autumn winter").split()
START = datetime(2011, 1, 1, tzinfo=UTC)
CACHE = Path(__file__).resolve().parent / "out" / "stores"     # git-ignored
SPAN_DAYS = 3 * 365


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


def generate(root: Path, articles: int, sections: int, *, seed: int = 1, flat: bool = False) -> Path:
    """Write the store; returns its root. Same arguments, same bytes."""
    rng = random.Random(seed)
    root.mkdir(parents=True, exist_ok=True)
    slugs = section_slugs(sections)
    site = ["title: The Synthetic Times", "url: https://news.example.com/", "language: en-us",
            "timezone: America/New_York", "tag_date: 2011-01-01",
            "description: A synthetic store for feedsvc benchmarks.", "sections:"]
    for slug in slugs:
        site += [f"  - slug: {slug}", f"    title: Section {slug[-2:]}", f"    description: Stories filed under {slug}."]
    (root / "_site.yml").write_text("\n".join(site) + "\n", "utf-8")
    for index in range(articles):
        section = slugs[index % sections]
        published = START + timedelta(minutes=rng.randrange(SPAN_DAYS * 24 * 60))
        updated = published + timedelta(hours=rng.randint(1, 48)) if index % 7 == 0 else None
        title = _sentence(rng, 5, 12).rstrip(".")
        lines = ["---", f"title: \"{title}\"", f"section: {section}", f"published: {published:%Y-%m-%d %H:%M}"]
        if updated:
            lines.append(f"updated: {updated:%Y-%m-%d %H:%M}")
        lines += [f"authors: [Staff Writer {index % 40}]", f"dateline: {rng.choice(WORDS).upper()}",
                  f"tags: [{rng.choice(WORDS)}, {rng.choice(WORDS)}, synthetic]"]
        if index % 3 != 2:
            lines += ["photo:", f"  src: https://images.example.com/{index}.jpg", "  type: image/jpeg",
                      f"  length: {rng.randint(40_000, 400_000)}", "  width: 1200", "  height: 800",
                      f"  caption: \"{_sentence(rng, 6, 14)}\"", "  credit: Synthetic Photo Desk"]
        if index % 4 == 0 and index > 0:
            target = rng.randrange(index)
            lines += ["related:", f"  - {_story_id(target, slugs, flat)}",
                      f"  - title: \"{_sentence(rng, 4, 8).rstrip('.')}\"",
                      f"    url: https://news.example.com/related/{rng.randrange(articles)}"]
        lines.append("---")
        relpath = _story_path(index, slugs, flat)
        path = root / relpath
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("\n".join(lines) + "\n" + _body(rng, index, articles) + "\n", "utf-8")
    return root


def cached(articles: int, sections: int, *, seed: int = 1, flat: bool = False) -> Path:
    """A generated store under bench/out/stores, reused while this file and the arguments are unchanged
    (writing 100,000 stories takes about half a minute)."""
    tag = hashlib.blake2b(Path(__file__).read_bytes() + repr((articles, sections, seed, flat)).encode(),
                          digest_size=4).hexdigest()
    root = CACHE / f"a{articles}-s{sections}{'-flat' if flat else ''}-{tag}"
    done = root / ".complete"          # hidden: not an article
    if not done.exists():
        for stale in CACHE.glob(f"a{articles}-s{sections}{'-flat' if flat else ''}-*"):
            shutil.rmtree(stale, ignore_errors=True)    # made by an older synth.py: 100k stories are 400 MB
        generate(root, articles, sections, seed=seed, flat=flat)
        time.sleep(2.5)   # the store re-reads files modified within 2 s of its last look (as git does)
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
    args = parser.parse_args()
    generate(args.out, args.articles, args.sections, seed=args.seed, flat=args.flat)
    print(f"wrote {args.articles} articles in {args.sections} sections to {args.out}")


if __name__ == "__main__":
    main()
