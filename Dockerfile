# idbridge production image: gunicorn (web), Celery worker and beat share it.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 VAR_DIR=/var/lib/idbridge HOST=0.0.0.0 PORT=8000
# curl for the health check. Nothing to compile and no XML security package: every
# dependency is a binary wheel (the xmlsec wheel bundles libxmlsec1, and SAML signing and
# encryption run in-process, never through the xmlsec1 program).
RUN apt-get update \
 && apt-get install -y --no-install-recommends curl \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
# pyproject.toml pins every dependency.
COPY . .
# collectstatic loads the settings, which prepare a VAR_DIR (broker folders, keys): give it
# a throwaway one, so that nothing under the real VAR_DIR is created by root. The real
# VAR_DIR belongs to the app user (a volume mounted there starts with that owner).
RUN pip install --no-cache-dir -e . \
 && useradd --system --home /app idbridge \
 && VAR_DIR=/tmp/build-var STATIC_ROOT=/app/staticfiles SECRET_KEY=build \
    FIELD_ENCRYPTION_KEYS=cHJvZHVjdGlvbi1idWlsZC1vbmx5LWtleS0zMmJ5dGU= \
    python manage.py collectstatic --noinput \
 && rm -rf /tmp/build-var \
 && mkdir -p /var/lib/idbridge \
 && chown -R idbridge:idbridge /var/lib/idbridge \
 && chmod 0700 /var/lib/idbridge
USER idbridge
VOLUME /var/lib/idbridge
EXPOSE 8000
# Workers and threads follow the container's cores and memory: idbridge/gunicorn_conf.py.
CMD ["gunicorn", "idbridge.wsgi:application", "-c", "python:idbridge.gunicorn_conf"]
