"""Subscriber statistics: how many people read each feed, counted from the feed requests themselves.

Its one job: turn feed polls — served live, or read back from an nginx/Apache log — into daily figures
per feed (what each aggregator says it has, distinct direct readers, polls, 304s, bytes), keep them,
and read them back as a table or a page. What an aggregator's User-Agent reports, the daily salted
hash that stands for a direct reader, the flush off the request path and the storage (SQLite, or
PostgreSQL for several nodes) live here.

May import `paths`, `model` and `words` (it is handed its `settings.StatsSettings`); `serve` and
`cli` import it, never the reverse: it knows nothing of Flask, the store or the renderers.
"""
