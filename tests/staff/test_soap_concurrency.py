"""The SOAP connector's discovery walk with several GetPerson calls in flight.

A fake Identity Service answers zeep's real HTTP requests in-process (a requests
transport adapter serving the sandbox's own WSDL and envelopes), so these tests need no
server and no database: they count calls, calls in flight, sessions and authentications.
"""

import itertools
import threading
import time
from datetime import UTC, date, datetime, timedelta

import pytest
import requests
from requests.adapters import BaseAdapter

from idbridge.connectors.soap.connector import SoapConnector
from idbridge.connectors.soap.transport import SoapSettings
from idbridge.connectors.types import PermanentCampusError, PollCursor, Progress
from sandbox.soap import envelope
from sandbox.soap.envelope import SoapFault
from sandbox.soap.wsdl import wsdl

BASE = "http://campus.test/identity"


class FakeIdentityService(BaseAdapter):
    """Campus's Identity Service in-process. ``persons`` maps personID → is staff.

    ``latency`` seconds per GetPerson make calls overlap; ``expire_after`` GetPerson calls
    every open session expires (once); ``failures`` maps personID → how many times its
    GetPerson answers HTTP 503 before it succeeds; ``forbidden`` IDs answer HTTP 403.
    """

    def __init__(self, persons, *, latency=0.0, expire_after=None, failures=None, forbidden=()):
        super().__init__()
        self.persons = dict(persons)
        self.latency = latency
        self.expire_after = expire_after
        self.failures = dict(failures or {})
        self.forbidden = set(forbidden)
        self.lock = threading.Lock()
        self.sessions: dict[str, bool] = {}  # sessionID → still valid
        self.numbers = itertools.count(1)
        self.authentications = 0
        self.asked: list[int] = []  # personIDs, every GetPerson attempt
        self.in_flight = 0
        self.max_in_flight = 0
        self.expired_at_call = None

    def send(self, request, **kwargs):
        if request.method == "GET":
            return self._answer(request, 200, wsdl(BASE))
        call = envelope.parse_request(request.body)
        if call.operation == "AuthenticateRequest":
            return self._authenticate(request, call)
        with self.lock:
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            time.sleep(self.latency)
            return self._get_person(request, call)
        finally:
            with self.lock:
                self.in_flight -= 1

    def _authenticate(self, request, call):
        assert call.token is not None, "Authenticate needs the UsernameToken"
        with self.lock:
            self.authentications += 1
            session_id = f"session-{next(self.numbers)}"
            self.sessions[session_id] = True
        expires = datetime.now(UTC) + timedelta(minutes=30)
        body = envelope.build_response(
            "AuthenticateResponse", {"sessionID": session_id, "expiresAt": expires}
        )
        return self._answer(request, 200, body)

    def _get_person(self, request, call):
        assert call.token is None, "GetPerson carries the session, never the password"
        person_id = int(call.values["personID"])
        with self.lock:
            self.asked.append(person_id)
            if self.expire_after is not None and len(self.asked) > self.expire_after:
                self.expire_after = None
                self.expired_at_call = len(self.asked)
                self.sessions = dict.fromkeys(self.sessions, False)
            valid = self.sessions.get(call.values["sessionID"])
            failing = self.failures.get(person_id, 0)
            if failing:
                self.failures[person_id] = failing - 1
        if failing:
            return self._answer(request, 503, b"Service Unavailable", "text/plain")
        if person_id in self.forbidden:
            return self._answer(request, 403, b"Forbidden", "text/plain")
        if valid is None:
            return self._fault(request, SoapFault("tns:InvalidSession", "InvalidSession", "?"))
        if not valid:
            return self._fault(request, SoapFault("tns:SessionExpired", "SessionExpired", "!"))
        if person_id not in self.persons:
            return self._fault(request, SoapFault("tns:PersonNotFound", "PersonNotFound", "-"))
        is_staff = self.persons[person_id]
        person = {
            "personID": person_id,
            "staffNumber": f"S{person_id:05d}",
            "firstName": "Ana",
            "lastName": f"Ng{person_id}",
            "birthDate": date(1980, 1, 2),
            "isStaff": is_staff,
            "dateModified": datetime(2026, 11, 1, tzinfo=UTC),
            "assignments": {
                "assignment": (
                    [{"schoolNumber": "0101", "startDate": date(2020, 8, 1)}] if is_staff else []
                )
            },
        }
        return self._answer(
            request, 200, envelope.build_response("GetPersonResponse", {"person": person})
        )

    def _fault(self, request, fault):
        return self._answer(request, fault.http_status, envelope.build_fault(fault))

    def _answer(self, request, status, body, content_type="text/xml; charset=utf-8"):
        response = requests.Response()
        response.status_code = status
        response._content = body
        response.headers["Content-Type"] = content_type
        response.url = request.url
        response.request = request
        response.encoding = "utf-8"
        return response

    def close(self):
        pass


class DictCache:
    """The shared cache, in memory (the connector's SharedCache protocol)."""

    def __init__(self):
        self.values = {}
        self.lock = threading.Lock()

    def get(self, key, default=None):
        return self.values.get(key, default)

    def set(self, key, value, timeout=None):
        self.values[key] = value

    def delete(self, key):
        self.values.pop(key, None)

    def add(self, key, value, timeout=None):
        with self.lock:
            if key in self.values:
                return False
            self.values[key] = value
            return True


def connector(service, *, concurrency, miss_run_limit=5, recheck_batch=500, cache=None):
    http = requests.Session()
    http.mount("http://campus.test/", service)
    return SoapConnector(
        SoapSettings(
            wsdl_url=f"{BASE}?wsdl",
            username="idbridge",
            password="secret",
            miss_run_limit=miss_run_limit,
            recheck_batch=recheck_batch,
            max_concurrency=concurrency,
        ),
        cache or DictCache(),
        "campus:1",
        session=http,
        sleep=lambda seconds: None,
    )


def discover(service, cursor, **settings):
    """One discovery run: the keys yielded (in order), the cursor after it, the progress."""
    soap = connector(service, **settings)
    progress = Progress()
    keys = [person.key for person in soap.iter_new_staff(cursor, progress)]
    return keys, cursor, progress, soap


# A district with gaps of every size below the miss-run limit (5), non-staff persons,
# and staff beyond a gap of exactly the limit (which the walk must not reach).
DISTRICT = {
    **{i: True for i in range(1, 21)},
    **{i: False for i in (21, 22, 30)},
    **{i: True for i in (23, 25, 28, 33, 37, 42, 43)},
    **{i: True for i in range(49, 60)},
}


@pytest.mark.parametrize(
    "cursor",
    [
        PollCursor(),
        PollCursor(high_person_id=22, recheck_ids=[21, 3, 22, 999]),
        PollCursor(high_person_id=59, recheck_ids=[30, 21]),
    ],
    ids=["first poll", "resumed with rechecks", "nothing new"],
)
def test_a_concurrent_walk_finds_what_a_sequential_one_does_with_the_same_requests(cursor):
    def run(concurrency):
        service = FakeIdentityService(DISTRICT, latency=0.002)
        start = PollCursor(cursor.watermark, cursor.high_person_id, list(cursor.recheck_ids))
        keys, after, progress, soap = discover(service, start, concurrency=concurrency)
        return keys, after, progress.done, sorted(service.asked), soap.requests_made

    sequential, concurrent = run(1), run(4)
    assert concurrent == sequential


def test_persons_are_yielded_in_person_id_order_and_non_staff_are_kept_for_rechecking():
    service = FakeIdentityService(DISTRICT, latency=0.002)
    keys, cursor, progress, _ = discover(service, PollCursor(), concurrency=4)
    assert keys == [str(i) for i in sorted(DISTRICT) if DISTRICT[i] and i <= 43]
    assert cursor.high_person_id == 43  # 49 lies beyond five misses in a row
    assert cursor.recheck_ids == [21, 22, 30]
    assert progress.done == 48
    assert sorted(service.asked) == list(range(1, 49))  # nothing past 43 + the limit


@pytest.mark.parametrize("limit", [1, 3, 5, 8])
def test_the_miss_run_stops_the_walk_where_the_sequential_walk_stops(limit):
    # Hits beyond gaps inside one window of 32 calls: only gaps shorter than the limit
    # may be crossed.
    persons = {1: True, 3: True, 6: True, 10: True, 15: True, 21: True, 28: True}
    keys, cursor, _, _ = discover(
        FakeIdentityService(persons), PollCursor(), concurrency=4, miss_run_limit=limit
    )
    reachable, last = [], 0
    for person_id in sorted(persons):
        if person_id - last - 1 >= limit:
            break
        reachable.append(str(person_id))
        last = person_id
    assert keys == reachable
    assert cursor.high_person_id == last


def test_no_more_than_max_concurrency_calls_are_in_flight_and_they_really_overlap():
    persons = dict.fromkeys(range(1, 41), True)
    seconds = {}
    for concurrency in (1, 4):
        service = FakeIdentityService(persons, latency=0.02)
        started = time.perf_counter()
        keys, *_ = discover(service, PollCursor(), concurrency=concurrency)
        seconds[concurrency] = time.perf_counter() - started
        assert len(keys) == 40
        assert service.max_in_flight == concurrency
    # 45 calls of 20 ms: about 0.9 s one at a time, a quarter of that four at a time.
    assert seconds[4] < seconds[1] * 0.6


def test_a_session_expiring_mid_walk_is_renewed_once_across_all_threads():
    persons = dict.fromkeys(range(1, 81), True)
    service = FakeIdentityService(persons, latency=0.01, expire_after=20)
    keys, cursor, _, soap = discover(service, PollCursor(), concurrency=4)
    assert keys == [str(i) for i in range(1, 81)]
    assert cursor.high_person_id == 80
    assert service.expired_at_call is not None
    assert service.authentications == 2
    assert soap.authentications == 2
    # Every call in flight with the old session came back refused and was asked again.
    assert len(service.asked) > 85


def test_another_thread_or_process_having_renewed_the_session_costs_no_authentication():
    cache = DictCache()
    service = FakeIdentityService({1: True})
    first = connector(service, concurrency=4, cache=cache)
    second = connector(service, concurrency=4, cache=cache)
    old = first.sessions.current()
    service.sessions[old] = False
    assert first.get_person("1").key == "1"  # refused, renewed: the new one is shared
    assert second.sessions.after_refusal(old) != old
    assert service.authentications == 2


def test_transient_errors_in_single_calls_lose_nothing_and_duplicate_nothing():
    persons = dict.fromkeys(range(1, 31), True)
    failures = {3: 1, 4: 2, 11: 3, 17: 1, 18: 1, 29: 2}
    service = FakeIdentityService(persons, latency=0.002, failures=failures)
    keys, cursor, _, soap = discover(service, PollCursor(), concurrency=4)
    assert keys == [str(i) for i in range(1, 31)]
    assert cursor.high_person_id == 30
    assert soap.requests_made == 35 + sum(failures.values()) + 1  # + Authenticate


def getperson_threads_joined(before: set[threading.Thread], timeout: float = 5.0) -> None:
    """Wait until every GetPerson worker thread started since ``before`` has ended (then
    no call can start any more); fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    for thread in set(threading.enumerate()) - before:
        if thread.name.startswith("soap-getperson"):
            thread.join(max(0.0, deadline - time.monotonic()))
            assert not thread.is_alive(), f"{thread.name} is still running"


def test_a_permanent_failure_stops_the_walk_with_no_call_left_running():
    persons = dict.fromkeys(range(1, 200), True)
    service = FakeIdentityService(persons, latency=0.005, forbidden={20})
    cursor, progress = PollCursor(), Progress()
    before = set(threading.enumerate())
    soap = connector(service, concurrency=4)
    found = []
    with pytest.raises(PermanentCampusError, match="HTTP 403"):
        for person in soap.iter_new_staff(cursor, progress):
            found.append(person.key)
    assert found == [str(i) for i in range(1, 20)]
    assert cursor.high_person_id == 19
    asked = len(service.asked)
    getperson_threads_joined(before)
    assert len(service.asked) == asked  # the calls queued ahead were dropped
    assert service.in_flight == 0
    assert asked <= 19 + 1 + 4 * 8


def test_an_abandoned_walk_leaves_no_call_running():
    service = FakeIdentityService(dict.fromkeys(range(1, 200), True), latency=0.005)
    before = set(threading.enumerate())
    walk = connector(service, concurrency=4).iter_new_staff(PollCursor(), Progress())
    assert next(walk).key == "1"
    walk.close()
    asked = len(service.asked)
    getperson_threads_joined(before)
    assert len(service.asked) == asked
    assert service.in_flight == 0


def test_a_recheck_batch_is_read_concurrently_and_rotated_as_before():
    persons = {**dict.fromkeys(range(1, 11), False), 4: True, 7: True}
    service = FakeIdentityService(persons, latency=0.02)
    cursor = PollCursor(high_person_id=10, recheck_ids=list(range(1, 11)))
    keys, cursor, _, _ = discover(service, cursor, concurrency=4, recheck_batch=8)
    assert keys == ["4", "7"]
    assert cursor.recheck_ids == [9, 10, 1, 2, 3, 5, 6, 8]
    assert service.max_in_flight == 4


def test_iter_persons_answers_every_key_in_the_order_given():
    service = FakeIdentityService({1: True, 2: False, 5: True}, latency=0.005)
    answers = list(connector(service, concurrency=3).iter_persons(["5", "x", "3", "1", "2"]))
    assert [(key, person and person.is_staff) for key, person in answers] == [
        ("5", True),
        ("x", None),
        ("3", None),
        ("1", True),
        ("2", False),
    ]
