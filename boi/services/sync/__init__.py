"""The synchronization wizard: start → transfer → end transfer → validate → commit → results.

Each step is one Celery job (``boi.tasks.run_sync_step`` → ``steps.sync_step_run``)
claimed with a conditional UPDATE on the run (``job``: queued → running), so a step never
runs twice at once and a closed browser loses nothing: the run's state, step and progress
live in the database. Steps follow Campus's session rules
(``boi.rules.sync.next_sync_state``): start is always allowed (changed HR data means
starting again), validate may be repeated (Campus data changed), commit needs a validated
run, a fresh step-up of the operator and HR data unchanged since the transfer.

Start chains transfer, end transfer and validate, then waits for the operator. The
commit uses Campus's synchronous commit up to ``BOI_SYNC_COMMIT_MAX_STAFF`` staff (it
returns per-staff results) and the commit job above that, whose status is polled
(``sync/jobs/latest``) by ``boi.tasks.poll_commit_job`` until it is done.

One module per step: ``runs`` (creating a run, queueing steps), ``start``, ``transfer``
(and end transfer), ``validate``, ``commit`` (the operator's request and the synchronous
commit), ``commit_job`` (polling Campus's commit job); ``steps`` runs a claimed step.
"""
