"""The signed-in user and their permissions, read with compiled queries on every request,
answer as Django's own backend does, and a role taken away counts from the next request."""

import pytest
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group, Permission

from idbridge.core.breakglass import DashboardBackend
from idbridge.core.roles import AUDITOR, DISTRICT_ADMIN, HR_OPERATOR

pytestmark = pytest.mark.django_db


def test_the_user_is_read_as_django_reads_them(auditor):
    read = DashboardBackend().get_user(str(auditor.pk))
    assert read == auditor
    assert (read.username, read.email, read.password) == (
        auditor.username,
        auditor.email,
        auditor.password,
    )
    assert read.get_session_auth_hash() == auditor.get_session_auth_hash()
    assert DashboardBackend().get_user("999999") is None
    assert DashboardBackend().get_user("not a number") is None
    auditor.is_active = False
    auditor.save()
    assert DashboardBackend().get_user(auditor.pk) is None


def test_permissions_are_the_roles_and_the_own_ones_together(auditor):
    auditor.groups.add(Group.objects.get(name=HR_OPERATOR))
    auditor.user_permissions.add(Permission.objects.get(codename="view_outbox"))
    fresh = DashboardBackend().get_user(auditor.pk)
    expected = ModelBackend().get_all_permissions(DashboardBackend().get_user(auditor.pk))
    assert DashboardBackend().get_all_permissions(fresh) == expected
    assert {"core.manage_onboarding", "core.view_audit", "core.view_outbox"} <= expected
    assert fresh.has_perm("core.view_outbox") and not fresh.has_perm("core.manage_roles")


def test_a_role_taken_away_counts_from_the_next_request(client, district_admin):
    client.force_login(district_admin)
    assert client.get("/outbox/").status_code == 200
    district_admin.groups.remove(Group.objects.get(name=DISTRICT_ADMIN))
    district_admin.groups.add(Group.objects.get(name=AUDITOR))
    assert client.get("/outbox/").status_code == 403
    assert client.get("/staff/").status_code == 200


def test_a_superuser_has_every_permission(django_user_model):
    root = django_user_model.objects.create_superuser("root", "root@district.example", "x" * 16)
    user = DashboardBackend().get_user(root.pk)
    assert DashboardBackend().get_all_permissions(user) == {
        f"{p.content_type.app_label}.{p.codename}" for p in Permission.objects.all()
    }
