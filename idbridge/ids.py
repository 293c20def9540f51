"""Reading a database ID typed by a person or sent by a client."""

MAX_ID = 2**63 - 1  # the widest integer key PostgreSQL and SQLite store


def database_id(text) -> int | None:
    """``text`` as a positive row ID, or None: ASCII digits only (``"²".isdigit()`` is true
    but ``int("²")`` fails) and small enough for the database to compare."""
    if not isinstance(text, str) or not (text.isascii() and text.isdigit()):
        return None
    value = int(text)
    return value if 0 < value <= MAX_ID else None
