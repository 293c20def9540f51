"""Day-to-day operation: one staff member or one position at a time (the guide's
"Day to Day Operation"). Search Campus first; every write is audited after Campus answers
(never a Campus call inside a transaction)."""

from __future__ import annotations

from django.db import transaction

from boi.client import client_for
from boi.hrfile.address import ADDRESS_PATH
from boi.models import BoiConnection, HrRow
from boi.rules.addresses import address_to_send, normalize_address
from boi.rules.staff import validate_position, validate_staff
from boi.services import ConsoleError
from boi.services.connections import connection_note_failure
from boi.services.import_check import resolver_for
from boi.services.preflight import campus_components
from boi.services.sync.transfer import campus_addresses, staff_for_campus
from boi.services.sync.words import error_in_words, errors_in_words
from idbridge.audit.services import audit_record
from idbridge.connectors.boi.errors import BoiCredentialsRejected, BoiRefused
from idbridge.connectors.types import CampusError

SAFE_FIELDS = ("staffNumber", "personID", "lastName", "firstName", "middleName", "birthDate")


class StaffRefused(ConsoleError):
    """Campus's rules refuse the staff member: ``problems`` are (API field, sentence)."""

    def __init__(self, problems: list[tuple[str, str]]):
        self.problems = problems
        super().__init__("Not sent to Campus: " + "; ".join(text for _, text in problems))


def _campus_error(connection, exc: CampusError) -> ConsoleError:
    if isinstance(exc, BoiCredentialsRejected):
        connection_note_failure(connection=connection, exc=exc, actor="boi:console")
    if isinstance(exc, BoiRefused) and exc.errors:
        return ConsoleError(f"Campus refused it: {errors_in_words(exc.errors[:10])}")
    return ConsoleError(str(exc))


def staff_search(
    *, connection: BoiConnection, staff_number="", last_name="", first_name="", birth_date=""
) -> list[dict]:
    """Campus staff by staff number, or by name (and birth date); SSNs never returned."""
    client = client_for(connection)
    try:
        if staff_number:
            found = client.find_staff(staff_number)
        else:
            found = client.search_staff(
                last_name=last_name, first_name=first_name, birth_date=birth_date
            )
    except CampusError as exc:
        raise _campus_error(connection, exc) from None
    return [{k: s.get(k) for k in SAFE_FIELDS if s.get(k) not in (None, "")} for s in found]


def staff_send_one(*, row: HrRow, mode: str, actor) -> dict:
    """Create (``mode="create"``) or update one staff member in Campus from an HR row."""
    if row.has_errors:
        raise ConsoleError("This row has errors: fix them in the HR file first.")
    connection = row.hr_import.connection
    payload = staff_for_campus(
        row, campus_addresses(row.hr_import), household_allowed=connection.household_allowed
    )
    client = client_for(connection)
    try:
        if mode == "create":
            answer = _create_new(client, payload)
        elif mode == "update":
            answer = client.update_staff(row.staff_number, payload)
        else:
            raise ConsoleError("Create or update?")
    except CampusError as exc:
        raise _campus_error(connection, exc) from None
    with transaction.atomic():
        audit_record(
            actor=actor,
            action=f"boi.staff.{mode}d",
            target=row.hr_import,
            details={
                "staff_number": row.staff_number,
                "row": row.row_number,
                "positions": len(payload.get("positions") or []),
            },
        )
    return answer if isinstance(answer, dict) else {}


def _create_new(client, staff: dict) -> dict:
    """Campus's create call, after its staff search finds nobody with the number."""
    if client.find_staff(staff["staffNumber"]):
        raise ConsoleError(
            f"Campus already has staff number {staff['staffNumber']}: update them instead."
        )
    return client.create_staff(staff)


def staff_create(*, connection: BoiConnection, staff: dict, actor) -> dict:
    """Create one staff member typed on the Day-to-day page (the guide's create staff call):
    Campus's rules first (every problem at once, in words; a home address by the address
    rules an HR file's address goes through), then a search by staff number (a match is
    updated, never created twice) and, for an address, Campus's address search (the
    guide: use the address Campus has, so as not to add it twice), then the call; audited
    once Campus said yes."""
    components = _checked_new_staff(connection, staff)
    client = client_for(connection)
    try:
        if components is not None:
            staff = {**staff, "household": _household_to_send(client, components)}
        answer = _create_new(client, staff)
    except CampusError as exc:
        raise _campus_error(connection, exc) from None
    details = {
        "staff_number": staff["staffNumber"],
        "positions": len(staff.get("positions") or []),
        "employments": len(staff.get("employments") or []),
    }
    if components is not None:
        details["address"] = True
    with transaction.atomic():
        audit_record(actor=actor, action="boi.staff.entered", target=connection, details=details)
    return answer if isinstance(answer, dict) else {}


NO_HOUSEHOLDS = (
    "This connection does not send addresses to Campus (households are not allowed on it): "
    "leave the address blank, or allow households on the connection page."
)


def _checked_new_staff(connection: BoiConnection, staff: dict) -> dict | None:
    """Raise StaffRefused with every problem Campus's rules find; the home address's
    normalized components (None when no address was typed)."""
    household = staff.get("household")
    if household is not None and not connection.household_allowed:
        raise StaffRefused([("", NO_HOUSEHOLDS)])
    mappings = resolver_for(connection).mappings
    check = validate_staff(staff, mappings, household_allowed=connection.household_allowed)
    errors, normalized = list(check.errors), None
    if not errors and household is not None:
        address = household["householdLocations"][0]["address"]
        normalized, errors = normalize_address(address, path=ADDRESS_PATH)
    if errors:
        words = [error_in_words({"field": e.field, "message": e.message}) for e in errors]
        raise StaffRefused([(e.field, text) for e, text in zip(errors, words, strict=True)])
    return None if normalized is None else normalized.components()


def _household_to_send(client, components: dict) -> dict:
    """The household with Campus's own address when its address search finds one (as
    pre-flight does for an HR file), else the normalized components."""
    found = client.find_addresses(components)
    address = address_to_send(campus_components(found[0])) if found else dict(components)
    return {"householdLocations": [{"address": address}]}


def position_send(*, connection: BoiConnection, staff_number: str, position: dict, mode, actor):
    """Add (``POST``) or update (``PUT``) one position of a staff member."""
    resolver = resolver_for(connection)
    position = {k: v for k, v in position.items() if v}
    errors, _ = validate_position(position, resolver.mappings)
    if errors:
        raise ConsoleError(
            "; ".join(error_in_words({"field": e.field, "message": e.message}) for e in errors)
        )
    client = client_for(connection)
    try:
        if mode == "add":
            answer = client.add_position(staff_number, position)
        elif mode == "update":
            answer = client.update_position(staff_number, position)
        else:
            raise ConsoleError("Add or update?")
    except CampusError as exc:
        raise _campus_error(connection, exc) from None
    with transaction.atomic():
        audit_record(
            actor=actor,
            action=f"boi.position.{'added' if mode == 'add' else 'updated'}",
            target=connection,
            details={"staff_number": staff_number, **position},
        )
    return answer
