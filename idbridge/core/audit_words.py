"""The dashboard's own audit entries in words: accounts, jobs, keys, the log itself."""

from idbridge.audit.words import audit_actions, model_targets, user_named
from idbridge.jobs.kinds import job_kind

audit_actions(
    {
        "user.demo_admin_set": "set up the demo administrator {target}",
        "user.signed_in": "signed in to the dashboard",
        "user.sign_in_failed": "failed to sign in to the dashboard",
        "dashboard.signed_in": "signed in to the dashboard with the passkey of {target}",
        "dashboard.sign_in_refused": "was refused the dashboard (no dashboard role)",
        "dashboard.roles_changed": "changed the dashboard roles of {target}",
        "dashboard.break_glass_created": "created or re-keyed the break-glass account {target}",
        "dashboard.break_glass_signed_in": "signed in with the break-glass account {target}",
        "dashboard.break_glass_refused": "was refused a break-glass sign-in as {target}",
        "user.refused": "was refused a page",
        "jobs.retried": "retried {target}",
        "jobs.resumed": "resumed {target}",
        "jobs.paused": "paused {target}",
        "jobs.cancelled": "cancelled {target}",
        "crypto.keys_rotated": "rotated the encryption keys",
        "audit.exported": "exported audit entries",
        "audit.verified": "checked the audit chain",
        "dashboard.break_glass_act_confirmed": (
            "confirmed an administrative act with a break-glass code"
        ),
        "dashboard.break_glass_act_refused": "typed a break-glass code that was refused",
    }
)
model_targets("auth.user", words=lambda user: user_named(user).words)


def _job_words(job) -> str:
    try:
        return f"the job “{job_kind(job.kind).label}” ({job.pk})"
    except LookupError:
        return f"job {job.pk}"


def _job_url(job) -> str:
    try:
        return job_kind(job.kind).page_url(job)
    except Exception:  # noqa: BLE001 - a job whose record is gone has no page
        return ""


model_targets("jobs.job", words=_job_words, url=_job_url)
