"""Building blocks of the BOI API's OpenAPI description (``sandbox/boi/openapi.py``):
schema references, JSON responses, the error responses every call may give, parameters."""

from __future__ import annotations

from sandbox.models import BOI_SCOPE

BASE = "/sandbox/campus/api/boi/v1"
TOKEN = "/sandbox/campus/oauth2/token"

_ERRORS = {"$ref": "#/components/schemas/Errors"}


def ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def json_response(schema: dict, description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def errors(*codes: int) -> dict:
    text = {
        400: "Refused: every problem with the request is listed.",
        401: "No bearer token, or an invalid or expired one.",
        403: f"The token lacks the {BOI_SCOPE} scope.",
        404: "Not found.",
        409: "Not allowed now (sync state, duplicate staff number, too many staff).",
        413: "Too many staff in one transfer call.",
    }
    return {str(code): json_response(_ERRORS, text[code]) for code in (401, 403, *codes)}


def string(description: str = "", **extra) -> dict:
    return {"type": "string", **({"description": description} if description else {}), **extra}


DATE = string("YYYY-MM-DD", format="date")


def path_param(name: str, description: str) -> dict:
    return {
        "name": name,
        "in": "path",
        "required": True,
        "schema": {"type": "string"},
        "description": description,
    }


def query_param(name: str, description: str) -> dict:
    return {"name": name, "in": "query", "schema": {"type": "string"}, "description": description}


STAFF_NUMBER = path_param("staffNumber", "The Local Staff Number shared by HR and Campus.")
SYNC_ID = path_param("syncID", "What sync/start returned.")


def list_of(key: str, item: dict) -> dict:
    """A 200 answer: an object holding one list of ``item``."""
    return json_response(
        {"type": "object", "properties": {key: {"type": "array", "items": item}}}, "OK"
    )
