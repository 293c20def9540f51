"""API clients of the sandbox: a SOAP user plus an OAuth2 client per integration."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from oauth2_provider.generators import generate_client_secret
from oauth2_provider.models import AccessToken, get_application_model

from idbridge.audit.services import audit_record
from sandbox.models import (
    BOI_SCOPE,
    ROSTER_CORE_SCOPE,
    ROSTER_DEMOGRAPHICS_SCOPE,
    ApiClient,
    SoapSession,
)

ONEROSTER_BASE = "/sandbox/campus/api/oneroster/v1p2/{app}/ims/oneroster/rostering/v1p2"
TOKEN_PATH = "/sandbox/campus/oauth2/token?appName={app}"
WSDL_PATH = "/sandbox/campus/services/IdentityService?wsdl"
# A new client may read rosters and demographics and use the Business Office API.
DEFAULT_SCOPES = f"{ROSTER_CORE_SCOPE} {ROSTER_DEMOGRAPHICS_SCOPE} {BOI_SCOPE}"
KNOWN_SCOPES = {ROSTER_CORE_SCOPE, ROSTER_DEMOGRAPHICS_SCOPE, BOI_SCOPE}


class ClientError(ValueError):
    pass


def client_endpoints(client: ApiClient, base_url: str | None = None) -> dict[str, str]:
    base = (base_url or settings.PUBLIC_BASE_URL).rstrip("/")
    return {
        "token_url": base + TOKEN_PATH.format(app=client.app_name),
        "oneroster_base_url": base + ONEROSTER_BASE.format(app=client.app_name),
        "wsdl_url": base + WSDL_PATH,
    }


def client_credentials(
    client: ApiClient, *, client_secret: str, soap_password: str, base_url: str | None = None
) -> dict:
    """What an integration needs to connect (the secrets as given: they are not stored)."""
    return {
        "name": client.name,
        "soap_username": client.soap_username,
        "soap_password": soap_password,
        "client_id": client.application.client_id,
        "client_secret": client_secret,
        "app_name": client.app_name,
        "scopes": client.scopes,
        **client_endpoints(client, base_url),
    }


def api_client_create(
    *, name: str, actor, app_name: str | None = None, scopes: str = DEFAULT_SCOPES
) -> tuple[ApiClient, dict]:
    """Create a SOAP user and an OAuth2 client; returns the client and its credentials.

    The client secret is stored hashed (django-oauth-toolkit) and the SOAP password
    encrypted: the returned credentials are the only time the secret is visible.
    """
    name = name.strip()
    app_name = slugify(app_name or name)
    _check_new_client(name, app_name, scopes)
    client_secret = generate_client_secret()
    soap_password = secrets.token_urlsafe(18)
    with transaction.atomic():
        application = _oauth_application_create(name=name, client_secret=client_secret)
        client = ApiClient.objects.create(
            name=name,
            app_name=app_name,
            application=application,
            soap_username=f"{app_name}-soap",
            soap_password=soap_password,
            scopes=" ".join(scopes.split()),
        )
        audit_record(
            actor=actor,
            action="campus.client_created",
            target=client,
            details={"name": name, "app_name": app_name, "client_id": application.client_id},
        )
    return client, client_credentials(
        client, client_secret=client_secret, soap_password=soap_password
    )


def _check_new_client(name: str, app_name: str, scopes: str) -> None:
    """Raises ClientError unless the name, the app name and the scopes can be used."""
    if not name or not app_name:
        raise ClientError("A client needs a name.")
    if ApiClient.objects.filter(name=name).exists():
        raise ClientError(f"A client named {name!r} exists already.")
    if ApiClient.objects.filter(app_name=app_name).exists():
        raise ClientError(f"The app name {app_name!r} is taken.")
    unknown = set(scopes.split()) - KNOWN_SCOPES
    if unknown:
        raise ClientError(f"Unknown scope(s): {', '.join(sorted(unknown))}")


def _oauth_application_create(*, name: str, client_secret: str):
    """The client's OAuth2 application (client credentials; the secret stored hashed)."""
    Application = get_application_model()
    return Application.objects.create(
        name=f"Campus sandbox: {name}",
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_CLIENT_CREDENTIALS,
        client_secret=client_secret,
        hash_client_secret=True,
        skip_authorization=True,
    )


def api_client_rotate_secret(*, client: ApiClient, actor) -> str:
    """Generate New Secret: the old secret and every token it obtained stop working now."""
    client_secret = generate_client_secret()
    with transaction.atomic():
        application = client.application
        application.client_secret = client_secret  # hashed on save
        application.save(update_fields=["client_secret", "updated"])
        revoked, _ = AccessToken.objects.filter(application=application).delete()
        client.secret_rotated_at = timezone.now()
        client.save(update_fields=["secret_rotated_at"])
        audit_record(
            actor=actor,
            action="campus.client_secret_rotated",
            target=client,
            details={"client_id": application.client_id, "tokens_revoked": revoked},
        )
    return client_secret


def api_client_rotate_soap_password(*, client: ApiClient, actor) -> str:
    """A new SOAP password; the client's open sessions end now."""
    soap_password = secrets.token_urlsafe(18)
    with transaction.atomic():
        client.soap_password = soap_password
        client.soap_password_rotated_at = timezone.now()
        client.save(update_fields=["soap_password", "soap_password_rotated_at"])
        ended, _ = SoapSession.objects.filter(client=client).delete()
        audit_record(
            actor=actor,
            action="campus.client_soap_password_rotated",
            target=client,
            details={"soap_username": client.soap_username, "sessions_ended": ended},
        )
    return soap_password
