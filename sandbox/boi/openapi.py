"""OpenAPI 3.0 description of the sandbox's Business Office Integration API (JSON).

Infinite Campus publishes no BOI schema; this one is the sandbox's, and its names are the
contract idbridge's BOI console codes against.
"""

from __future__ import annotations

from boi.rules.addresses import ADDRESS_FIELDS
from boi.rules.staff import EMPLOYMENT_FIELDS, POSITION_FIELDS
from sandbox.boi.openapi_blocks import (
    BASE,
    DATE,
    STAFF_NUMBER,
    SYNC_ID,
    TOKEN,
    errors,
    json_response,
    list_of,
    path_param,
    query_param,
    ref,
    string,
)
from sandbox.models import BOI_SCOPE


def _schemas() -> dict:
    address_props = {name: string() for name in ADDRESS_FIELDS}
    address_props["postOfficeBox"] = {"type": "boolean"}
    return {
        "Error": {
            "type": "object",
            "required": ["field", "code", "message"],
            "properties": {
                "field": string("Path of the field, e.g. positions[0].schoolNumber"),
                "code": string(
                    "required | invalid | unknown_field | not_found | conflict | unparseable | "
                    "duplicate | not_allowed | too_many | unauthorized | invalid_token | "
                    "insufficient_scope | internal"
                ),
                "message": string(),
            },
        },
        "Errors": {
            "type": "object",
            "properties": {"errors": {"type": "array", "items": ref("Error")}},
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
                "address": ref("Address"),
                "mailing": {"type": "boolean", "default": True},
                "secondary": {"type": "boolean", "default": False},
                "private": {"type": "boolean", "default": False},
                "startDate": {**DATE, "description": "Defaults to the day of the call."},
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
                "name": string("Defaults to '<lastName> Household'."),
                "householdLocations": {"type": "array", "items": ref("HouseholdLocation")},
            },
        },
        "Employment": {
            "type": "object",
            "required": ["hireDate"],
            "properties": {name: DATE for name in EMPLOYMENT_FIELDS},
        },
        "Position": {
            "type": "object",
            "description": (
                "schoolNumber, startDate and a titleCode or an assignmentCode are required; an "
                "unknown titleCode is created from titleDescription."
            ),
            "properties": {
                name: (DATE if name.endswith("Date") else string()) for name in POSITION_FIELDS
            },
        },
        "Staff": {
            "type": "object",
            "required": ["staffNumber", "lastName", "firstName", "gender"],
            "properties": {
                "staffNumber": string("Letters and digits."),
                "lastName": string(),
                "firstName": string(),
                "middleName": string(),
                "gender": string("A code from GET genders."),
                "ssn": string("NNN-NN-NNNN or NNNNNNNNN; returned masked."),
                "birthDate": DATE,
                "workPhone": string(),
                "cellPhone": string(),
                "otherPhone": string(),
                "workEmail": string(format="email"),
                "personalEmail": string(format="email"),
                "employments": {"type": "array", "items": ref("Employment")},
                "positions": {"type": "array", "items": ref("Position")},
                "household": ref("Household"),
            },
        },
        "StaffResult": {
            "type": "object",
            "properties": {
                "action": string("created | updated"),
                "staff": {"type": "object", "description": "The staff member as Campus has it."},
                "householdIgnored": {"type": "boolean"},
                "keptLinkedPositions": {
                    "type": "array",
                    "items": {"type": "integer"},
                    "description": "Positions left out by HR that stay: linked to other activity.",
                },
                "addressesCreated": {"type": "integer"},
                "notes": {"type": "array", "items": string()},
            },
        },
        "Job": {
            "type": "object",
            "properties": {
                "jobID": {"type": "integer"},
                "syncID": {"type": "integer"},
                "status": string("pending | running | succeeded | failed"),
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


def _paths() -> dict:
    code_item = {"type": "object", "properties": {"code": string(), "name": string()}}
    sync_obj = {"type": "object", "properties": {"syncID": {"type": "integer"}}}
    staff_body = {"required": True, "content": {"application/json": {"schema": ref("Staff")}}}
    positions_body = {
        "required": True,
        "content": {
            "application/json": {
                "schema": {
                    "oneOf": [
                        ref("Position"),
                        {
                            "type": "object",
                            "properties": {
                                "positions": {"type": "array", "items": ref("Position")}
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
                    "200": list_of(
                        "schools",
                        {
                            "type": "object",
                            "properties": {"schoolNumber": string(), "name": string()},
                        },
                    ),
                    **errors(),
                },
            }
        },
        f"{BASE}/genders": {
            "get": {
                "summary": "Campus genders",
                "responses": {"200": list_of("genders", code_item), **errors()},
            }
        },
        f"{BASE}/assignmentCodes": {
            "get": {
                "summary": "State assignment codes",
                "responses": {"200": list_of("assignmentCodes", code_item), **errors()},
            }
        },
        f"{BASE}/titleCodes": {
            "get": {
                "summary": "District title codes",
                "responses": {
                    "200": list_of(
                        "titleCodes",
                        {
                            "type": "object",
                            "properties": {"code": string(), "description": string()},
                        },
                    ),
                    **errors(),
                },
            }
        },
        f"{BASE}/staff": {
            "get": {
                "summary": "Staff search (persons without a position are not staff)",
                "parameters": [
                    query_param("staffNumber", "Exact staff number."),
                    query_param("lastName", "With firstName: current name, case-insensitive."),
                    query_param("firstName", "With lastName."),
                    query_param("birthDate", "YYYY-MM-DD, narrows a name search."),
                ],
                "responses": {"200": list_of("staff", {"type": "object"}), **errors(400)},
            },
            "post": {
                "summary": "Create a staff member (new person, staff household, addresses)",
                "requestBody": staff_body,
                "responses": {
                    "201": json_response(ref("StaffResult"), "Created."),
                    **errors(400, 409),
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
                "parameters": [STAFF_NUMBER],
                "requestBody": staff_body,
                "responses": {
                    "200": json_response(ref("StaffResult"), "Updated."),
                    **errors(400, 404, 409),
                },
            }
        },
        f"{BASE}/staff/{{staffNumber}}/positions": {
            "post": {
                "summary": "Add positions (no matching: identical positions are allowed)",
                "parameters": [STAFF_NUMBER],
                "requestBody": positions_body,
                "responses": {
                    "201": json_response(ref("StaffResult"), "Added."),
                    **errors(400, 404),
                },
            },
            "put": {
                "summary": "Update positions by the matching rules",
                "description": (
                    "school + titleCode and/or assignmentCode + startDate -> endDate updated; "
                    "school + codes + endDate -> startDate updated; every match is updated; "
                    "no match -> added. Nothing is removed."
                ),
                "parameters": [STAFF_NUMBER],
                "requestBody": positions_body,
                "responses": {
                    "200": json_response(ref("StaffResult"), "Updated."),
                    **errors(400, 404),
                },
            },
        },
        f"{BASE}/addresses": {
            "get": {
                "summary": "Address search: exact components, then the normalized (Pub 28) key",
                "parameters": [query_param(name, "") for name in ADDRESS_FIELDS],
                "responses": {"200": list_of("addresses", ref("Address")), **errors(400)},
            }
        },
        f"{BASE}/sync/start": {
            "post": {
                "summary": "Start a synchronization (cancels any open one)",
                "responses": {"201": json_response(sync_obj, "Started."), **errors(409)},
            }
        },
        f"{BASE}/sync/{{syncID}}": {
            "get": {
                "summary": "A sync's status, with how many staff it holds ('transferred')",
                "parameters": [SYNC_ID],
                "responses": {"200": json_response({"type": "object"}, "OK"), **errors(404)},
            }
        },
        f"{BASE}/sync/{{syncID}}/transfer": {
            "post": {
                "summary": "Transfer a batch of HR staff (same checks as create/update)",
                "parameters": [SYNC_ID],
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "properties": {"staff": {"type": "array", "items": ref("Staff")}},
                            }
                        }
                    },
                },
                "responses": {
                    "200": json_response({"type": "object"}, "Stored."),
                    **errors(400, 404, 409, 413),
                },
            }
        },
        f"{BASE}/sync/{{syncID}}/endTransfer": {
            "post": {
                "summary": "End the transfer",
                "parameters": [SYNC_ID],
                "responses": {"200": json_response({"type": "object"}, "OK"), **errors(404, 409)},
            }
        },
        f"{BASE}/sync/{{syncID}}/validate": {
            "post": {
                "summary": "What a commit would change in Campus now (re-run after Campus changes)",
                "parameters": [SYNC_ID],
                "responses": {
                    "200": json_response(
                        {
                            "type": "object",
                            "properties": {
                                "summary": {"type": "object"},
                                "entries": {"type": "array", "items": {"type": "object"}},
                                "staffToAdd": {"type": "array", "items": string()},
                                "addressesToAdd": {"type": "array", "items": {"type": "object"}},
                                "untouchedCampusStaff": {"type": "object"},
                            },
                        },
                        "The report, per staff member: demographics, employment and district "
                        "assignment changes, the household (create, update, unchanged when it "
                        "is already at the address sent, or ignore), addresses and staff to "
                        "add, conflicts and errors.",
                    ),
                    **errors(404, 409),
                },
            }
        },
        f"{BASE}/sync/{{syncID}}/commit": {
            "post": {
                "summary": "Commit and wait (at most 500 staff)",
                "parameters": [SYNC_ID],
                "responses": {
                    "200": json_response(
                        {
                            "type": "object",
                            "properties": {
                                "succeeded": {"type": "array", "items": {"type": "object"}},
                                "failed": {"type": "array", "items": {"type": "object"}},
                            },
                        },
                        "Per staff member.",
                    ),
                    **errors(404, 409),
                },
            }
        },
        f"{BASE}/sync/{{syncID}}/submitCommitJob": {
            "post": {
                "summary": "Commit in a background job; poll sync/jobs/latest",
                "parameters": [SYNC_ID],
                "responses": {"202": json_response(ref("Job"), "Submitted."), **errors(404, 409)},
            }
        },
        f"{BASE}/sync/jobs/latest": {
            "get": {
                "summary": "The most recent commit job: status, progress (done/total), counts",
                "responses": {"200": json_response(ref("Job"), "OK"), **errors(404)},
            }
        },
        f"{BASE}/sync/jobs/{{jobID}}": {
            "get": {
                "summary": "One commit job",
                "parameters": [path_param("jobID", "A jobID.")],
                "responses": {"200": json_response(ref("Job"), "OK"), **errors(404)},
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
