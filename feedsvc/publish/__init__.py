"""A public path → its rendered document: the Publisher (paths, the document cache with its bounded
part for archives, headers), the document plans (feeds, pages, the OPML list: which stories each
shows, with what links, kept under `max_feed_bytes`), archives (RFC 5005), photos served from the
store, and the rules of the big feed consumers (`check --targets`).

Decides what each document shows and when it changes; the only layer that joins a store snapshot to
the renderers. May import `store`, `render`, `model` and `paths`; never the doors. It is handed its settings
(`publish.settings.FeedSettings`, the cache policy, the cold cache's size), never the whole configuration.
"""
