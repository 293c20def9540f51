"""OpenAPI 3.0 description of the sandbox's Business Office Integration API (JSON).

Infinite Campus publishes no BOI schema; this one is the sandbox's, and its names are the
contract idbridge's BOI console codes against.
"""

from __future__ import annotations

from boi.rules.addresses import ADDRESS_FIELDS
from boi.rules.staff import EMPLOYMENT_FIELDS, POSITION_FIELDS
from sandbox.models import BOI_SCOPE

BASE = "/sandbox/campus/api/boi/v1"
TOKEN = "/sandbox/campus/oauth2/token"

_ERRORS = {"$ref": "#/components/schemas/Errors"}


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict, description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _errors(*codes: int) -> dict:
    text = {
        400: "Refused: every problem with the request is listed.",
        401: "No bearer token, or an invalid or expired one.",
        403: f"The token lacks the {BOI_SCOPE} scope.",
        404: "Not found.",
        409: "Not allowed now (sync state, duplicate staff number, too many staff).",
        413: "Too many staff in one transfer call.",
    }
    return {str(code): _json(_ERRORS, text[code]) for code in (401, 403, *codes)}


def _string(description: str = "", **extra) -> dict:
    return {"type": "string", **({"description": description} if description else {}), **extra}


_DATE = _string("YYYY-MM-DD", format="date")


def _path_param(name: str, description: str) -> dict:
    return {
        "name": name,
        "in": "path",
        "required": True,
        "schema": {"type": "string"},
        "description": description,
    }


def _query(name: str, description: str) -> dict:
    return {"name": name, "in": "query", "schema": {"type": "string"}, "description": description}


_STAFF_NUMBER = _path_param("staffNumber", "The Local Staff Number shared by HR and Campus.")
_SYNC_ID = _path_param("syncID", "What sync/start returned.")


def _schemas() -> dict:
    address_props = {name: _string() for name in ADDRESS_FIELDS}
    address_props["postOfficeBox"] = {"type": "boolean"}
    return {
        "Error": {
            "type": "object",
            "required": ["field", "code", "message"],
            "properties": {
                "field": _string("Path of the field, e.g. positions[0].schoolNumber"),
                "code": _string(
                    "required | invalid | unknown_field | not_found | conflict | unparseable | "
                    "duplicate | not_allowed | too_many | unauthorized | invalid_token | "
                    "insufficient_scope | internal"
                ),
                "message": _string(),
            },
        },
        "Errors": {
            "type": "object",
            "properties": {"errors": {"type": "array", "items": _ref("Error")}},
        },
        "Address": {
            "type": "object",
            "description": (
                "Either the components (postOfficeBox, number, prefix, street, tag, "
                "direction, apt, city, state, zip, county, locationCode, tract, block) or "
                "fullStreetAddress with city, state, zip (and county) - never both. A PO box "
                "(postOfficeBox: true) takes only its number plus city, state, zip, county."
            ),
            "properties": address_props,
        },
        "HouseholdLocation": {
            "type": "object",
            "properties": {
                "address": _ref("Address"),
                "mailing": {"type": "boolean", "default": True},
                "secondary": {"type": "boolean", "default": False},
                "private": {"type": "boolean", "default": False},
                "startDate": {**_DATE, "description": "Defaults to the day of the call."},
            },
        },
        "Household": {
            "type": "object",
            "description": (
                "Created as a staff household for a new staff member; on update used only "
                "when the staff member is the only member of a staff household (otherwise "
                "ignored, and the response says so). Ignored entirely when the preference "
                "'Allow household and address creations/updates from the HR system' is off."
            ),
            "properties": {
                "name": _string("Defaults to '<lastName> Household'."),
                "householdLocations": {"type": "array", "items": _ref("HouseholdLocation")},
            },
        },
        "Employment": {
            "type": "object",
            "required": ["hireDate"],
            "properties": {name: _DATE for name in EMPLOYMENT_FIELDS},
        },
        "Position": {
            "type": "object",
            "description": (
                "schoolNumber, startDate and a titleCode or an assignmentCode are required; an "
                "unknown titleCode is created from titleDescription."
            ),
            "properties": {
                name: (_DATE if name.endswith("Date") else _string()) for name in POSITION_FIELDS
            },
        },
        "Staff": {
            "type": "object",
            "required": ["staffNumber", "lastName", "firstName", "gender"],
            "properties": {
                "staffNumber": _string("Letters and digits."),
                "lastName": _string(),
                "firstName": _string(),
                "middleName": _string(),
                "gender": _string("A code from GET genders."),
                "ssn": _string("NNN-NN-NNNN or NNNNNNNNN; returned masked."),
                "birthDate": _DATE,
                "workPhone": _string(),
                "cellPhone": _string(),
                "otherPhone": _string(),
                "workEmail": _string(format="email"),
                "personalEmail": _string(format="email"),
                "employments": {"type": "array", "items": _ref("Employment")},
                "positions": {"type": "array", "items": _ref("Position")},
                "household": _ref("Household"),
            },
        },
        "StaffResult": {
            "type": "object",
            "properties": {
                "action": _string("created | updated"),
                "staff": {"type": "object", "description": "The staff member as Campus has it."},
                "householdIgnored": {"type": "boolean"},
                "keptLinkedPositions": {
                    "type": "array",
                    "items": {"type": "integer"},
                    "description": "Positions left out by HR that stay: linked to other activity.",
                },
                "addressesCreated": {"type": "integer"},
                "notes": {"type": "array", "items": _string()},
            },
        },
        "Job": {
            "type": "object",
            "properties": {
                "jobID": {"type": "integer"},
                "syncID": {"type": "integer"},
                "status": _string("pending | running | succeeded | failed"),
                "progress": {
                    "type": "object",
                    "properties": {"done": {"type": "integer"}, "total": {"type": "integer"}},
                },
                "counts": {
                    "type": "object",
                    "properties": {
                        "succeeded": {"type": "integer"},
                        "failed": {"type": "integer"},
                    },
                },
            },
        },
    }


def _list(key: str, item: dict) -> dict:
    return _json({"type": "object", "properties": {key: {"type": "array", "items": item}}}, "OK")


def _paths() -> dict:
    code_item = {"type": "object", "properties": {"code": _string(), "name": _string()}}
    sync_obj = {"type": "object", "properties": {"syncID": {"type": "integer"}}}
    staff_body = {"required": True, "content": {"application/json": {"schema": _ref("Staff")}}}
    positions_body = {
        "required": True,
        "content": {
            "application/json": {
                "schema": {
                    "oneOf": [
                        _ref("Position"),
                        {
                            "type": "object",
                            "properties": {
                                "positions": {"type": "array", "items": _ref("Position")}
                            },
                        },
                    ]
                }
            }
        },
    }
    return {
        f"{BASE}/schools": {
            "get": {
                "summary": "Campus schools (valid schoolNumber values)",
                "responses": {
                    "200": _list(
                        "schools",
                        {
                            "type": "object",
                            "properties": {"schoolNumber": _string(), "name": _string()},
                        },
                    ),
                    **_errors(),
                },
            }
        },
        f"{BASE}/genders": {
            "get": {
                "summary": "Campus genders",
                "responses": {"200": _list("genders", code_item), **_errors()},
            }
        },
        f"{BASE}/assignmentCodes": {
            "get": {
                "summary": "State assignment codes",
                "responses": {"200": _list("assignmentCodes", code_item), **_errors()},
            }
        },
        f"{BASE}/titleCodes": {
            "get": {
                "summary": "District title codes",
                "responses": {
                    "200": _list(
                        "titleCodes",
                        {
                            "type": "object",
                            "properties": {"code": _string(), "description": _string()},
                        },
                    ),
                    **_errors(),
                },
            }
        },
        f"{BASE}/staff": {
            "get": {
                "summary": "Staff search (persons without a position are not staff)",
                "parameters": [
                    _query("staffNumber", "Exact staff number."),
                    _query("lastName", "With firstName: current name, case-insensitive."),
                    _query("firstName", "With lastName."),
                    _query("birthDate", "YYYY-MM-DD, narrows a name search."),
                ],
                "responses": {"200": _list("staff", {"type": "object"}), **_errors(400)},
            },
            "post": {
                "summary": "Create a staff member (new person, staff household, addresses)",
                "requestBody": staff_body,
                "responses": {
                    "201": _json(_ref("StaffResult"), "Created."),
                    **_errors(400, 409),
                },
            },
        },
        f"{BASE}/staff/{{staffNumber}}": {
            "put": {
                "summary": "Update a staff member",
                "description": (
                    "A change of lastName, firstName or middleName end-dates the current "
                    "identity and starts a new one dated the day of the call. Positions, when "
                    "sent, are the complete set: positions left out are removed unless linked "
                    "to other Campus activity (kept and reported)."
                ),
                "parameters": [_STAFF_NUMBER],
                "requestBody": staff_body,
                "responses": {
                    "200": _json(_ref("StaffResult"), "Updated."),
                    **_errors(400, 404, 409),
                },
            }
        },
        f"{BASE}/staff/{{staffNumber}}/positions": {
            "post": {
                "summary": "Add positions (no matching: identical positions are allowed)",
                "parameters": [_STAFF_NUMBER],
                "requestBody": positions_body,
                "responses": {"201": _json(_ref("StaffResult"), "Added."), **_errors(400, 404)},
            },
            "put": {
                "summary": "Update positions by the matching rules",
                "description": (
                    "school + titleCode and/or assignmentCode + startDate -> endDate updated; "
                    "school + codes + endDate -> startDate updated; every match is updated; "
                    "no match -> added. Nothing is removed."
                ),
                "parameters": [_STAFF_NUMBER],
                "requestBody": positions_body,
                "responses": {"200": _json(_ref("StaffResult"), "Updated."), **_errors(400, 404)},
            },
        },
        f"{BASE}/addresses": {
            "get": {
                "summary": "Address search: exact components, then the normalized (Pub 28) key",
                "parameters": [_query(name, "") for name in ADDRESS_FIELDS],
                "responses": {"200": _list("addresses", _ref("Address")), **_errors(400)},
            }
        },
        f"{BASE}/sync/start": {
            "post": {
                "summary": "Start a synchronization (cancels any open one)",
                "responses": {"201": _json(sync_obj, "Started."), **_errors(409)},
            }
        },
        f"{BASE}/sync/{{syncID}}": {
            "get": {
                "summary": "A sync's status",
                "parameters": [_SYNC_ID],
                "responses": {"200": _json({"type": "object"}, "OK"), **_errors(404)},
            }
        },
        f"{BASE}/sync/{{syncID}}/transfer": {
            "post": {
                "summary": "Transfer a batch of HR staff (same checks as create/update)",
                "parameters": [_SYNC_ID],
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "properties": {"staff": {"type": "array", "items": _ref("Staff")}},
                            }
                        }
                    },
                },
                "responses": {
                    "200": _json({"type": "object"}, "Stored."),
                    **_errors(400, 404, 409, 413),
                },
            }
        },
        f"{BASE}/sync/{{syncID}}/endTransfer": {
            "post": {
                "summary": "End the transfer",
                "parameters": [_SYNC_ID],
                "responses": {"200": _json({"type": "object"}, "OK"), **_errors(404, 409)},
            }
        },
        f"{BASE}/sync/{{syncID}}/validate": {
            "post": {
                "summary": "What a commit would change in Campus now (re-run after Campus changes)",
                "parameters": [_SYNC_ID],
                "responses": {
                    "200": _json(
                        {
                            "type": "object",
                            "properties": {
                                "summary": {"type": "object"},
                                "entries": {"type": "array", "items": {"type": "object"}},
                                "staffToAdd": {"type": "array", "items": _string()},
                                "addressesToAdd": {"type": "array", "items": {"type": "object"}},
                                "untouchedCampusStaff": {"type": "object"},
                            },
                        },
                        "The report, per staff member: demographics, employment and district "
                        "assignment changes, addresses and staff to add, conflicts and errors.",
                    ),
                    **_errors(404, 409),
                },
            }
        },
        f"{BASE}/sync/{{syncID}}/commit": {
            "post": {
                "summary": "Commit and wait (at most 500 staff)",
                "parameters": [_SYNC_ID],
                "responses": {
                    "200": _json(
                        {
                            "type": "object",
                            "properties": {
                                "succeeded": {"type": "array", "items": {"type": "object"}},
                                "failed": {"type": "array", "items": {"type": "object"}},
                            },
                        },
                        "Per staff member.",
                    ),
                    **_errors(404, 409),
                },
            }
        },
        f"{BASE}/sync/{{syncID}}/submitCommitJob": {
            "post": {
                "summary": "Commit in a background job; poll sync/jobs/latest",
                "parameters": [_SYNC_ID],
                "responses": {"202": _json(_ref("Job"), "Submitted."), **_errors(404, 409)},
            }
        },
        f"{BASE}/sync/jobs/latest": {
            "get": {
                "summary": "The most recent commit job: status, progress (done/total), counts",
                "responses": {"200": _json(_ref("Job"), "OK"), **_errors(404)},
            }
        },
        f"{BASE}/sync/jobs/{{jobID}}": {
            "get": {
                "summary": "One commit job",
                "parameters": [_path_param("jobID", "A jobID.")],
                "responses": {"200": _json(_ref("Job"), "OK"), **_errors(404)},
            }
        },
    }


def description(base_url: str) -> dict:
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "Campus sandbox: Business Office Integration API",
            "version": "1",
            "description": (
                "The HR system's API into Campus: mapping lists, staff search, staff and "
                "position create/update, address search, and the staff synchronization. "
                "JSON in and out; every call needs a bearer token (client credentials, scope "
                f"{BOI_SCOPE}). Refusals: 4xx with {{'errors': [{{field, code, message}}]}} "
                "listing every problem; failed calls land in the Business Office Error Log."
            ),
        },
        "servers": [{"url": base_url}],
        "security": [{"oauth2": [BOI_SCOPE]}],
        "components": {
            "securitySchemes": {
                "oauth2": {
                    "type": "oauth2",
                    "flows": {
                        "clientCredentials": {
                            "tokenUrl": f"{base_url}{TOKEN}?appName=<appName>",
                            "scopes": {BOI_SCOPE: "Business Office Integration"},
                        }
                    },
                }
            },
            "schemas": _schemas(),
        },
        "paths": _paths(),
    }
