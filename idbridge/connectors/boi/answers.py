"""Reading Campus's answers: lists, code items, a commit's results, a job's status."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from idbridge.connectors.boi.types import CodeItem, CommitResult, JobStatus

CODE_KEYS = {
    "schools": ("schoolNumber", "number", "code"),
    "genders": ("code", "gender", "value"),
    "assignmentCodes": ("assignmentCode", "code"),
    "titleCodes": ("titleCode", "code"),
}


def items_of(body: Any, *keys: str) -> list:
    """The list in an answer: the body itself, or under one of ``keys`` (or a usual name)."""
    if isinstance(body, list):
        return body
    if isinstance(body, dict):
        for key in (*keys, "items", "data", "results"):
            if isinstance(body.get(key), list):
                return body[key]
    return []


def code_item(item: Any, kind: str) -> CodeItem | None:
    """One entry of a Campus list (schools, genders, …); None when it has no code."""
    if not isinstance(item, Mapping):
        return CodeItem(str(item)) if item not in (None, "") else None
    code = next((item[k] for k in CODE_KEYS[kind] if item.get(k) not in (None, "")), None)
    if code is None:
        return None
    name = next(
        (item[k] for k in ("name", "description", "titleDescription", "label") if item.get(k)), ""
    )
    return CodeItem(str(code), str(name))


def commit_result_of(body: dict) -> CommitResult:
    succeeded = [
        str(s.get("staffNumber")) if isinstance(s, dict) else str(s)
        for s in body.get("succeeded") or []
    ]
    failed = [f for f in body.get("failed") or [] if isinstance(f, dict)]
    return CommitResult(succeeded, failed, body)


def job_status_of(body: dict) -> JobStatus:
    progress = body.get("progress") if isinstance(body.get("progress"), dict) else {}
    counts = body.get("counts") if isinstance(body.get("counts"), dict) else {}
    return JobStatus(
        job_id=str(body.get("jobID") or body.get("jobId") or body.get("id") or ""),
        status=str(body.get("status") or ""),
        done=_number(progress.get("done", body.get("done"))),
        total=_number(progress.get("total", body.get("total"))),
        counts=counts,
        raw=body,
    )


def _number(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
