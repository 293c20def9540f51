"""The Business Office console's audit entries in words (see ``idbridge.audit.words``)."""

from django.urls import reverse

from boi.services.sync.runs import STEP_LABELS
from idbridge.audit.words import audit_actions, model_targets

audit_actions(
    {
        "boi.connection.saved": "saved the BOI connection {target}",
        "boi.connection.lists_fetched": "fetched Campus's lists for {target}",
        "boi.mapping.saved": "saved a mapping of {target}",
        "boi.mapping.deleted": "deleted a mapping of {target}",
        "boi.import.uploaded": "uploaded the HR file {target}",
        "boi.import.mapped": "mapped the columns of {target}",
        "boi.import.checked": "checked the HR file {target}",
        "boi.import.row_excluded": "excluded a row of {target}",
        "boi.import.excluded_bad_rows": "excluded the rows with errors from {target}",
        "boi.import.deleted": "deleted the HR file {target}",
        "boi.preflight.queued": "started the pre-flight of {target}",
        "boi.preflight.done": "finished the pre-flight of {target}",
        "boi.sync.created": "created {target}",
        "boi.sync.commit_requested": "asked to commit {target}",
        "boi.sync.committed": "committed {target} to Campus",
        "boi.staff.created": "created a staff member in Campus from {target}",
        "boi.staff.updated": "updated a staff member in Campus from {target}",
        "boi.staff.entered": "created a staff member typed in by hand in Campus through {target}",
        "boi.position.added": "added a position in Campus through {target}",
        "boi.position.updated": "updated a position in Campus through {target}",
        "boi.alert.dismissed": "dismissed the alert {target}",
    }
)
for step, label in STEP_LABELS.items():
    audit_actions(
        {
            f"boi.sync.{step}_queued": f"queued the step {label} of {{target}}",
            f"boi.sync.{step}_done": f"finished the step {label} of {{target}}",
            f"boi.sync.{step}_failed": f"saw the step {label} of {{target}} fail",
        }
    )

model_targets("boi.boiconnection", url=lambda c: reverse("boi:connection", args=[c.pk]))
model_targets("boi.hrimport", url=lambda i: reverse("boi:import", args=[i.pk]))
model_targets(
    "boi.syncrun", words=lambda r: f"sync run {r.pk}", url=lambda r: reverse("boi:run", args=[r.pk])
)
model_targets("boi.alert")
