"""PostgreSQL statistics of the tables a sync reads (``campus_tables_analyze``).

Many rows are updated at once with ``idbridge.db.rows_update``.
"""

from __future__ import annotations

from django.db import DEFAULT_DB_ALIAS, connections

# What validate and commit read per batch. Seeding a district or staging a sync adds tens
# of thousands of rows at once; without fresh statistics PostgreSQL's planner may scan
# whole tables for each batch's IN (...) lookups (quadratic in the sync's size).
ANALYZED_TABLES = (
    "campus_person",
    "campus_identity",
    "campus_employment",
    "campus_districtassignment",
    "campus_household",
    "campus_householdmember",
    "campus_householdlocation",
    "campus_address",
    "campus_syncstagedstaff",
)


def campus_tables_analyze() -> None:
    """Refresh PostgreSQL's statistics of the tables a sync reads (a no-op elsewhere)."""
    connection = connections[DEFAULT_DB_ALIAS]
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE " + ", ".join(map(connection.ops.quote_name, ANALYZED_TABLES)))
