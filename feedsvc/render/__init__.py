"""The model → bytes: story HTML, RSS and Atom (the only importer of feedgen), JSON Feed, OPML and
pages for people, and the rendered document with its validators.

Pure: the same inputs give the same bytes; no request, no clock, no file system. May import
`model`, `paths`, `uri`, `source.text`, `source.markdown` and `source.links`; never `store`, `publish` or the doors.
"""
