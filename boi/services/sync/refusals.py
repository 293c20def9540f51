"""A transfer batch Campus refuses: split until the refused staff are isolated, the rest
sent, and each refused staff member recorded by name, staff number and HR row.

Campus refuses a whole transfer batch for one bad staff member ("the API will fail if any
of those requirements are not met", the guide). When its errors name positions in the
batch (``staff[N]…``) those staff are set aside and the rest sent again; otherwise the
batch is halved, each half sent, until every refusal is one staff member's. Each refused
staff member gets an error-log entry of their own (their request alone, SSN masked), so the
log never hides who behind a cut-off batch.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from boi.models import HrRow, SyncRun, SyncStaff
from boi.services.errorlog import error_log_record
from boi.services.sync.words import errors_in_words
from idbridge.connectors.boi.errors import BoiRefused
from idbridge.connectors.boi.types import CallFailure

REFUSED_STATUSES = (400, 422)  # the batch's content, not the session or the call
POSITION = re.compile(r"^staff\[(\d+)\]\.?")


@dataclass
class Refused:
    row: HrRow
    payload: dict
    errors: list[dict]


def _errors_by_position(errors: list[dict], size: int) -> dict[int, list[dict]]:
    """Campus's errors by the batch position they name (``staff[N]``), prefix removed."""
    named: dict[int, list[dict]] = {}
    for error in errors:
        match = POSITION.match(str(error.get("field") or ""))
        if match and int(match.group(1)) < size:
            field = str(error["field"])[match.end() :]
            named.setdefault(int(match.group(1)), []).append({**error, "field": field})
    return named


def send_isolating(
    send: Callable[[list[tuple[HrRow, dict]]], object], items: list[tuple[HrRow, dict]]
) -> list[Refused]:
    """Send ``(row, staff object)`` items as one batch (``send`` gets them and calls
    Campus); when Campus refuses it, isolate the staff it refuses and send the rest.
    Returns the refused ones."""
    try:
        send(items)
        return []
    except BoiRefused as exc:
        if exc.status not in REFUSED_STATUSES:
            raise
        refusal = exc
    if len(items) == 1:
        errors = list(_errors_by_position(refusal.errors, 1).get(0) or refusal.errors)
        return [Refused(items[0][0], items[0][1], errors)]
    named = _errors_by_position(refusal.errors, len(items))
    if named:
        refused = [Refused(items[i][0], items[i][1], named[i]) for i in sorted(named)]
        rest = [item for i, item in enumerate(items) if i not in named]
        return refused + (send_isolating(send, rest) if rest else [])
    half = len(items) // 2
    return send_isolating(send, items[:half]) + send_isolating(send, items[half:])


def refusal_text(row: HrRow, errors: list[dict]) -> str:
    """Who Campus refused, and why, in HR's words."""
    name = row.display_name or "(no name)"
    return (
        f"Campus refused {name}, staff number {row.staff_number} (HR row {row.row_number}): "
        f"{errors_in_words(errors)}"
    )


def refusals_record(run: SyncRun, path: str, refused: list[Refused]) -> list[SyncStaff]:
    """Each refused staff member: an error-log entry of their own and a SyncStaff marked
    refused, with Campus's reason in HR's words (in the caller's transaction)."""
    items = []
    for item in refused:
        text = refusal_text(item.row, item.errors)
        failure = CallFailure("POST", path, 400, text, [item.payload], True)
        entry = error_log_record(connection=run.connection, run=run, failure=failure)
        reasons = [
            {"message": errors_in_words([e]), "entry": entry.id, "field": ""} for e in item.errors
        ]
        items.append(
            SyncStaff(
                run=run,
                row=item.row,
                staff_number=item.row.staff_number,
                name=item.row.display_name[:200],
                outcome=SyncStaff.Outcome.REFUSED,
                outcome_errors=reasons,
            )
        )
    return items
