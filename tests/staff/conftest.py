import re
from datetime import UTC, date, datetime

import pytest

from idbridge.connectors.types import CampusPerson
from staff.models import CampusConnection, StaffMember
from staff.services.discovery import staff_records_from_campus


@pytest.fixture
def connection(db):
    return CampusConnection.objects.create(name="Sandbox", kind="rest")


def person(n=1, **overrides):
    """A Campus staff member as a connector would report them."""
    values = {
        "person_id": 1000 + n,
        "sourced_id": f"p-{1000 + n}",
        "staff_number": f"S{n:05d}",
        "first_name": "Maria",
        "last_name": f"Lopez{n}",
        "birth_date": date(1985, 4, 12),
        "work_email": f"maria.lopez{n}@district.example",
        "roles": ("teacher",),
        "date_modified": datetime(2026, 11, 1, tzinfo=UTC),
    }
    values.update(overrides)
    return CampusPerson(**values)


@pytest.fixture
def make_person():
    return person


def discovered(connection, campus_person) -> StaffMember:
    """Record one person as a poll does (``staff_records_from_campus``); their staff record."""
    staff_records_from_campus(connection=connection, persons=[campus_person])
    return StaffMember.objects.get(connection=connection, campus_key=campus_person.key)


# The person's own second mailbox, where the proofing code goes (not the invited one).
HOME_EMAIL = "maria.home@example.net"


def code_sent_to(address: str) -> str:
    """The proofing code in the latest message to ``address`` (the outbox stands in for
    the person's mailbox or phone)."""
    from idbridge.core.models import OutboxMessage

    for message in OutboxMessage.objects.order_by("-id"):
        if address in message.to or f"sms:{address}" in message.to:
            return re.search(r"\b(\d{6})\b", message.body_text).group(1)
    raise AssertionError(f"no code was sent to {address}")
