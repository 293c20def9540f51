"""Long jobs: one record, one claim / heartbeat / sweep / progress for every long task.

See ``idbridge.jobs.models.Job`` for the design and ``idbridge.jobs.services`` for its
life cycle; an app describes each of its kinds of job once (``idbridge.jobs.kinds``).
"""
