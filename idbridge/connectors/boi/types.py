"""The BOI client's settings and the values its calls return."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

LIST_KINDS = ("schools", "genders", "assignmentCodes", "titleCodes")


@dataclass
class BoiSettings:
    token_url: str
    base_url: str  # .../api/boi/v1/
    client_id: str
    client_secret: str
    scope: str = ""
    timeout: float = 30.0
    commit_timeout: float = 900.0  # the synchronous commit returns only when it is done
    attempts: int = 4


@dataclass(frozen=True)
class CallFailure:
    """One failed BOI call, for the error log."""

    method: str
    path: str
    status: int | None
    message: str
    payload: Any
    permanent: bool


@dataclass(frozen=True)
class CodeItem:
    code: str
    name: str = ""


@dataclass(frozen=True)
class CommitResult:
    succeeded: list[str]
    failed: list[dict]  # {"staffNumber", "errors": [...]}
    raw: dict = field(default_factory=dict)


@dataclass(frozen=True)
class JobStatus:
    job_id: str
    status: str
    done: int | None
    total: int | None
    counts: dict
    raw: dict

    @property
    def is_finished(self) -> bool:
        return self.status.lower() in ("completed", "complete", "done", "succeeded", "finished")

    @property
    def is_failed(self) -> bool:
        return self.status.lower() in ("failed", "error", "errored", "aborted", "cancelled")
