"""The HTTP door: the Flask application, the warm path in front of it, conditional requests
(RFC 9110), WebSub announcements, and the private subscriber statistics page (/_stats/).

Only this package knows about requests and responses; it hands each feed poll to the counter of
`stats`. May import `publish`, `store`, `render`, `stats`, `paths` and `config`; nothing imports it
but `cli` and `wsgi.py`.
"""
