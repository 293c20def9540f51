"""``stepup:passkey_failed``: the browser script reports a check it gave up on.

Only a ceremony this session started (its challenge still pending: the IdP's sign-in or
step-up, or the dashboard's sign-in) is recorded, once: the report ends that ceremony.
Reports count against the sign-in budget per address, so a flood cannot fill the audit
log.
"""

from __future__ import annotations

import json

from django.http import HttpResponse
from django.views.decorators.http import require_POST

from stepup.ceremonies.common import TOO_MANY, json_error
from stepup.ceremonies.limits import sign_in_request_allowed
from stepup.ceremonies.outcomes import browser_failure
from stepup.ceremonies.views.dashboard import SESSION_CHALLENGE as DASHBOARD_CHALLENGE
from stepup.ceremonies.views.signin import SESSION_CHALLENGE
from stepup.services.decisions import check_not_completed_record
from stepup.subjects import CHALLENGE_KEY, sso_session_subject


@require_POST
def failed(request):
    if not sign_in_request_allowed(request):
        return json_error(TOO_MANY, 429)
    pending = [request.session.pop(key, None) for key in (SESSION_CHALLENGE, DASHBOARD_CHALLENGE)]
    if not any(pending):
        return HttpResponse(status=204)  # no ceremony pending: nothing to record
    try:
        name = str(json.loads(request.body).get("error", ""))
    except (ValueError, AttributeError):
        name = ""
    challenge = request.session.get(CHALLENGE_KEY) or {}
    check_not_completed_record(
        subject=sso_session_subject(request),
        failure=browser_failure(name),
        policy=challenge.get("policy") or None,
    )
    return HttpResponse(status=204)
