"""Households, their locations, and addresses written in the many ways people write them
("N"/"North"/"N.", "Ave"/"Avenue"/"AVE", "#12"/"Apt 12"/"Unit 12", ZIP+4, upper case, a
whole street line in one field), PO boxes, households at the same address record, and
near-duplicate address records."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sandbox.generator import data
from sandbox.generator.base import GeneratorBase


class Households(GeneratorBase):
    _addresses: list[dict]  # street addresses made so far (for reuse and variants)

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
