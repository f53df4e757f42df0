"""One article file, or the site file, → the model, or the named problems that keep it out.

Parsing only: front matter, dates, photos' true size and type, plain-text cleaning, and the Markdown
of a body (which one check of the parse renders; `render` renders it for readers). Knows nothing of
folders, feeds or HTTP. May import `feedsvc.model` and `feedsvc.uri`; nothing else of feedsvc.
"""
