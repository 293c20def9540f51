"""The Identity Service's operations: Authenticate and GetPerson (Django side)."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

from idbridge.ids import database_id
from sandbox import faults
from sandbox.models import ApiClient, SoapSession
from sandbox.selectors import current_identity, person_get_for_api
from sandbox.soap import wsse
from sandbox.soap.envelope import SoapFault, UsernameToken, malformed

FAILURES_KEY = "campus:soap-auth-failures:{}"
# Checked against when the user name is unknown, so both paths cost the same.
_DUMMY_PASSWORD = secrets.token_urlsafe(18)


def _session_hash(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()


def _failures_key(username: str) -> str:
    return FAILURES_KEY.format(hashlib.sha256(username.encode()).hexdigest()[:32])


def _record_failure(username: str, window: int) -> None:
    key = _failures_key(username)
    if not cache.add(key, 1, timeout=window):
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.add(key, 1, timeout=window)


def soap_authenticate(*, token: UsernameToken | None, now: datetime) -> tuple[str, datetime]:
    """Check the UsernameToken; open a session. Returns (sessionID, expiresAt)."""
    if token is None:
        raise SoapFault(
            "wsse:InvalidSecurity",
            "MissingSecurityHeader",
            "Authenticate needs a WS-Security UsernameToken in the SOAP header.",
        )
    window = settings.CAMPUS_SANDBOX_WSSE_WINDOW_SECONDS
    failures = cache.get(_failures_key(token.username), 0)
    if failures >= settings.CAMPUS_SANDBOX_AUTH_FAILURE_LIMIT:
        raise SoapFault(
            "tns:RateLimited",
            "RateLimited",
            "Too many failed authentications for this user; try again later.",
            http_status=429,
            retry_after=window,
        )
    wsse.check_freshness(token, now, timedelta(seconds=window))
    client = ApiClient.objects.filter(soap_username=token.username, is_active=True).first()
    password = client.soap_password.reveal() if client else _DUMMY_PASSWORD
    if not wsse.password_matches(token, password) or client is None:
        _record_failure(token.username, window)
        raise wsse.failed_authentication()
    key = wsse.nonce_key(token)
    # Remember the nonce for twice the window: a Created within the window cannot outlive it.
    if key and not cache.add(key, 1, timeout=2 * window):
        raise SoapFault("tns:NonceReplayed", "NonceReplayed", "This nonce has been used before.")
    session_id = secrets.token_urlsafe(32)
    lifetime = faults.session_seconds(settings.CAMPUS_SANDBOX_SESSION_SECONDS)
    expires_at = now + timedelta(seconds=lifetime)
    with transaction.atomic():
        # Housekeeping: sessions that ended over a day ago go.
        SoapSession.objects.filter(expires_at__lt=now - timedelta(days=1)).delete()
        SoapSession.objects.create(
            key_hash=_session_hash(session_id), client=client, expires_at=expires_at
        )
    return session_id, expires_at


def soap_get_person(*, values: dict[str, str], now: datetime) -> dict:
    """GetPersonRequest{personID, sessionID} → the person's fields."""
    _session_check(values.get("sessionID", ""), now)
    raw_id = values.get("personID", "")
    person_id = database_id(raw_id)
    if person_id is None:
        raise malformed("personID must be a positive whole number.")
    person = person_get_for_api(person_id)
    if person is None:
        raise SoapFault("tns:PersonNotFound", "PersonNotFound", f"No person {raw_id}.")
    return _person_fields(person)


def _session_check(session_id: str, now: datetime) -> None:
    """Raises the fault Campus answers for a missing, unknown or expired session."""
    if not session_id:
        raise SoapFault("tns:InvalidSession", "InvalidSession", "sessionID is required.")
    session = (
        SoapSession.objects.select_related("client")
        .filter(key_hash=_session_hash(session_id))
        .first()
    )
    if session is None or not session.client.is_active:
        raise SoapFault("tns:InvalidSession", "InvalidSession", "The sessionID is not valid.")
    if session.expires_at <= now:
        raise SoapFault(
            "tns:SessionExpired", "SessionExpired", "The session has expired; authenticate again."
        )


def _person_fields(person) -> dict:
    """A Person (from ``person_get_for_api``) as the WSDL's Person."""
    identity = current_identity(person)
    return {
        "personID": person.pk,
        "staffNumber": person.staff_number,
        "firstName": identity.first_name if identity else "",
        "lastName": identity.last_name if identity else "",
        "middleName": identity.middle_name if identity else "",
        "birthDate": person.birth_date,
        "gender": person.gender.code if person.gender else None,
        "workEmail": person.work_email,
        "personalEmail": person.personal_email,
        "workPhone": person.work_phone,
        "isStaff": person.is_staff,
        "dateModified": person.date_modified,
        "assignments": {"assignment": [_assignment_fields(a) for a in person.assignments.all()]},
    }


def _assignment_fields(a) -> dict:
    return {
        "schoolNumber": a.school.number,
        "schoolName": a.school.name,
        "assignmentCode": a.assignment_code.code if a.assignment_code else None,
        "titleCode": a.title_code.code if a.title_code else None,
        "startDate": a.start_date,
        "endDate": a.end_date,
    }
