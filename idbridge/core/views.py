from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render, resolve_url
from django.template.loader import render_to_string
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET

from idbridge.celery import app as celery_app
from idbridge.core import breakglass, gates, selectors
from idbridge.core.access import permission_required, safe_next_url
from idbridge.core.context_processors import sections_for
from idbridge.core.forms import OutboxFilterForm
from idbridge.core.mail import is_outbox_mode
from idbridge.core.models import OutboxMessage
from idbridge.core.paging import (
    filter_query,
    html_rows,
    keyset_page_for,
    url_for_each,
)
from idbridge.core.refusals import login_audited_by_caller
from idbridge.core.status import panels_for
from idbridge.core.times import local_time


@login_required
def home(request):
    """Status at a glance: alerts, then each app's panel (``idbridge.core.status``)."""
    context = {"has_role": bool(sections_for(request.user)), **_status(request.user)}
    return render(request, "core/home.html", context)


@login_required
@require_GET
@never_cache
def status_json(request):
    """The home page's status, rendered, for its script to swap in without a reload."""
    html = render_to_string("core/_status.html", _status(request.user), request=request)
    return JsonResponse({"html": html, "at": timezone.now().isoformat()})


def csrf_failure(request, reason=""):
    """A form posted without its CSRF token (stale, or sent from another site): refused
    in words, nothing changed. ``reason`` is Django's, for developers; not shown."""
    return render(request, "403_csrf.html", status=403)


def _status(user) -> dict:
    panels = panels_for(user)
    return {"panels": panels, "alerts": [a for p in panels for a in p.alerts]}


@require_GET
@never_cache
def healthz(request):
    checks = {"database": _check_database(), "broker": _check_broker()}
    healthy = all(v == "ok" for v in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "fail", **checks}, status=200 if healthy else 503
    )


def _check_database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        return "ok"
    except Exception as exc:  # noqa: BLE001 - report any failure as unhealthy
        return f"error: {type(exc).__name__}"


def _check_broker() -> str:
    try:
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        return "ok"
    except Exception as exc:  # noqa: BLE001
        return f"error: {type(exc).__name__}"


def _outbox_gate() -> None:
    """With real mail configured the outbox is gone: messages kept from an evaluation
    period (invitation links among them) are not shown to anyone."""
    if not is_outbox_mode():
        raise Http404("Mail is sent by the mail server; nothing is kept here.")


OUTBOX_PER_PAGE = 25


@permission_required("core.view_outbox")
def outbox(request):
    _outbox_gate()
    form = OutboxFilterForm(request.GET or None)
    filters = {"q": "", "since": None, "until": None}
    if form.is_valid():
        filters = {name: form.cleaned_data[name] for name in filters}
        filters["q"] = filters["q"].strip()
    page = keyset_page_for(request, selectors.outbox_list(**filters), size=OUTBOX_PER_PAGE)
    query = filter_query({k: v.isoformat() if v and k != "q" else v for k, v in filters.items()})
    context = {"page": page, "rows": outbox_rows(page), "form": form, "query": query}
    return render(request, "core/outbox.html", context)


def outbox_rows(page) -> str:
    """The outbox's rows as HTML, made here rather than row by row in the template."""
    message_url = url_for_each("core:outbox_message")
    shown = selectors.outbox_shown(m["id"] for m in page) if page else {}
    return html_rows(
        '<tr><td>{}</td><td>{}</td><td><a href="{}">{}</a></td></tr>',
        (
            (
                local_time(m["created_at"]),
                ", ".join(shown[m["id"]]["to"]),
                message_url(m["id"]),
                shown[m["id"]]["subject"],
            )
            for m in page
            if m["id"] in shown  # deleted since the page was read
        ),
    )


@permission_required("core.view_outbox")
def outbox_message(request, pk):
    _outbox_gate()
    message = get_object_or_404(OutboxMessage, pk=pk)
    return render(request, "core/outbox_message.html", {"message": message})


@never_cache
@sensitive_post_parameters("password", "totp")
def break_glass(request):
    """The recovery sign-in: break-glass account name, password and TOTP code."""
    error = ""
    if request.method == "POST":
        username = (request.POST.get("username") or "").strip()
        if not breakglass.attempt_allowed(request, username):
            error = "Too many attempts. Wait an hour, then try again."  # the refusals were audited
        else:
            user = authenticate(
                request,
                username=username,
                password=request.POST.get("password") or "",
                totp=request.POST.get("totp") or "",
            )
            if user is not None:
                # Audited once, as dashboard.break_glass_signed_in (with the alert).
                login_audited_by_caller(request, user, backend=breakglass.BACKEND)
                breakglass.break_glass_used(request, user)
                next_url = safe_next_url(request, request.POST.get("next"))
                return redirect(next_url or resolve_url(settings.LOGIN_REDIRECT_URL))
            error = "That name, password and code do not match a break-glass account."
            breakglass.break_glass_refused_record(request, username, "wrong password or code")
    return render(
        request,
        "registration/break_glass.html",
        {
            "error": error,
            "next": safe_next_url(request, request.POST.get("next"))
            or safe_next_url(request, request.GET.get("next"))
            or "",
        },
        status=403 if error else 200,
    )


@never_cache
@login_required
@sensitive_post_parameters("totp")
def break_glass_confirm(request):
    """The break-glass account's check for one administrative act: a fresh code from its
    authenticator app (it has no passkey by design; ``idbridge.core.gates``)."""
    if not gates.is_break_glass(request.user):
        raise Http404("Only the break-glass account confirms acts with a code.")
    action = request.GET.get("act", "")
    act = gates.act_label(action)
    if not act:
        raise Http404("There is no such administrative act.")
    next_url = safe_next_url(request, request.GET.get("next")) or resolve_url("core:home")
    error = ""
    if request.method == "POST":
        if not breakglass.attempt_allowed(request, request.user.username):
            error = "Too many attempts. Wait an hour, then try again."
        elif breakglass.break_glass_act_confirm(
            request, request.user, action=action, act=act, code=request.POST.get("totp") or ""
        ):
            gates.break_glass_act_allow(request, action)
            return redirect(next_url)
        else:
            error = "That code was not accepted. Wait for the next code and type it."
    context = {"act": act, "error": error, "next": next_url}
    return render(request, "core/break_glass_confirm.html", context, status=403 if error else 200)
