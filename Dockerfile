# The LIS app image: gunicorn serving wsgi:app, and `lis worker` from the same image.
# docker-compose.yml runs it next to PostgreSQL and Elasticsearch; see README "Running in
# production".

# --- build: compile the translations, then build the wheel that carries them ---------------------
FROM python:3.11-slim AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
RUN pip install "babel>=2.12,<3"
COPY . .
# The .mo files are build output (not in git): compile them before the wheel is built, so that
# package-data ("translations/**/*") puts them in it.
RUN pybabel compile --use-fuzzy -d lis/translations -D messages \
    && pip wheel --no-deps --wheel-dir /wheels .

# --- run ------------------------------------------------------------------------------------------
FROM python:3.11-slim
# The LIS_* defaults serve a lone `docker run` (SQLite and the embedded engine in the volume);
# docker-compose.yml sets PostgreSQL and Elasticsearch instead. Gunicorn's workers and threads
# per worker come from WEB_CONCURRENCY and GUNICORN_THREADS.
ENV PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    LIS_DATABASE_URL=sqlite:////app/instance/lis.db \
    LIS_INDEX_DIR=/app/instance/index \
    WEB_CONCURRENCY=2 \
    GUNICORN_THREADS=4
# WeasyPrint (the evidence packs' PDF) renders with Pango; DejaVu has the Vietnamese glyphs.
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*
RUN groupadd --system --gid 10001 lis \
    && useradd --system --uid 10001 --gid lis --home-dir /app --no-create-home lis
WORKDIR /app
COPY --from=build /wheels/ /tmp/wheels/
RUN pip install /tmp/wheels/*.whl && rm -rf /tmp/wheels
# `lis db upgrade` looks for the Alembic scripts next to the installed package
# (lis.settings.PROJECT_ROOT / "migrations", i.e. site-packages/migrations): put them there.
COPY migrations/ /usr/local/lib/python3.11/site-packages/migrations/
COPY wsgi.py /app/wsgi.py
RUN mkdir -p /app/instance && chown lis:lis /app/instance
USER lis
VOLUME ["/app/instance"]
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4)"]
# Migrate, then serve. exec: gunicorn becomes PID 1 and gets `docker stop`'s SIGTERM.
# The worker service runs the same image with `lis worker` as its command instead.
CMD ["sh", "-c", "lis db upgrade && exec gunicorn -k gthread --workers \"${WEB_CONCURRENCY}\" --threads \"${GUNICORN_THREADS}\" --bind 0.0.0.0:8000 --access-logfile - wsgi:app"]
