"""Every write of the Business Office console, one module per use case:

- ``connections``: the BOI connection, its test, Campus's lists and the mapping tables;
- ``imports``: HR file upload, column mapping, row checks, excluding bad rows;
- ``preflight``: address pre-flight and the check before sync (reads Campus);
- ``sync``: the synchronization wizard's steps (Celery jobs) and the commit;
- ``daytoday``: one staff member or position at a time;
- ``errorlog``: the error log and the alerts.

Each service validates, saves, writes its audit entry in the same transaction and
enqueues tasks only once that transaction commits. No Campus call happens inside a
transaction.
"""


class ConsoleError(Exception):
    """A request the console cannot take; the message is safe to show to the operator."""
