"""The WSGI entry point for production servers: `gunicorn -k gthread wsgi:app`."""

import gc

from lis.app import create_app

app = create_app()
# Everything built at start-up (the app, its routes, schemas, the search engine) lives for the
# whole process: keep it out of the garbage collector's scans, which otherwise grow with it.
gc.freeze()
