"""A realistic, deterministic school district for the Campus sandbox. No Django.

``DistrictGenerator(staff=N, students=M, seed=S, as_of=date)`` yields rows (dicts keyed
by model field names, with explicit ids) for the reference tables and then for people in
batches, so 100,000 staff never sit in memory at once. The same arguments always give the
same district; dates are relative to ``as_of``.

What makes it realistic (and dirty, as real Campus data is):

- schools of each kind and a district office; state assignment codes and district title
  codes; staff with hire/termination dates, rehires, transfers (ended positions, some
  linked to other activity), extra positions (coaches, advisors; some title-only);
- name changes (an ended identity and a current one);
- a few staff with a blank or a duplicated Local Staff Number;
- students with parents/guardians; some staff are parents and share a household with
  students; a few staff share a household with another staff member;
- addresses written in the many ways people write them ("N"/"North"/"N.", "Ave"/"Avenue"/
  "AVE", "#12"/"Apt 12"/"Unit 12", ZIP+4, upper case, a whole street line in one field),
  PO boxes, households at the same address record, and near-duplicate address records.
"""

from __future__ import annotations

import random
import unicodedata
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

from sandbox import generator_data as data

TABLES = (
    "district",
    "gender",
    "assignment_code",
    "title_code",
    "school",
    "address",
    "household",
    "person",
    "identity",
    "employment",
    "assignment",
    "student",
    "relationship",
    "household_member",
    "household_location",
)
GRADES = ["KG", "01", "02", "03", "04", "05", "06", "07", "08", "09", "10", "11", "12"]
YEAR = 365


def _ascii(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(c for c in folded.lower() if c.isalnum())


class DistrictGenerator:
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

    # --- ids, dates, choices ----------------------------------------------------------

    def _id(self, table: str) -> int:
        self._ids[table] += 1
        return self._ids[table]

    def _days_ago(self, low: int, high: int) -> date:
        return self.as_of - timedelta(days=self.rng.randint(low, max(low, high)))

    def _moment(self, earliest: date, latest: date) -> datetime:
        """A UTC date-time between two dates (inclusive)."""
        if latest < earliest:
            latest = earliest
        day = earliest + timedelta(days=self.rng.randint(0, (latest - earliest).days))
        seconds = self.rng.randint(7 * 3600, 19 * 3600)
        return datetime(day.year, day.month, day.day, tzinfo=UTC) + timedelta(seconds=seconds)

    def _modified(self, since: date) -> datetime:
        """When the record was last changed: within three years, at least two days ago."""
        latest = self.as_of - timedelta(days=2)
        earliest = min(max(since, self.as_of - timedelta(days=3 * YEAR)), latest)
        return self._moment(earliest, latest)

    def _written(self, variants: list[str], canonical_share: float = 0.75) -> str:
        if len(variants) == 1 or self.rng.random() < canonical_share:
            return variants[0]
        return self.rng.choice(variants[1:])

    def _uuid(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    # --- reference data ----------------------------------------------------------------

    def _build_reference(self) -> None:
        rng = self.rng
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
        self.assignment_codes = [
            {"id": self._id("assignment_code"), "code": c, "name": n, "oneroster_role": r}
            for c, n, r in data.ASSIGNMENT_CODES
        ]
        code_ids = {row["code"]: row["id"] for row in self.assignment_codes}
        used_codes: set[str] = set()
        self.title_codes = []
        self._titles = []  # (title id, assignment code id, kinds, weight)
        for description, code, kinds, weight in data.TITLES:
            title_id = self._title(description, used_codes)
            self._titles.append((title_id, code_ids[code], kinds, weight))
        self._extra_titles = [self._title(d, used_codes) for d in data.EXTRA_TITLES]
        self._title_by_name = {row["description"]: row["id"] for row in self.title_codes}
        self._code_ids = code_ids
        # Schools: a district office plus elementary/middle/high in a 3:1:1 ratio.
        count = max(4, min(2000, max(self.staff // 60, self.students // 450)))
        kinds = ["office"] + [
            ("elementary", "elementary", "elementary", "middle", "high")[i % 5]
            for i in range(count - 1)
        ]
        kinds[1:4] = ["elementary", "middle", "high"]
        suffix = {"elementary": "Elementary", "middle": "Middle School", "high": "High School"}
        names_used: dict[str, int] = {}
        self.schools = []
        for i, kind in enumerate(kinds):
            if kind == "office":
                name = "District Office"
            else:
                name = f"{rng.choice(data.SCHOOL_NAME_WORDS)} {suffix[kind]}"
                names_used[name] = names_used.get(name, 0) + 1
                if names_used[name] > 1:
                    name = f"{name} {names_used[name]}"
            self.schools.append(
                {
                    "id": self._id("school"),
                    "number": f"{(i + 1) * 10:03d}",
                    "name": name,
                    "kind": kind,
                    "sourced_id": self._uuid(),
                    "date_modified": modified,
                }
            )
        self._schools_by_kind: dict[str, list[int]] = {}
        for row in self.schools:
            self._schools_by_kind.setdefault(row["kind"], []).append(row["id"])
        self._primary_titles = [t for t in self._titles if t[3] > 0]
        self._primary_weights = [t[3] for t in self._primary_titles]

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

    # --- people ------------------------------------------------------------------------

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

    def _person(
        self,
        rows,
        *,
        gender_id,
        birth,
        staff_number="",
        ssn="",
        work_email="",
        personal_email="",
        work_phone="",
        cell_phone="",
        since: date,
    ) -> dict:
        modified = self._modified(since)
        row = {
            "id": self._id("person"),
            "staff_number": staff_number,
            "birth_date": birth,
            "gender_id": gender_id,
            "ssn": ssn,
            "work_email": work_email,
            "personal_email": personal_email,
            "work_phone": work_phone,
            "cell_phone": cell_phone,
            "other_phone": "",
            "created_at": min(modified, self._moment(since - timedelta(days=30), since)),
            "date_modified": modified,
        }
        rows["person"].append(row)
        return row

    def _gender(self) -> dict:
        roll = self.rng.random()
        return (
            self.genders[0] if roll < 0.53 else self.genders[1] if roll < 0.985 else self.genders[2]
        )

    def _first_name(self, gender: dict) -> str:
        if gender["code"] == "F":
            return self.rng.choice(data.FEMALE_FIRST)
        if gender["code"] == "M":
            return self.rng.choice(data.MALE_FIRST)
        return self.rng.choice(data.FEMALE_FIRST + data.MALE_FIRST)

    def _middle_name(self, gender: dict) -> str:
        roll = self.rng.random()
        if roll < 0.5:
            return self._first_name(gender)
        if roll < 0.65:
            return self._first_name(gender)[0]
        return ""

    def _ssn(self) -> str:
        # Area numbers 900-999 are never issued: these cannot be anyone's SSN.
        r = self.rng
        return f"9{r.randint(0, 99):02d}-{r.randint(1, 99):02d}-{r.randint(1, 9999):04d}"

    def _phone(self) -> str:
        # 555-0100 to 555-0199 are reserved for fiction.
        r = self.rng
        return f"{r.choice(['763', '612', '651', '952'])}-555-{r.randint(100, 199):04d}"

    def _work_email(self, first: str, last: str) -> str:
        local = f"{_ascii(first)}.{_ascii(last)}"
        seen = self._emails.get(local, 0)
        self._emails[local] = seen + 1
        if seen:
            local = f"{local}{seen + 1}"
        return f"{local}@{self.district['email_domain']}"

    def _personal_email(self, first: str, last: str) -> str:
        r = self.rng
        domain = r.choice(["example.com", "example.net", "example.org"])
        return f"{_ascii(first)}{_ascii(last)[:1]}{r.randint(1, 999)}@{domain}"

    def _identities(
        self,
        rows,
        person_id: int,
        first: str,
        middle: str,
        last: str,
        start: date,
        changed_share: float,
    ) -> str:
        """The person's identities; returns the current last name."""
        if self.rng.random() < changed_share and (self.as_of - start).days > 60:
            change = start + timedelta(days=self.rng.randint(30, (self.as_of - start).days - 1))
            old_last = self.rng.choice(data.LAST_NAMES)
            rows["identity"].append(
                self._identity_row(
                    person_id, first, middle, old_last, start, change - timedelta(days=1), False
                )
            )
            start = change
        rows["identity"].append(
            self._identity_row(person_id, first, middle, last, start, None, True)
        )
        return last

    def _identity_row(self, person_id, first, middle, last, start, end, current) -> dict:
        return {
            "id": self._id("identity"),
            "person_id": person_id,
            "first_name": first,
            "middle_name": middle,
            "last_name": last,
            "suffix": "",
            "start_date": start,
            "end_date": end,
            "is_current": current,
        }

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

    def _staff(self, index: int, rows) -> dict:
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
        if index in self._blank_numbers:
            number = ""
        elif index in self._duplicate_numbers:
            number = self.staff_number(r.randrange(0, index))
        else:
            number = self.staff_number(index)
        person = self._person(
            rows,
            gender_id=gender["id"],
            birth=birth,
            staff_number=number,
            ssn=self._ssn(),
            work_email=self._work_email(first, last),
            personal_email=self._personal_email(first, last) if r.random() < 0.7 else "",
            work_phone=self._phone(),
            cell_phone=self._phone() if r.random() < 0.6 else "",
            since=hire,
        )
        pid = person["id"]
        self._identities(rows, pid, first, middle, last, hire, changed_share=0.09)

        # Employments: a rehire has an earlier, terminated employment.
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

        # Positions: the main one, perhaps after a transfer; perhaps an extra one.
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
        return {"id": pid, "age": age, "last": last, "gender": gender, "since": hire}

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
        gender = (
            self.genders[0]
            if r.random() < 0.49
            else self.genders[1]
            if r.random() < 0.98
            else self.genders[2]
        )
        first = self._first_name(gender)
        birth = self.as_of - timedelta(days=(5 + grade_index) * YEAR + r.randint(0, YEAR - 1))
        start = self._days_ago(0, min(grade_index + 1, 6) * YEAR)
        person = self._person(rows, gender_id=gender["id"], birth=birth, since=start)
        self._identities(rows, person["id"], first, self._middle_name(gender), last, start, 0.01)
        kind = "elementary" if grade_index <= 5 else "middle" if grade_index <= 8 else "high"
        self._student_seq += 1
        end = None
        if r.random() < 0.04 and (self.as_of - start).days > 30:
            end = start + timedelta(days=r.randint(1, (self.as_of - start).days))
        rows["student"].append(
            {
                "id": self._id("student"),
                "person_id": person["id"],
                "student_number": f"{4000000 + self._student_seq}",
                "grade": GRADES[grade_index],
                "school_id": r.choice(self._schools_by_kind[kind]),
                "start_date": start,
                "end_date": end,
            }
        )
        for g in guardians:
            name = (
                "Guardian"
                if r.random() < 0.1
                else ("Mother" if g["gender"]["code"] == "F" else "Father")
            )
            rows["relationship"].append(
                {
                    "id": self._id("relationship"),
                    "student_id": person["id"],
                    "guardian_id": g["id"],
                    "name": name,
                    "is_guardian": True,
                    "start_date": start,
                    "end_date": None,
                }
            )
        return {"id": person["id"], "last": last, "since": start}

    # --- households and addresses --------------------------------------------------------

    def _household(self, rows, members: list[dict], *, is_staff: bool) -> None:
        r = self.rng
        household_id = self._id("household")
        moved_in = min(m["since"] for m in members)
        rows["household"].append(
            {
                "id": household_id,
                "name": f"{members[0]['last']} Household",
                "is_staff_household": is_staff,
                "created_at": self._moment(moved_in - timedelta(days=10), moved_in),
            }
        )
        for m in members:
            rows["household_member"].append(
                {
                    "id": self._id("household_member"),
                    "household_id": household_id,
                    "person_id": m["id"],
                    "start_date": m["since"],
                    "end_date": None,
                }
            )
        physical = self._address_for_household(rows)
        rows["household_location"].append(self._location(household_id, physical, moved_in, True))
        if r.random() < 0.03:  # mail goes to a PO box; the house is the physical location
            rows["household_location"][-1]["is_mailing"] = False
            box = self._new_address(rows, po_box=True)
            rows["household_location"].append(self._location(household_id, box, moved_in, True))

    def _location(self, household_id, address_id, start, mailing) -> dict:
        return {
            "id": self._id("household_location"),
            "household_id": household_id,
            "address_id": address_id,
            "start_date": start,
            "end_date": None,
            "is_mailing": mailing,
            "is_secondary": False,
            "is_private": False,
        }

    def _address_for_household(self, rows) -> int:
        r = self.rng
        roll = r.random()
        if self._addresses and roll < 0.06:  # another household at the same address record
            return r.choice(self._addresses)["id"]
        if self._addresses and roll < 0.09:  # the same place entered again, written differently
            return self._variant(rows, r.choice(self._addresses))
        return self._new_address(rows, po_box=roll > 0.97)

    def _place(self) -> dict:
        r = self.rng
        city, county, zips = r.choice(data.CITIES)
        zip_code = r.choice(zips)
        if r.random() < 0.1:
            zip_code = f"{zip_code}-{r.randint(1000, 9999)}"
        return {"city": city, "county": county, "state": "MN", "zip": zip_code}

    def _new_address(self, rows, po_box: bool = False) -> int:
        r = self.rng
        place = self._place()
        if po_box:
            fields = {"post_office_box": True, "number": str(r.randint(1, 9999)), **place}
            return self._address_row(rows, fields)
        canonical = {
            "number": str(r.randint(100, 19999)),
            "prefix": r.choice(data.DIRECTIONS) if r.random() < 0.25 else None,
            "street": r.choice(data.STREET_NAMES + data.NUMBERED_STREETS),
            "tag": r.choice(data.STREET_TAGS),
            "direction": r.choice(data.DIRECTIONS) if r.random() < 0.12 else None,
            "apt": str(r.randint(1, 350)) if r.random() < 0.18 else "",
            **place,
        }
        fields = self._write(canonical)
        address_id = self._address_row(rows, fields)
        self._addresses.append({"id": address_id, "canonical": canonical})
        return address_id

    def _write(self, canonical: dict, canonical_share: float = 0.75) -> dict:
        """Components as somebody typed them."""
        r = self.rng
        prefix = (
            self._written(canonical["prefix"][1], canonical_share) if canonical["prefix"] else ""
        )
        direction = (
            self._written(canonical["direction"][1], canonical_share)
            if canonical["direction"]
            else ""
        )
        apt = canonical["apt"]
        if apt and r.random() > canonical_share:
            apt = r.choice([f"#{apt}", f"Apt {apt}", f"Unit {apt}", f"APT {apt}"])
        fields = {
            "number": canonical["number"],
            "prefix": prefix,
            "street": canonical["street"],
            "tag": self._written(canonical["tag"][1], canonical_share),
            "direction": direction,
            "apt": apt,
            **{k: canonical[k] for k in ("city", "county", "state", "zip")},
        }
        roll = r.random()
        if roll < 0.04:  # typed in capitals
            fields = {k: v.upper() if k not in ("state", "zip") else v for k, v in fields.items()}
        elif roll < 0.05:  # the whole street line in one field (an old import)
            line = " ".join(
                fields[k] for k in ("number", "prefix", "street", "tag", "direction") if fields[k]
            )
            fields.update(number="", prefix="", tag="", direction="", street=line)
        return fields

    def _variant(self, rows, existing: dict) -> int:
        return self._address_row(rows, self._write(existing["canonical"], canonical_share=0.3))

    def _address_row(self, rows, fields: dict) -> int:
        row = {
            "id": self._id("address"),
            "post_office_box": False,
            "number": "",
            "prefix": "",
            "street": "",
            "tag": "",
            "direction": "",
            "apt": "",
            "location_code": "",
            "tract": "",
            "block": "",
            "match_key": "",
            "created_at": datetime(self.as_of.year - 1, 7, 1, tzinfo=UTC),
            **fields,
        }
        rows["address"].append(row)
        return row["id"]
