"""The embedded default at district size: a Campus poll, a pre-flight and a sync of 5,000
staff at once on SQLite (``scenario``), with the write lock timed (``watch``)."""
