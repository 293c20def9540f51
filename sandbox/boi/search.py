"""``GET staff``, the BOI staff search: by staff number, or by name (and birth date).

Most searches of a pre-flight find nobody, so the people searched for are found first with
one light query, and only then which of them are staff and their records.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from django.db.models import Value
from django.db.models.functions import Lower
from django.utils import timezone

from boi.rules.errors import RuleError
from boi.rules.staff import check_date, text
from sandbox.boi.context import campus_people_load
from sandbox.boi.errors import BoiError
from sandbox.boi.staff import staff_records
from sandbox.models import Identity, Person
from sandbox.selectors import is_staff_expression


def named_identities(last: str, first: str):
    """Current identities with this name, whole and case-insensitively (by the index on
    the lower-cased names, ``campus_identity_lower_name_idx``)."""
    return Identity.objects.alias(
        last_lower=Lower("last_name"), first_lower=Lower("first_name")
    ).filter(is_current=True, last_lower=Lower(Value(last)), first_lower=Lower(Value(first)))


def _staff_ids(staff_number: str, last: str, first: str, birth: str, limit: int) -> list[int]:
    """The people searched for, then which of them are staff, by id."""
    people = Person.objects.all()
    if staff_number:
        people = people.filter(staff_number=staff_number)
    if last and first:
        people = people.filter(pk__in=named_identities(last, first).values("person_id"))
    if birth:
        people = people.filter(birth_date=date.fromisoformat(birth))
    ids = list(people.values_list("id", flat=True))
    if not ids:
        return []
    staff = Person.objects.filter(is_staff_expression(), pk__in=ids)
    return list(staff.order_by("id").values_list("id", flat=True)[:limit])


def staff_search(params: Mapping[str, str], *, limit: int = 100) -> list[dict]:
    """``GET staff``: by ``staffNumber``, or by ``lastName`` + ``firstName`` (+ ``birthDate``).

    Only staff are found: a person without a district assignment is not staff in Campus.
    Names match whole and case-insensitively on the current identity.
    """
    staff_number = text(params.get("staffNumber"))
    last, first = text(params.get("lastName")), text(params.get("firstName"))
    birth = text(params.get("birthDate"))
    errors: list[RuleError] = []
    if not staff_number and not (last and first):
        errors.append(
            RuleError(
                "staffNumber",
                "required",
                "search by staffNumber, or by lastName and firstName (and birthDate)",
            )
        )
    if birth:
        errors += check_date(birth, "birthDate")
    if errors:
        raise BoiError(400, errors)
    ids = _staff_ids(staff_number, last, first, birth, limit)
    if not ids:
        return []
    people = campus_people_load(person_ids=ids, today=timezone.localdate())
    return staff_records(people)
