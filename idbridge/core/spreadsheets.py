"""Cells of the CSV files people download and open in a spreadsheet."""


def spreadsheet_cell(value: object) -> str:
    """The value as a CSV cell a spreadsheet shows and never runs as a formula (CSV
    injection): text starting ``=``, ``+``, ``-``, ``@`` or a tab gets a leading quote.

    >>> spreadsheet_cell("=HYPERLINK(\\"http://x\\")"), spreadsheet_cell(7)
    ('\\'=HYPERLINK("http://x")', '7')
    """
    text = str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
