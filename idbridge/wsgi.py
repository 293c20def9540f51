import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "idbridge.settings")
application = get_wsgi_application()


def _import_the_views() -> None:
    """Import the URLconf and every view now rather than on the first request: under
    gunicorn's ``preload_app`` (idbridge/gunicorn_conf.py) the workers are forked with
    them loaded. Touches no database."""
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 - the import is the point


_import_the_views()
