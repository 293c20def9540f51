"""Cells of the CSV files the dashboard hands out: text a spreadsheet will not run.

A name, staff number or HR code comes from someone else's system; opened in a
spreadsheet, a cell starting with ``=``, ``+``, ``-`` or ``@`` (or a tab or carriage
return before one) is run as a formula (CSV injection). Such a cell is written with a
leading apostrophe, which spreadsheets show as text; a CSV the dashboard reads back (the
mapping tables) drops it again.

>>> csv_cell("=HYPERLINK(\\"http://evil.example\\")")
'\\'=HYPERLINK("http://evil.example")'
>>> csv_cell(42), csv_cell("Maria")
('42', 'Maria')
>>> csv_cell_read(csv_cell("-5"))
'-5'
"""

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value) -> str:
    """``value`` as CSV text a spreadsheet shows and never runs."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_row(values) -> list[str]:
    return [csv_cell(value) for value in values]


def csv_cell_read(text: str) -> str:
    """A cell written by ``csv_cell`` as it was before (other text unchanged)."""
    if text.startswith("'") and text[1:].startswith(FORMULA_STARTS):
        return text[1:]
    return text
