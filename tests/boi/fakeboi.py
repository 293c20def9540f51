"""An in-process fake of Campus's BOI API, speaking through a requests-like session.

Unit tests use it so the console can be exercised end to end without a server; the
integration tests talk to the real sandbox (sandbox/boi) over HTTP instead. It validates
payloads with the same rules package (``boi.rules``) and keeps staff, addresses and syncs
in memory. ``tests/boi/test_boi_contract.py`` holds it to the sandbox: the same requests
get the same status codes, body shapes, refusals, sync steps and job states from both.

Test hooks beyond the API: ``fail_next`` (statuses to answer the next calls with),
``calls``, and a staff member named ``Failme`` fails at commit.
"""

from __future__ import annotations

import itertools
import json
from urllib.parse import parse_qs, urlsplit

from boi.rules.addresses import normalize_address
from boi.rules.errors import RuleError
from boi.rules.staff import Mappings, validate_staff
from boi.rules.sync import SyncState, next_sync_state

SCHOOLS = [("010", "Lincoln Elementary"), ("020", "Roosevelt Middle"), ("030", "Central High")]
GENDERS = [("M", "Male"), ("F", "Female"), ("X", "Non-binary")]
ASSIGNMENTS = [("20", "Teacher"), ("30", "Paraprofessional"), ("50", "Principal")]
TITLES = [("T100", "Classroom teacher"), ("T200", "Coach")]
LISTS = {
    "schools": [{"schoolNumber": c, "name": n} for c, n in SCHOOLS],
    "genders": [{"code": c, "name": n} for c, n in GENDERS],
    "assignmentCodes": [{"code": c, "name": n} for c, n in ASSIGNMENTS],
    "titleCodes": [{"code": c, "description": n} for c, n in TITLES],
}
COMMIT_JOB_THRESHOLD = 500
# The sandbox's sync statuses, as the sync rules see them.
STATE = {
    "transferring": SyncState.TRANSFERRING,
    "transfer_ended": SyncState.TRANSFER_ENDED,
    "validated": SyncState.VALIDATED,
    "committing": SyncState.COMMITTED,
    "committed": SyncState.COMMITTED,
}


class FakeResponse:
    def __init__(self, status: int, body=None, headers=None):
        self.status_code = status
        self._body = body
        self.headers = headers or {}
        self.content = b"" if body is None else json.dumps(body).encode()
        self.links = {}

    def json(self):
        if self._body is None:
            raise ValueError("no body")
        return self._body

    def iter_content(self, chunk_size=1):
        for start in range(0, len(self.content), chunk_size or 1):
            yield self.content[start : start + chunk_size]

    def close(self):
        pass


FAILME = {"field": "lastName", "code": "refused", "message": "lastName 'Failme' is refused"}


def refused(status: int, field: str, code: str, message: str) -> FakeResponse:
    return FakeResponse(status, {"errors": [{"field": field, "code": code, "message": message}]})


def refused_all(status: int, errors) -> FakeResponse:
    return FakeResponse(status, {"errors": [e.as_dict() for e in errors]})


class FakeBoi:
    def __init__(self, secret="s3cret"):
        self.client_id, self.secret = "idb", secret
        self.tokens: set[str] = set()
        self.staff: dict[str, dict] = {}
        self.addresses: dict[str, dict] = {}  # key -> components
        self.syncs: dict[str, dict] = {}
        self.jobs: list[dict] = []
        self.validate_flags = True  # False: Campus data changed after validate
        self.calls: list[tuple[str, str]] = []
        self.fail_next: list[int] = []  # statuses to answer the next calls with
        self.token_fetches = 0
        self._ids = itertools.count(1)
        self.mappings = Mappings(
            {c for c, _ in GENDERS},
            {c for c, _ in SCHOOLS},
            {c for c, _ in ASSIGNMENTS},
            {c for c, _ in TITLES},
        )

    # --- requests.Session interface -----------------------------------------------------

    def post(self, url, data=None, auth=None, timeout=None, **kwargs):
        if "oauth2/token" in url:
            if auth != (self.client_id, self.secret):
                return FakeResponse(401, {"error": "invalid_client"})
            self.token_fetches += 1
            token = f"tok{next(self._ids)}"
            self.tokens.add(token)
            return FakeResponse(
                200, {"access_token": token, "expires_in": 3600, "token_type": "Bearer"}
            )
        return self.request("POST", url, json=kwargs.get("json"), headers=kwargs.get("headers"))

    def request(
        self, method, url, params=None, json=None, timeout=None, headers=None, stream=False
    ):
        parts = urlsplit(url)
        path = parts.path.split("/api/boi/v1/", 1)[-1]
        self.calls.append((method, path))
        if self.fail_next:
            return FakeResponse(self.fail_next.pop(0), {"errors": [{"message": "injected"}]})
        authorization = (headers or {}).get("Authorization", "")
        if not authorization.startswith("Bearer "):
            return refused(401, "Authorization", "unauthorized", "a bearer token is required")
        if authorization.removeprefix("Bearer ") not in self.tokens:
            return refused(401, "Authorization", "invalid_token", "the token is invalid")
        params = params or {k: v[0] for k, v in parse_qs(parts.query).items()}
        return self.route(method, path, params, json)

    # --- the API --------------------------------------------------------------------------

    def route(self, method, path, params, body):
        if method == "GET" and path in LISTS:
            return FakeResponse(200, {path: LISTS[path]})
        if method == "GET" and path == "staff":
            return self.search_staff(params)
        if method == "GET" and path == "addresses":
            address, _ = normalize_address(params)
            found = (
                [self.addresses[address.key]] if address and address.key in self.addresses else []
            )
            return FakeResponse(200, {"addresses": found})
        if method == "POST" and path == "staff":
            return self.write_staff(body, create=True)
        if method == "POST" and path.startswith("staff/") and path.endswith("/positions"):
            return self.add_positions(path.split("/")[1], body)
        if method == "PUT" and path.startswith("staff/") and path.count("/") == 1:
            return self.write_staff({**(body or {}), "staffNumber": path[6:]}, create=False)
        if method == "POST" and path == "sync/start":
            sync_id = str(next(self._ids))
            self.syncs[sync_id] = {"staff": [], "status": "transferring"}
            return FakeResponse(201, {"syncID": int(sync_id), "status": "transferring"})
        if method == "GET" and path == "sync/jobs/latest":
            if not self.jobs:
                return refused(404, "jobID", "not_found", "no commit job was ever submitted")
            return FakeResponse(200, self.jobs[-1])
        if method == "GET" and path.startswith("sync/") and path.count("/") == 1:
            sync_id = path.split("/")[1]
            if sync_id not in self.syncs:
                return refused(404, "syncID", "not_found", f"there is no synchronization {sync_id}")
            sync = self.syncs[sync_id]
            body = {
                "syncID": int(sync_id),
                "status": sync["status"],
                "transferred": len(sync["staff"]),
            }
            return FakeResponse(200, body)
        if method == "POST" and path.startswith("sync/") and path.count("/") == 2:
            _, sync_id, action = path.split("/")
            sync = self.syncs.get(sync_id)
            if sync is None:
                return refused(404, "syncID", "not_found", f"there is no synchronization {sync_id}")
            return self.sync_action(sync_id, sync, action, body)
        return refused(404, "", "not_found", f"{path} is not a Business Office API endpoint")

    def public(self, staff):
        """A stored staff member as the API shows it (SSN masked)."""
        ssn = staff.get("ssn") or ""
        return {
            "personID": staff["personID"],
            "staffNumber": staff["staffNumber"],
            **{k: staff.get(k) or "" for k in ("lastName", "firstName", "middleName", "gender")},
            "ssn": f"***-**-{ssn[-4:]}" if ssn else "",
            "birthDate": staff.get("birthDate"),
            **{
                k: staff.get(k) or ""
                for k in ("workPhone", "cellPhone", "otherPhone", "workEmail", "personalEmail")
            },
            "hrSynced": True,
            "employments": staff.get("employments") or [],
            "positions": staff.get("positions") or [],
            "household": staff.get("household"),
        }

    def search_staff(self, params):
        if params.get("staffNumber"):
            found = [s for s in self.staff.values() if s["staffNumber"] == params["staffNumber"]]
        elif params.get("lastName") and params.get("firstName"):
            found = [
                s
                for s in self.staff.values()
                if s.get("lastName", "").lower() == params["lastName"].lower()
                and s.get("firstName", "").lower() == params["firstName"].lower()
                and (not params.get("birthDate") or s.get("birthDate") == params["birthDate"])
            ]
        else:
            message = "search by staffNumber, or by lastName and firstName (and birthDate)"
            return refused(400, "staffNumber", "required", message)
        return FakeResponse(200, {"staff": [self.public(s) for s in found]})

    def write_staff(self, body, *, create):
        number = body.get("staffNumber")
        if create and number in self.staff:
            return refused(409, "staffNumber", "duplicate", f"'{number}' is already in Campus")
        if not create and number not in self.staff:
            return refused(404, "staffNumber", "not_found", f"no person has '{number}'")
        check = validate_staff(body, self.mappings)
        if not check.ok:
            return refused_all(400, check.errors)
        action = "add" if number not in self.staff else "update"
        self.store(body)
        return FakeResponse(201 if create else 200, self.result(number, action))

    def add_positions(self, number, body):
        if number not in self.staff:
            return refused(404, "staffNumber", "not_found", f"no person has '{number}'")
        positions = body if isinstance(body, list) else [body]
        self.staff[number].setdefault("positions", []).extend(positions)
        return FakeResponse(201, self.result(number, "update"))

    def result(self, number, action):
        return {
            "action": action,
            "staff": self.public(self.staff[number]),
            "householdIgnored": False,
            "keptLinkedPositions": [],
            "addressesCreated": 0,
            "notes": [],
        }

    def store(self, body):
        number = body["staffNumber"]
        person_id = self.staff[number]["personID"] if number in self.staff else next(self._ids)
        self.staff[number] = {**body, "personID": person_id}
        for location in (body.get("household") or {}).get("householdLocations") or []:
            address, _ = normalize_address(location.get("address") or {})
            if address is not None and address.key not in self.addresses:
                self.addresses[address.key] = self.address_record(address)

    def address_record(self, address):
        """A new address as the API shows it: its id, every component, one line."""
        components = address.components()
        names = ("number", "prefix", "street", "tag", "direction", "apt", "city", "state")
        names += ("zip", "county", "locationCode", "tract", "block")
        street = " ".join(components[k] for k in names[:5] if components.get(k))
        apt = f" Apt {components['apt']}" if components.get("apt") else ""
        return {
            "addressID": next(self._ids),
            "postOfficeBox": bool(components.get("postOfficeBox")),
            **{k: components.get(k, "") for k in names},
            "oneLine": f"{street}{apt}, {address.city}, {address.state} {address.zip}",
        }

    # --- the synchronization ------------------------------------------------------------------

    def sync_action(self, sync_id, sync, action, body):
        steps = {
            "transfer": ("transfer", self._transfer),
            "endTransfer": ("end_transfer", self._end_transfer),
            "validate": ("validate", self._validate),
            "commit": ("commit", self._commit_now),
            "submitCommitJob": ("commit_job", self._commit_job),
        }
        if action not in steps:
            return refused(404, "", "not_found", f"sync/{sync_id}/{action} is not an endpoint")
        step, answer = steps[action]
        if action == "transfer" and not body:
            return refused(400, "staff", "required", "the batch is empty")
        outcome = next_sync_state(STATE[sync["status"]], step)
        if isinstance(outcome, RuleError):
            return refused_all(409, [outcome])
        if action == "endTransfer" and not sync["staff"]:
            return refused(409, "sync", "not_allowed", "nothing was transferred")
        if action == "transfer" and (problem := self._transfer_problem(body)) is not None:
            return problem
        return answer(int(sync_id), sync, body)

    def _transfer_problem(self, body):
        errors = []
        for i, staff in enumerate(body):
            check = validate_staff(staff, self.mappings)
            errors += [
                RuleError(f"staff[{i}]" + (f".{e.field}" if e.field else ""), e.code, e.message)
                for e in check.errors
            ]
        return refused_all(400, errors) if errors else None

    def _transfer(self, sync_id, sync, body):
        sync["staff"].extend(body)
        transferred = len(sync["staff"])
        return FakeResponse(
            200, {"syncID": sync_id, "received": len(body), "transferred": transferred}
        )

    def _end_transfer(self, sync_id, sync, body):
        sync["status"] = "transfer_ended"
        body = {"syncID": sync_id, "status": "transfer_ended", "transferred": len(sync["staff"])}
        return FakeResponse(200, body)

    def _validate(self, sync_id, sync, body):
        sync["status"] = "validated"
        entries = [self._entry(s) for s in sync["staff"]]
        adds = [e["staffNumber"] for e in entries if e["action"] == "add"]
        errors = sum(e["action"] == "error" for e in entries)
        summary = {
            "staff": len(entries),
            "add": len(adds),
            "update": len(entries) - len(adds) - errors,
            "error": errors,
        }
        report = {
            "syncID": sync_id,
            "status": "validated",
            "summary": summary,
            "entries": entries,
            "staffToAdd": adds,
            "addressesToAdd": [],
            "untouchedCampusStaff": {"count": 0, "personIDs": []},
        }
        return FakeResponse(200, report)

    def _entry(self, staff):
        known = self.staff.get(staff["staffNumber"])
        # As Campus: the commit refuses the staff its validate report gave errors.
        errors = [FAILME] if staff.get("lastName") == "Failme" and self.validate_flags else []
        return {
            "staffNumber": staff["staffNumber"],
            "action": "error" if errors else "update" if known else "add",
            "personID": known["personID"] if known else None,
            "demographics": [{"field": "lastName", "new": staff["lastName"]}],
            "errors": errors,
            "notes": [],
        }

    def _commit_now(self, sync_id, sync, body):
        if len(sync["staff"]) > COMMIT_JOB_THRESHOLD:
            return refused(409, "sync", "too_many", "use submitCommitJob")
        ok, failed = self._commit(sync)
        return FakeResponse(200, {"syncID": sync_id, "succeeded": ok, "failed": failed})

    def _commit_job(self, sync_id, sync, body):
        """The job is answered pending, as Campus does, and has run by the first poll."""
        total = len(sync["staff"])
        job = {
            "jobID": next(self._ids),
            "syncID": sync_id,
            "status": "pending",
            "progress": {"done": 0, "total": total},
            "counts": {"succeeded": 0, "failed": 0},
            "attempts": 0,
            "createdAt": "2026-11-01T12:00:00+00:00",
            "startedAt": None,
            "finishedAt": None,
            "error": None,
        }
        accepted = dict(job)
        ok, failed = self._commit(sync)
        job.update(
            status="succeeded",
            progress={"done": total, "total": total},
            counts={"succeeded": len(ok), "failed": len(failed)},
            attempts=1,
            startedAt=job["createdAt"],
            finishedAt=job["createdAt"],
        )
        self.jobs.append(job)
        return FakeResponse(202, accepted)

    def _commit(self, sync):
        ok, failed = [], []
        for staff in sync["staff"]:
            if staff.get("lastName") == "Failme":
                failed.append({"staffNumber": staff["staffNumber"], "errors": [FAILME]})
            else:
                action = "update" if staff["staffNumber"] in self.staff else "add"
                self.store(staff)
                number = staff["staffNumber"]
                ok.append(
                    {
                        "staffNumber": number,
                        "personID": self.staff[number]["personID"],
                        "action": action,
                    }
                )
        sync["status"] = "committed"
        return ok, failed
