# idbridge production image: gunicorn (web), Celery worker and beat share it.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 VAR_DIR=/var/lib/idbridge
# curl for the health check. Nothing to compile and no XML security package: every
# dependency is a binary wheel (the xmlsec wheel bundles libxmlsec1, and SAML signing and
# encryption run in-process, never through the xmlsec1 program).
RUN apt-get update \
 && apt-get install -y --no-install-recommends curl \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
# pyproject.toml pins every dependency.
COPY . .
RUN pip install --no-cache-dir -e . \
 && useradd --system --home /app idbridge \
 && mkdir -p /var/lib/idbridge && chown idbridge /var/lib/idbridge \
 && STATIC_ROOT=/app/staticfiles SECRET_KEY=build FIELD_ENCRYPTION_KEYS=cHJvZHVjdGlvbi1idWlsZC1vbmx5LWtleS0zMmJ5dGU= \
    python manage.py collectstatic --noinput
USER idbridge
EXPOSE 8000
CMD ["gunicorn", "idbridge.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3"]
