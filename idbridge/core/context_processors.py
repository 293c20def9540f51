from functools import cache

from django.urls import get_script_prefix, reverse

from idbridge.core.mail import is_outbox_mode

# (label, url name, permission needed to see the section)
SECTIONS = [
    ("Onboarding", "staff:index", "core.view_onboarding"),
    ("Step-up", "stepup:index", "core.view_stepup"),
    ("Business Office", "boi:index", "core.view_boi"),
    ("Audit", "audit:list", "core.view_audit"),
    ("Outbox", "core:outbox", "core.view_outbox"),
    ("Dashboard access", "stepup:dashboard_access", "core.manage_roles"),
    ("Campus sandbox", "campus:index", "core.view_sandbox"),
]


def sections_for(user) -> list[tuple[str, str, str]]:
    """The dashboard sections ``user`` may open. The outbox exists only in the outbox's
    evaluation mode: with real mail, no page shows what was sent."""
    return [
        (label, name, perm)
        for label, name, perm in SECTIONS
        if user.has_perm(perm) and (name != "core:outbox" or is_outbox_mode())
    ]


def evaluation_mode(request):
    """Every page says so while mail lands in the outbox instead of people's mailboxes."""
    return {"outbox_mode": is_outbox_mode()}


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_sections": []}
    current = request.path
    urls = section_urls(get_script_prefix())
    sections = []
    for label, name, _perm in sections_for(user):
        url = urls[name]
        sections.append({"label": label, "url": url, "current": current.startswith(url)})
    return {"nav_sections": sections}


@cache
def section_urls(script_prefix: str) -> dict[str, str]:
    """Each section's address (reversed once per mount point, not on every page)."""
    return {name: reverse(name) for _label, name, _perm in SECTIONS}
