"""The home page's step-up chart: issued / denied / cancelled per action over the last 7
days, as a table with a bar per cell (its own text alternative), for district admins and
auditors, in the status JSON the page refreshes from."""

from datetime import timedelta

import pytest
from django.utils import timezone

from idbridge.audit.services import audit_record

pytestmark = pytest.mark.django_db


def _outcome(action, policy):
    audit_record(actor="staff:S1", action=action, details={"policy": policy})


def _outcomes():
    for _ in range(3):
        _outcome("stepup.assertion_issued", "payroll")
    _outcome("stepup.denied", "payroll")
    _outcome("stepup.check_not_completed", "role-change")
    _outcome("stepup.check_not_completed", None)  # a first sign-in, no action asked


def test_outcomes_are_counted_per_action_for_the_last_seven_days():
    from stepup.models import StepUpPolicy
    from stepup.policy import STEPUP_PAYROLL
    from stepup.status import step_up_outcomes

    StepUpPolicy.objects.update_or_create(
        action="payroll", defaults={"label": "Payroll changes", "class_ref": STEPUP_PAYROLL}
    )
    _outcomes()
    rows = [(row.label, row.counts) for row in step_up_outcomes()]
    assert rows == [
        ("Granting or removing dashboard roles", (0, 0, 1)),
        ("Payroll changes", (3, 1, 0)),
        ("Other passkey checks", (0, 0, 1)),
    ]
    assert step_up_outcomes(now=timezone.now() + timedelta(days=7, minutes=1)) == []


def test_auditors_see_the_chart_as_a_table_in_the_status_json(login, auditor, hr_operator):
    _outcomes()
    html = login(auditor).get("/status.json").json()["html"]
    assert "<caption>Step-up outcomes per action, last 7 days</caption>" in html
    assert '<th scope="col">Issued</th><th scope="col">Denied</th>' in html
    assert '<rect width="100" height="10"></rect></svg> <span>3</span>' in html  # widest bar
    assert '<rect width="33" height="10"></rect></svg> <span>1</span>' in html
    assert "Step-up outcomes" not in login(hr_operator).get("/status.json").json()["html"]
