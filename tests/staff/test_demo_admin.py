"""`make demo`'s administrator: a seeded Campus staff member whose case is linked to a
dashboard account holding the District admin role, with a printed one-time enrollment
link (their record check waived for the server's operator, and audited)."""

from io import StringIO

import pytest
from django.core.cache import cache
from django.test import Client

from idbridge.audit.models import AuditEntry
from idbridge.core.demo import DemoLogins, demo_admin_ensure, demo_admin_read
from idbridge.core.management.commands.demo import Command
from idbridge.core.roles import DISTRICT_ADMIN, HR_OPERATOR
from sandbox import demo as sandbox_demo
from staff import demo as staff_demo
from staff.models import Invitation, OnboardingCase, StaffMember
from staff.proofing import proofing_status
from staff.services.cases import case_revoke
from staff.services.dashboard_roles import (
    RoleChangeRefused,
    dashboard_roles_set,
    dashboard_roles_set_before_onboarding,
)
from staff.transitions import State
from tests.conftest import free_port
from tests.sandbox.conftest import _join_request_threads


@pytest.fixture
def demo(transactional_db, settings, tmp_path, monkeypatch):
    settings.VAR_DIR = tmp_path
    settings.PUBLIC_BASE_URL = f"http://localhost:{free_port()}"
    monkeypatch.setattr(sandbox_demo, "DEMO_STAFF", 8)
    monkeypatch.setattr(sandbox_demo, "DEMO_STUDENTS", 8)
    cache.clear()
    out = StringIO()
    for step in (
        sandbox_demo.sandbox_demo_setup,
        staff_demo.staff_demo_setup,
        sandbox_demo.sandbox_new_hires_setup,  # the baseline finds the demo administrator
    ):
        step(out)
    yield out
    _join_request_threads()
    cache.clear()


def admin_member() -> StaffMember:
    return StaffMember.objects.select_related("case", "dashboard_user").get(
        staff_number=staff_demo.DEMO_ADMIN_STAFF_NUMBER
    )


def printed() -> str:
    out = StringIO()
    Command(stdout=out)._print_login(
        DemoLogins(break_glass=demo_admin_ensure(), admin=demo_admin_read()), None
    )
    return out.getvalue()


def test_the_baseline_records_the_demo_administrator_as_existing_staff(demo):
    member = admin_member()
    assert member.display_name == "Demo Administrator"
    assert member.case.state == State.EXISTING
    assert member.dashboard_user is None


def test_the_demo_step_links_a_district_admin_account_and_prints_a_one_time_link(demo):
    out = StringIO()
    staff_demo.demo_admin_setup(out)
    member = admin_member()
    assert member.case.state == State.INVITED
    assert list(member.dashboard_user.groups.values_list("name", flat=True)) == [DISTRICT_ADMIN]
    assert not member.dashboard_user.has_usable_password()
    text = printed()
    link_line = next(line for line in text.splitlines() if "one-time enrollment link" in line)
    assert "Demo Administrator (staff 990001), District admin" in link_line
    assert "/staff/welcome/" in link_line
    assert "Break-glass login for a first look" in text  # both, each said for what
    waived = AuditEntry.objects.get(action="staff.proofing.waived")
    assert waived.actor_label == "manage.py demo"
    assert "make demo" in waived.details["reason"]
    assert AuditEntry.objects.filter(action="dashboard.roles_changed").count() == 1


def test_a_second_run_prints_the_same_link_and_changes_nothing(demo):
    staff_demo.demo_admin_setup(StringIO())
    first = demo_admin_read()["link_path"]
    entries = AuditEntry.objects.count()
    staff_demo.demo_admin_setup(StringIO())
    assert demo_admin_read()["link_path"] == first
    assert AuditEntry.objects.count() == entries
    assert Invitation.objects.filter(case=admin_member().case).count() == 1


def test_the_printed_link_goes_straight_to_the_passkey_and_works_once(demo, settings):
    staff_demo.demo_admin_setup(StringIO())
    path = demo_admin_read()["link_path"]
    browser = Client()
    assert browser.post(path).headers["Location"] == "/staff/onboarding/check/"
    assert browser.get("/staff/onboarding/check/").headers["Location"] == (
        "/staff/onboarding/code/"
    )
    assert browser.get("/staff/onboarding/code/").headers["Location"] == (
        "/staff/onboarding/passkey/"
    )
    assert Client().post(path).status_code == 400  # used
    steps = {step.name: step for step in proofing_status(admin_member().case)}
    assert steps["record_check"].detail.startswith("waived")
    assert steps["second_factor"].detail == "waived with the record check"
    # A run after the link was used (no passkey yet) prints a new one.
    staff_demo.demo_admin_setup(StringIO())
    assert demo_admin_read()["link_path"] != path
    assert admin_member().case.record_checked_at is not None


def test_once_verified_the_demo_prints_a_passkey_sign_in_instead_of_a_link(demo):
    staff_demo.demo_admin_setup(StringIO())
    OnboardingCase.objects.filter(staff_member=admin_member()).update(state=State.VERIFIED)
    staff_demo.demo_admin_setup(StringIO())
    assert demo_admin_read()["link_path"] == ""
    assert "has a passkey: sign in with it at" in printed()


def test_a_revoked_demo_administrator_gets_no_link_and_says_why(demo):
    case = admin_member().case
    case_revoke(case=case, actor="test", reason="left")
    out = StringIO()
    staff_demo.demo_admin_setup(out)
    assert "no enrollment link" in out.getvalue()
    assert "no enrollment link" in printed()


def test_roles_ahead_of_onboarding_are_only_for_staff_still_onboarding(demo):
    member = admin_member()
    with pytest.raises(RoleChangeRefused, match="finished onboarding"):
        dashboard_roles_set(member, [HR_OPERATOR], actor="test")
    other = StaffMember.objects.exclude(pk=member.pk).filter(case__isnull=False).first()
    case_revoke(case=other.case, actor="test", reason="left")
    other.refresh_from_db()
    with pytest.raises(RoleChangeRefused, match="onboarding"):
        dashboard_roles_set_before_onboarding(other, [HR_OPERATOR], actor="test")
