"""axe-core on every dashboard page: no serious or critical violation.

Realistic data first (a small Campus district in the sandbox, onboarding cases and a wave,
an SP and the shipped policies, a BOI import with bad rows and a committed sync), then
Chromium opens every page of ``tests/browser/accessibility_pages.py`` as a district admin,
an HR operator and an auditor (each the pages their role opens), the sign-in pages, and the
invited person's way from the invitation to their own passkeys; axe-core (vendored from
npm, ``tests/browser/vendor/axe-core/``) runs on each.
"""

import os
import re
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.template.loader import render_to_string
from django.utils import timezone
from playwright.sync_api import Error as PlaywrightError

from boi.client import client_for
from boi.models import ErrorLogEntry, HrRow, SyncStaff
from boi.samples import sample_csv
from boi.services.imports import hr_import_map_columns, hr_import_upload
from boi.services.profiles import profile_save
from boi.services.sync.commit import sync_commit_request
from boi.services.sync.runs import sync_run_create
from idbridge.connectors.types import PermanentCampusError
from idbridge.core.breakglass import break_glass_create
from idbridge.core.models import OutboxMessage
from sandbox.boi.notifications import notification_save, tool_rights_set
from sandbox.models import BoiErrorLogEntry, BoiNotification, Person, SyncSession
from staff.models import CampusConnection, OnboardingCase
from staff.services.discovery import staff_records_from_campus
from staff.services.existing import Scope
from staff.services.waves import wave_create
from stepup.models import StepUpPolicy
from tests.boi.test_wizard_browser import connection  # noqa: F401 - the sandbox BOI fixture
from tests.browser.accessibility_pages import (
    PAGES,
    Seeded,
    page_path,
    unaccounted_routes,
)
from tests.browser.test_enrollment import add_authenticator
from tests.conftest import dashboard_session
from tests.sandbox.sp.conftest import default_policies, portal_server  # noqa: F401 - fixtures
from tests.staff.conftest import HOME_EMAIL, code_sent_to, person

pytestmark = pytest.mark.browser

AXE = (Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js").read_text()
BLOCKING = {"serious", "critical"}
# Rules refused whatever their impact: a status message on an element that may not carry
# the role (a list), an action column without a header name.
REFUSED_RULES = {"aria-allowed-role", "empty-table-header"}
# Set AXE_ALL=1 to list every impact (minor and moderate too) while fixing pages.
SHOWN = BLOCKING | ({"minor", "moderate"} if os.environ.get("AXE_ALL") else set())
RUN_AXE = """async () => {
    const result = await axe.run(document, {resultTypes: ["violations"]});
    return result.violations.map(v => ({
        id: v.id, impact: v.impact, help: v.help,
        nodes: v.nodes.map(n => [n.target.join(" "), n.html.slice(0, 120)]),
    }));
}"""


def axe_findings(page, where: str) -> list[str]:
    """axe-core's serious and critical violations on the open page (and those of
    ``REFUSED_RULES`` whatever their impact), one line per element: page, rule, impact,
    the element's selector, what to fix, the element's markup."""
    page.wait_for_load_state("load")
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE)  # evaluated by the debugger protocol: no CSP applies
    findings = []
    for v in page.evaluate(RUN_AXE):
        if v["impact"] in SHOWN or v["id"] in REFUSED_RULES:
            findings += [
                f"{where}: {v['id']} ({v['impact']}) at {target}: {v['help']} — {html}"
                for target, html in v["nodes"]
            ]
    return findings


def test_the_check_reports_what_axe_finds(page):
    page.set_content(
        '<html lang="en"><body><main><h1>Staff</h1><img src="x.png">'
        '<ul role="status"><li>Saved.</li></ul>'
        "<table><tr><th>Name</th><th></th></tr><tr><td>Ana</td><td><button></button></td></tr>"
        "</table></main></body></html>"
    )
    findings = axe_findings(page, "a broken page")
    for expected in [
        "image-alt (critical) at img",
        "button-name (critical) at button",
        "aria-allowed-role (minor) at ul",
        "empty-table-header (minor) at th:nth-child(2)",
    ]:
        assert any(f": {expected}:" in f for f in findings), (expected, findings)


def test_every_dashboard_route_is_visited_or_left_out_with_a_reason():
    assert unaccounted_routes() == []


@pytest.fixture
def seeded(
    connection,  # noqa: F811 - the fixture imported above
    portal_server,  # noqa: F811 - the fixture imported above (the IdP's default policies too)
    district_admin,
    register_sp,
):
    """Every kind of record a dashboard page shows, made through the services."""
    ids = {}
    staff_connection = CampusConnection.objects.create(name="Campus (staff)", kind="rest")
    staff_records_from_campus(
        connection=staff_connection,
        persons=[person(n, personal_email=HOME_EMAIL) for n in range(2, 6)],
        baseline=True,
    )
    staff_records_from_campus(
        connection=staff_connection, persons=[person(1, personal_email=HOME_EMAIL)]
    )
    wave = wave_create(scope=Scope(), pace_per_hour=None, actor=district_admin)
    ids.update(
        staff_connection=staff_connection.id,
        case=OnboardingCase.objects.order_by("id").first().id,
        wave=wave.id,
        message=OutboxMessage.objects.order_by("id").first().id,
        sp=register_sp(name="Library system").id,
        policy=StepUpPolicy.objects.order_by("id").first().id,
    )
    # Campus's own BOI tools: the admin receives the sync notifications (its message centre).
    tool_rights_set(
        user=district_admin, district_employment=True, district_assignments=True, actor="tests"
    )
    notification = notification_save(
        kind=BoiNotification.Kind.HR_SYNC_COMMIT, recipient_ids=[district_admin.id], actor="tests"
    )
    ids.update(_boi_seed(connection, district_admin))
    ids.update(
        campus_person=Person.objects.order_by("id").first().id,
        campus_sync=SyncSession.objects.order_by("-id").first().id,
        campus_error=BoiErrorLogEntry.objects.order_by("id").first().id,
        campus_notification=notification.id,
    )
    return Seeded(ids)


def _boi_seed(connection, actor) -> dict:  # noqa: F811 - a BoiConnection, not the fixture
    """An HR file with bad rows and a saved profile, a committed sync, an error-log entry."""
    from boi import storage

    hr_import = hr_import_upload(
        connection=connection,
        file_name="hr-export.csv",
        stored=storage.store([sample_csv(8, bad=2, seed=3, prefix="A")]),
        actor=actor,
    )
    hr_import_map_columns(hr_import=hr_import, column_map=hr_import.column_map, actor=actor)
    hr_import.refresh_from_db()
    profile_save(hr_import=hr_import, name="Skyward export", actor=actor)
    bad_row = HrRow.objects.filter(hr_import=hr_import).exclude(errors=[]).first()
    HrRow.objects.filter(hr_import=hr_import).exclude(errors=[]).update(is_excluded=True)
    run = sync_run_create(hr_import=hr_import, actor=actor)
    run.refresh_from_db()  # validated by the steps the task ran
    sync_commit_request(run=run, actor=actor, verified_at=timezone.now())
    # A Day-to-day update Campus refuses: in the console's Error Log and in Campus's.
    with pytest.raises(PermanentCampusError):
        client_for(connection).update_position("A99999", {"schoolNumber": "999"})
    return {
        "boi_connection": connection.id,
        "hr_import": hr_import.id,
        "bad_row": bad_row.id,
        "run": run.id,
        "sync_staff": SyncStaff.objects.filter(run=run).first().id,
        "error_entry": ErrorLogEntry.objects.get().id,
    }


def _role_pages(page, base, user, seeded, *, every: bool) -> list[str]:
    """axe findings on each page ``user`` may open (``every``: each must open)."""
    page.context.clear_cookies()
    dashboard_session(page, base, user)
    findings = []
    for name in PAGES:
        path = page_path(name, seeded)
        try:
            response = page.goto(base + path)
        except PlaywrightError as error:  # an empty error answer (405 to a GET)
            findings.append(f"{user.username} {path}: {error.message.splitlines()[0]}")
            continue
        if not every and response.status == 403:
            continue
        if response.status != 200:
            findings.append(f"{user.username} {path}: HTTP {response.status}, not the page")
            continue
        findings += axe_findings(page, f"{user.username} {path}")
    return findings


# Forms sent with their fields emptied and the browser's own checks off: the page that
# says what is missing (or, where nothing is required, the message that it was done).
FORMS_SENT_EMPTY = [
    "staff:connection_new",
    "staff:wave_new",
    "stepup:sp_add",
    "stepup:policy_add",
    "boi:connection_new",
    "boi:import_upload",
    "campus:person_edit",
    "campus:boi_preferences",
]
EMPTY_AND_SEND = """form => {
    form.noValidate = true;
    for (const field of form.elements) {
        if (["text", "email", "url", "number", "date", "password", "textarea", "file"]
                .includes(field.type)) field.value = "";
    }
    form.requestSubmit();
}"""


def _forms_sent_empty(page, base, seeded) -> list[str]:
    findings = []
    for name in FORMS_SENT_EMPTY:
        page.goto(base + page_path(name, seeded))
        fields = page.locator("input:not([type=hidden]), select, textarea")
        form = page.locator("main form[method=post]").filter(has=fields).first
        with page.expect_navigation():
            form.evaluate(EMPTY_AND_SEND)
        findings += axe_findings(page, f"{page.url.removeprefix(base)} ({name} sent empty)")
    return findings


def _applicant_pages(page, base) -> list[str]:
    """The invited person's way, each page checked: invitation, record check, code,
    passkey, done, their own passkeys, a step-up check, the sign-out."""
    findings = []
    invitation = OutboxMessage.objects.filter(to__icontains="maria.lopez1@").first()
    link = re.search(r"(http://\S+/staff/welcome/\S+/)", invitation.body_text)[1]
    page.goto(link)
    findings += axe_findings(page, "applicant welcome")
    page.get_by_role("button", name="Start").click()
    findings += axe_findings(page, "applicant record check")
    page.get_by_label("Date of birth").fill("1985-04-12")
    page.get_by_label("Staff number").fill("S00001")
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url("**/staff/onboarding/code/")
    findings += axe_findings(page, "applicant code")
    page.get_by_label("Code").fill(code_sent_to(HOME_EMAIL))
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url("**/staff/onboarding/passkey/")
    findings += axe_findings(page, "applicant passkey")
    add_authenticator(page, user_verified=True)
    page.get_by_label("Name this passkey").fill("Work laptop")
    page.get_by_role("button", name="Create passkey").click()
    page.wait_for_url("**/staff/onboarding/done/")
    findings += axe_findings(page, "applicant done")
    # The Campus portal (the sandbox's SAML SP): sign in, then payroll's fresh check.
    page.goto(f"{base}/sandbox/campus/portal/")
    page.wait_for_url("**/stepup/authenticate/**")
    findings += axe_findings(page, "applicant passkey sign-in")
    page.get_by_role("button", name="Use your passkey").click()
    page.wait_for_url("**/sandbox/campus/portal/")
    findings += axe_findings(page, "applicant portal")
    page.get_by_role("link", name="Payroll").first.click()
    page.wait_for_url("**/stepup/authenticate/**")
    findings += axe_findings(page, "applicant step-up check")
    page.get_by_role("button", name="Use your passkey").click()
    page.wait_for_url("**/sandbox/campus/payroll/")
    page.get_by_role("button", name="Approve the payroll run").click()
    page.get_by_role("status").filter(has_text="approved").wait_for()
    findings += axe_findings(page, "applicant portal payroll")
    page.goto(f"{base}/staff/me/passkeys/")
    findings += axe_findings(page, "applicant own passkeys")
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/staff/me/sign-out/")
    findings += axe_findings(page, "applicant signed out")
    page.goto(f"{base}/sandbox/campus/signed-out/")
    findings += axe_findings(page, "applicant portal signed out")
    page.goto(link)  # the invitation again, now used
    findings += axe_findings(page, "applicant used invitation")
    return findings


def _break_glass_act_page(page, base: str) -> list[str]:
    """The break-glass account confirms an administrative act with a fresh code."""
    page.context.clear_cookies()
    break_glass_create("break-glass")
    dashboard_session(page, base, get_user_model().objects.get(username="break-glass"))
    page.goto(f"{base}/break-glass/confirm/?act=role-change&next=/stepup/access/")
    page.get_by_label("Code from the authenticator app").wait_for()
    return axe_findings(page, "break-glass /break-glass/confirm/")


def test_no_dashboard_page_has_a_serious_or_critical_axe_violation(
    page, live_server, seeded, district_admin, hr_operator, auditor
):
    base = live_server.url
    findings = []
    # Sign-in pages, a SAML request the IdP refuses, and the server-error page (static).
    for path in ["/accounts/login/", "/accounts/break-glass/", "/idp/sso/redirect"]:
        page.goto(base + path)
        findings += axe_findings(page, f"signed out {path}")
    server_error = render_to_string("500.html")
    page.route(f"{base}/server-error", lambda route: route.fulfill(body=server_error, status=500))
    page.goto(f"{base}/server-error")
    findings += axe_findings(page, "the 500 page")
    findings += _applicant_pages(page, base)
    findings += _role_pages(page, base, district_admin, seeded, every=True)
    page.goto(f"{base}/audit/")  # the flash messages a verified chain leaves
    page.get_by_role("button", name="Verify the chain").click()
    page.get_by_role("status").filter(has_text="chain").wait_for()
    findings += axe_findings(page, "dana_admin /audit/ after Verify the chain")
    findings += _role_pages(page, base, hr_operator, seeded, every=False)
    findings += _role_pages(page, base, auditor, seeded, every=False)
    for path in ["/stepup/policies/add/", "/boi/imports/999999/"]:  # refused, not found
        page.goto(base + path)
        findings += axe_findings(page, f"ada_auditor {path}")
    page.context.clear_cookies()
    dashboard_session(page, base, district_admin)
    findings += _forms_sent_empty(page, base, seeded)
    findings += _break_glass_act_page(page, base)
    assert findings == [], "\n" + "\n".join(sorted(set(findings)))
