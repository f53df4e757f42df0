"""Names and tags → slugs for addresses (`authors/jose-nunez/`, `tags/mexico/`): Unicode-aware and stable.

A slug is the name folded — case, accents and compatibility forms (NFKD) removed, a few letters
that do not decompose spelt out (ß → ss, ø → o) — with every run of other characters one hyphen.
So "José Núñez" and "Jose Nunez" are one writer, "Mexico", "méxico" and "MEXICO" one tag. A name
with letters that have no such Latin form (Cyrillic, Greek, CJK…) keeps what does fold and adds a
short digest of its folded self, so two such names never share a slug by losing their letters.
The same text always gives the same slug; changing this function moves feeds, so it does not change.
"""

from __future__ import annotations

import functools
import hashlib
import re
import unicodedata

MAX_SLUG = 80  # characters: a path segment people can still read

_SPELT_OUT = str.maketrans(
    {
        "ß": "ss",
        "ẞ": "ss",
        "æ": "ae",
        "Æ": "ae",
        "œ": "oe",
        "Œ": "oe",
        "ø": "o",
        "Ø": "o",
        "đ": "d",
        "Đ": "d",
        "ð": "d",
        "Ð": "d",
        "ł": "l",
        "Ł": "l",
        "þ": "th",
        "Þ": "th",
        "ħ": "h",
        "Ħ": "h",
        "ı": "i",
        "ŋ": "ng",
        "&": " and ",
    }
)
_APOSTROPHES = re.compile("['’ʼ`´]")
_NOT_SLUG = re.compile(r"[^a-z0-9]+")


def fold(text: str) -> str:
    """`text` without case, accents or compatibility forms: what two spellings of one name share."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_SPELT_OUT).casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


@functools.lru_cache(maxsize=1 << 16)  # a store has far fewer names and tags than stories carrying them
def slugify(text: str) -> str:
    """The slug of a byline or a tag ("" only for text without a letter or digit)."""
    folded = _APOSTROPHES.sub("", fold(text))
    words = _NOT_SLUG.sub("-", folded.encode("ascii", "ignore").decode("ascii")).strip("-")
    unfolded = [ch for ch in folded if ch.isalnum() and not ch.isascii()]
    if unfolded:  # letters with no Latin form: a digest keeps such names apart
        digest = hashlib.blake2b(" ".join(folded.split()).encode("utf-8"), digest_size=4).hexdigest()
        words = f"{words[: MAX_SLUG - 9].rstrip('-')}-{digest}" if words else digest
    if len(words) > MAX_SLUG:
        words = words[:MAX_SLUG].rsplit("-", 1)[0] if "-" in words[:MAX_SLUG] else words[:MAX_SLUG]
    return words


def _tokens(name: str) -> list[str]:
    return [t for t in _NOT_SLUG.split(_APOSTROPHES.sub("", fold(name))) if t]


def _one_edit_apart(a: str, b: str) -> bool:
    """One character inserted, removed or replaced turns `a` into `b` (and they differ)."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) > len(b):
        a, b = b, a
    i = 0
    while i < len(a) and a[i] == b[i]:
        i += 1
    return a[i + (len(a) == len(b)) :] == b[i + 1 :]


MIN_TYPO_WORD = 4  # "Jon" and "John", "P." and "R." are as likely two people


def _typo(a: list[str], b: list[str]) -> bool:
    """The same words but one, and that one a letter apart in a word of some length."""
    if len(a) != len(b):
        return False
    differ = [(x, y) for x, y in zip(a, b, strict=True) if x != y]
    return len(differ) == 1 and min(map(len, differ[0])) >= MIN_TYPO_WORD and _one_edit_apart(*differ[0])


def _initialled(a: list[str], b: list[str]) -> bool:
    """ "J. Núñez" beside "José Núñez": same surname and as many names, each first name the other's
    or its initial, at least one of them an initial."""
    if len(a) != len(b) or len(a) < 2 or a[-1] != b[-1]:
        return False
    initial = False
    for x, y in zip(a[:-1], b[:-1], strict=True):
        if x == y:
            continue
        if (len(x) == 1 and y.startswith(x)) or (len(y) == 1 and x.startswith(y)):
            initial = True
            continue
        return False
    return initial


MIN_TYPO_LENGTH = 8  # shorter names one letter apart are as likely two people ("Ann Lee", "Dan Lee")


def look_alike(a: str, b: str) -> str | None:
    """Why two different bylines look like one person spelt two ways, or None. Conservative: the same
    slug once folded, one letter apart in a long name, or one with initials where the other has names."""
    if a == b:
        return None
    slug_a, slug_b = slugify(a), slugify(b)
    if slug_a == slug_b:
        return "the same name once case and accents are set aside"
    tokens_a, tokens_b = _tokens(a), _tokens(b)
    if min(len(slug_a), len(slug_b)) >= MIN_TYPO_LENGTH and _typo(tokens_a, tokens_b):
        return "one letter apart"
    if _initialled(tokens_a, tokens_b):
        return "the same name with initials"
    return None


def look_alikes(names: list[str]) -> list[tuple[str, str, str]]:
    """Pairs (a, b, why) among `names` that `look_alike`, each pair once, a before b in `names`' order.

    Compared within buckets — the slug, the slug less one character, the surname — not every name with
    every other, so a newsroom of thousands of writers is checked in a moment."""
    buckets: dict[str, list[int]] = {}
    for index, name in enumerate(names):
        slug = slugify(name)
        keys = {"=" + slug}
        if len(slug) >= MIN_TYPO_LENGTH:
            keys.add("~" + slug)
            keys.update("~" + slug[:i] + slug[i + 1 :] for i in range(len(slug)))  # one deletion each
        tokens = _tokens(name)
        if len(tokens) >= 2:
            keys.add(f"@{len(tokens)}:{tokens[-1]}")
        for key in keys:
            buckets.setdefault(key, []).append(index)
    found: dict[tuple[int, int], str] = {}
    for members in buckets.values():
        for i, first in enumerate(members):
            for second in members[i + 1 :]:
                pair = (min(first, second), max(first, second))
                if pair not in found:
                    why = look_alike(names[pair[0]], names[pair[1]])
                    if why is not None:
                        found[pair] = why
    return [(names[a], names[b], why) for (a, b), why in sorted(found.items())]
