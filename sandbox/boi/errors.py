"""The BOI API's refusals: an HTTP status and every problem, as ``boi.rules`` names them."""

from __future__ import annotations

from collections.abc import Iterable

from boi.rules.errors import RuleError


class BoiError(Exception):
    """A refused call: ``status`` (4xx) and the errors of the ``{"errors": [...]}`` body."""

    def __init__(self, status: int, errors: Iterable[RuleError] | RuleError, headers=None):
        self.status = status
        self.errors = [errors] if isinstance(errors, RuleError) else list(errors)
        self.headers = headers or {}
        super().__init__("; ".join(f"{e.field}: {e.message}" for e in self.errors))

    def body(self) -> dict:
        return {"errors": [error.as_dict() for error in self.errors]}


def error(status: int, field: str, code: str, message: str, **headers) -> BoiError:
    return BoiError(status, RuleError(field, code, message), headers=headers)
