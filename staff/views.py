import json
from datetime import timedelta
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from idbridge import passkeys, ratelimit
from idbridge.connectors.types import CampusError
from idbridge.core.access import permission_required
from idbridge.core.paging import filter_query
from staff import selectors, services
from staff.forms import (
    CaseSearchForm,
    ConnectionForm,
    ReasonForm,
    RecordCheckForm,
    SupervisedCheckForm,
)
from staff.models import CampusConnection, OnboardingCase, Passkey, StaffMember
from staff.proofing import proofing_status
from staff.transitions import State, allowed_events
from stepup.ceremony import step_up_url
from stepup.subjects import sso_session_end, sso_session_subject, verified_passkey_check_at

SESSION_CASE = "onboarding_case_id"
SESSION_CHALLENGE = "onboarding_passkey_challenge"


# --- The applicant's way (no dashboard account) -------------------------------------------


def _applicant_case(request) -> OnboardingCase:
    case_id = request.session.get(SESSION_CASE)
    if not case_id:
        raise Http404("No onboarding in progress in this browser.")
    return get_object_or_404(OnboardingCase.objects.select_related("staff_member"), id=case_id)


def _problem(request, message: str, status: int):
    return render(request, "staff/applicant/problem.html", {"problem": message}, status=status)


def _too_many(request, case_id=None) -> bool:
    limit = settings.STAFF_CEREMONY_RATE_PER_MINUTE
    ok = ratelimit.hit("onboarding-ip", ratelimit.client_address(request), limit=limit)
    if case_id is not None:
        ok = ratelimit.hit("onboarding-case", str(case_id), limit=limit) and ok
    return not ok


@require_http_methods(["GET", "POST"])
def welcome(request, token):
    # GET only shows a button: mail scanners that prefetch links must not use up the
    # single-use invitation.
    if request.method == "GET":
        return render(request, "staff/applicant/welcome.html")
    if _too_many(request):
        return _problem(request, "Too many attempts. Wait a minute and try again.", 429)
    try:
        case = services.invitation_redeem(token=token)
    except services.OnboardingError as exc:
        return _problem(request, str(exc), 400)
    request.session.cycle_key()
    request.session[SESSION_CASE] = case.id
    return redirect("staff:record_check")


@require_http_methods(["GET", "POST"])
def record_check(request):
    case = _applicant_case(request)
    if case.state == State.LOCKED:
        return _problem(
            request, "Too many attempts: your onboarding is locked. Ask HR to help you.", 403
        )
    if case.record_checked_at:
        return redirect("staff:enroll")
    form = RecordCheckForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if _too_many(request, case.id):
            return _problem(request, "Too many attempts. Wait a minute and try again.", 429)
        if not case.staff_member.birth_date:
            try:
                services.staff_refresh_birth_date(member=case.staff_member)
            except CampusError:
                return _problem(
                    request,
                    "We could not reach Campus to check your record. Try again in a few minutes.",
                    503,
                )
        try:
            ok = services.record_check_submit(
                case=case,
                birth_date=form.cleaned_data["birth_date"].isoformat(),
                staff_number=form.cleaned_data["staff_number"],
            )
        except services.OnboardingError as exc:
            return _problem(request, str(exc), 400)
        if ok:
            return redirect("staff:enroll")
        case.refresh_from_db()
        if case.state == State.LOCKED:
            return redirect("staff:record_check")
        form.add_error(None, "Those details do not match your district record.")
    return render(request, "staff/applicant/record_check.html", {"form": form, "case": case})


@require_GET
def enroll(request):
    case = _applicant_case(request)
    if case.state in (State.ENROLLED, State.VERIFIED):
        return redirect("staff:done")
    if case.record_checked_at is None:
        return redirect("staff:record_check")
    return render(request, "staff/applicant/enroll.html", {"case": case})


@require_POST
def enroll_options(request):
    case = _applicant_case(request)
    if _too_many(request, case.id):
        return JsonResponse(
            {"error": "Too many attempts. Wait a minute and try again."}, status=429
        )
    if case.state != State.PROOFING or case.record_checked_at is None:
        return JsonResponse({"error": "This step is not open."}, status=409)
    member = case.staff_member
    options_json, challenge = passkeys.prepare_registration(
        services.relying_party(),
        user_handle=member.user_handle,
        user_name=member.work_email or member.staff_number or member.display_name,
        display_name=member.display_name,
        exclude_credential_ids=list(
            Passkey.objects.filter(staff_member=member).values_list("credential_id", flat=True)
        ),
    )
    request.session[SESSION_CHALLENGE] = challenge.hex()
    return JsonResponse(json.loads(options_json))


@require_POST
def enroll_verify(request):
    case = _applicant_case(request)
    if _too_many(request, case.id):
        return JsonResponse(
            {"error": "Too many attempts. Wait a minute and try again."}, status=429
        )
    challenge = request.session.pop(SESSION_CHALLENGE, None)
    if not challenge:
        return JsonResponse({"error": "Start again: the passkey request expired."}, status=400)
    try:
        body = json.loads(request.body)
        new = passkeys.verify_registration(
            services.relying_party(), bytes.fromhex(challenge), json.dumps(body["credential"])
        )
        services.passkey_enroll(case=case, new=new, name=str(body.get("name", "")))
    except (ValueError, KeyError, TypeError):
        return JsonResponse({"error": "The browser sent an unreadable answer."}, status=400)
    except (passkeys.PasskeyError, services.OnboardingError) as exc:
        services.case_note(
            case=case, actor=case.staff_member.display_name, note=f"Passkey refused: {exc}"
        )
        return JsonResponse({"error": str(exc)}, status=400)
    return JsonResponse({"next": request.build_absolute_uri("/staff/onboarding/done/")})


@require_GET
def done(request):
    case = _applicant_case(request)
    return render(request, "staff/applicant/done.html", {"case": case})


# --- A verified staff member's own passkeys ----------------------------------------------
# Who they are comes from the IdP's SSO session (a passkey sign-in), not a dashboard login.
# Adding or removing a passkey needs a passkey check younger than
# STAFF_PASSKEY_CHANGE_MAX_AGE_SECONDS: an unattended, signed-in browser is not enough.

SESSION_OWN_CHALLENGE = "own_passkey_challenge"


def _own_member(request) -> StaffMember | None:
    subject = sso_session_subject(request)
    if subject is None:
        return None
    return (
        StaffMember.objects.select_related("case")
        .filter(user_handle=subject.subject_id, case__state=State.VERIFIED)
        .first()
    )


def _own_check_is_fresh(request) -> bool:
    max_age = timedelta(seconds=settings.STAFF_PASSKEY_CHANGE_MAX_AGE_SECONDS)
    return verified_passkey_check_at(request, max_age=max_age) is not None


def _own_url() -> str:
    return reverse("staff:own_passkeys")


def _json_error(message: str, status: int) -> JsonResponse:
    return JsonResponse({"error": message}, status=status)


def _own_gate_json(request):
    """(member, None) when the JSON ceremony may go on, else (None, error response)."""
    member = _own_member(request)
    if member is None:
        return None, _json_error("Sign in with your passkey first.", 401)
    if _too_many(request, member.case.id):
        return None, _json_error("Too many attempts. Wait a minute and try again.", 429)
    if not _own_check_is_fresh(request):
        return None, _json_error("Confirm it's you with a passkey first.", 403)
    return member, None


@never_cache
@require_GET
def own_passkeys(request):
    member = _own_member(request)
    if member is None:
        return redirect(reverse("stepup:authenticate") + "?" + urlencode({"next": _own_url()}))
    return render(
        request,
        "staff/own/passkeys.html",
        {
            "member": member,
            "passkeys": member.passkeys.order_by("disabled_at", "created_at"),
            "active_count": member.passkeys.filter(disabled_at__isnull=True).count(),
            "fresh": _own_check_is_fresh(request),
            "max_age_minutes": max(settings.STAFF_PASSKEY_CHANGE_MAX_AGE_SECONDS // 60, 1),
        },
    )


@require_POST
def own_passkeys_confirm(request):
    """Send the person to a fresh passkey check (step-up mode); it comes back here."""
    member = _own_member(request)
    if member is None:
        return redirect(_own_url())
    return redirect(
        step_up_url(
            request,
            next_url=_own_url(),
            reason="change the passkeys of your district sign-in",
            sp="idbridge",
            email=member.work_email or member.personal_email,
        )
    )


@require_POST
def own_passkey_options(request):
    member, refused = _own_gate_json(request)
    if refused:
        return refused
    options_json, challenge = passkeys.prepare_registration(
        services.relying_party(),
        user_handle=member.user_handle,
        user_name=member.work_email or member.staff_number or member.display_name,
        display_name=member.display_name,
        exclude_credential_ids=list(member.passkeys.values_list("credential_id", flat=True)),
    )
    request.session[SESSION_OWN_CHALLENGE] = challenge.hex()
    return JsonResponse(json.loads(options_json))


@require_POST
def own_passkey_verify(request):
    member, refused = _own_gate_json(request)
    if refused:
        return refused
    challenge = request.session.pop(SESSION_OWN_CHALLENGE, None)
    if not challenge:
        return _json_error("Start again: the passkey request expired.", 400)
    try:
        body = json.loads(request.body)
        new = passkeys.verify_registration(
            services.relying_party(), bytes.fromhex(challenge), json.dumps(body["credential"])
        )
        passkey = services.passkey_add(member=member, new=new, name=str(body.get("name", "")))
    except (ValueError, KeyError, TypeError):
        return _json_error("The browser sent an unreadable answer.", 400)
    except (passkeys.PasskeyError, services.OnboardingError) as exc:
        return _json_error(str(exc), 400)
    messages.success(request, f"Passkey “{passkey.name}” added.")
    return JsonResponse({"next": _own_url()})


@require_POST
def own_passkey_rename(request, passkey_id):
    member = _own_member(request)
    if member is None:
        return redirect(_own_url())
    try:
        services.passkey_rename(
            member=member, passkey_id=passkey_id, name=request.POST.get("name", "")
        )
    except services.OnboardingError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "Passkey renamed.")
    return redirect(_own_url())


@require_POST
def own_passkey_disable(request, passkey_id):
    member = _own_member(request)
    if member is None:
        return redirect(_own_url())
    if not _own_check_is_fresh(request):
        messages.error(request, "Confirm it's you with a passkey before removing one.")
        return redirect(_own_url())
    try:
        passkey = services.passkey_disable_own(member=member, passkey_id=passkey_id)
    except services.OnboardingError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"Passkey “{passkey.name}” removed.")
    return redirect(_own_url())


@require_POST
def own_sign_out(request):
    sso_session_end(request)
    return render(request, "staff/own/signed_out.html")


# --- Dashboard ----------------------------------------------------------------------------


@permission_required("core.view_onboarding")
def index(request):
    form = CaseSearchForm(request.GET or None, states=[s.value for s in State])
    q = state = ""
    if form.is_valid():
        q, state = form.cleaned_data["q"].strip(), form.cleaned_data["state"]
    page = Paginator(selectors.case_list(q=q, state=state), 50).get_page(request.GET.get("page"))
    query = filter_query({"q": q, "state": state})
    return render(
        request,
        "staff/index.html",
        {
            "funnel": selectors.case_funnel(),
            "form": form,
            "page": page,
            "query": query,
            "connections": selectors.connection_list(),
        },
    )


@permission_required("core.view_onboarding")
def case_detail(request, case_id):
    try:
        case = selectors.case_get(case_id)
    except OnboardingCase.DoesNotExist:
        raise Http404 from None
    return render(
        request,
        "staff/case.html",
        {
            "case": case,
            "events": case.events.all(),
            "passkeys": case.staff_member.passkeys.all(),
            "allowed": {e.value for e in allowed_events(case.state)},
            "proofing": proofing_status(case),
            "supervised_form": SupervisedCheckForm(initial={"decision": "approve"}),
            "reason_form": ReasonForm(),
        },
    )


@require_POST
@permission_required("core.manage_onboarding")
def case_action(request, case_id, action):
    case = get_object_or_404(OnboardingCase, id=case_id)
    try:
        if action == "resend":
            _, link = services.invitation_send(
                case=case, actor=request.user, reason="resent from the dashboard"
            )
            messages.success(request, "A new invitation was sent; earlier links no longer work.")
        elif action in ("revoke", "cancel", "reproof"):
            form = ReasonForm(request.POST)
            if not form.is_valid():
                messages.error(request, "Give a reason.")
                return redirect("staff:case", case_id=case.id)
            reason = form.cleaned_data["reason"]
            if action == "reproof":
                services.invitation_send(case=case, actor=request.user, reason=reason, reproof=True)
                messages.success(
                    request,
                    "Re-proofing started: old passkeys are disabled and a new invitation was sent.",
                )
            else:
                services.case_revoke(case=case, actor=request.user, reason=f"{action}: {reason}")
                messages.success(request, "Access revoked.")
        elif action == "supervised":
            form = SupervisedCheckForm(request.POST)
            if not form.is_valid():
                messages.error(request, "Choose the document you inspected.")
                return redirect("staff:case", case_id=case.id)
            services.supervised_check_record(
                case=case,
                actor=request.user,
                approved=form.cleaned_data["decision"] == "approve",
                document=form.cleaned_data["document"],
                note=form.cleaned_data["note"],
            )
            messages.success(request, "Supervised check recorded.")
        else:
            raise Http404
    except services.OnboardingError as exc:
        messages.error(request, str(exc))
    return redirect("staff:case", case_id=case.id)


# --- Campus connections -------------------------------------------------------------------


@permission_required("core.manage_connections")
def connection_edit(request, connection_id=None):
    connection = get_object_or_404(CampusConnection, id=connection_id) if connection_id else None
    form = ConnectionForm(request.POST or None, instance=connection)
    if request.method == "POST" and form.is_valid():
        connection = services.connection_save(form=form, actor=request.user)
        messages.success(request, f"Connection “{connection.name}” saved.")
        return redirect("staff:connection", connection_id=connection.id)
    return render(request, "staff/connection_form.html", {"form": form, "connection": connection})


@permission_required("core.view_onboarding")
def connection_detail(request, connection_id):
    connection = get_object_or_404(CampusConnection, id=connection_id)
    return render(request, "staff/connection.html", {"connection": connection})


@require_POST
@permission_required("core.manage_connections")
def connection_test(request, connection_id):
    connection = get_object_or_404(CampusConnection, id=connection_id)
    ok, message = services.connection_test(connection=connection, actor=request.user)
    (messages.success if ok else messages.error)(request, message)
    return redirect("staff:connection", connection_id=connection.id)


@require_POST
@permission_required("core.manage_onboarding")
def connection_poll(request, connection_id):
    connection = get_object_or_404(CampusConnection, id=connection_id)
    full = request.POST.get("full") == "1"
    accept = request.POST.get("accept_shrink") == "1"
    if accept and not request.user.has_perm("core.manage_connections"):
        raise PermissionDenied
    services.connection_poll_now(
        connection=connection, actor=request.user, full=full or accept, accept_shrink=accept
    )
    messages.success(
        request,
        "Poll started."
        if not accept
        else "Full poll started; missing staff will be deprovisioned.",
    )
    return redirect("staff:connection", connection_id=connection.id)


@require_GET
@permission_required("core.view_onboarding")
def connection_progress(request, connection_id):
    c = get_object_or_404(CampusConnection, id=connection_id)
    return JsonResponse(
        {
            "polling": c.is_polling,
            "done": c.poll_done,
            "total": c.poll_total,
            "status": c.get_status_display(),
            "last_error": c.last_error,
            "last_poll_at": c.last_poll_at.isoformat() if c.last_poll_at else None,
            "counts": c.last_poll_counts,
        }
    )
