"""The district's mapping tables: HR locations, sex codes and job codes → Campus values."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from boi.rules.staff import Mappings


@dataclass(frozen=True)
class JobMapping:
    assignment_code: str = ""
    title_code: str = ""
    title_description: str = ""


@dataclass
class Resolver:
    """The district's mapping tables and Campus lists; resolves HR values to Campus ones.

    An HR value that is already a Campus value (HR uses Campus's school numbers, say) needs
    no mapping row.
    """

    locations: Mapping[str, str]
    sexes: Mapping[str, str]
    jobs: Mapping[str, JobMapping]
    mappings: Mappings
    unmapped: dict[str, dict[str, int]] = field(default_factory=dict)  # kind → value → uses

    @classmethod
    def empty(cls) -> Resolver:
        return cls({}, {}, {}, Mappings(set(), set(), set(), set()))

    def _miss(self, kind: str, value: str) -> None:
        seen = self.unmapped.setdefault(kind, {})
        if value in seen or len(seen) < 1000:
            seen[value] = seen.get(value, 0) + 1

    def school(self, value: str) -> str | None:
        if value in self.locations:
            return self.locations[value]
        if value in self.mappings.school_numbers:
            return value
        self._miss("location", value)
        return None

    def gender(self, value: str) -> str | None:
        if value in self.sexes:
            return self.sexes[value]
        if value in self.mappings.genders:
            return value
        self._miss("sex", value)
        return None

    def job(self, value: str) -> JobMapping | None:
        if value in self.jobs:
            return self.jobs[value]
        if value in self.mappings.assignment_codes:
            return JobMapping(assignment_code=value)
        if value in self.mappings.title_codes:
            return JobMapping(title_code=value)
        self._miss("job", value)
        return None


def resolver_unmapped(resolver: Resolver) -> dict[str, dict[str, int]]:
    """The HR values no mapping row resolved, by kind, each with how often the file uses it
    (for the import page and the code mapping page)."""
    return {
        kind: dict(sorted(values.items())) for kind, values in resolver.unmapped.items() if values
    }
