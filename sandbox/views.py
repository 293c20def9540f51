"""The sandbox dashboard: district, staff, a person's records, API clients, faults."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from idbridge.core.access import permission_required
from idbridge.core.paging import filter_query
from sandbox import faults, selectors
from sandbox.forms import ClientCreateForm, FaultForm
from sandbox.models import ApiClient
from sandbox.services import clients as client_services

MANAGE = "core.manage_sandbox"


def _endpoints(request) -> dict:
    base = request.build_absolute_uri("/").rstrip("/")
    return {
        "wsdl": base + client_services.WSDL_PATH,
        "token": base + client_services.TOKEN_PATH.format(app="<appName>"),
        "oneroster": base + client_services.ONEROSTER_BASE.format(app="<appName>"),
        "openapi": base + reverse("campus:oneroster_openapi"),
    }


@permission_required("core.view_sandbox")
def index(request):
    summary = selectors.district_summary()
    schools = Paginator(selectors.school_list(), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "sandbox/index.html",
        {**summary, "page": schools, "endpoints": _endpoints(request)},
    )


@permission_required("core.view_sandbox")
def staff(request):
    search = request.GET.get("q", "")
    page = Paginator(selectors.staff_list(search), 50).get_page(request.GET.get("page"))
    query = filter_query({"q": search})
    return render(request, "sandbox/staff.html", {"page": page, "search": search, "query": query})


@permission_required("core.view_sandbox")
def person(request, person_id: int):
    subject = selectors.person_detail(person_id)
    return render(request, "sandbox/person.html", {"person": subject})


def _clients_page(request, *, form=None, new_credentials=None, status=200):
    return render(
        request,
        "sandbox/clients.html",
        {
            "clients": selectors.api_client_list(),
            "form": form or ClientCreateForm(),
            "new_credentials": new_credentials,
            "can_manage": request.user.has_perm(MANAGE),
            "endpoints": _endpoints(request),
        },
        status=status,
    )


@permission_required("core.view_sandbox")
def clients(request):
    return _clients_page(request)


@permission_required(MANAGE)
@require_POST
def client_create(request):
    form = ClientCreateForm(request.POST)
    if not form.is_valid():
        return _clients_page(request, form=form, status=400)
    try:
        client, credentials = client_services.api_client_create(
            name=form.cleaned_data["name"],
            app_name=form.cleaned_data["app_name"] or None,
            scopes=form.scopes(),
            actor=request.user,
        )
    except client_services.ClientError as exc:
        form.add_error(None, str(exc))
        return _clients_page(request, form=form, status=400)
    credentials.update(client_services.client_endpoints(client, request.build_absolute_uri("/")))
    return _clients_page(request, new_credentials=credentials)


@permission_required(MANAGE)
@require_POST
def client_secret_rotate(request, pk: int):
    client = get_object_or_404(ApiClient, pk=pk)
    secret = client_services.api_client_rotate_secret(client=client, actor=request.user)
    return _clients_page(
        request,
        new_credentials={
            "name": client.name,
            "client_id": client.application.client_id,
            "client_secret": secret,
        },
    )


@permission_required(MANAGE)
@require_POST
def client_soap_password_rotate(request, pk: int):
    client = get_object_or_404(ApiClient, pk=pk)
    password = client_services.api_client_rotate_soap_password(client=client, actor=request.user)
    return _clients_page(
        request,
        new_credentials={
            "name": client.name,
            "soap_username": client.soap_username,
            "soap_password": password,
        },
    )


@permission_required("core.view_sandbox")
def faults_page(request):
    config = faults.faults_get()
    form = FaultForm(instance=config)
    if request.method == "POST":
        if not request.user.has_perm(MANAGE):
            raise PermissionDenied
        action = request.POST.get("action", "save")
        if action == "save":
            form = FaultForm(request.POST, instance=faults.faults_get())
            if form.is_valid():
                changes = {name: form.cleaned_data[name] for name in FaultForm.Meta.fields}
                faults.faults_set(actor=request.user, **changes)
                messages.success(request, "Fault switches saved.")
                return redirect("campus:faults")
        elif action == "clear":
            faults.faults_clear(actor=request.user)
            messages.success(request, "Every fault is off.")
            return redirect("campus:faults")
        elif action == "reset_counters":
            faults.counters_reset(actor=request.user)
            messages.success(request, "Counters reset.")
            return redirect("campus:faults")
        elif action == "expire_sessions":
            count = faults.sessions_expire_now(actor=request.user)
            messages.success(request, f"{count} sessions and tokens expired.")
            return redirect("campus:faults")
    return render(
        request,
        "sandbox/faults.html",
        {
            "form": form,
            "counters": sorted(faults.counters_get().items()),
            "can_manage": request.user.has_perm(MANAGE),
        },
        status=400 if form.errors else 200,
    )
