"""Who is the same Campus person across connections: a pure rule, no Django imports.

A district has one Campus, and every connection to it names a person by its own key
(personID over SOAP, ``sourcedId`` over OneRoster). The person's identity is Campus's
person ID; a connection that cannot tell it (a OneRoster without the personID in
``userIds``) falls back to the staff number, which Campus keeps unique per person, but
only where the person IDs cannot disagree. Discovery matches by this rule, and the
migration that merged the duplicates made before it grouped by it.
"""

from __future__ import annotations

from collections.abc import Iterable


def staff_number_key(staff_number: str | None) -> str:
    """A staff number as compared: trimmed, upper case ("" for none)."""
    return (staff_number or "").strip().upper()


def staff_number_spellings(numbers: Iterable[str]) -> set[str]:
    """``numbers`` as typed, and in either case: what an index lookup of the staff number
    column asks for to find them as Campus spells them (a lookup ignoring case reads
    every row).

    >>> sorted(staff_number_spellings([" s0001 ", ""]))
    ['S0001', 's0001']
    """
    spelt = {n.strip() for n in numbers} - {""}
    return spelt | {n.upper() for n in spelt} | {n.lower() for n in spelt}


def is_same_person(
    person_id: int | None, staff_number: str, other_id: int | None, other_number: str
) -> bool:
    """Whether two records name one Campus person.

    >>> is_same_person(42, "S1", 42, "")
    True
    >>> is_same_person(42, "S1", 43, "S1")  # two person IDs: two people
    False
    >>> is_same_person(None, "s1 ", 43, "S1")
    True
    >>> is_same_person(None, "", None, "")
    False
    """
    if person_id is not None and other_id is not None:
        return person_id == other_id
    number = staff_number_key(staff_number)
    return bool(number) and number == staff_number_key(other_number)


def same_person_groups(rows: Iterable[tuple[int, int | None, str]]) -> list[list[int]]:
    """The ids of ``(id, person_id, staff_number)`` records that name one person, for
    every person named more than once (ids ascending, groups by their first id).

    Records with one person ID are one person; a staff number joins records only when
    it names at most one person ID among them (a number shared by two IDs is ambiguous
    and joins nothing).

    >>> same_person_groups([(1, 7, "A"), (2, None, "a"), (3, 7, ""), (4, 8, "B")])
    [[1, 2, 3]]
    >>> same_person_groups([(1, 7, "A"), (2, 8, "A"), (3, None, "A")])
    []
    """
    parent: dict[int, int] = {}

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    by_id: dict[int, int] = {}
    by_number: dict[str, list[int]] = {}
    for row_id, person_id, staff_number in rows:
        parent[row_id] = row_id
        if person_id is not None:
            parent[row_id] = root(by_id.setdefault(person_id, row_id))
        if staff_number_key(staff_number):
            by_number.setdefault(staff_number_key(staff_number), []).append(row_id)
    person_of_root = {root(row_id): person_id for person_id, row_id in by_id.items()}
    for ids in by_number.values():
        roots = {root(i) for i in ids}
        named = {person_of_root[r] for r in roots if r in person_of_root}
        if len(named) > 1:
            continue
        first = roots.pop()
        for other in roots:
            parent[other] = first
        if named:
            person_of_root[first] = named.pop()
    groups: dict[int, list[int]] = {}
    for row_id in parent:
        groups.setdefault(root(row_id), []).append(row_id)
    return sorted((sorted(g) for g in groups.values() if len(g) > 1), key=lambda g: g[0])
