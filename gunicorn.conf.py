"""gunicorn reads this file from the working folder: `gunicorn wsgi:app` runs with the settings
`feedsvc serve` uses, kept in the package (feedsvc/serve/gunicorn_conf.py) so an installed feedsvc
has them too. Command-line options and GUNICORN_CMD_ARGS override them."""

from feedsvc.serve.gunicorn_conf import *  # noqa: F403 — every setting and hook, which gunicorn reads by name
