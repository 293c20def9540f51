"""What every Campus connector speaks: plain data and two kinds of error."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Protocol
from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class Assignment:
    school_number: str  # the school's key: its number over SOAP, its org sourcedId over REST
    school_name: str = ""  # as Campus names the school ("" when it gives no name)
    assignment_code: str = ""
    title_code: str = ""
    start_date: date | None = None
    end_date: date | None = None


def is_staff_on(positions: Iterable[tuple[date | None, date | None]], today: date) -> bool:
    """Whether a person holding these staff positions, as ``(start, end)`` dates, is staff
    on ``today``: the district's rule, the same for every connector.

    A person is staff from the start date of a position until its end date, both days
    included; no start date means begun, no end date means open. A new hire whose position
    starts next week is not staff yet (an invitation now would open an account before the
    district has a job for them); a leaver whose positions all ended is not staff any more
    (their access is revoked), and one ending today still works today. ``today`` is the
    district's date (``district_today``), as Campus dates positions in the district's time.

    >>> is_staff_on([(date(2026, 8, 24), None)], date(2026, 8, 23))
    False
    >>> is_staff_on([(date(2020, 8, 1), date(2026, 8, 23))], date(2026, 8, 23))
    True
    >>> is_staff_on([(date(2020, 8, 1), date(2026, 6, 30)), (None, None)], date(2026, 8, 23))
    True
    >>> is_staff_on([], date(2026, 8, 23))
    False
    """
    return any(
        (start is None or start <= today) and (end is None or end >= today)
        for start, end in positions
    )


def district_today(time_zone: str, now: datetime | None = None) -> date:
    """The district's date now (or at ``now``): what Campus's start and end dates mean.

    >>> district_today("America/Chicago", datetime(2026, 9, 1, 3, tzinfo=UTC))
    datetime.date(2026, 8, 31)
    """
    return (now or datetime.now(UTC)).astimezone(ZoneInfo(time_zone)).date()


@dataclass(frozen=True)
class CampusPerson:
    """One person as Campus reports them (over SOAP or OneRoster)."""

    person_id: int | None  # Campus personID: the person's identity in the district
    sourced_id: str  # OneRoster sourcedId, or str(person_id) over SOAP
    staff_number: str
    first_name: str
    last_name: str
    middle_name: str = ""
    birth_date: date | None = None
    work_email: str = ""
    personal_email: str = ""
    mobile: str = ""  # a number for text messages (OneRoster ``sms``)
    is_staff: bool = True
    is_active: bool = True  # False for OneRoster status=tobedeleted / enabledUser=false
    roles: tuple[str, ...] = ()
    date_modified: datetime | None = None
    assignments: tuple[Assignment, ...] = field(default_factory=tuple)

    @property
    def key(self) -> str:
        """How this connection names the person (``get_person(key)``): its sourcedId over
        OneRoster, the personID over SOAP. Across connections, ``person_id`` is who
        the person is (``staff.identity``)."""
        return self.sourced_id


@dataclass
class PollCursor:
    """Where discovery stopped last time; stored on the connection between polls."""

    watermark: datetime | None = None  # REST: dateLastModified high-water mark
    high_person_id: int = 0  # SOAP: highest personID seen
    recheck_ids: list[int] = field(default_factory=list)  # SOAP: persons not staff yet


@dataclass
class Progress:
    done: int = 0
    total: int | None = None


class CampusError(Exception):
    """A Campus call failed. ``permanent`` says whether retrying can help."""

    permanent = False

    def __init__(self, message: str, *, retry_after: float | None = None):
        super().__init__(message)
        self.retry_after = retry_after


class TransientCampusError(CampusError):
    """Timeouts, 5xx, 429: try again later (honouring ``retry_after`` when given)."""


class OutcomeUnknown(TransientCampusError):
    """A call that changes Campus was sent but not answered (read timeout, dropped
    connection, 5xx): Campus may have done it. Sending it again could do it twice."""


class PermanentCampusError(CampusError):
    """Bad credentials, 4xx, malformed answers: retrying will not help."""

    permanent = True


class Connector(Protocol):
    def test_connection(self) -> str:
        """A one-line description of what worked; raises CampusError otherwise."""

    def get_person(self, key: str) -> CampusPerson | None: ...

    def iter_new_staff(self, cursor: PollCursor, progress: Progress) -> Iterator[CampusPerson]:
        """Staff created or changed since ``cursor``; advances ``cursor`` as it goes."""
