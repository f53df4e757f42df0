"""The HTTP door: the Flask application, the warm path in front of it, conditional requests
(RFC 9110) and WebSub announcements.

Only this package knows about requests and responses. May import `publish`, `store`, `render`,
`paths` and `config`; nothing imports it but `cli` and `wsgi.py`.
"""
