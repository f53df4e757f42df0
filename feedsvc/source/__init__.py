"""One article file, or the site file, → the model, or the named problems that keep it out.

Parsing only: front matter, dates, photos' true size and type, plain-text cleaning. Knows nothing of
folders, feeds or HTTP. May import `feedsvc.model` and `feedsvc.uri`; nothing else of feedsvc.
"""
