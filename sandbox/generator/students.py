"""Students with parents or guardians, in households; some staff are parents and share a
household with students."""

from __future__ import annotations

from datetime import date, timedelta

from sandbox.generator import data
from sandbox.generator.base import GRADES, YEAR
from sandbox.generator.households import Households
from sandbox.generator.people import People
from sandbox.generator.reference import ReferenceData


class Students(People, ReferenceData, Households):
    _student_seq: int

    def _student_household(self, rows, parents_pool: list[dict], wanted: int) -> int:
        r = self.rng
        children = min(wanted, r.choices([1, 2, 3], weights=[45, 35, 20])[0])
        guardians = []
        for _ in range(2 if r.random() < 0.7 else 1):
            if parents_pool and r.random() < 0.12:
                staff = parents_pool.pop()
                staff["housed"] = True
                guardians.append(staff)
            else:
                guardians.append(self._parent())
        family = guardians[0]["last"]
        members = list(guardians)
        for _ in range(children):
            members.append(
                self._student(
                    family if r.random() < 0.9 else r.choice(data.LAST_NAMES), guardians, rows
                )
            )
        for g in guardians:
            if "row" in g:  # a new parent person (not staff): rows not written yet
                rows["person"].append(g.pop("row"))
                rows["identity"].extend(g.pop("identities"))
        self._household(rows, members, is_staff=False)
        return children

    def _parent(self) -> dict:
        r = self.rng
        gender = self.genders[0] if r.random() < 0.5 else self.genders[1]
        first, last = self._first_name(gender), r.choice(data.LAST_NAMES)
        age = r.randint(24, 60)
        since = self._days_ago(0, 12 * YEAR)
        tmp: dict[str, list[dict]] = {"person": [], "identity": []}
        person = self._person(
            tmp,
            gender_id=gender["id"],
            birth=self.as_of - timedelta(days=age * YEAR + r.randint(0, YEAR - 1)),
            ssn=self._ssn() if r.random() < 0.3 else "",
            personal_email=self._personal_email(first, last) if r.random() < 0.85 else "",
            cell_phone=self._phone(),
            since=since,
        )
        self._identities(tmp, person["id"], first, self._middle_name(gender), last, since, 0.03)
        return {
            "id": person["id"],
            "last": last,
            "gender": gender,
            "since": since,
            "row": tmp["person"][0],
            "identities": tmp["identity"],
        }

    def _student(self, last: str, guardians: list[dict], rows) -> dict:
        r = self.rng
        grade_index = r.randrange(len(GRADES))
        gender = self._student_gender()
        first = self._first_name(gender)
        birth = self.as_of - timedelta(days=(5 + grade_index) * YEAR + r.randint(0, YEAR - 1))
        start = self._days_ago(0, min(grade_index + 1, 6) * YEAR)
        person = self._person(rows, gender_id=gender["id"], birth=birth, since=start)
        self._identities(rows, person["id"], first, self._middle_name(gender), last, start, 0.01)
        self._enrolment(rows, person["id"], grade_index, start)
        for g in guardians:
            self._guardianship(rows, person["id"], g, start)
        return {"id": person["id"], "last": last, "since": start}

    def _student_gender(self) -> dict:
        r = self.rng
        return (
            self.genders[0]
            if r.random() < 0.49
            else self.genders[1]
            if r.random() < 0.98
            else self.genders[2]
        )

    def _enrolment(self, rows, person_id: int, grade_index: int, start: date) -> None:
        """The student record at a school of their grade; a few have left."""
        r = self.rng
        kind = "elementary" if grade_index <= 5 else "middle" if grade_index <= 8 else "high"
        self._student_seq += 1
        end = None
        if r.random() < 0.04 and (self.as_of - start).days > 30:
            end = start + timedelta(days=r.randint(1, (self.as_of - start).days))
        rows["student"].append(
            {
                "id": self._id("student"),
                "person_id": person_id,
                "student_number": f"{4000000 + self._student_seq}",
                "grade": GRADES[grade_index],
                "school_id": r.choice(self._schools_by_kind[kind]),
                "start_date": start,
                "end_date": end,
            }
        )

    def _guardianship(self, rows, student_id: int, guardian: dict, start: date) -> None:
        name = (
            "Guardian"
            if self.rng.random() < 0.1
            else ("Mother" if guardian["gender"]["code"] == "F" else "Father")
        )
        rows["relationship"].append(
            {
                "id": self._id("relationship"),
                "student_id": student_id,
                "guardian_id": guardian["id"],
                "name": name,
                "is_guardian": True,
                "start_date": start,
                "end_date": None,
            }
        )
