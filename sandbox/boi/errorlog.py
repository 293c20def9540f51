"""The Business Office Error Log: every failed BOI call, SSNs masked, and its PDF export.

An entry keeps the Error Date, the Action (HTTP method, or ``COMMIT`` for a staff member a
commit job could not apply), the Path, the Error Message and the Payload. The payload is
the request body with every ``ssn`` value masked by the rules' ``mask_ssn`` and any other
SSN-shaped text masked too: a raw SSN never reaches this table.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time

from django.db.models import Q, QuerySet
from django.utils import timezone
from fpdf import FPDF
from fpdf.fonts import FontFace

from boi.rules.staff import mask_ssn
from sandbox.models import BoiErrorLogEntry

PAYLOAD_MAX_CHARS = 65_536
MESSAGE_MAX_CHARS = 4_000
PDF_MAX_ENTRIES = 2_000
PDF_PAYLOAD_CHARS = 700

_DASHED_SSN = re.compile(r"(?<!\d)\d{3}-\d{2}-(\d{4})(?!\d)")
_NINE_DIGITS = re.compile(r"(?<![\d-])\d{5}(\d{4})(?![\d-])")


def _mask_value(value, key: str = ""):
    if key.lower() == "ssn" and not isinstance(value, Mapping | list):
        return mask_ssn(str(value)) if value not in (None, "") else value
    if isinstance(value, Mapping):
        return {name: _mask_value(item, str(name)) for name, item in value.items()}
    if isinstance(value, list):
        return [_mask_value(item) for item in value]
    if isinstance(value, str):
        return _DASHED_SSN.sub(r"***-**-\1", value)
    return value


def mask_payload(body: bytes | str | object) -> str:
    """The request body as stored in the log: JSON re-serialized with SSNs masked, or text
    with SSN-shaped numbers masked; long bodies are cut."""
    if isinstance(body, bytes):
        body = body.decode("utf-8", errors="replace")
    if isinstance(body, str):
        try:
            parsed = json.loads(body) if body.strip() else None
        except ValueError:
            text = _NINE_DIGITS.sub(r"*****\1", _DASHED_SSN.sub(r"***-**-\1", body))
            return _cut(text)
        if parsed is None:
            return ""
        body = parsed
    return _cut(json.dumps(_mask_value(body), indent=1, ensure_ascii=False, default=str))


def _cut(text: str) -> str:
    if len(text) <= PAYLOAD_MAX_CHARS:
        return text
    return text[:PAYLOAD_MAX_CHARS] + f"\n… (cut: {len(text)} characters in all)"


def error_message(errors: Iterable[Mapping[str, str]]) -> str:
    parts = []
    for error in errors:
        field = error.get("field") or ""
        parts.append(f"{field}: {error.get('message', '')}" if field else error.get("message", ""))
    return "; ".join(parts)[:MESSAGE_MAX_CHARS]


def error_log_record(
    *,
    method: str,
    path: str,
    status: int,
    message: str,
    payload: bytes | str | object = "",
    client_name: str = "",
    staff_number: str = "",
    session_id: int | None = None,
) -> BoiErrorLogEntry:
    return BoiErrorLogEntry.objects.create(
        method=method[:10],
        path=path[:300],
        status=status,
        message=message[:MESSAGE_MAX_CHARS],
        payload=mask_payload(payload),
        client_name=client_name[:100],
        staff_number=staff_number[:64],
        session_id=session_id,
    )


def error_log_entry(
    *,
    method: str,
    path: str,
    status: int,
    message: str,
    payload: object,
    staff_number: str = "",
    session_id: int | None = None,
    client_name: str = "",
) -> BoiErrorLogEntry:
    """An unsaved entry, for ``bulk_create`` (commit failures)."""
    return BoiErrorLogEntry(
        method=method[:10],
        path=path[:300],
        status=status,
        message=message[:MESSAGE_MAX_CHARS],
        payload=mask_payload(payload),
        staff_number=staff_number[:64],
        session_id=session_id,
        client_name=client_name[:100],
    )


# --- reading ------------------------------------------------------------------------------


@dataclass(frozen=True)
class LogFilter:
    since: date | None = None
    until: date | None = None
    action: str = ""
    path: str = ""
    text: str = ""

    def apply(self, qs: QuerySet) -> QuerySet:
        zone = timezone.get_current_timezone()
        if self.since:
            qs = qs.filter(created_at__gte=datetime.combine(self.since, time.min, zone))
        if self.until:
            qs = qs.filter(created_at__lte=datetime.combine(self.until, time.max, zone))
        if self.action:
            qs = qs.filter(method=self.action.upper())
        if self.path:
            qs = qs.filter(path__icontains=self.path)
        if self.text:
            qs = qs.filter(Q(message__icontains=self.text) | Q(staff_number=self.text))
        return qs

    def describe(self) -> str:
        parts = []
        if self.since:
            parts.append(f"from {self.since.isoformat()}")
        if self.until:
            parts.append(f"until {self.until.isoformat()}")
        if self.action:
            parts.append(f"action {self.action.upper()}")
        if self.path:
            parts.append(f"path contains '{self.path}'")
        if self.text:
            parts.append(f"message or staff number '{self.text}'")
        return ", ".join(parts) or "all entries"


def error_log_list(log_filter: LogFilter | None = None) -> QuerySet:
    return (log_filter or LogFilter()).apply(BoiErrorLogEntry.objects.all())


def error_log_actions() -> list[str]:
    return sorted(set(BoiErrorLogEntry.objects.values_list("method", flat=True).distinct()))


# --- Export to PDF --------------------------------------------------------------------------


def _latin1(text: str) -> str:
    """The PDF's core fonts speak Latin-1: anything else is replaced, never dropped."""
    text = text.replace("…", "...").replace("→", "->").replace("—", "-").replace("–", "-")
    return text.encode("latin-1", errors="replace").decode("latin-1")


class _LogPdf(FPDF):
    title_text = "Business Office Error Log"

    def header(self):
        self.set_font("Helvetica", "B", 13)
        self.cell(0, 8, _latin1(self.title_text), new_x="LMARGIN", new_y="NEXT")
        self.ln(1)

    def footer(self):
        self.set_y(-12)
        self.set_font("Helvetica", "", 8)
        self.cell(0, 8, f"Page {self.page_no()}/{{nb}}", align="C")


def _pdf_intro(pdf: FPDF, log_filter: LogFilter, total: int, district_name: str) -> None:
    now = timezone.localtime()
    lines = [
        f"{district_name} - exported {now:%Y-%m-%d %H:%M %Z}" if district_name else "",
        f"Filter: {log_filter.describe()}. Entries: {total}"
        + (f" (the newest {PDF_MAX_ENTRIES} are shown)" if total > PDF_MAX_ENTRIES else ""),
    ]
    pdf.set_font("Helvetica", "", 9)
    for line in filter(None, lines):
        pdf.cell(0, 5, _latin1(line), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)


def _pdf_row(entry: BoiErrorLogEntry) -> list[str]:
    """The five columns of one entry; a long payload is cut, saying how long it was."""
    payload = entry.payload
    if len(payload) > PDF_PAYLOAD_CHARS:
        payload = payload[:PDF_PAYLOAD_CHARS] + f" ... ({len(entry.payload)} characters)"
    return [
        timezone.localtime(entry.created_at).strftime("%Y-%m-%d %H:%M:%S"),
        entry.method,
        _latin1(entry.path),
        _latin1(f"[{entry.status}] {entry.message}" if entry.status else entry.message),
        _latin1(" ".join(payload.split())),
    ]


def _pdf_table(pdf: FPDF, entries: Iterable[BoiErrorLogEntry]) -> None:
    pdf.set_font("Helvetica", "", 7)
    heading = FontFace(emphasis="BOLD", fill_color=(225, 229, 235))
    with pdf.table(
        col_widths=(26, 16, 55, 75, 87),
        headings_style=heading,
        line_height=3.4,
        text_align="LEFT",
        repeat_headings=1,
    ) as table:
        table.row(["Error Date", "Action", "Path", "Error Message", "Payload"])
        for entry in entries:
            table.row(_pdf_row(entry))


def error_log_pdf(log_filter: LogFilter | None = None, *, district_name: str = "") -> bytes:
    """Export to PDF: the five columns of the log, newest first, SSNs already masked."""
    log_filter = log_filter or LogFilter()
    qs = error_log_list(log_filter)
    total = qs.count()
    pdf = _LogPdf(orientation="L", unit="mm", format="Letter")
    pdf.set_title("Business Office Error Log")
    pdf.set_creator("idbridge Campus sandbox")
    pdf.set_auto_page_break(auto=True, margin=14)
    pdf.add_page()
    _pdf_intro(pdf, log_filter, total, district_name)
    entries = qs.iterator(chunk_size=500) if total <= PDF_MAX_ENTRIES else qs[:PDF_MAX_ENTRIES]
    _pdf_table(pdf, entries)
    return bytes(pdf.output())
