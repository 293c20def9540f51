"""Check Campus Data: staff with duplicate or missing Local Staff Numbers.

Run it before a synchronization: the sync matches staff by staff number only, so every
staff member needs a number of their own. Staff are persons with a district assignment;
any other person that carries a staff number is counted too (a sync would match them).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q

from boi.rules.sync import check_campus_data
from sandbox.models import Identity, Person
from sandbox.selectors import is_staff_expression


@dataclass(frozen=True)
class PersonLine:
    person_id: int
    staff_number: str
    name: str
    is_staff: bool


@dataclass(frozen=True)
class CampusDataCheck:
    duplicates: list[tuple[str, list[PersonLine]]]
    missing: list[PersonLine]
    checked: int

    @property
    def is_clean(self) -> bool:
        return not self.duplicates and not self.missing


def campus_data_check() -> CampusDataCheck:
    is_staff = is_staff_expression()
    candidates = (
        Person.objects.annotate(is_staff=is_staff)
        .filter(Q(is_staff=True) | Q(staff_number__gt=""))
        .order_by("id")
        .values_list("id", "staff_number", "is_staff")
    )
    staff_flags: dict[int, bool] = {}
    numbers: dict[int, str] = {}

    def rows():
        for person_id, number, flag in candidates.iterator(chunk_size=5000):
            if not flag and not number.strip():
                continue
            yield person_id, number

    report = check_campus_data(rows())
    named = {pid for _, ids in report.duplicates for pid in ids} | set(report.missing)
    names = {
        pid: f"{last}, {first}"
        for pid, last, first in Identity.objects.filter(
            person_id__in=sorted(named), is_current=True
        ).values_list("person_id", "last_name", "first_name")
    }
    for pid, number, flag in (
        Person.objects.filter(pk__in=sorted(named))
        .annotate(is_staff=is_staff)
        .values_list("id", "staff_number", "is_staff")
    ):
        numbers[pid], staff_flags[pid] = number, flag

    def line(pid) -> PersonLine:
        return PersonLine(
            pid, numbers.get(pid, ""), names.get(pid, ""), staff_flags.get(pid, False)
        )

    return CampusDataCheck(
        duplicates=[(number, [line(pid) for pid in ids]) for number, ids in report.duplicates],
        missing=[line(pid) for pid in report.missing],
        checked=candidates.count(),
    )
