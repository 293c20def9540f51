"""District assignment (position) update rules.

A position has no identifier shared by HR and Campus, so Campus identifies one by its
school, title code and/or assignment code (the codes the incoming position carries), and:

1. a match on those and the start date -> the end date is updated;
2. otherwise a match on those and the end date -> the start date is updated;
3. every matching position is updated, not just the first;
4. no match -> the position is created (two identical positions are not refused);
5. a staff update that carries positions carries all of them: positions it leaves out are
   removed, except those linked to other Campus activity, which stay (and are reported).

Interpretations where the guide is silent: an existing position matched by its start date
(rule 1) by any incoming position is not also re-dated by another's end date (rule 2), and
one matched by an end date is claimed by the first incoming position that matches it, so a
second one is created rather than silently overwriting the first's start date. Blank end
dates are equal (an open position matches an open position).
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

PositionId = Hashable


@dataclass(frozen=True, slots=True)
class Position:
    """An incoming position (HR's), dates as YYYY-MM-DD strings or None."""

    school_number: str
    title_code: str | None = None
    assignment_code: str | None = None
    start_date: str | None = None
    end_date: str | None = None


@dataclass(frozen=True, slots=True)
class ExistingPosition:
    """A Campus district assignment. ``is_linked``: used by other Campus activity."""

    id: PositionId
    school_number: str
    title_code: str | None = None
    assignment_code: str | None = None
    start_date: str | None = None
    end_date: str | None = None
    is_linked: bool = False


@dataclass(frozen=True, slots=True)
class PositionUpdate:
    position_id: PositionId
    field: Literal["startDate", "endDate"]
    old: str | None
    new: str | None


@dataclass(frozen=True, slots=True)
class PositionPlan:
    updates: tuple[PositionUpdate, ...] = ()
    creates: tuple[Position, ...] = ()
    removals: tuple[PositionId, ...] = ()
    kept_linked: tuple[PositionId, ...] = ()  # left out, but linked: stays, reported
    unchanged: tuple[PositionId, ...] = ()  # matched, nothing to change

    @property
    def changes_anything(self) -> bool:
        return bool(self.updates or self.creates or self.removals)


def _blank(value: str | None) -> str | None:
    return value.strip() or None if isinstance(value, str) else None


def position_from_payload(item: Mapping[str, object]) -> Position:
    """A validated payload position (``staff.validate_position``) as a ``Position``."""

    def value(name: str) -> str | None:
        raw = item.get(name)
        return _blank(raw) if isinstance(raw, str) else None

    return Position(
        school_number=value("schoolNumber") or "",
        title_code=value("titleCode"),
        assignment_code=value("assignmentCode"),
        start_date=value("startDate"),
        end_date=value("endDate"),
    )


def identifies(existing: ExistingPosition, incoming: Position) -> bool:
    """Same school, and the same title code and/or assignment code, as far as HR sent them."""
    title, assignment = _blank(incoming.title_code), _blank(incoming.assignment_code)
    if existing.school_number.strip() != incoming.school_number.strip():
        return False
    if title is None and assignment is None:
        return False
    if title is not None and _blank(existing.title_code) != title:
        return False
    return assignment is None or _blank(existing.assignment_code) == assignment


def plan_positions(
    existing: Sequence[ExistingPosition],
    incoming: Iterable[Position],
    *,
    complete_set: bool,
) -> PositionPlan:
    """What Campus does with incoming positions.

    ``complete_set=False``: the positions API (add / update positions; nothing removed).
    ``complete_set=True``: a staff update that includes positions (the complete set).
    """
    updates: dict[tuple[PositionId, str], PositionUpdate] = {}
    pending, by_start = _match_by_start(existing, incoming, updates)
    creates, by_end = _match_by_end(existing, pending, by_start, updates)
    matched = by_start | by_end
    updated_ids = {update.position_id for update in updates.values()}
    unchanged = tuple(e.id for e in existing if e.id in matched and e.id not in updated_ids)
    removals: list[PositionId] = []
    kept: list[PositionId] = []
    if complete_set:
        for position in existing:
            if position.id not in matched:
                (kept if position.is_linked else removals).append(position.id)
    return PositionPlan(
        updates=tuple(updates.values()),
        creates=tuple(creates),
        removals=tuple(removals),
        kept_linked=tuple(kept),
        unchanged=unchanged,
    )


Updates = dict[tuple[PositionId, str], PositionUpdate]


def _match_by_start(
    existing: Sequence[ExistingPosition], incoming: Iterable[Position], updates: Updates
) -> tuple[list[Position], set[PositionId]]:
    """Rule 1, the start date: the positions it matches get the incoming end date; returns
    the incoming positions it left, and the ids it matched."""
    matched: set[PositionId] = set()
    pending: list[Position] = []
    for position in incoming:
        start = _blank(position.start_date)
        by_start = [
            e for e in existing if identifies(e, position) and _blank(e.start_date) == start
        ]
        if not by_start:
            pending.append(position)
            continue
        end = _blank(position.end_date)
        for found in by_start:
            matched.add(found.id)
            if _blank(found.end_date) != end:
                updates[(found.id, "endDate")] = PositionUpdate(
                    found.id, "endDate", found.end_date, end
                )
    return pending, matched


def _match_by_end(
    existing: Sequence[ExistingPosition],
    pending: list[Position],
    by_start: set[PositionId],
    updates: Updates,
) -> tuple[list[Position], set[PositionId]]:
    """Rule 2, the end date, among the positions rule 1 did not match: they get the
    incoming start date; returns the positions to create, and the ids it matched."""
    claimed: set[PositionId] = set()
    creates: list[Position] = []
    for position in pending:
        end = _blank(position.end_date)
        by_end = [
            e
            for e in existing
            if e.id not in by_start
            and e.id not in claimed
            and identifies(e, position)
            and _blank(e.end_date) == end
        ]
        if not by_end:
            creates.append(position)
            continue
        start = _blank(position.start_date)
        for found in by_end:
            claimed.add(found.id)
            updates[(found.id, "startDate")] = PositionUpdate(
                found.id, "startDate", found.start_date, start
            )
    return creates, claimed


def is_staff(positions: Iterable[object]) -> bool:
    """Campus considers a person staff (searchable as staff) only once they have a position."""
    return any(True for _ in positions)
