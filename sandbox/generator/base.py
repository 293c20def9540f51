"""What every part of the district generator draws on: the tables it fills, the row ids,
and dates and choices from its seeded random generator."""

from __future__ import annotations

import random
import uuid
from datetime import UTC, date, datetime, timedelta

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


class GeneratorBase:
    as_of: date
    rng: random.Random
    _ids: dict[str, int]

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
