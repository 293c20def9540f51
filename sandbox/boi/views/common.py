"""What every BOI tool page shares: the two permissions and the page context."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

VIEW = "core.view_sandbox"
MANAGE = "core.manage_sandbox"


def can_manage(request) -> bool:
    return request.user.has_perm(MANAGE)


def require_manage(request) -> None:
    if not can_manage(request):
        raise PermissionDenied


def page_context(request, section: str, **extra) -> dict:
    return {"section": section, "boi_section": section, "can_manage": can_manage(request), **extra}
