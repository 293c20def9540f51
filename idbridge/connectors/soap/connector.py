"""``SoapConnector``: the Connector interface over the Identity Service, and discovery.

Only ``GetPerson(personID)`` exists, so discovery walks person IDs above the highest one
seen and stops after a run of misses. Persons who are not staff yet are rechecked on
later polls: they become staff when Campus gives them a position and its start date comes
(``types.is_staff_on``).

Discovery keeps up to ``max_concurrency`` GetPerson calls in flight (``GetPersonPipeline``)
but takes the answers strictly in person-ID order, so the walk means exactly what the
sequential one did: the high-water mark moves over found persons only, the miss run
counts consecutive misses in ID order, and no ID beyond the last person found plus the
miss-run limit is ever asked for (the concurrent walk sends the same requests as the
sequential one).
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator

from idbridge.connectors.soap.parsing import person_from
from idbridge.connectors.soap.pipeline import GetPersonPipeline
from idbridge.connectors.soap.sessions import Sessions
from idbridge.connectors.soap.transport import (
    SESSION_FAULTS,
    FaultWithCode,
    IdentityService,
    SessionRefused,
    SoapSettings,
    pooled_session,
)
from idbridge.connectors.tokens import SharedCache
from idbridge.connectors.types import (
    CampusPerson,
    PermanentCampusError,
    PollCursor,
    Progress,
    district_today,
)


class SoapConnector:
    def __init__(
        self,
        config: SoapSettings,
        cache: SharedCache,
        cache_key: str,
        *,
        session=None,
        sleep=time.sleep,
    ):
        self.config = config
        self.http = session or pooled_session(config.max_concurrency)
        self.service = IdentityService(config, self.http, sleep=sleep)
        self.sessions = Sessions(self.service, cache, cache_key, sleep=sleep)

    @property
    def requests_made(self) -> int:
        return self.service.requests_made

    @property
    def authentications(self) -> int:
        return self.sessions.authentications

    # --- the Connector interface --------------------------------------------------------

    def test_connection(self) -> str:
        self.sessions.start_over()
        return "Authenticated to the Identity Service."

    def get_person(self, key: str) -> CampusPerson | None:
        try:
            person_id = int(key)
        except (TypeError, ValueError):
            return None
        session_id = self.sessions.current()
        try:
            return self.get_person_with(person_id, session_id)
        except SessionRefused:
            return self._get_person_with_fresh_session(person_id, session_id)

    def get_person_with(self, person_id: int, session_id: str) -> CampusPerson | None:
        """One GetPerson with the given session (thread-safe: no shared state but counters).

        Raises SessionRefused when Campus no longer takes the session.
        """
        try:
            result = self.service.call("GetPerson", personID=person_id, sessionID=session_id)
        except FaultWithCode as fault:
            if fault.code == "PersonNotFound":
                return None
            if fault.code in SESSION_FAULTS:
                raise SessionRefused(session_id) from None
            raise PermanentCampusError(f"GetPerson failed: {fault.code}: {fault.message}") from None
        return person_from(getattr(result, "person", result), district_today(self.config.time_zone))

    def _get_person_with_fresh_session(self, person_id: int, refused: str):
        try:
            return self.get_person_with(person_id, self.sessions.after_refusal(refused))
        except SessionRefused:
            raise PermanentCampusError("GetPerson: the new session was refused too.") from None

    def iter_persons(self, keys: Iterable[str]) -> Iterator[tuple[str, CampusPerson | None]]:
        """GetPerson for every key, ``max_concurrency`` at a time, answered in the order given
        (None for a key that is not a person ID or a person Campus does not have)."""
        with GetPersonPipeline(self) as calls:
            yield from calls.in_order(keys)

    def iter_new_staff(self, cursor: PollCursor, progress: Progress) -> Iterator[CampusPerson]:
        with GetPersonPipeline(self) as calls:
            yield from self._recheck(calls, cursor, progress)
            yield from self._walk_new_ids(calls, cursor, progress)

    # --- the discovery walk -------------------------------------------------------------

    def _recheck(self, calls: GetPersonPipeline, cursor: PollCursor, progress: Progress):
        """Persons seen before who were not staff yet: some may be staff now."""
        batch = cursor.recheck_ids[: self.config.recheck_batch]
        keep: list[int] = []
        for key, person in calls.in_order(str(person_id) for person_id in batch):
            progress.done += 1
            if person is None:
                continue
            if person.is_staff:
                yield person
            else:
                keep.append(int(key))
        # Rotate: the ones not checked this time go first next time.
        cursor.recheck_ids = cursor.recheck_ids[len(batch) :] + keep

    def _walk_new_ids(self, calls: GetPersonPipeline, cursor: PollCursor, progress: Progress):
        """New person IDs above the high-water mark, until a run of misses. An ID past the
        last person found plus the limit is never asked for: should every ID up to there be
        a miss, the walk ends there."""
        limit = self.config.miss_run_limit
        last_found = next_id = cursor.high_person_id
        while True:
            while calls.has_room and next_id < last_found + limit:
                next_id += 1
                calls.submit(str(next_id))
            if not calls.pending:
                return
            key, person = calls.next()
            progress.done += 1
            if person is None:
                continue
            last_found = cursor.high_person_id = int(key)
            if person.is_staff:
                yield person
            else:
                cursor.recheck_ids.append(last_found)
