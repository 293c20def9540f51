"""Django's admin, open to the break-glass account (a superuser), is no way round the
audited pages: it lists the audit log read-only and no account, role, OAuth2 client or
token of the simulated Campus."""

import pytest
from django.contrib.auth import get_user_model

from idbridge.core.breakglass import break_glass_create

pytestmark = pytest.mark.django_db

NOT_HERE = [
    "/admin/oauth2_provider/application/",
    "/admin/oauth2_provider/application/add/",
    "/admin/oauth2_provider/accesstoken/add/",
    "/admin/oauth2_provider/refreshtoken/",
    "/admin/oauth2_provider/grant/",
    "/admin/oauth2_provider/idtoken/",
    "/admin/auth/user/",
    "/admin/auth/group/",
]


@pytest.fixture
def break_glass(client):
    break_glass_create("breakglass")
    client.force_login(get_user_model().objects.get(username="breakglass"))
    return client


def test_the_admin_holds_only_the_audit_log_read_only(break_glass):
    index = break_glass.get("/admin/").content.decode()
    assert "/admin/audit/auditentry/" in index
    assert "oauth2_provider" not in index and "/admin/auth/" not in index
    for path in NOT_HERE:
        assert break_glass.get(path).status_code == 404, path
    assert break_glass.get("/admin/audit/auditentry/add/").status_code == 403
