"""The mapping tables as a CSV file HR can read and edit: exported with Campus's description
beside each code, imported back (checked against Campus's lists, all or nothing)."""

from __future__ import annotations

import csv
import io

from boi.models import BoiConnection, MappingValue
from boi.services import ConsoleError
from boi.services.connections import mappings_save_many
from idbridge.core.csvcells import csv_cell_read, csv_row

# (CSV heading, mapping field); "Campus description" is written for reading, not read back.
COLUMNS = (
    ("Kind", "kind"),
    ("HR code", "hr_value"),
    ("Campus value", "campus_value"),
    ("Campus description", ""),
    ("Title code", "title_code"),
    ("Title description", "title_description"),
)
MAX_ROWS = 5000


def mappings_csv(connection: BoiConnection) -> str:
    """The connection's mapping tables as CSV text."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([heading for heading, _ in COLUMNS])
    for mapping in MappingValue.objects.filter(connection=connection):
        list_name = MappingValue.CAMPUS_LIST[mapping.kind][0]
        names = {
            str(i.get("code")): i.get("name", "")
            for i in connection.campus_lists.get(list_name) or []
        }
        values = {f: getattr(mapping, f) for _, f in COLUMNS if f}
        writer.writerow(
            csv_row(values.get(f, names.get(mapping.campus_value, "")) for _, f in COLUMNS)
        )
    return out.getvalue()


def mappings_import_csv(*, connection: BoiConnection, text: str, actor) -> int:
    """Save every mapping of a CSV in the export's layout; ConsoleError naming the lines
    at fault (nothing saved) when a kind or a Campus value is not known."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    missing = [h for h, f in COLUMNS[:3] if h not in (reader.fieldnames or [])]
    if missing:
        raise ConsoleError(f"The file needs the columns {', '.join(missing)} (as exported).")
    choices, problems = [], []
    for line, record in enumerate(reader, start=2):
        if line > MAX_ROWS + 1:
            raise ConsoleError(f"At most {MAX_ROWS} mappings per file.")
        choice = {f: csv_cell_read((record.get(h) or "").strip()) for h, f in COLUMNS if f}
        if not choice["hr_value"]:
            continue
        if choice["kind"] not in MappingValue.CAMPUS_LIST:
            problems.append(f"line {line}: kind must be location, sex or job")
        choices.append(choice)
    if problems:
        raise ConsoleError("; ".join(problems) + ".")
    return mappings_save_many(connection=connection, choices=choices, actor=actor)
