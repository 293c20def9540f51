from django.urls import reverse

# (label, url name, permission needed to see the section)
SECTIONS = [
    ("Onboarding", "staff:index", "core.view_onboarding"),
    ("Step-up", "stepup:index", "core.view_stepup"),
    ("Business Office", "boi:index", "core.view_boi"),
    ("Audit", "audit:list", "core.view_audit"),
    ("Outbox", "core:outbox", "core.view_outbox"),
    ("Campus sandbox", "campus:index", "core.view_sandbox"),
]


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_sections": []}
    current = request.path
    sections = []
    for label, name, perm in SECTIONS:
        if user.has_perm(perm):
            url = reverse(name)
            sections.append({"label": label, "url": url, "current": current.startswith(url)})
    return {"nav_sections": sections}
