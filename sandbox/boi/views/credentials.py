"""API Credentials: the BOI clients, their secrets, and the API description to read."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from idbridge.core.access import permission_required
from sandbox.boi import openapi
from sandbox.boi.views.common import MANAGE, VIEW, page_context
from sandbox.models import BOI_SCOPE, ApiClient
from sandbox.services import clients as client_services


def _boi_endpoints(request, client: ApiClient) -> dict:
    base = request.build_absolute_uri("/").rstrip("/")
    return {
        "token_url": base + client_services.TOKEN_PATH.format(app=client.app_name),
        "base_url": base + "/sandbox/campus/api/boi/v1/",
        "docs_url": base + reverse("campus:boi_openapi"),
    }


def _credentials_page(request, *, shown=None, status=200):
    clients = [
        (client, _boi_endpoints(request, client))
        for client in ApiClient.objects.select_related("application").order_by("name")
        if BOI_SCOPE in client.scope_list
    ]
    return render(
        request,
        "sandbox/boi/credentials.html",
        page_context(request, "boi", clients=clients, shown=shown),
        status=status,
    )


@permission_required(VIEW)
def credentials(request):
    return _credentials_page(request)


@permission_required(MANAGE)
@require_POST
def credentials_create(request):
    name = request.POST.get("name", "").strip() or "Business Office"
    try:
        client, creds = client_services.api_client_create(
            name=name, scopes=BOI_SCOPE, actor=request.user
        )
    except client_services.ClientError as exc:
        messages.error(request, str(exc))
        return redirect("campus:boi_credentials")
    return _credentials_page(
        request, shown={"client_id": client.pk, "secret": creds["client_secret"]}
    )


@permission_required(MANAGE)
@require_POST
def credentials_rotate(request, pk: int):
    client = get_object_or_404(ApiClient, pk=pk)
    secret = client_services.api_client_rotate_secret(client=client, actor=request.user)
    return _credentials_page(request, shown={"client_id": client.pk, "secret": secret})


def _endpoints(description: dict) -> list[dict]:
    return [
        {
            "method": method.upper(),
            "path": path,
            "summary": operation.get("summary", ""),
            "description": operation.get("description", ""),
            "parameters": operation.get("parameters", []),
            "responses": sorted(operation.get("responses", {}).items()),
        }
        for path, operations in description["paths"].items()
        for method, operation in operations.items()
    ]


@permission_required(VIEW)
def api_docs(request):
    """The OpenAPI description, readable: every endpoint, its parameters and answers."""
    description = openapi.description(request.build_absolute_uri("/").rstrip("/"))
    schemas = description["components"]["schemas"]
    return render(
        request,
        "sandbox/boi/api_docs.html",
        page_context(
            request,
            "boi",
            info=description["info"],
            endpoints=_endpoints(description),
            staff_fields=sorted(schemas["Staff"]["properties"]),
            address_note=schemas["Address"]["description"],
            household_note=schemas["Household"]["description"],
            json_url=reverse("campus:boi_openapi"),
        ),
    )
