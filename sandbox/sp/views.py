"""The Campus portal (sandbox): who you are, and three pages that need a fresh step-up.

A sensitive page with no step-up assertion, one of another class, or one older than the
page's limit sends a new AuthnRequest (``campus.sp.saml_views.LoginView``). Its form (a
simulated change) is accepted only while the step-up is still young enough: checked
again on POST, server side.
"""

from __future__ import annotations

import logging

from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from sandbox.sp.pages import PAGES, freshness
from sandbox.sp.saml_views import login_url, portal_path
from sandbox.sp.session import (
    change_record,
    changes_list,
    portal_user,
    step_up_get,
    with_portal_session,
)

log = logging.getLogger("idbridge.connectors.sp")

# How the portal names the attributes idbridge releases (pysaml2's friendly names).
ATTRIBUTE_LABELS = {
    "employeeNumber": "Staff number",
    "mail": "Email",
    "givenName": "Given name",
    "sn": "Surname",
    "displayName": "Display name",
    "eduPersonAffiliation": "Affiliation",
    "urn:idbridge:attribute:campus-person-id": "Campus person ID",
    "urn:idbridge:attribute:campus-roles": "Campus roles",
}


def attribute_rows(attributes: dict[str, list[str]]) -> list[dict]:
    return [
        {"name": name, "label": ATTRIBUTE_LABELS.get(name, name), "values": values}
        for name, values in sorted(
            attributes.items(), key=lambda item: ATTRIBUTE_LABELS.get(item[0], item[0])
        )
    ]


def _nav(current: str) -> list[dict]:
    items = [{"key": "portal", "title": "Portal", "url": portal_path()}]
    items += [
        {"key": p.key, "title": p.title, "url": reverse(f"campus:sp_{p.key}")}
        for p in PAGES.values()
    ]
    for item in items:
        item["current"] = item["key"] == current
    return items


@require_GET
@never_cache
@with_portal_session
def portal(request):
    user = portal_user(request.saml_session)
    if user is None:
        return redirect(login_url(portal_path()))
    now = timezone.now()
    pages = []
    for page in PAGES.values():
        record = step_up_get(request.saml_session, page.key)
        pages.append(
            {
                "page": page,
                "url": reverse(f"campus:sp_{page.key}"),
                "record": record,
                "state": freshness(page, record.step_up if record else None, now),
            }
        )
    return render(
        request,
        "sandbox/sp/portal.html",
        {
            "nav": _nav("portal"),
            "portal": user,
            "attributes": attribute_rows(user.attributes),
            "pages": pages,
            "changes": changes_list(request.saml_session),
        },
    )


@require_http_methods(["GET", "POST"])
@never_cache
@with_portal_session
def sensitive_page(request, page_key: str):
    page = PAGES[page_key]
    here = reverse(f"campus:sp_{page.key}")
    session = request.saml_session
    user = portal_user(session)
    record = step_up_get(session, page.key)
    now = timezone.now()
    state = freshness(page, record.step_up if record else None, now)
    context = {
        "nav": _nav(page.key),
        "portal": user,
        "page": page,
        "record": record,
        "state": state,
        "attributes": attribute_rows(record.attributes) if record else [],
        "here": here,
        "recheck_url": login_url(here),
    }
    if request.method == "POST":
        if user is None or not state.fresh:
            # Server side: the form is worth nothing once the check is too old.
            log.info("campus portal change refused", extra={"page": page.key, "why": state.reason})
            return render(request, "sandbox/sp/page_stale.html", context, status=403)
        change_record(session, page_title=page.title, done=page.done, at=now, by=user.display_name)
        log.info("campus portal simulated change", extra={"page": page.key})
        return render(request, "sandbox/sp/page.html", {**context, "done": True})
    if user is None or not state.fresh:
        return redirect(login_url(here))
    return render(request, "sandbox/sp/page.html", context)


@require_GET
@never_cache
@with_portal_session
def signed_out(request):
    return render(
        request,
        "sandbox/sp/signed_out.html",
        {"idp": request.GET.get("idp", ""), "portal_url": portal_path()},
    )
