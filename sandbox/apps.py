from django.apps import AppConfig


class SandboxConfig(AppConfig):
    """The Campus sandbox. Its label stays ``campus`` so its tables and migrations keep
    their names (``campus_person``, ...)."""

    name = "sandbox"
    label = "campus"
    verbose_name = "Campus sandbox"

    def ready(self):
        from idbridge.jobs.workers import worker_start_hook
        from sandbox.boi.sync.jobs import commit_jobs_resume_for_worker

        # A worker starting again resumes at once the commit jobs its earlier self ran.
        worker_start_hook(commit_jobs_resume_for_worker)
