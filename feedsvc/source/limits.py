"""How long a story's fields and lists may be: generous for a newsroom, small enough that one story
cannot fill a feed.

Without them a 700 KB caption made every feed the story was in 2 MB over its limit, and the feeds
were published with no items at all. A text over its limit is cut at a word with "…", a list keeps its
first items, and both are warnings; a URL or id cannot be cut, so one over its limit is a problem of
its field. The whole front matter is bounded too (frontmatter.MAX_VALUES, MAX_CHARACTERS).

What consumers take, for scale: Microsoft Start wants headlines of 20–150 characters; Flipboard a
summary of at least 300; sitemaps (Google News' included) and most browsers URLs under 2,048
characters; RFC 5321 an email address of at most 254.
"""

from __future__ import annotations

# plain text, in characters (after markup and surplus spaces are removed)
TITLE = 300  # a headline, and a related link's title
SUMMARY = 2_000
CAPTION = 1_000  # a photo's caption, and its alt text
CREDIT = 300
DATELINE = 200
TAG = 100
AUTHOR = 200  # an author's name

# lists, in items
TAGS = 50
AUTHORS = 20
RELATED = 20

# what cannot be cut: over these it is a problem of its field
URL = 2_000  # any URL, and a story's id
EMAIL = 254
