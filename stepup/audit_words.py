"""Step-up's audit entries in words (see ``idbridge.audit.words``)."""

from django.urls import reverse

from idbridge.audit.words import Named, audit_actions, audit_targets, model_targets
from stepup.models import ServiceProvider

audit_actions(
    {
        "stepup.challenge": "was asked for a fresh passkey check by {target}",
        "stepup.check_succeeded": "passed a fingerprint or face check",
        "stepup.check_failed": "failed a fingerprint or face check",
        "stepup.check_not_completed": "did not complete a fingerprint or face check",
        "stepup.passkey_refused": "offered a passkey that was refused",
        "stepup.assertion_issued": "was signed in to {target}",
        "stepup.denied": "was refused access to {target}",
        "stepup.request_refused": "sent a sign-in request that was refused",
        "stepup.logout": "signed out of {target}",
        "stepup.sp_registered": "registered the service provider {target}",
        "stepup.sp_updated": "changed the service provider {target}",
        "stepup.sp_metadata_replaced": "replaced the metadata of {target}",
        "stepup.sp_deleted": "removed the service provider {target}",
        "stepup.policy_created": "added the step-up policy {target}",
        "stepup.policy_updated": "changed the step-up policy {target}",
        "stepup.policy_deleted": "removed the step-up policy {target}",
        "stepup.act_policy_changed": "changed how fresh the passkey check for an act must be",
        "stepup.key_generated": "generated the signing key {target}",
        "stepup.key_rollover_started": "started a signing key rollover to {target}",
        "stepup.key_promoted": "promoted the signing key {target}",
    }
)


def _sps_by_entity_id(keys: list[str]) -> dict[str, Named]:
    """``sp:<entity id>``: the entity id holds colons, so the kind is the first part."""
    rows = ServiceProvider.objects.filter(entity_id__in=keys)
    return {sp.entity_id: Named(str(sp), reverse("stepup:sp_detail", args=[sp.pk])) for sp in rows}


audit_targets("sp", _sps_by_entity_id)
model_targets("stepup.serviceprovider", url=lambda sp: reverse("stepup:sp_detail", args=[sp.pk]))
model_targets("stepup.stepuppolicy", url=lambda p: reverse("stepup:policy_edit", args=[p.pk]))
model_targets("stepup.signingkey")
