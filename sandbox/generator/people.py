"""A person's rows: the person, their names (identities) and how to reach them."""

from __future__ import annotations

import unicodedata
from datetime import date, timedelta

from sandbox.generator import data
from sandbox.generator.base import GeneratorBase


def _ascii(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(c for c in folded.lower() if c.isalnum())


class People(GeneratorBase):
    district: dict
    _emails: dict[str, int]

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
