"""The BOI connection, its test, Campus's lists and the mapping tables."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from boi.client import client_for
from boi.models import BoiConnection, MappingValue
from boi.services import ConsoleError
from idbridge.audit.services import audit_record
from idbridge.connectors.boi.errors import BoiCredentialsRejected
from idbridge.connectors.boi.types import LIST_KINDS
from idbridge.connectors.types import CampusError

AUDITED_FIELDS = (
    "name",
    "client_id",
    "token_url",
    "base_url",
    "scope",
    "household_allowed",
    "request_timeout_seconds",
)


def connection_save(*, form, actor) -> BoiConnection:
    """Save the connection form; a new secret is stored encrypted and never shown again."""
    with transaction.atomic():
        secret_changed = "client_secret" in form.changed_data and form.cleaned_data.get(
            "client_secret"
        )
        connection = form.save(commit=False)
        if secret_changed or "client_id" in form.changed_data or "token_url" in form.changed_data:
            connection.status = BoiConnection.Status.NEW
            connection.last_error = ""
        connection.save()
        audit_record(
            actor=actor,
            action="boi.connection.saved",
            target=connection,
            details={
                "changed": [f for f in form.changed_data if f != "client_secret"],
                "secret_changed": bool(secret_changed),
                **{f: getattr(connection, f) for f in AUDITED_FIELDS},
            },
        )
    return connection


def _record_status(connection: BoiConnection, status: str, error: str, actor, action: str):
    with transaction.atomic():
        BoiConnection.objects.filter(id=connection.id).update(
            status=status, last_error=error, last_checked_at=timezone.now()
        )
        audit_record(
            actor=actor,
            action=action,
            target=connection,
            details={"status": status, "error": error},
        )
    connection.status, connection.last_error = status, error


def connection_note_failure(*, connection: BoiConnection, exc: CampusError, actor) -> None:
    """A call failed: a rejected secret shows as "credentials rejected" on the console."""
    status = (
        BoiConnection.Status.REJECTED
        if isinstance(exc, BoiCredentialsRejected)
        else BoiConnection.Status.ERROR
    )
    _record_status(connection, status, str(exc), actor, "boi.connection.failed")


def connection_test(*, connection: BoiConnection, actor) -> tuple[bool, str]:
    """Sign in with the credentials and read a list; never raises for Campus's answers."""
    try:
        message = client_for(connection).test_connection()
    except CampusError as exc:
        connection_note_failure(connection=connection, exc=exc, actor=actor)
        return False, str(exc)
    _record_status(connection, BoiConnection.Status.OK, "", actor, "boi.connection.tested")
    return True, message


def campus_lists_fetch(*, connection: BoiConnection, actor) -> dict[str, int]:
    """GET schools, genders, assignmentCodes and titleCodes; keep them on the connection."""
    client = client_for(connection)
    try:
        lists = {
            kind: [{"code": i.code, "name": i.name} for i in client.codes(kind)]
            for kind in LIST_KINDS
        }
    except CampusError as exc:
        connection_note_failure(connection=connection, exc=exc, actor=actor)
        raise ConsoleError(str(exc)) from None
    counts = {kind: len(items) for kind, items in lists.items()}
    with transaction.atomic():
        BoiConnection.objects.filter(id=connection.id).update(
            campus_lists=lists,
            campus_lists_fetched_at=timezone.now(),
            status=BoiConnection.Status.OK,
            last_error="",
            last_checked_at=timezone.now(),
        )
        audit_record(
            actor=actor, action="boi.connection.lists_fetched", target=connection, details=counts
        )
    connection.refresh_from_db()
    return counts


def mapping_save(
    *,
    connection: BoiConnection,
    kind: str,
    hr_value: str,
    campus_value: str = "",
    title_code: str = "",
    title_description: str = "",
    actor,
) -> MappingValue:
    """Map one HR value; the Campus side must be on Campus's lists (titles may be new)."""
    hr_value, campus_value = hr_value.strip(), campus_value.strip()
    title_code, title_description = title_code.strip(), title_description.strip()
    is_job = kind == MappingValue.Kind.JOB
    _mapping_check(connection, kind, hr_value, campus_value, title_code, title_description)
    with transaction.atomic():
        mapping, created = MappingValue.objects.update_or_create(
            connection=connection,
            kind=kind,
            hr_value=hr_value,
            defaults={
                "campus_value": campus_value,
                "title_code": title_code if is_job else "",
                "title_description": title_description if is_job else "",
            },
        )
        details = {"kind": kind, "hr_value": hr_value, "campus_value": campus_value}
        details |= {"title_code": title_code, "created": created}
        audit_record(actor=actor, action="boi.mapping.saved", target=connection, details=details)
    return mapping


def _mapping_check(
    connection: BoiConnection,
    kind: str,
    hr_value: str,
    campus_value: str,
    title_code: str,
    title_description: str,
) -> None:
    """ConsoleError unless the mapping names values Campus has (or a new title, described)."""
    if not hr_value:
        raise ConsoleError("Give the HR value.")
    list_name, label = MappingValue.CAMPUS_LIST[MappingValue.Kind(kind).value]
    if kind == MappingValue.Kind.JOB:
        if not campus_value and not title_code:
            raise ConsoleError("A job code maps to an assignment code, a title code or both.")
        is_new = title_code and title_code not in connection.campus_codes("titleCodes")
        if is_new and not title_description:
            raise ConsoleError(
                f"Title code {title_code} is new to Campus: give its description to create it."
            )
    elif not campus_value:
        raise ConsoleError(f"Choose the Campus {label}.")
    if campus_value and campus_value not in connection.campus_codes(list_name):
        raise ConsoleError(f"{campus_value} is not a Campus {label} (fetch the lists again?).")


def mapping_delete(*, mapping: MappingValue, actor) -> None:
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="boi.mapping.deleted",
            target=mapping.connection,
            details={"kind": mapping.kind, "hr_value": mapping.hr_value},
        )
        mapping.delete()


def mappings_save_many(*, connection: BoiConnection, choices: list[dict], actor) -> int:
    """Map many HR codes at once (the code mapping page): every choice is checked first,
    then all are saved in one transaction with one audit entry. ``choices`` holds dicts of
    kind, hr_value, campus_value and (jobs) title_code, title_description. Returns how many
    were saved."""
    if not choices:
        return 0
    problems = []
    for choice in choices:
        try:
            _mapping_check(
                connection,
                choice["kind"],
                choice["hr_value"],
                choice.get("campus_value", ""),
                choice.get("title_code", ""),
                choice.get("title_description", ""),
            )
        except ConsoleError as exc:
            problems.append(f"{choice['hr_value']}: {exc}")
    if problems:
        raise ConsoleError(" ".join(problems))
    with transaction.atomic():
        for choice in choices:
            is_job = choice["kind"] == MappingValue.Kind.JOB
            MappingValue.objects.update_or_create(
                connection=connection,
                kind=choice["kind"],
                hr_value=choice["hr_value"],
                defaults={
                    "campus_value": choice.get("campus_value", ""),
                    "title_code": choice.get("title_code", "") if is_job else "",
                    "title_description": choice.get("title_description", "") if is_job else "",
                },
            )
        audit_record(
            actor=actor,
            action="boi.mapping.saved_many",
            target=connection,
            details={"count": len(choices), "kinds": sorted({c["kind"] for c in choices})},
        )
    return len(choices)
