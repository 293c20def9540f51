"""Business Office staff synchronization: sessions, transfer, validate, commit, commit jobs.

The flow (``boi.rules.sync.next_sync_state`` decides what is allowed when)::

    start → transfer … → endTransfer → validate (again after Campus changes) → commit | job

Scale: validate and commit never hold a whole sync in memory. They walk the staged rows in
batches (``CAMPUS_SANDBOX_BOI_BATCH_SIZE``) ordered by staff number, a batch always
holding every row of a staff number (so an HR duplicate is seen whole), and load what
Campus knows about a batch with a fixed number of queries (``sandbox.boi.context``).

Exactly once: a batch is written in one transaction together with its staged rows'
``committed``/``failed`` markers and the job's progress, after locking those rows and
re-reading that they are still pending. A worker killed mid-batch loses the whole batch's
transaction; whoever resumes the job starts from the first row still pending.
"""

from sandbox.boi.sync.commit import sync_commit
from sandbox.boi.sync.jobs import (
    commit_job_latest,
    commit_job_release,
    commit_job_run,
    commit_job_submit,
    commit_job_worker,
    commit_jobs_resume_for_worker,
    commit_jobs_stale,
    job_to_api,
)
from sandbox.boi.sync.session import (
    session_get,
    session_to_api,
    sync_end_transfer,
    sync_restart_transfer,
    sync_start,
    sync_transfer,
)
from sandbox.boi.sync.validate import sync_validate, validate_report_chunks

__all__ = [
    "commit_job_latest",
    "commit_job_release",
    "commit_job_run",
    "commit_job_submit",
    "commit_job_worker",
    "commit_jobs_resume_for_worker",
    "commit_jobs_stale",
    "job_to_api",
    "session_get",
    "session_to_api",
    "sync_commit",
    "sync_end_transfer",
    "sync_restart_transfer",
    "sync_start",
    "sync_transfer",
    "sync_validate",
    "validate_report_chunks",
]
