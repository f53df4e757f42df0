"""Production entry point: `gunicorn wsgi:app`, with the shipped gunicorn.conf.py (see README).

`feedsvc serve` runs the same app under the same settings without this file."""

from feedsvc.serve.production import wsgi_app

app = wsgi_app()
