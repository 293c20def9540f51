"""``GET staff``, the BOI staff search: by staff number, or by name (and birth date).

Most searches of a pre-flight find nobody, so the people searched for are found first with
one light query, and only then which of them are staff and their records.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from django.db import connection
from django.utils import timezone

from boi.rules.errors import RuleError
from boi.rules.staff import check_date, text
from sandbox.boi.context import campus_people_load
from sandbox.boi.errors import BoiError
from sandbox.boi.staff import staff_records
from sandbox.models import Identity, Person
from sandbox.selectors import is_staff_expression


def people_query(staff_number: str, last: str, first: str, birth: str) -> tuple[str, list]:
    """The people searched for, as one plain statement (the ORM compiling it cost several
    times the query itself, on every search of a pre-flight): by staff number, by current
    name whole and case-insensitively (by the index on the lower-cased names,
    ``campus_identity_lower_name_idx``), by birth date."""
    qn = connection.ops.quote_name
    person, identity = Person._meta, Identity._meta

    def column(meta, name: str) -> str:
        return qn(meta.get_field(name).column)

    where, params = [], []
    if staff_number:
        where.append(f"{column(person, 'staff_number')} = %s")
        params.append(staff_number)
    if last and first:
        where.append(
            f"{column(person, 'id')} IN (SELECT {column(identity, 'person')} "  # noqa: S608
            f"FROM {qn(identity.db_table)} WHERE {column(identity, 'is_current')} "
            f"AND LOWER({column(identity, 'last_name')}) = LOWER(%s) "
            f"AND LOWER({column(identity, 'first_name')}) = LOWER(%s))"
        )
        params += [last, first]
    if birth:
        where.append(f"{column(person, 'birth_date')} = %s")
        field = person.get_field("birth_date")
        params.append(field.get_db_prep_value(date.fromisoformat(birth), connection))
    table = qn(person.db_table)
    sql = f"SELECT {column(person, 'id')} FROM {table} WHERE {' AND '.join(where)}"  # noqa: S608
    return sql, params


def _staff_ids(staff_number: str, last: str, first: str, birth: str, limit: int) -> list[int]:
    """The people searched for, then which of them are staff, by id."""
    with connection.cursor() as cursor:
        cursor.execute(*people_query(staff_number, last, first, birth))
        ids = [row[0] for row in cursor.fetchall()]
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
