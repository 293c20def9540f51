"""The step-up dashboard (``/stepup/``) and the sign-in placeholder."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from idbridge.audit.words import lines_in_words
from idbridge.core.access import permission_required
from idbridge.core.edits import EditConflict
from idbridge.core.gates import act_gate, waiting_form
from idbridge.core.paging import filter_query
from stepup import selectors
from stepup.forms import (
    MetadataReplaceForm,
    ServiceProviderAddForm,
    ServiceProviderForm,
    StepUpPolicyForm,
)
from stepup.gates import admin_policies
from stepup.policy import STEPUP_CLASS_REFS, SUPPORTED_CLASS_REFS
from stepup.runtime import endpoint_url, idp_entity_id
from stepup.services.policies import (
    admin_act_policy_set,
    step_up_policy_create,
    step_up_policy_delete,
    step_up_policy_update,
)
from stepup.services.service_providers import (
    service_provider_delete,
    service_provider_register,
    service_provider_replace_metadata,
    service_provider_update,
)
from stepup.services.signing_keys import signing_key_promote, signing_key_rollover

VIEW = "core.view_stepup"
MANAGE = "core.manage_stepup"
# The administrative acts of this dashboard (stepup.gates.ADMIN_POLICIES): each POST
# that changes them asks for a fresh check first (idbridge.core.gates).
KEY_CHANGE = "key-change"
SP_CHANGE = "sp-change"
POLICY_CHANGE = "policy-change"


@require_GET
@permission_required(VIEW)
def index(request):
    waiting_form(request)  # a key rollover or promotion that waited for the check
    return render(
        request,
        "stepup/index.html",
        {
            "entity_id": idp_entity_id(),
            "metadata_url": endpoint_url("metadata"),
            "sso_redirect_url": endpoint_url("sso_redirect"),
            "sso_post_url": endpoint_url("sso_post"),
            "slo_url": endpoint_url("slo_redirect"),
            "keys": selectors.signing_key_list(),
            "sps": selectors.service_provider_list(),
            "policies": selectors.step_up_policy_list(),
            "class_refs": SUPPORTED_CLASS_REFS,
            "stepup_class_refs": STEPUP_CLASS_REFS,
            "can_manage": request.user.has_perm(MANAGE),
        },
    )


# --- keys -------------------------------------------------------------------------------


@require_POST
@permission_required(MANAGE)
def key_rollover(request):
    if refused := act_gate(request, KEY_CHANGE, back=reverse("stepup:index")):
        return refused
    try:
        key = signing_key_rollover(actor=request.user)
        messages.success(request, f"Next key {key.fingerprint[:23]}… is now in the metadata.")
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    return redirect("stepup:index")


@require_POST
@permission_required(MANAGE)
def key_promote(request):
    if refused := act_gate(request, KEY_CHANGE, back=reverse("stepup:index")):
        return refused
    try:
        key = signing_key_promote(actor=request.user)
        messages.success(request, f"Key {key.fingerprint[:23]}… now signs every assertion.")
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    return redirect("stepup:index")


# --- service providers -------------------------------------------------------------------


@require_GET
@permission_required(VIEW)
def sp_list(request):
    return render(
        request,
        "stepup/sp_list.html",
        {"sps": selectors.service_provider_list(), "can_manage": request.user.has_perm(MANAGE)},
    )


@require_http_methods(["GET", "POST"])
@permission_required(MANAGE)
def sp_add(request):
    data = request.POST if request.method == "POST" else waiting_form(request)
    form = ServiceProviderAddForm(data, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        if refused := _sp_gate(request, form, reverse("stepup:sp_add")):
            return refused
        try:
            sp = service_provider_register(
                metadata=form.cleaned_data["metadata"],
                metadata_url=form.cleaned_data["url"],
                actor=request.user,
                **form.options(),
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, f"{sp} is registered.")
            return redirect("stepup:sp_detail", pk=sp.pk)
    return render(request, "stepup/sp_add.html", {"form": form})


@require_http_methods(["GET", "POST"])
@permission_required(VIEW)
def sp_detail(request, pk):
    sp = selectors.service_provider_get(pk)
    can_manage = request.user.has_perm(MANAGE)
    initial = {
        "name": sp.name,
        "require_signed_requests": sp.require_signed_requests,
        "encrypt_assertions": sp.encrypt_assertions,
        "name_id_format": sp.name_id_format,
        "released_attributes": sp.released_attributes,
        "enabled": sp.enabled,
        "seen": sp.updated_at,
    }
    waiting = waiting_form(request) if request.method == "GET" else None
    options = request.POST or (waiting if waiting and "name" in waiting else None)
    form = ServiceProviderForm(options, initial=initial)
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied
        if form.is_valid():
            if refused := act_gate(request, SP_CHANGE, back=request.path):
                return refused
            try:
                service_provider_update(
                    sp=sp, actor=request.user, seen=form.cleaned_data["seen"], **form.options()
                )
            except EditConflict as exc:
                return _edit_conflict(request, exc)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, "Saved.")
                return redirect("stepup:sp_detail", pk=sp.pk)
    return render(
        request,
        "stepup/sp_detail.html",
        {
            "sp": sp,
            "form": form,
            "replace_form": MetadataReplaceForm(waiting if waiting and options is None else None),
            "can_manage": can_manage,
            "fingerprints": [_fp(c) for c in sp.signing_certificates],
            "enc_fingerprints": [_fp(c) for c in sp.encryption_certificates],
        },
    )


def _sp_gate(request, form, back: str):
    """The fresh check for an SP change; metadata from a file waits as its text."""
    data = request.POST.copy()
    if form.cleaned_data.get("metadata_file") is not None:
        data["metadata_xml"] = form.cleaned_data["metadata"].xml
    return act_gate(request, SP_CHANGE, back=back, data=data)


def _fp(pem: str) -> str:
    from stepup.saml.keys import fingerprint

    return fingerprint(pem)


@require_POST
@permission_required(MANAGE)
def sp_replace_metadata(request, pk):
    sp = selectors.service_provider_get(pk)
    form = MetadataReplaceForm(request.POST, request.FILES)
    if form.is_valid():
        if refused := _sp_gate(request, form, reverse("stepup:sp_detail", args=[pk])):
            return refused
        try:
            service_provider_replace_metadata(
                sp=sp,
                metadata=form.cleaned_data["metadata"],
                metadata_url=form.cleaned_data["url"] or None,
                actor=request.user,
            )
        except ValidationError as exc:
            messages.error(request, exc.messages[0])
        else:
            messages.success(request, "The metadata was replaced.")
    else:
        messages.error(request, " ".join(form.non_field_errors()) or "Check the metadata.")
    return redirect("stepup:sp_detail", pk=sp.pk)


@require_http_methods(["GET", "POST"])
@permission_required(MANAGE)
def sp_delete(request, pk):
    sp = selectors.service_provider_get(pk)
    if request.method == "GET":
        waiting_form(request)
    if request.method == "POST":
        if refused := act_gate(request, SP_CHANGE, back=request.path):
            return refused
        service_provider_delete(sp=sp, actor=request.user)
        messages.success(request, f"{sp} was removed.")
        return redirect("stepup:sp_list")
    return render(
        request,
        "stepup/confirm_delete.html",
        {
            "object": sp,
            "kind": "service provider",
            "cancel": reverse("stepup:sp_detail", args=[pk]),
        },
    )


# --- policies ------------------------------------------------------------------------------


@require_GET
@permission_required(VIEW)
def policy_list(request):
    waiting = waiting_form(request) or {}  # an act's max age that waited for the check
    acts = [
        (p, waiting.get("max_age_seconds") if waiting.get("action") == p.action else None)
        for p in admin_policies()
    ]
    return render(
        request,
        "stepup/policy_list.html",
        {
            "policies": selectors.step_up_policy_list(),
            "acts": acts,
            "can_manage": request.user.has_perm(MANAGE),
        },
    )


@require_POST
@permission_required(MANAGE)
def act_policy_edit(request):
    """How fresh the passkey check for one administrative act must be (district admins,
    behind the same fresh check as every policy change)."""
    back = reverse("stepup:policy_list")
    if refused := act_gate(request, POLICY_CHANGE, back=back):
        return refused
    try:
        seconds = int(request.POST.get("max_age_seconds", ""))
    except ValueError:
        messages.error(request, "Give the time in whole seconds.")
        return redirect(back)
    try:
        admin_act_policy_set(
            action=request.POST.get("action", ""), max_age_seconds=seconds, actor=request.user
        )
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    else:
        messages.success(request, "Saved.")
    return redirect(back)


@require_http_methods(["GET", "POST"])
@permission_required(MANAGE)
def policy_add(request):
    data = request.POST if request.method == "POST" else waiting_form(request)
    form = StepUpPolicyForm(data)
    if request.method == "POST" and form.is_valid():
        if refused := act_gate(request, POLICY_CHANGE, back=request.path):
            return refused
        try:
            policy = step_up_policy_create(actor=request.user, **form.changes())
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, f"Policy {policy} was created.")
            return redirect("stepup:policy_list")
    return render(request, "stepup/policy_form.html", {"form": form, "policy": None})


@require_http_methods(["GET", "POST"])
@permission_required(MANAGE)
def policy_edit(request, pk):
    policy = selectors.step_up_policy_get(pk)
    data = request.POST if request.method == "POST" else waiting_form(request)
    form = StepUpPolicyForm(data, instance=policy)
    if request.method == "POST" and form.is_valid():
        if refused := act_gate(request, POLICY_CHANGE, back=request.path):
            return refused
        changes = form.changes()
        # The ModelForm wrote the values onto the instance; the service saves and audits.
        policy.refresh_from_db()
        try:
            step_up_policy_update(
                policy=policy, actor=request.user, seen=form.cleaned_data["seen"], **changes
            )
        except EditConflict as exc:
            return _edit_conflict(request, exc)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, f"Policy {policy} was saved.")
            return redirect("stepup:policy_list")
    return render(request, "stepup/policy_form.html", {"form": form, "policy": policy})


@require_http_methods(["GET", "POST"])
@permission_required(MANAGE)
def policy_delete(request, pk):
    policy = selectors.step_up_policy_get(pk)
    if request.method == "GET":
        waiting_form(request)
    if request.method == "POST":
        if refused := act_gate(request, POLICY_CHANGE, back=request.path):
            return refused
        step_up_policy_delete(policy=policy, actor=request.user)
        messages.success(request, f"Policy {policy} was removed.")
        return redirect("stepup:policy_list")
    return render(
        request,
        "stepup/confirm_delete.html",
        {"object": policy, "kind": "policy", "cancel": reverse("stepup:policy_edit", args=[pk])},
    )


# --- activity (the IdP's part of the audit log) ------------------------------------------


@require_GET
@permission_required(VIEW)
def activity(request):
    filters = {
        name: request.GET.get(name, "").strip()[:200]
        for name in ("kind", "sp", "subject", "since", "until")
    }
    entries = selectors.stepup_activity(**filters).select_related("actor")
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    query = filter_query(filters)
    return render(
        request,
        "stepup/activity.html",
        {
            "page": page,
            "lines": lines_in_words(page),
            "filters": filters,
            "query": query,
            "kinds": [(k, label) for k, (_, label) in selectors.ACTIVITY_KINDS.items()],
        },
    )


def _edit_conflict(request, exc: EditConflict):
    """Someone else saved the record first: the page again, showing what is saved."""
    messages.error(request, exc.message)
    return redirect(request.path)
