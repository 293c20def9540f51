"""idbridge. Importing the package makes every file the process creates private (umask 077,
``idbridge.vardir``): manage.py, gunicorn, Celery and the demo all import it first."""

from idbridge import vardir

from .celery import app as celery_app

vardir.umask_restrict()

__all__ = ("celery_app",)
