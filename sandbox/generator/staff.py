"""Staff: hire and termination dates, rehires, transfers (ended positions, some linked to
other activity), extra positions (coaches, advisors; some title-only), and a few with a
blank or a duplicated Local Staff Number."""

from __future__ import annotations

from datetime import date, timedelta

from sandbox.generator import data
from sandbox.generator.base import YEAR
from sandbox.generator.people import People
from sandbox.generator.reference import ReferenceData


class Staff(People, ReferenceData):
    _blank_numbers: set[int]
    _duplicate_numbers: set[int]

    def _staff(self, index: int, rows) -> dict:
        """The ``index``-th staff member's rows; returns what households need of them."""
        staff = self._staff_person(index, rows)
        term = self._staff_employments(rows, staff, index)
        self._staff_positions(rows, staff, index, term)
        return {k: staff[k] for k in ("id", "age", "last", "gender", "since")}

    def _staff_person(self, index: int, rows) -> dict:
        r = self.rng
        gender = self._gender()
        first, middle, last = (
            self._first_name(gender),
            self._middle_name(gender),
            r.choice(data.LAST_NAMES),
        )
        age = r.randint(22, 67)
        birth = self.as_of - timedelta(days=age * YEAR + r.randint(0, YEAR - 1))
        years = min(age - 21, int(r.expovariate(1 / 8)))
        hire = self._days_ago(years * YEAR, years * YEAR + YEAR - 1)
        person = self._person(
            rows,
            gender_id=gender["id"],
            birth=birth,
            staff_number=self._staff_number_of(index),
            ssn=self._ssn(),
            work_email=self._work_email(first, last),
            personal_email=self._personal_email(first, last) if r.random() < 0.7 else "",
            work_phone=self._phone(),
            cell_phone=self._phone() if r.random() < 0.6 else "",
            since=hire,
        )
        self._identities(rows, person["id"], first, middle, last, hire, changed_share=0.09)
        return {
            "id": person["id"],
            "age": age,
            "last": last,
            "gender": gender,
            "since": hire,
            "years": years,
        }

    def _staff_number_of(self, index: int) -> str:
        """Their Local Staff Number: blank for a few, another's for a few."""
        if index in self._blank_numbers:
            return ""
        if index in self._duplicate_numbers:
            return self.staff_number(self.rng.randrange(0, index))
        return self.staff_number(index)

    def _staff_employments(self, rows, staff: dict, index: int) -> date | None:
        """Employments: a rehire has an earlier, terminated employment (and position).
        Returns the current employment's termination date, if it ended."""
        r = self.rng
        pid, hire, years = staff["id"], staff["since"], staff["years"]
        if years >= 4 and r.random() < 0.08:
            first_hire = hire - timedelta(days=r.randint(2 * YEAR, 8 * YEAR))
            first_term = hire - timedelta(days=r.randint(60, 700))
            self._employment(rows, pid, first_hire, first_term)
            title_id, code_id, kinds, _ = self._pick_title(index + 3)
            self._assignment(
                rows,
                pid,
                self._school_for(kinds),
                code_id,
                title_id,
                first_hire,
                first_term,
                linked=r.random() < 0.7,
            )
        term = None
        days_employed = (self.as_of - hire).days
        if days_employed > 60 and r.random() < 0.04:
            term = hire + timedelta(days=r.randint(30, days_employed - 1))
        self._employment(rows, pid, hire, term)
        return term

    def _staff_positions(self, rows, staff: dict, index: int, term: date | None) -> None:
        """The main position, perhaps after a transfer; perhaps an extra one."""
        r = self.rng
        pid, hire = staff["id"], staff["since"]
        days_employed = (self.as_of - hire).days
        title_id, code_id, kinds, _ = self._pick_title(index)
        start = hire
        if days_employed > 3 * YEAR and r.random() < 0.12:
            transfer = hire + timedelta(days=r.randint(YEAR, days_employed - YEAR))
            old_title, old_code, old_kinds, _ = self._pick_title(index + 3)
            self._assignment(
                rows,
                pid,
                self._school_for(old_kinds),
                old_code,
                old_title,
                hire,
                transfer - timedelta(days=1),
                linked=r.random() < 0.7,
            )
            start = transfer
        main_school = self._school_for(kinds)
        self._assignment(
            rows, pid, main_school, code_id, title_id, start, term, linked=r.random() < 0.35
        )
        if term is None and r.random() < 0.18:
            self._extra_position(rows, pid, hire, main_school, kinds)

    def _extra_position(self, rows, pid: int, hire: date, main_school: int, kinds) -> None:
        """A coach's or an advisor's position, half of them ending (some in the future)."""
        r = self.rng
        extra_start = max(hire, self._days_ago(0, 3 * YEAR))
        extra_end = None
        if r.random() < 0.5:
            extra_end = min(
                self.as_of + timedelta(days=120),
                extra_start + timedelta(days=r.randint(90, 200)),
            )
        title_only = r.random() < 0.6
        self._assignment(
            rows,
            pid,
            main_school if r.random() < 0.7 else self._school_for(kinds),
            None if title_only else self._code_ids["20"],
            r.choice(self._extra_titles),
            extra_start,
            extra_end,
        )

    def _assignment(
        self, rows, person_id, school_id, code_id, title_id, start, end, linked=False
    ) -> None:
        rows["assignment"].append(
            {
                "id": self._id("assignment"),
                "person_id": person_id,
                "school_id": school_id,
                "assignment_code_id": code_id,
                "title_code_id": title_id,
                "start_date": start,
                "end_date": end,
                "is_linked_to_other_activity": linked,
            }
        )

    def _employment(self, rows, person_id, hire, term) -> None:
        rows["employment"].append(
            {
                "id": self._id("employment"),
                "person_id": person_id,
                "hire_date": hire,
                "termination_date": term,
            }
        )
