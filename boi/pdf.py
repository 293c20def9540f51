"""The error log as a PDF (Campus's Business Office Error Log has "Export to PDF")."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils import timezone
from fpdf import FPDF

from boi.models import ErrorLogEntry
from boi.services.sync.words import call_in_words, staff_in_payload, staff_summary_text
from idbridge.core.times import local_time

MAX_PAYLOAD_CHARS = 1500
PDF_STAFF_SHOWN = 20  # staff of one request summarized in the PDF


def _latin(text: str) -> str:
    # The core PDF fonts are Latin-1; anything else is shown as "?" rather than failing.
    return text.replace("•", "*").encode("latin-1", "replace").decode("latin-1")


def error_log_pdf(entries: Iterable[ErrorLogEntry], *, title: str = "BOI error log") -> bytes:
    """One block per entry: date, the call in words, message, and the staff the request
    carried as labelled summaries (SSNs masked), or else the request (SSNs already masked)."""
    pdf = FPDF(orientation="L", unit="mm", format="A4")
    pdf.set_auto_page_break(auto=True, margin=12)
    pdf.set_title(title)
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 14)
    pdf.cell(0, 8, _latin(title), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 9)
    pdf.cell(
        0,
        6,
        _latin(f"Exported {local_time(timezone.now())}"),
        new_x="LMARGIN",
        new_y="NEXT",
    )
    count = 0
    for entry in entries:
        count += 1
        pdf.ln(2)
        pdf.set_font("Helvetica", "B", 9)
        call = call_in_words(entry.action, entry.path)
        head = (
            f"{local_time(entry.at)}   {call}"
            f"   ({entry.action} {entry.path}, "
            f"{'HTTP ' + str(entry.status_code) if entry.status_code else 'no answer'})"
        )
        pdf.multi_cell(0, 5, _latin(head), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Helvetica", "", 9)
        pdf.multi_cell(0, 5, _latin(entry.message), new_x="LMARGIN", new_y="NEXT")
        staff = staff_in_payload(entry.payload, limit=PDF_STAFF_SHOWN)
        for one in staff:  # the staff it carried, as HR reads them
            lines = staff_summary_text(one).replace("\n", "; ")
            pdf.multi_cell(0, 4, _latin(lines), new_x="LMARGIN", new_y="NEXT")
        if entry.payload and not staff:
            payload = entry.payload
            if len(payload) > MAX_PAYLOAD_CHARS:
                payload = payload[:MAX_PAYLOAD_CHARS] + " …(cut)"
            pdf.set_font("Courier", "", 7)
            pdf.multi_cell(0, 3.5, _latin(payload), new_x="LMARGIN", new_y="NEXT")
    if not count:
        pdf.cell(0, 6, "No errors.", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
