"""Passwordless administration from `make demo` on, in Chromium with virtual authenticators.

The demo's own set-up steps run against the live server (the Campus sandbox seeded
small): the demo administrator is a seeded Campus staff member whose one-time enrollment
link the demo prints. They enroll a passkey from it, sign in to the dashboard with it,
and grant *HR operator* to a new hire who onboarded with their own passkey (the grant
asks for a fresh check). The new HR operator signs in with their passkey and commits a
Business Office sync after a fresh check. No password field is ever shown; each step is
in the audit log by name and in words.
"""

import re
from datetime import datetime, timedelta
from importlib import import_module
from io import StringIO

import pytest
from django.conf import settings
from django.core.cache import cache

from boi import demo as boi_demo
from boi.models import BoiConnection, SyncRun
from boi.samples import sample_csv
from idbridge.audit.models import AuditEntry
from idbridge.core.demo import DemoLogins, demo_admin_ensure, demo_admin_read
from idbridge.core.management.commands.demo import Command
from idbridge.core.models import OutboxMessage
from idbridge.core.roles import DISTRICT_ADMIN, HR_OPERATOR
from sandbox import demo as sandbox_demo
from sandbox.models import Person
from staff import demo as staff_demo
from staff.models import CampusConnection, StaffMember
from staff.polling import connection_poll
from staff.transitions import State
from stepup.subjects import EVENTS_KEY
from tests.browser.test_enrollment import add_authenticator

pytestmark = pytest.mark.browser

STAFF = 6
STEP_UP = re.compile(r".*/stepup/authenticate/\?next=")


@pytest.fixture
def demo(idp_at_live_server, transactional_db, settings, tmp_path, monkeypatch):
    """`make demo`'s set-up against the live server, in its order: the sandbox (with the
    demo administrator), the Campus connections, the REST connection's baseline (taken
    here over the live server: the step itself would serve the app on a free port), one
    new hire, the demo administrator's step, the BOI connection. Returns what the demo
    command prints."""
    settings.VAR_DIR = tmp_path
    monkeypatch.setattr(sandbox_demo, "DEMO_STAFF", 8)
    monkeypatch.setattr(sandbox_demo, "DEMO_STUDENTS", 8)
    cache.clear()
    out = StringIO()
    sandbox_demo.sandbox_demo_setup(out)
    staff_demo.staff_demo_setup(out)
    rest = CampusConnection.objects.get(name=staff_demo.REST_NAME)
    connection_poll(connection_id=rest.id, actor="manage.py demo")  # the baseline
    (hire,) = sandbox_demo.new_hires_add(1)
    staff_demo.demo_admin_setup(out)
    boi_demo.boi_demo_setup(out)
    connection_poll(connection_id=rest.id)  # the worker's first poll invites the new hire
    printed = StringIO()
    logins = DemoLogins(break_glass=demo_admin_ensure(), admin=demo_admin_read())
    Command(stdout=printed)._print_login(logins, None)
    yield printed.getvalue(), hire
    cache.clear()


def no_password_field(page) -> None:
    assert page.locator("input[type=password]").count() == 0, page.url


def checks_made_minutes_ago(page, minutes: int) -> None:
    """Time passes for this browser's session: its passkey checks were made ``minutes``
    ago (signing in long before does not count as a fresh check for an admin act)."""
    store = import_module(settings.SESSION_ENGINE).SessionStore
    key = next(c["value"] for c in page.context.cookies() if c["name"] == "sessionid")
    session = store(session_key=key)
    events = session[EVENTS_KEY]
    for event in events:
        event["at"] = (datetime.fromisoformat(event["at"]) - timedelta(minutes=minutes)).isoformat()
    session[EVENTS_KEY] = events
    session.save()


def open_link(page, link: str) -> None:
    """Open a one-time link (the person's proofing follows, as their case asks)."""
    page.goto(link)
    no_password_field(page)
    page.get_by_role("button", name="Start").click()


def create_passkey(page, name: str) -> None:
    page.wait_for_url("**/staff/onboarding/passkey/")
    no_password_field(page)
    page.get_by_label("Name this passkey").fill(name)
    page.get_by_role("button", name="Create passkey").click()
    page.wait_for_url("**/staff/onboarding/done/")


def dashboard_sign_in(page, base: str) -> None:
    page.context.clear_cookies()  # onboarding signed nobody in to the dashboard
    page.goto(f"{base}/accounts/login/")
    no_password_field(page)
    page.get_by_role("button", name="Sign in with your passkey").click()
    page.wait_for_url(f"{base}/")


def pass_fresh_check(page, back_to, *, why: str) -> None:
    """The step-up page asks for a fresh check, saying why; the passkey answers it."""
    page.wait_for_url(STEP_UP)
    assert page.get_by_role("heading", name="Confirm it's you").is_visible()
    assert why.lower() in page.get_by_role("main").inner_text().lower()
    no_password_field(page)
    page.get_by_role("button", name="Use your passkey").click()
    page.wait_for_url(back_to)


def onboard_new_hire(page, hire: Person) -> None:
    """The new hire's own way: invitation, record check, the code sent to their second
    channel (the evaluation outbox shows it), then their passkey."""
    invitation = next(m for m in OutboxMessage.objects.all() if hire.work_email in m.to)
    open_link(page, re.search(r"(http://\S+/staff/welcome/\S+/)", invitation.body_text)[1])
    page.get_by_label("Date of birth").fill(hire.birth_date.isoformat())
    page.get_by_label("Staff number").fill(hire.staff_number)
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url("**/staff/onboarding/code/")
    second = [a for a in (hire.personal_email, f"sms:{hire.cell_phone}") if a and a != "sms:"]
    code_mail = next(m for m in OutboxMessage.objects.order_by("-id") if set(m.to) & set(second))
    page.get_by_label("Code").fill(re.search(r"\b(\d{6})\b", code_mail.body_text)[1])
    page.get_by_role("button", name="Continue").click()
    create_passkey(page, "Work phone")


def commit_a_sync(page, base: str, tmp_path) -> None:
    connection = BoiConnection.objects.get(name=boi_demo.NAME)
    page.goto(f"{base}/boi/connections/{connection.id}/")
    page.get_by_role("button", name="Fetch Campus's lists").click()
    page.goto(f"{base}/boi/")
    page.get_by_role("link", name="Import an HR file").click()
    path = tmp_path / "hr-demo.csv"
    path.write_bytes(sample_csv(STAFF, bad=0, seed=3, prefix="P"))
    page.get_by_label("HR export").set_input_files(str(path))
    page.get_by_role("button", name="Upload and continue").click()
    page.get_by_role("button", name="Check the rows").click()
    page.get_by_role("button", name="Start a synchronization").click()
    page.wait_for_url(re.compile(r".*/boi/runs/\d+/$"))
    run_url = page.url
    page.locator("#run-state", has_text="Validated").wait_for()
    commit = page.get_by_role("button", name=f"Commit {STAFF} staff to Campus")
    checks_made_minutes_ago(page, 10)  # signed in a while ago
    commit.click()
    # After the check the commit proceeds: no second press.
    pass_fresh_check(page, run_url, why="Committing a Business Office sync")
    page.locator("#results-summary", has_text=f"{STAFF} staff succeeded, 0 failed").wait_for()


def audit_page_text(page, base: str, action: str) -> str:
    page.goto(f"{base}/audit/?action={action}")
    return page.get_by_role("main").inner_text()


def test_the_demo_admin_enrolls_grants_hr_and_the_operator_commits_without_passwords(
    page, chromium, live_server, demo, tmp_path
):
    printed, hire = demo
    base = live_server.url
    assert "Break-glass login for a first look" in printed  # kept, for a first look
    link = re.search(r"one-time enrollment link (\S+)", printed)[1]
    admin = StaffMember.objects.get(staff_number=staff_demo.DEMO_ADMIN_STAFF_NUMBER)
    assert f"Demo administrator {admin.display_name} (staff 990001), {DISTRICT_ADMIN}" in printed

    # The demo administrator enrolls a passkey from the printed link and signs in with it.
    add_authenticator(page, user_verified=True)
    open_link(page, link)  # proofing waived for the demo administrator: straight on
    create_passkey(page, "Demo laptop")
    admin.case.refresh_from_db()
    assert admin.case.state == State.VERIFIED
    dashboard_sign_in(page, base)
    assert page.get_by_role("link", name="Audit").first.is_visible()

    # The new hire onboards with their own passkey, in their own browser.
    other = chromium.new_context().new_page()
    try:
        add_authenticator(other, user_verified=True)
        onboard_new_hire(other, hire)
        member = StaffMember.objects.get(staff_number=hire.staff_number)
        assert member.case.state == State.VERIFIED

        # The admin grants HR operator: a fresh check is asked first, and passed.
        checks_made_minutes_ago(page, 10)
        page.goto(f"{base}/staff/dashboard-access/")
        page.get_by_label("Find a person").fill(hire.staff_number)
        page.get_by_role("button", name="Search").click()
        page.get_by_role("checkbox", name=HR_OPERATOR).check()
        save = page.get_by_role("button", name=f"Save roles for {member.display_name}")
        save.click()
        pass_fresh_check(
            page,
            re.compile(r".*/staff/dashboard-access/\?q="),
            why="Granting or removing dashboard roles",
        )
        save.click()
        page.get_by_text(f"{member.display_name}: granted {HR_OPERATOR}.").wait_for()

        # The HR operator signs in with their passkey and commits a sync after a check.
        dashboard_sign_in(other, base)
        commit_a_sync(other, base, tmp_path)
    finally:
        other.context.close()
    assert SyncRun.objects.get().state == "committed"
    assert Person.objects.filter(staff_number__startswith="P").count() == STAFF

    # Every step is in the audit log, people by name and acts in words.
    admin_words = f"{admin.display_name} (staff {admin.staff_number})"
    hire_words = f"{member.display_name} (staff {member.staff_number})"
    text = audit_page_text(page, base, "staff.passkey.registered")
    assert admin_words in text and hire_words in text
    text = audit_page_text(page, base, "dashboard.signed_in")
    assert f"{DISTRICT_ADMIN} {admin.display_name} signed in to the dashboard" in text
    assert f"{HR_OPERATOR} {member.display_name} signed in to the dashboard" in text
    text = audit_page_text(page, base, "dashboard.roles_changed")
    assert f"{admin.display_name} changed the dashboard roles of {hire_words}" in text
    assert HR_OPERATOR in text
    text = audit_page_text(page, base, "stepup.check_succeeded")
    assert text.count("passed a fingerprint or face check") >= 4  # 2 sign-ins, 2 fresh checks
    text = audit_page_text(page, base, "boi.sync.commit_requested")
    assert f"{HR_OPERATOR} {member.display_name} asked to commit" in text
    assert "Step up verified at" in text
    assert not AuditEntry.objects.filter(action="user.signed_in").exists()
