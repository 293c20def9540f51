"""The district's reference data: the district, genders, assignment and title codes, and
schools (a district office plus elementary, middle and high schools, 3:1:1)."""

from __future__ import annotations

from datetime import UTC, datetime

from sandbox.generator.base import GeneratorBase
from sandbox.generator.data import ASSIGNMENT_CODES, EXTRA_TITLES, SCHOOL_NAME_WORDS, TITLES

SCHOOL_SUFFIX = {"elementary": "Elementary", "middle": "Middle School", "high": "High School"}


class ReferenceData(GeneratorBase):
    staff: int
    students: int

    def _build_reference(self) -> None:
        modified = datetime(self.as_of.year - 1, 7, 1, 12, tzinfo=UTC)
        self.district = {
            "id": self._id("district"),
            "name": "Rum River Valley Public Schools",
            "state": "MN",
            "sourced_id": self._uuid(),
            "email_domain": "rrvps.example.org",
            "date_modified": modified,
        }
        self.genders = [
            {"id": self._id("gender"), "code": code, "name": name}
            for code, name in (("F", "Female"), ("M", "Male"), ("X", "Non-binary"))
        ]
        self._build_codes()
        self._build_schools(modified)

    def _build_codes(self) -> None:
        """Assignment codes (state) and title codes (district), with the titles staff are
        given: (title id, assignment code id, kinds of school, weight)."""
        self.assignment_codes = [
            {"id": self._id("assignment_code"), "code": c, "name": n, "oneroster_role": r}
            for c, n, r in ASSIGNMENT_CODES
        ]
        code_ids = {row["code"]: row["id"] for row in self.assignment_codes}
        used_codes: set[str] = set()
        self.title_codes = []
        self._titles = []
        for description, code, kinds, weight in TITLES:
            title_id = self._title(description, used_codes)
            self._titles.append((title_id, code_ids[code], kinds, weight))
        self._extra_titles = [self._title(d, used_codes) for d in EXTRA_TITLES]
        self._title_by_name = {row["description"]: row["id"] for row in self.title_codes}
        self._code_ids = code_ids
        self._primary_titles = [t for t in self._titles if t[3] > 0]
        self._primary_weights = [t[3] for t in self._primary_titles]

    def _build_schools(self, modified: datetime) -> None:
        count = max(4, min(2000, max(self.staff // 60, self.students // 450)))
        kinds = ["office"] + [
            ("elementary", "elementary", "elementary", "middle", "high")[i % 5]
            for i in range(count - 1)
        ]
        kinds[1:4] = ["elementary", "middle", "high"]
        names_used: dict[str, int] = {}
        self.schools = [
            {
                "id": self._id("school"),
                "number": f"{(i + 1) * 10:03d}",
                "name": self._school_name(kind, names_used),
                "kind": kind,
                "sourced_id": self._uuid(),
                "date_modified": modified,
            }
            for i, kind in enumerate(kinds)
        ]
        self._schools_by_kind: dict[str, list[int]] = {}
        for row in self.schools:
            self._schools_by_kind.setdefault(row["kind"], []).append(row["id"])

    def _school_name(self, kind: str, names_used: dict[str, int]) -> str:
        if kind == "office":
            return "District Office"
        name = f"{self.rng.choice(SCHOOL_NAME_WORDS)} {SCHOOL_SUFFIX[kind]}"
        names_used[name] = names_used.get(name, 0) + 1
        return f"{name} {names_used[name]}" if names_used[name] > 1 else name

    def _title(self, description: str, used: set[str]) -> int:
        while True:
            code = f"{self.rng.getrandbits(32):08X}"
            if code not in used:
                used.add(code)
                break
        row = {"id": self._id("title_code"), "code": code, "description": description}
        self.title_codes.append(row)
        return row["id"]

    def reference(self) -> dict[str, list[dict]]:
        return {
            "district": [self.district],
            "gender": self.genders,
            "assignment_code": self.assignment_codes,
            "title_code": self.title_codes,
            "school": self.schools,
        }

    def _dirty_staff_numbers(self) -> None:
        """A few staff with no Local Staff Number and a few sharing one."""
        n = self.staff
        dirty = min(n // 2, max(2, n // 300)) if n >= 10 else 0
        picked = self.rng.sample(range(1, n), 2 * dirty) if dirty else []
        self._blank_numbers = set(picked[:dirty])
        self._duplicate_numbers = set(picked[dirty:])

    @staticmethod
    def staff_number(index: int) -> str:
        return f"{100001 + index}"

    def _pick_title(self, index: int):
        if index == 0:
            name = "Superintendent"
        elif index in (1, 2) and self.staff >= 50:
            name = "Assistant Superintendent"
        else:
            return self.rng.choices(self._primary_titles, weights=self._primary_weights)[0]
        return next(t for t in self._titles if t[0] == self._title_by_name[name])

    def _school_for(self, kinds) -> int:
        return self.rng.choice(self._schools_by_kind[self.rng.choice(kinds)])
