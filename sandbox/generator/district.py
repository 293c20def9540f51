"""``DistrictGenerator``: the whole district, reference data first, then people in batches."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import date

from sandbox.generator.base import TABLES
from sandbox.generator.staff import Staff
from sandbox.generator.students import Students


class DistrictGenerator(Staff, Students):
    def __init__(
        self,
        *,
        staff: int,
        students: int,
        seed: int,
        as_of: date,
        batch_size: int = 5000,
    ):
        if staff < 0 or students < 0:
            raise ValueError("staff and students must not be negative")
        self.staff = staff
        self.students = students
        self.seed = seed
        self.as_of = as_of
        self.batch_size = max(1, batch_size)
        self.rng = random.Random(seed)
        self._ids = dict.fromkeys(TABLES, 0)
        self._emails: dict[str, int] = {}
        self._addresses: list[dict] = []  # street addresses made so far (for reuse/variants)
        self._student_seq = 0
        self._build_reference()
        self._dirty_staff_numbers()

    def batches(self) -> Iterator[dict[str, list[dict]]]:
        """Rows for people, households and addresses, ``batch_size`` staff at a time."""
        chunks = max(1, -(-max(self.staff, self.students) // self.batch_size))
        for chunk in range(chunks):
            staff_range = range(self.staff * chunk // chunks, self.staff * (chunk + 1) // chunks)
            students = self.students * (chunk + 1) // chunks - self.students * chunk // chunks
            yield self._batch(staff_range, students)

    def _batch(self, staff_range: range, students: int) -> dict[str, list[dict]]:
        rows: dict[str, list[dict]] = {t: [] for t in TABLES[5:]}
        staff_people = [self._staff(i, rows) for i in staff_range]
        # Staff of parenting age may turn out to be a student's parent (shared household).
        parents_pool = [p for p in staff_people if 26 <= p["age"] <= 55]
        self.rng.shuffle(parents_pool)
        made = 0
        while made < students:
            made += self._student_household(rows, parents_pool, students - made)
        housed = {p["id"] for p in staff_people if p.get("housed")}
        alone = [p for p in staff_people if p["id"] not in housed]
        i = 0
        while i < len(alone):
            members = [alone[i]]
            # A few staff share a household with a colleague.
            if i + 1 < len(alone) and self.rng.random() < 0.03:
                members.append(alone[i + 1])
            self._household(rows, members, is_staff=True)
            i += len(members)
        return rows
