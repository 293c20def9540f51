"""OneRoster users from Campus persons: filters and sorting as ORM queries, and loading.

What a user looks like is in ``sandbox.oneroster.serialize``.
"""

from __future__ import annotations

from datetime import date

from django.db import connection
from django.db.models import Exists, ExpressionWrapper, F, IntegerField, OuterRef, Q, Subquery

from idbridge.ids import database_id
from sandbox.models import DistrictAssignment, Identity, Person, Relationship, Student
from sandbox.oneroster.filters import Filter, FilterError, Predicate
from sandbox.oneroster.protocol import Sort, parse_datetime
from sandbox.oneroster.serialize import PARENT_NAMES, RoleData, UserData
from sandbox.selectors import in_effect_q, is_staff_now_q, not_ended_q

CHUNK = 900  # ids per IN (...) list: stays under SQLite's variable limit
# Up to this many matches, a SQLite delta query reads the date_modified index and sorts.
SQLITE_INDEX_SORT_LIMIT = 20_000

USER_FIELDS = (
    "sourcedId",
    "status",
    "dateLastModified",
    "userMasterIdentifier",
    "username",
    "userIds",
    "enabledUser",
    "givenName",
    "familyName",
    "middleName",
    "roles",
    "primaryOrg",
    "identifier",
    "email",
    "sms",
    "phone",
    "agents",
    "grades",
)
FILTER_FIELDS = (
    "sourcedId",
    "status",
    "dateLastModified",
    "enabledUser",
    "givenName",
    "familyName",
    "middleName",
    "email",
    "username",
    "identifier",
    "role",
)
DEMOGRAPHICS_FIELDS = ("sourcedId", "status", "dateLastModified", "birthDate", "sex")
DEMOGRAPHICS_FILTERS = ("sourcedId", "status", "dateLastModified")
DEMOGRAPHICS_SORTS = ("sourcedId", "dateLastModified")
SORT_FIELDS = ("sourcedId", "dateLastModified", "givenName", "familyName", "middleName", "email")
NAME_FIELDS = {"givenName": "first_name", "familyName": "last_name", "middleName": "middle_name"}
STRING_LOOKUPS = {"=": "exact", ">": "gt", ">=": "gte", "<": "lt", "<=": "lte", "~": "icontains"}


def active_q(today: date) -> Q:
    """Users with a current role (``status`` active): staff now, an enrolled student, or
    a guardian of a student."""
    students = Student.objects.filter(in_effect_q(today), person=OuterRef("pk"))
    wards = Relationship.objects.filter(
        not_ended_q(today), guardian=OuterRef("pk"), is_guardian=True
    )
    return is_staff_now_q(today) | Q(Exists(students)) | Q(Exists(wards))


def _role_q(role: str) -> Q:
    if role == "student":
        return Q(Exists(Student.objects.filter(person=OuterRef("pk"))))
    if role in ("parent", "guardian"):
        rels = Relationship.objects.filter(guardian=OuterRef("pk"), is_guardian=True)
        rels = (
            rels.filter(name__in=PARENT_NAMES)
            if role == "parent"
            else rels.exclude(name__in=PARENT_NAMES)
        )
        return Q(Exists(rels))
    positions = DistrictAssignment.objects.filter(person=OuterRef("pk"))
    condition = Q(assignment_code__oneroster_role=role)
    if role == "aide":
        condition |= Q(assignment_code__isnull=True)
    return Q(Exists(positions.filter(condition)))


def _compare(lookup_field: str, op: str, value) -> Q:
    if op == "!=":
        return ~Q(**{lookup_field: value})
    return Q(**{f"{lookup_field}__{STRING_LOOKUPS[op]}": value})


def _only(p: Predicate, *ops: str) -> None:
    if p.op not in ops:
        raise FilterError(f"'{p.field}' cannot be filtered with {p.op}.", p.field)


def _predicate_q(p: Predicate, today: date) -> Q:
    if p.field == "sourcedId":
        pk = database_id(p.value)
        if pk is None:
            _only(p, "=", "!=")
            return Q(pk__in=[]) if p.op == "=" else ~Q(pk__in=[])
        _only(p, "=", "!=", ">", ">=", "<", "<=")
        return _compare("pk", p.op, pk)
    if p.field == "dateLastModified":
        _only(p, "=", "!=", ">", ">=", "<", "<=")
        try:
            moment = parse_datetime(p.value)
        except ValueError:
            raise FilterError(f"'{p.value}' is not an ISO 8601 date-time.", p.field) from None
        return _compare("date_modified", p.op, moment)
    if p.field in NAME_FIELDS:
        return _compare(f"or_{NAME_FIELDS[p.field]}", p.op, p.value)
    if p.field in ("email", "username"):
        return _compare("work_email", p.op, p.value)
    if p.field == "identifier":
        _only(p, "=", "!=", "~")
        lookup = "icontains" if p.op == "~" else "exact"
        q = Q(**{f"staff_number__{lookup}": p.value}) | Q(
            **{f"student__student_number__{lookup}": p.value}
        )
        return ~q if p.op == "!=" else q
    if p.field in ("status", "enabledUser"):
        _only(p, "=", "!=")
        truthy = {"status": "active", "enabledUser": "true"}[p.field]
        falsy = {"status": "tobedeleted", "enabledUser": "false"}[p.field]
        if p.value not in (truthy, falsy):
            raise FilterError(f"{p.field} is {truthy} or {falsy}.", p.field)
        q = active_q(today)
        return q if (p.value == truthy) == (p.op == "=") else ~q
    if p.field == "role":
        _only(p, "=", "!=")
        q = _role_q(p.value)
        return q if p.op == "=" else ~q
    raise FilterError(f"'{p.field}' is not a field that can be filtered on.", p.field)


def users_queryset(flt: Filter | None, sort: Sort | None, today: date):
    qs = Person.objects.all()
    wanted = set(flt.fields if flt else ()) | ({sort.field} if sort else set())
    for field, column in NAME_FIELDS.items():
        if field in wanted:
            current = Identity.objects.filter(person=OuterRef("pk"), is_current=True)
            qs = qs.annotate(**{f"or_{column}": Subquery(current.values(column)[:1])})
    if flt:
        parts = [_predicate_q(p, today) for p in flt.predicates]
        condition = parts[0]
        if len(parts) == 2:
            condition = condition | parts[1] if flt.logical == "OR" else condition & parts[1]
        qs = qs.filter(condition)
    order = ["pk"]
    if sort and sort.field != "sourcedId":
        column = {
            "dateLastModified": "date_modified",
            "email": "work_email",
            **{k: f"or_{v}" for k, v in NAME_FIELDS.items()},
        }[sort.field]
        order = [f"-{column}" if sort.descending else column, "pk"]
    elif sort and sort.descending:
        order = ["-pk"]
    return qs.order_by(*order)


def page_queryset(qs, flt: Filter | None, sort: Sort | None, total: int):
    """``users_queryset`` ordered for reading one page of ids.

    SQLite keeps no range statistics: asked for ``date_modified > t ORDER BY id`` it walks
    the whole table in id order and tests every row, even when ten rows match. Ordering by
    an expression of the id makes it read the (date_modified, id) index range instead and
    sort only the matches, which is cheaper as long as they are not too many (the count,
    already known, comes from the same index). PostgreSQL's planner chooses well by itself.
    """
    if (
        connection.vendor == "sqlite"
        and flt is not None
        and sort is None
        and flt.logical != "OR"
        and any(p.field == "dateLastModified" and p.op in (">", ">=", "=") for p in flt.predicates)
        and total <= SQLITE_INDEX_SORT_LIMIT
    ):
        return qs.order_by(ExpressionWrapper(F("pk") + 0, output_field=IntegerField()))
    return qs


def load_users(ids: list[int]) -> list[UserData]:
    """What users/demographics show for these personIDs, in the given order.

    Five plain queries per chunk of ids (no model instances, no SSN decryption).
    """
    found: dict[int, UserData] = {}
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        _load_people(chunk, found)
        _add_names(chunk, found)
        _add_positions(chunk, found)
        _add_enrolments(chunk, found)
        _add_relationships(chunk, found)
    return [found[pk] for pk in ids if pk in found]


def _load_people(chunk: list[int], found: dict[int, UserData]) -> None:
    people = Person.objects.filter(pk__in=chunk).values_list(
        "pk", "staff_number", "work_email", "personal_email", "work_phone", "cell_phone",
        "birth_date", "gender__code", "date_modified",
    )  # fmt: skip
    for row in people:
        found[row[0]] = UserData(*row)


def _add_names(chunk: list[int], found: dict[int, UserData]) -> None:
    names = Identity.objects.filter(person_id__in=chunk, is_current=True).values_list(
        "person_id", "first_name", "middle_name", "last_name"
    )
    for person_id, first, middle, last in names:
        found[person_id].names = (first, middle, last)


def _add_positions(chunk: list[int], found: dict[int, UserData]) -> None:
    """A staff role per position: its assignment code's role, ``aide`` for title-only."""
    positions = (
        DistrictAssignment.objects.filter(person_id__in=chunk)
        .order_by("start_date", "id")
        .values_list(
            "person_id", "assignment_code__oneroster_role", "school__sourced_id",
            "start_date", "end_date",
        )
    )  # fmt: skip
    for person_id, role, school, begin, end in positions:
        found[person_id].roles.append(RoleData(role or "aide", school, begin, end))


def _add_enrolments(chunk: list[int], found: dict[int, UserData]) -> None:
    students = Student.objects.filter(person_id__in=chunk).values_list(
        "person_id", "student_number", "grade", "school__sourced_id", "start_date", "end_date"
    )
    for person_id, number, grade, school, begin, end in students:
        data = found[person_id]
        data.student_number, data.grade = number, grade
        data.roles.append(RoleData("student", school, begin, end))


def _add_relationships(chunk: list[int], found: dict[int, UserData]) -> None:
    """A student's guardians as agents; a guardian's role, and their wards as agents."""
    relationships = (
        Relationship.objects.filter(is_guardian=True)
        .filter(Q(student_id__in=chunk) | Q(guardian_id__in=chunk))
        .order_by("id")
        .values_list("student_id", "guardian_id", "name", "start_date", "end_date")
    )
    for student_id, guardian_id, name, begin, end in relationships:
        if student_id in found:
            found[student_id].agents.append(guardian_id)
        if guardian_id in found:
            role = "parent" if name in PARENT_NAMES else "guardian"
            found[guardian_id].roles.append(RoleData(role, None, begin, end))
            found[guardian_id].agents.append(student_id)


def load_user(sourced_id: str) -> UserData | None:
    pk = database_id(sourced_id)
    if pk is None:
        return None
    users = load_users([pk])
    return users[0] if users else None
