"""OpenAPI 3.0 description of what the sandbox serves over REST (served as JSON)."""

from __future__ import annotations

from sandbox.oneroster.orgs import ORG_FIELDS
from sandbox.oneroster.users import (
    DEMOGRAPHICS_FIELDS,
    DEMOGRAPHICS_FILTERS,
    DEMOGRAPHICS_SORTS,
    FILTER_FIELDS,
    SORT_FIELDS,
    USER_FIELDS,
)

BASE = "/sandbox/campus/api/oneroster/v1p2/{appName}/ims/oneroster/rostering/v1p2"
TOKEN = "/sandbox/campus/oauth2/token"

_REF = {"$ref": "#/components/schemas/GUIDRef"}
_STATUS = {"$ref": "#/components/schemas/imsx_StatusInfo"}


def _error(description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": _STATUS}}}


def _param(name: str, description: str, schema: dict | None = None, where="query") -> dict:
    return {
        "name": name,
        "in": where,
        "required": where == "path",
        "description": description,
        "schema": schema or {"type": "string"},
    }


_APP = _param("appName", "The client's app name (as in the token URL).", where="path")
_SOURCED_ID = _param(
    "sourcedId", "The object's sourcedId (a user's is the personID).", where="path"
)


def _collection_params(filter_fields, sort_fields, fields) -> list[dict]:
    return [
        _APP,
        _param("limit", "Page size (default 100).", {"type": "integer", "minimum": 1}),
        _param("offset", "First record (default 0).", {"type": "integer", "minimum": 0}),
        _param(
            "filter",
            "One predicate, or two joined by AND/OR: field, operator (= != > >= < <= ~), "
            "quoted value, e.g. dateLastModified>'2026-01-01T00:00:00Z'. "
            f"Fields: {', '.join(filter_fields)}.",
        ),
        _param("sort", f"Sort field: {', '.join(sort_fields)}."),
        _param("orderBy", "asc or desc.", {"type": "string", "enum": ["asc", "desc"]}),
        _param("fields", f"Comma-separated fields to return: {', '.join(fields)}."),
    ]


def _list_response(key: str, schema: str) -> dict:
    return {
        "description": "A page of records.",
        "headers": {
            "X-Total-Count": {"schema": {"type": "integer"}, "description": "Matching records."},
            "Link": {"schema": {"type": "string"}, "description": "first/prev/next/last pages."},
        },
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "properties": {
                        key: {"type": "array", "items": {"$ref": f"#/components/schemas/{schema}"}}
                    },
                }
            }
        },
    }


def _one_response(key: str, schema: str) -> dict:
    return {
        "description": "The record.",
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "properties": {key: {"$ref": f"#/components/schemas/{schema}"}},
                }
            }
        },
    }


_ERRORS = {
    "400": _error("Bad request (invalid_filter_field, invalid_sort_field, ...)."),
    "401": _error("Missing, expired or foreign token (unauthorisedrequest)."),
    "403": _error("The token lacks the scope (forbidden)."),
    "429": _error("Too many requests; see Retry-After (server_busy)."),
}


def _get(summary, params, ok, scope="roster-core.readonly", not_found=False):
    responses = {"200": ok, **_ERRORS}
    if not_found:
        responses["404"] = _error("No such object (unknownobject).")
    return {
        "get": {
            "summary": summary,
            "parameters": params,
            "security": [{"oauth2": [scope]}],
            "responses": responses,
        }
    }


def description(server_url: str) -> dict:
    string, date_time = {"type": "string"}, {"type": "string", "format": "date-time"}
    user_properties = {
        "sourcedId": string,
        "status": {"type": "string", "enum": ["active", "tobedeleted"]},
        "dateLastModified": date_time,
        "userMasterIdentifier": string,
        "username": string,
        "userIds": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "type": {"type": "string", "example": "staffNumber"},
                    "identifier": string,
                },
            },
        },
        "enabledUser": {"type": "boolean"},
        "givenName": string,
        "familyName": string,
        "middleName": string,
        "roles": {"type": "array", "items": {"$ref": "#/components/schemas/Role"}},
        "primaryOrg": _REF,
        "identifier": {"type": "string", "description": "The Local Staff Number for staff."},
        "email": string,
        "sms": string,
        "phone": string,
        "agents": {"type": "array", "items": _REF},
        "grades": {"type": "array", "items": string},
    }
    assert set(user_properties) == set(USER_FIELDS)
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "Campus sandbox: OAuth2 and OneRoster 1.2 rostering",
            "version": "1.2",
            "description": "What idbridge's Campus sandbox serves with Infinite Campus's URL "
            "shapes. The SOAP Identity Service is described by its WSDL at "
            "/sandbox/campus/services/IdentityService?wsdl.",
        },
        "servers": [{"url": server_url}],
        "components": {
            "securitySchemes": {
                "oauth2": {
                    "type": "oauth2",
                    "flows": {
                        "clientCredentials": {
                            "tokenUrl": f"{server_url}{TOKEN}?appName={{appName}}",
                            "scopes": {
                                "roster-core.readonly": "users, orgs, schools",
                                "roster-demographics.readonly": "demographics",
                            },
                        }
                    },
                }
            },
            "schemas": {
                "GUIDRef": {
                    "type": "object",
                    "properties": {"href": string, "sourcedId": string, "type": string},
                },
                "Role": {
                    "type": "object",
                    "properties": {
                        "roleType": {"type": "string", "enum": ["primary", "secondary"]},
                        "role": {
                            "type": "string",
                            "example": "teacher",
                            "description": "teacher, aide, administrator, principal, "
                            "siteAdministrator, districtAdministrator, systemAdministrator, "
                            "counselor, proctor, student, parent, guardian",
                        },
                        "org": _REF,
                        "beginDate": {"type": "string", "format": "date"},
                        "endDate": {"type": "string", "format": "date", "nullable": True},
                    },
                },
                "User": {"type": "object", "properties": user_properties},
                "Org": {
                    "type": "object",
                    "properties": {
                        **dict.fromkeys(ORG_FIELDS, string),
                        "dateLastModified": date_time,
                        "type": {"type": "string", "enum": ["district", "school"]},
                        "parent": _REF,
                        "children": {"type": "array", "items": _REF},
                    },
                },
                "Demographics": {
                    "type": "object",
                    "properties": {
                        "sourcedId": string,
                        "status": string,
                        "dateLastModified": date_time,
                        "birthDate": {"type": "string", "format": "date"},
                        "sex": {
                            "type": "string",
                            "enum": ["male", "female", "other", "unspecified"],
                        },
                    },
                },
                "imsx_StatusInfo": {
                    "type": "object",
                    "properties": {
                        "imsx_codeMajor": {"type": "string", "enum": ["success", "failure"]},
                        "imsx_severity": {"type": "string", "enum": ["status", "error"]},
                        "imsx_description": string,
                        "imsx_CodeMinor": {
                            "type": "object",
                            "properties": {
                                "imsx_codeMinorField": {
                                    "type": "array",
                                    "items": {
                                        "type": "object",
                                        "properties": {
                                            "imsx_codeMinorFieldName": string,
                                            "imsx_codeMinorFieldValue": string,
                                        },
                                    },
                                }
                            },
                        },
                    },
                },
            },
        },
        "paths": {
            TOKEN: {
                "post": {
                    "summary": "Client-credentials token (client id/secret as HTTP Basic or "
                    "form fields).",
                    "parameters": [_param("appName", "The client's app name.")],
                    "requestBody": {
                        "content": {
                            "application/x-www-form-urlencoded": {
                                "schema": {
                                    "type": "object",
                                    "properties": {
                                        "grant_type": {
                                            "type": "string",
                                            "enum": ["client_credentials"],
                                        },
                                        "client_id": string,
                                        "client_secret": string,
                                        "scope": string,
                                    },
                                }
                            }
                        }
                    },
                    "responses": {
                        "200": {
                            "description": "A JWT-shaped bearer token.",
                            "content": {
                                "application/json": {
                                    "schema": {
                                        "type": "object",
                                        "properties": {
                                            "access_token": string,
                                            "token_type": {"type": "string", "example": "Bearer"},
                                            "expires_in": {"type": "integer"},
                                            "scope": string,
                                        },
                                    }
                                }
                            },
                        },
                        "401": {"description": "invalid_client (wrong secret or appName)."},
                    },
                }
            },
            f"{BASE}/users": _get(
                "Users (staff, students, parents)",
                _collection_params(FILTER_FIELDS, SORT_FIELDS, USER_FIELDS),
                _list_response("users", "User"),
            ),
            f"{BASE}/users/{{sourcedId}}": _get(
                "One user", [_APP, _SOURCED_ID], _one_response("user", "User"), not_found=True
            ),
            f"{BASE}/orgs": _get(
                "The district and its schools",
                _collection_params(ORG_FIELDS[:6], ORG_FIELDS[:6], ORG_FIELDS),
                _list_response("orgs", "Org"),
            ),
            f"{BASE}/orgs/{{sourcedId}}": _get(
                "One org", [_APP, _SOURCED_ID], _one_response("org", "Org"), not_found=True
            ),
            f"{BASE}/schools": _get(
                "Schools",
                _collection_params(ORG_FIELDS[:6], ORG_FIELDS[:6], ORG_FIELDS),
                _list_response("orgs", "Org"),
            ),
            f"{BASE}/schools/{{sourcedId}}": _get(
                "One school", [_APP, _SOURCED_ID], _one_response("org", "Org"), not_found=True
            ),
            f"{BASE}/demographics": _get(
                "Every user's demographics (birth dates), paged",
                _collection_params(DEMOGRAPHICS_FILTERS, DEMOGRAPHICS_SORTS, DEMOGRAPHICS_FIELDS),
                _list_response("demographics", "Demographics"),
                scope="roster-demographics.readonly",
            ),
            f"{BASE}/demographics/{{sourcedId}}": _get(
                "A user's demographics (birth date)",
                [_APP, _SOURCED_ID],
                _one_response("demographics", "Demographics"),
                scope="roster-demographics.readonly",
                not_found=True,
            ),
        },
    }
