"""An in-process fake of Campus's BOI API, speaking through a requests-like session.

Unit tests use it so the console can be exercised end to end without a server; the
integration tests talk to the real sandbox (sandbox/boi) over HTTP instead. It validates
payloads with the same rules package and keeps staff, addresses and syncs in memory.
"""

from __future__ import annotations

import itertools
import json
from urllib.parse import parse_qs, urlsplit

from boi.rules.addresses import normalize_address
from boi.rules.staff import Mappings, validate_staff

SCHOOLS = [("010", "Lincoln Elementary"), ("020", "Roosevelt Middle"), ("030", "Central High")]
GENDERS = [("M", "Male"), ("F", "Female"), ("X", "Non-binary")]
ASSIGNMENTS = [("20", "Teacher"), ("30", "Paraprofessional"), ("50", "Principal")]
TITLES = [("T100", "Classroom teacher"), ("T200", "Coach")]


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


class FakeBoi:
    def __init__(self, secret="s3cret"):
        self.client_id, self.secret = "idb", secret
        self.tokens: set[str] = set()
        self.staff: dict[str, dict] = {}
        self.addresses: dict[str, dict] = {}  # key -> components
        self.syncs: dict[str, dict] = {}
        self.jobs: list[dict] = []
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
            return FakeResponse(200, {"access_token": token, "expires_in": 3600})
        return self.request("POST", url, json=kwargs.get("json"), headers=kwargs.get("headers"))

    def request(
        self, method, url, params=None, json=None, timeout=None, headers=None, stream=False
    ):
        parts = urlsplit(url)
        path = parts.path.split("/api/boi/v1/", 1)[-1]
        self.calls.append((method, path))
        if self.fail_next:
            return FakeResponse(self.fail_next.pop(0), {"errors": [{"message": "injected"}]})
        token = (headers or {}).get("Authorization", "").removeprefix("Bearer ")
        if token not in self.tokens:
            return FakeResponse(401, {"errors": [{"code": "unauthorized", "message": "token"}]})
        params = params or {k: v[0] for k, v in parse_qs(parts.query).items()}
        return self.route(method, path, params, json)

    # --- the API --------------------------------------------------------------------------

    def route(self, method, path, params, body):
        lists = {
            "schools": SCHOOLS,
            "genders": GENDERS,
            "assignmentCodes": ASSIGNMENTS,
            "titleCodes": TITLES,
        }
        if method == "GET" and path in lists:
            key = {
                "schools": "schoolNumber",
                "genders": "code",
                "assignmentCodes": "assignmentCode",
                "titleCodes": "titleCode",
            }[path]
            return FakeResponse(200, [{key: c, "name": n} for c, n in lists[path]])
        if method == "GET" and path == "staff":
            if params.get("staffNumber"):
                found = [
                    s for s in self.staff.values() if s["staffNumber"] == params["staffNumber"]
                ]
            else:
                found = [
                    s
                    for s in self.staff.values()
                    if s.get("lastName") == params.get("lastName")
                    and s.get("firstName") == params.get("firstName")
                    and (not params.get("birthDate") or s.get("birthDate") == params["birthDate"])
                ]
            return FakeResponse(200, [self.public(s) for s in found])
        if method == "GET" and path == "addresses":
            address, _ = normalize_address(params)
            if address is not None and address.key in self.addresses:
                return FakeResponse(200, [self.addresses[address.key]])
            return FakeResponse(200, [])
        if method == "POST" and path == "staff":
            return self.write_staff(body, create=True)
        if path.startswith("staff/") and path.endswith("/positions"):
            number = path.split("/")[1]
            if number not in self.staff:
                return FakeResponse(404, {"errors": [{"message": "no such staff"}]})
            self.staff[number].setdefault("positions", []).append(body)
            return FakeResponse(200, {"staffNumber": number})
        if method == "PUT" and path.startswith("staff/"):
            return self.write_staff(body, create=False)
        if method == "POST" and path == "sync/start":
            sync_id = f"S{next(self._ids)}"
            self.syncs[sync_id] = {"staff": [], "state": "transferring"}
            return FakeResponse(200, {"syncID": sync_id})
        if method == "GET" and path == "sync/jobs/latest":
            return FakeResponse(200, self.jobs[-1] if self.jobs else None)
        if path.startswith("sync/") and path.count("/") == 2:
            _, sync_id, action = path.split("/")
            sync = self.syncs.get(sync_id)
            if sync is None:
                return FakeResponse(404, {"errors": [{"message": "no such sync"}]})
            return self.sync_action(sync_id, sync, action, body)
        if method == "GET" and path == "sync/jobs/latest":
            return FakeResponse(200, self.jobs[-1] if self.jobs else None)
        return FakeResponse(404, {"errors": [{"message": f"no route {method} {path}"}]})

    def public(self, staff):
        return {k: v for k, v in staff.items() if k != "ssn"}

    def write_staff(self, body, *, create):
        check = validate_staff(body, self.mappings)
        if not check.ok:
            return FakeResponse(400, {"errors": [e.as_dict() for e in check.errors]})
        self.store(body)
        return FakeResponse(201 if create else 200, {"staffNumber": body["staffNumber"]})

    def store(self, body):
        self.staff[body["staffNumber"]] = dict(body)
        for location in (body.get("household") or {}).get("householdLocations") or []:
            address, _ = normalize_address(location.get("address") or {})
            if address is not None:
                self.addresses.setdefault(address.key, address.components())

    def sync_action(self, sync_id, sync, action, body):
        if action == "transfer":
            errors = []
            for i, staff in enumerate(body):
                check = validate_staff(staff, self.mappings)
                errors += [{**e.as_dict(), "field": f"[{i}].{e.field}"} for e in check.errors]
            if errors:
                return FakeResponse(400, {"errors": errors})
            sync["staff"].extend(body)
            return FakeResponse(200, {"received": len(body)})
        if action == "endTransfer":
            sync["state"] = "ended"
            return FakeResponse(200, {"staffCount": len(sync["staff"])})
        if action == "validate":
            entries = [
                {
                    "staffNumber": s["staffNumber"],
                    "action": "update" if s["staffNumber"] in self.staff else "add",
                    "demographics": [{"field": "lastName", "new": s["lastName"]}],
                }
                for s in sync["staff"]
            ]
            return FakeResponse(200, {"staff": entries, "addressesToAdd": []})
        if action == "commit":
            if len(sync["staff"]) > 500:
                return FakeResponse(400, {"errors": [{"message": "use the commit job"}]})
            ok, failed = self._commit(sync)
            return FakeResponse(200, {"succeeded": ok, "failed": failed})
        if action == "submitCommitJob":
            ok, failed = self._commit(sync)
            job = {
                "jobID": f"J{next(self._ids)}",
                "status": "completed",
                "progress": {"done": len(sync["staff"]), "total": len(sync["staff"])},
                "counts": {"succeeded": len(ok), "failed": len(failed)},
                "failed": failed,
            }
            self.jobs.append(job)
            return FakeResponse(200, {"jobID": job["jobID"]})
        return FakeResponse(404, {"errors": [{"message": action}]})

    def _commit(self, sync):
        ok, failed = [], []
        for staff in sync["staff"]:
            if staff.get("lastName") == "Failme":
                failed.append(
                    {
                        "staffNumber": staff["staffNumber"],
                        "errors": [{"field": "lastName", "message": "refused"}],
                    }
                )
            else:
                self.store(staff)
                ok.append(staff["staffNumber"])
        return ok, failed
