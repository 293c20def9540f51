"""Business Office staff synchronization rules.

- Check Campus Data: every Local Staff Number in Campus must be unique; the report lists
  staff with duplicate staff numbers and staff with none (``check_campus_data``).
- The sync matches staff by staff number only: matching staff are updated, HR staff with no
  match are added, Campus staff absent from HR are left untouched (``validate_sync``).
- The validate step reports, per staff member, the demographics, district employment and
  district assignments that will change, the addresses and staff that will be added, and
  any conflicts or errors (``report_entry``).
- The session runs start -> transfer ... -> end transfer -> validate (again after Campus
  data changes) -> commit or commit job; changed HR data means starting again
  (``next_sync_state``).
- Under 500 staff the synchronous commit is recommended, otherwise the commit job
  (``recommended_commit_api``).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Literal

from .addresses import Address, FindByComponents, FindByKey, match_address
from .errors import RuleError
from .households import HouseholdDecision, HouseholdView, decide_household, household_settled
from .positions import ExistingPosition, PositionPlan, plan_positions, position_from_payload
from .staff import (
    FieldChange,
    Mappings,
    TitleToCreate,
    demographic_changes,
    text,
    validate_staff,
)

PersonId = Hashable
COMMIT_JOB_THRESHOLD = 500


@dataclass(frozen=True, slots=True)
class Employment:
    hire_date: str | None
    termination_date: str | None = None


@dataclass(frozen=True, slots=True)
class EmploymentUpdate:
    hire_date: str | None
    old_termination_date: str | None
    new_termination_date: str | None


@dataclass(frozen=True, slots=True)
class EmploymentPlan:
    """Employments are stored as sent. They are told apart by hire date (a rehire has a new
    one): a known hire date gets the sent termination date, a new one is added, and none is
    removed (the guide names no removal for employments).
    """

    creates: tuple[Employment, ...] = ()
    updates: tuple[EmploymentUpdate, ...] = ()

    @property
    def changes_anything(self) -> bool:
        return bool(self.creates or self.updates)


@dataclass(frozen=True, slots=True)
class CampusStaff:
    """Campus's view of one staff member, in payload field names for the demographics."""

    person_id: PersonId
    staff_number: str | None
    demographics: Mapping[str, str | None] = field(default_factory=dict)
    employments: tuple[Employment, ...] = ()
    positions: tuple[ExistingPosition, ...] = ()
    household: HouseholdView | None = None


@dataclass(frozen=True, slots=True)
class ReportEntry:
    """One line of the validate report."""

    staff_number: str
    action: Literal["add", "update", "error"]
    person_id: PersonId | None = None
    demographic_changes: tuple[FieldChange, ...] = ()
    new_identity: bool = False
    employment_changes: EmploymentPlan = EmploymentPlan()
    assignment_changes: PositionPlan = PositionPlan()
    titles_to_create: tuple[TitleToCreate, ...] = ()
    household: HouseholdDecision | None = None
    addresses_to_add: tuple[Address, ...] = ()
    errors: tuple[RuleError, ...] = ()
    notes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class SyncReport:
    entries: tuple[ReportEntry, ...]
    untouched: tuple[PersonId, ...]  # Campus staff that HR does not have

    @property
    def staff_to_add(self) -> tuple[ReportEntry, ...]:
        return tuple(entry for entry in self.entries if entry.action == "add")

    @property
    def errors(self) -> tuple[ReportEntry, ...]:
        return tuple(entry for entry in self.entries if entry.action == "error")

    @property
    def addresses_to_add(self) -> tuple[Address, ...]:
        """Each new address once, however many staff share it."""
        unique: dict[str, Address] = {}
        for entry in self.entries:
            for address in entry.addresses_to_add:
                unique.setdefault(address.key, address)
        return tuple(unique.values())


@dataclass(frozen=True, slots=True)
class CampusDataReport:
    duplicates: tuple[tuple[str, tuple[PersonId, ...]], ...]
    missing: tuple[PersonId, ...]

    @property
    def is_clean(self) -> bool:
        return not self.duplicates and not self.missing


def check_campus_data(staff: Iterable[tuple[PersonId, str | None]]) -> CampusDataReport:
    """Check Campus Data: staff numbers used more than once, and staff with none.

    >>> check_campus_data([(1, "A1"), (2, "A1"), (3, None)])
    CampusDataReport(duplicates=(('A1', (1, 2)),), missing=(3,))
    """
    by_number: dict[str, list[PersonId]] = defaultdict(list)
    missing: list[PersonId] = []
    for person_id, staff_number in staff:
        number = text(staff_number)
        if number:
            by_number[number].append(person_id)
        else:
            missing.append(person_id)
    duplicates = tuple((n, tuple(ids)) for n, ids in by_number.items() if len(ids) > 1)
    return CampusDataReport(duplicates, tuple(missing))


def plan_employments(
    current: Iterable[Employment], incoming: Iterable[Employment]
) -> EmploymentPlan:
    known = {employment.hire_date: employment for employment in current}
    creates: list[Employment] = []
    updates: list[EmploymentUpdate] = []
    for employment in incoming:
        existing = known.get(employment.hire_date)
        if existing is None:
            creates.append(employment)
            known[employment.hire_date] = employment
        elif existing.termination_date != employment.termination_date:
            updates.append(
                EmploymentUpdate(
                    employment.hire_date, existing.termination_date, employment.termination_date
                )
            )
    return EmploymentPlan(tuple(creates), tuple(updates))


def _employments(payload: Mapping[str, object]) -> list[Employment]:
    items = payload.get("employments") or []
    assert isinstance(items, list)
    return [
        Employment(text(item.get("hireDate")) or None, text(item.get("terminationDate")) or None)
        for item in items
        if isinstance(item, Mapping)
    ]


def _addresses(payload: Mapping[str, object]) -> list[tuple[str, object]]:
    household = payload.get("household")
    if not isinstance(household, Mapping):
        return []
    locations = household.get("householdLocations") or []
    return [
        (f"household.householdLocations[{index}].address", location["address"])
        for index, location in enumerate(locations if isinstance(locations, list) else [])
        if isinstance(location, Mapping) and location.get("address") is not None
    ]


def _nothing(_: object) -> None:
    return None


def report_entry(
    campus: CampusStaff | None,
    hr: Mapping[str, object],
    mappings: Mappings,
    *,
    household_allowed: bool = True,
    find_address_by_components: FindByComponents = _nothing,
    find_address_by_key: FindByKey = _nothing,
) -> ReportEntry:
    """The validate-report entry for one HR staff member and its Campus match (or None)."""
    staff_number = text(hr.get("staffNumber"))
    check = validate_staff(hr, mappings, household_allowed=household_allowed)
    if not check.ok:
        return ReportEntry(staff_number, "error", errors=check.errors)
    is_create = campus is None
    notes: list[str] = []
    assignments = _assignment_plan(campus, hr, notes)
    household, new_addresses = _household_plan(
        campus, hr, household_allowed, find_address_by_components, find_address_by_key
    )
    if household.action == "ignore":
        notes.append(household.reason)
    changes = () if campus is None else tuple(demographic_changes(campus.demographics, hr))
    employments = plan_employments(() if campus is None else campus.employments, _employments(hr))
    return ReportEntry(
        staff_number=staff_number,
        action="add" if is_create else "update",
        person_id=None if campus is None else campus.person_id,
        demographic_changes=changes,
        new_identity=any(change.new_identity for change in changes),
        employment_changes=employments,
        assignment_changes=assignments,
        titles_to_create=check.titles_to_create,
        household=household,
        addresses_to_add=tuple(new_addresses),
        notes=tuple(notes),
    )


def _household_plan(
    campus: CampusStaff | None,
    hr: Mapping[str, object],
    household_allowed: bool,
    by_components: FindByComponents,
    by_key: FindByKey,
) -> tuple[HouseholdDecision, list[Address]]:
    """What Campus does with the household sent, and the addresses it creates for it."""
    current = None if campus is None else campus.household
    household = decide_household(
        is_create=campus is None,
        has_household_data=hr.get("household") is not None,
        household_allowed=household_allowed,
        current=current,
    )
    if household.action not in ("create", "update"):
        return household, []
    new_addresses, matched = _new_addresses(hr, by_components, by_key)
    household = household_settled(
        household,
        current,
        sent_address_ids=frozenset(matched),
        creates_address=bool(new_addresses),
    )
    return household, new_addresses


def _assignment_plan(
    campus: CampusStaff | None, hr: Mapping[str, object], notes: list[str]
) -> PositionPlan:
    """The positions as a complete set (when HR sent them), with what to tell about them."""
    positions = hr.get("positions")
    incoming = [position_from_payload(p) for p in positions or []]
    plan = PositionPlan()
    if positions is not None:
        existing = () if campus is None else campus.positions
        plan = plan_positions(existing, incoming, complete_set=True)
    if plan.kept_linked:
        notes.append(
            f"{len(plan.kept_linked)} position(s) left out by HR stay in Campus: "
            "they are linked to other Campus activity"
        )
    if campus is None and not incoming:
        notes.append("no position sent: Campus will not treat this person as staff until one is")
    return plan


def _new_addresses(
    hr: Mapping[str, object], by_components: FindByComponents, by_key: FindByKey
) -> tuple[list[Address], list[Hashable]]:
    """The household's addresses the district does not have yet, and the ids of those it
    has."""
    new: list[Address] = []
    matched: list[Hashable] = []
    for path, address_payload in _addresses(hr):
        match = match_address(
            address_payload, find_by_components=by_components, find_by_key=by_key, path=path
        )
        if match.how == "create" and match.address is not None:
            new.append(match.address)
        elif match.address_id is not None:
            matched.append(match.address_id)
    return new, matched


def validate_sync(
    campus_staff: Iterable[CampusStaff],
    hr_records: Iterable[Mapping[str, object]],
    mappings: Mappings,
    *,
    household_allowed: bool = True,
    find_address_by_components: FindByComponents = _nothing,
    find_address_by_key: FindByKey = _nothing,
) -> SyncReport:
    """The validate step over a whole transfer: staff matched by staff number only."""
    campus_by_number: dict[str, list[CampusStaff]] = defaultdict(list)
    campus_list = list(campus_staff)
    for person in campus_list:
        if text(person.staff_number):
            campus_by_number[text(person.staff_number)].append(person)
    records = list(hr_records)
    hr_counts = Counter(text(record.get("staffNumber")) for record in records)
    entries: list[ReportEntry] = []
    seen: set[str] = set()
    for record in records:
        number = text(record.get("staffNumber"))
        matches = campus_by_number.get(number, []) if number else []
        conflict = _conflict(number, hr_counts[number], len(matches))
        if conflict is not None:
            entries.append(ReportEntry(number, "error", errors=(conflict,)))
            continue
        seen.add(number)
        entries.append(
            report_entry(
                matches[0] if matches else None,
                record,
                mappings,
                household_allowed=household_allowed,
                find_address_by_components=find_address_by_components,
                find_address_by_key=find_address_by_key,
            )
        )
    untouched = tuple(
        person.person_id for person in campus_list if text(person.staff_number) not in seen
    )
    return SyncReport(tuple(entries), untouched)


def _conflict(number: str, hr_count: int, campus_count: int) -> RuleError | None:
    if number and hr_count > 1:
        return RuleError(
            "staffNumber", "duplicate", f"staff number '{number}' appears {hr_count} times in HR"
        )
    if campus_count > 1:
        return RuleError(
            "staffNumber",
            "duplicate",
            f"staff number '{number}' belongs to {campus_count} people in Campus: "
            "run Check Campus Data and fix the Local Staff Numbers",
        )
    return None


# --- the synchronization session ----------------------------------------------------------


class SyncState(StrEnum):
    NOT_STARTED = "not_started"
    TRANSFERRING = "transferring"
    TRANSFER_ENDED = "transfer_ended"
    VALIDATED = "validated"
    COMMITTED = "committed"


SyncAction = Literal["start", "transfer", "end_transfer", "validate", "commit", "commit_job"]

_NEXT: dict[tuple[SyncAction, SyncState], SyncState] = {
    ("transfer", SyncState.TRANSFERRING): SyncState.TRANSFERRING,
    ("end_transfer", SyncState.TRANSFERRING): SyncState.TRANSFER_ENDED,
    ("validate", SyncState.TRANSFER_ENDED): SyncState.VALIDATED,
    ("validate", SyncState.VALIDATED): SyncState.VALIDATED,  # Campus data changed: again
    ("commit", SyncState.VALIDATED): SyncState.COMMITTED,
    ("commit_job", SyncState.VALIDATED): SyncState.COMMITTED,
}

_NEEDS: dict[str, str] = {
    "transfer": "start the synchronization first (changed HR data means starting again)",
    "end_transfer": "start the synchronization and transfer staff first",
    "validate": "end the transfer first",
    "commit": "validate first",
    "commit_job": "validate first",
}


def next_sync_state(state: SyncState, action: SyncAction) -> SyncState | RuleError:
    """The session state after ``action``, or why the action is not allowed now.

    ``start`` is always allowed: it (re)starts the sync from step 1.
    """
    if action == "start":
        return SyncState.TRANSFERRING
    following = _NEXT.get((action, state))
    if following is None:
        message = f"cannot {action.replace('_', ' ')} while the sync is {state.value}: "
        return RuleError("sync", "not_allowed", message + _NEEDS.get(action, ""))
    return following


def recommended_commit_api(staff_count: int) -> Literal["commit", "commitJob"]:
    """Fewer than 500 staff: the commit call that waits and returns results; else the job."""
    return "commit" if staff_count < COMMIT_JOB_THRESHOLD else "commitJob"
