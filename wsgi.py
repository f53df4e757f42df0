"""Production entry point: `gunicorn wsgi:app` (see README for worker settings)."""
import logging

from feedsvc.serve.app import create_app

logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
app = create_app()
