"""Access gates for dashboard views."""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.utils.http import url_has_allowed_host_and_scheme


def permission_required(perm: str):
    """Anonymous visitors go to sign-in; signed-in users without ``perm`` get a 403.

    (Django's own decorator sends both to the same place: raise_exception=True gives
    anonymous visitors a 403, False sends users who lack a role round the login loop.)
    """

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not request.user.has_perm(perm):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def safe_next_url(request, url: str | None) -> str | None:
    """``url`` if it stays on this site, else None (a sign-in's or a ceremony's ``next``)."""
    if (
        isinstance(url, str)
        and url
        and url_has_allowed_host_and_scheme(
            url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        return url
    return None
