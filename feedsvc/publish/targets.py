"""`feedsvc check --targets`: what the big feed consumers will reject or show badly, per story and per
feed, from their published requirements. Advice, not errors: nothing here keeps a story out.

Rules (each finding names the consumer and the rule):
- Microsoft Start: photos at least 720 px on the long side, aspect ratio 0.5–1.89 (width ÷ height);
  only stories with a photo are published automatically; headlines of 20–150 characters.
- Flipboard: photos at least 400 px on the short side; summaries of at least 300 characters.
- Google News: a feed of at most 2 MB; at most 60 new stories between two fetches.
- Every consumer: a photo needs a caption and a credit.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from datetime import datetime

from ..model import Article
from .prepared import BodyUnread
from .publisher import Publisher

MICROSOFT, FLIPBOARD, GOOGLE, EVERYONE = "Microsoft Start", "Flipboard", "Google News", "All consumers"
GOOGLE_NEWS_MAX_BYTES = 2_000_000
GOOGLE_NEWS_MAX_NEW = 60


@dataclass(frozen=True)
class Finding:
    where: str  # a store file or a feed path
    consumer: str
    rule: str

    def __str__(self) -> str:
        return f"{self.where}: {self.consumer}: {self.rule}"


def story_findings(article: Article, summary: str, where: str) -> list[Finding]:
    found: list[Finding] = []

    def add(consumer: str, rule: str) -> None:
        found.append(Finding(where, consumer, rule))

    length = len(article.title)
    if not 20 <= length <= 150:
        add(MICROSOFT, f"headline is {length} characters; 20–150 are accepted")
    if len(summary) < 300:
        add(
            FLIPBOARD,
            f"summary is {len(summary)} characters; at least 300 are expected "
            "(write a longer `summary:` or a longer opening)",
        )
    photo = article.photo
    if photo is None:
        add(MICROSOFT, "no photo; only stories with a photo are published automatically")
        return found
    if photo.width and photo.height:
        long_side, short_side, ratio = (
            max(photo.width, photo.height),
            min(photo.width, photo.height),
            photo.width / photo.height,
        )
        size = f"{photo.width}×{photo.height} px"
        if long_side < 720:
            add(MICROSOFT, f"photo is {size}; at least 720 px on the long side is recommended")
        if not 0.5 <= ratio <= 1.89:
            add(MICROSOFT, f"photo is {size} (aspect ratio {ratio:.2f}); outside 0.5–1.89 it may not display well")
        if short_side < 400:
            add(FLIPBOARD, f"photo is {size}; at least 400 px on the short side is expected")
    else:
        add(EVERYONE, "photo size is unknown; give width and height so consumers can use it")
    if not photo.caption:
        add(EVERYONE, "photo has no caption")
    if not photo.credit:
        add(EVERYONE, "photo has no credit")
    return found


def feed_findings(publisher: Publisher, now: datetime) -> list[Finding]:
    found: list[Finding] = []
    snapshot = publisher.store.snapshot
    window = publisher.policy.max_age
    for key in publisher.feed_keys(snapshot, now):
        document = publisher.document(key.path, now)
        trimmed = publisher.trimmed.get(key.path)
        if trimmed is not None:
            full_size, dropped = trimmed
            found.append(
                Finding(
                    key.path,
                    GOOGLE,
                    f"would be {full_size:,} bytes; {dropped} stor"
                    f"{'y was' if dropped == 1 else 'ies were'} left out to stay under "
                    f"{publisher.feeds.max_feed_bytes:,} bytes",
                )
            )
        elif document is not None and document.size > GOOGLE_NEWS_MAX_BYTES:
            found.append(Finding(key.path, GOOGLE, f"is {document.size:,} bytes; the limit is 2 MB"))
        if key.format != "rss":
            continue  # the same stories in every format: say it once
        times = snapshot.timeline(key.scope).visible_times(now)  # oldest first
        busiest = max((bisect.bisect_right(times, t + window) - i for i, t in enumerate(times)), default=0)
        if busiest > GOOGLE_NEWS_MAX_NEW:
            found.append(
                Finding(
                    key.path.removesuffix("rss.xml") or "(all sections)",
                    GOOGLE,
                    f"{busiest} stories were published within {window} s (one polling interval); "
                    f"at most {GOOGLE_NEWS_MAX_NEW} new stories are read per fetch",
                )
            )
    return found


def findings(publisher: Publisher, now: datetime) -> list[Finding]:
    """Every finding for the stories visible at `now` and for the subscription feeds."""
    snapshot = publisher.store.snapshot
    found: list[Finding] = []
    for article in sorted(snapshot.by_id.values(), key=lambda a: a.path):
        if not article.visible_at(now):
            continue
        try:
            prepared = publisher.prepared(article)
        except BodyUnread:  # its file changed since the store read it: judged by what the store holds
            prepared = None
        summary = prepared.summary if prepared else (article.summary or "")
        found += story_findings(article, summary, publisher.store.display_root + article.path)
    return found + feed_findings(publisher, now)
