"""Every write of the step-up IdP, each with its audit entry in the same transaction.

One module per thing written: ``state`` (the IdP's state row and configuration version),
``signing_keys``, ``service_providers``, ``policies`` (step-up policies), ``replay`` (the
request-ID cache) and ``decisions`` (the audit trail of the SSO flow and passkey checks).
Every public service is re-exported here (``from stepup import services``); code next to
one of them may import it from its module.
"""

from stepup.services.decisions import (
    assertion_issued_record,
    authn_request_refused_record,
    sso_logout_record,
    step_up_challenge_record,
    step_up_check_record,
    step_up_denial_record,
)
from stepup.services.policies import (
    step_up_policy_create,
    step_up_policy_delete,
    step_up_policy_update,
)
from stepup.services.replay import authn_request_claim, seen_requests_purge
from stepup.services.service_providers import (
    service_provider_delete,
    service_provider_register,
    service_provider_replace_metadata,
    service_provider_update,
)
from stepup.services.signing_keys import (
    signing_key_ensure,
    signing_key_promote,
    signing_key_rollover,
)
from stepup.services.state import config_changed, idp_state_ensure

__all__ = [
    "assertion_issued_record",
    "authn_request_claim",
    "authn_request_refused_record",
    "config_changed",
    "idp_state_ensure",
    "seen_requests_purge",
    "service_provider_delete",
    "service_provider_register",
    "service_provider_replace_metadata",
    "service_provider_update",
    "signing_key_ensure",
    "signing_key_promote",
    "signing_key_rollover",
    "sso_logout_record",
    "step_up_challenge_record",
    "step_up_check_record",
    "step_up_denial_record",
    "step_up_policy_create",
    "step_up_policy_delete",
    "step_up_policy_update",
]
