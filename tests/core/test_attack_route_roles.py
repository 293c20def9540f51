"""Every route of the site, walked from the URL resolver, asked by each persona with GET
and with an empty POST: nobody gets a page or a write their role does not allow.

A new route is checked without being listed here: signed out or without a role, it must
refuse (only ``OPEN_TO_ANYONE`` answers); an auditor's POST must change nothing; an HR
operator is refused the district admin's and auditor's trees. Ids in the paths are 1 (no
such record): the role gate runs before the record is read, so a refusal is a 403 (or a
sign-in redirect) either way; a 404 means the gate let the persona through (to a page the
role may read: a POST to a page is answered as its GET).
"""

import re

import pytest
from django.test import Client

from idbridge.audit.models import AuditEntry
from tests.browser.accessibility_pages import routes

pytestmark = pytest.mark.django_db

SIGN_IN = "/accounts/login/"
# Answers anyone gets: sign-in and its ceremonies, the invited person's link, protocol
# metadata and descriptions, the health check.
OPEN_TO_ANYONE = {
    "healthz",
    "break_glass",
    "admin:login",  # its one backend refuses a password without a break-glass code
    "stepup:dashboard_sign_in",
    "stepup:dashboard_sign_in_options",
    "stepup:authenticate",
    "stepup:passkey_options",
    "stepup:passkey_failed",
    "stepup:own_sign_out",
    "staff:welcome",
    "idp:metadata",
    "campus:sp_metadata",
    "campus:sp_signed_out",
    "campus:boi_openapi",
    "campus:oneroster_openapi",
}
# Any signed-in account, with or without a role: the home page and its status.
OPEN_TO_SIGNED_IN = {"core:home", "core:status_json"}
# Routes that answer a bare POST from an auditor: pages that read (a POST is treated as a
# GET), the person's own session and passkeys, their own message list, and verifying the
# audit chain (reading it is the auditor's job).
AUDITOR_POST_ANSWERED = {
    "admin:logout",
    "audit:check",
    "boi:day",
    "boi:errors",
    "boi:errors_pdf",
    "boi:index",
    "boi:template",
    "boi:template_csv",
    "campus:boi_api_docs",
    "campus:boi_check",
    "campus:boi_credentials",
    "campus:boi_error_log",
    "campus:boi_error_log_entry",
    "campus:boi_error_log_pdf",
    "campus:boi_index",
    "campus:boi_messages",
    "campus:clients",
    "campus:index",
    "campus:staff",
    "campus:sp_logout",
    "core:home",
    "logout",
    "staff:index",
    "staff:waves",
    "stepup:own_passkey_disable",
    "stepup:own_passkey_rename",
    "stepup:own_passkeys_confirm",
    "stepup:passkey_cancel",
}
# What the auditor's sweep may put in the audit log besides refusals: reading and
# verifying the log, and the IdP's signing key made the first time its metadata is read.
AUDITOR_MAY_CAUSE = {"user.signed_in", "audit.exported", "audit.verified", "stepup.key_generated"}
# The trees an HR operator may not open: the audit log, the IdP's configuration, the
# Campus sandbox's tools, dashboard roles, Campus connections' settings and the outbox.
HR_REFUSED = re.compile(
    r"^/(audit/|stepup/(?!authenticate)|sandbox/(?!campus/)|staff/dashboard-access/"
    r"|staff/connections/(new|1/edit|1/test)/|outbox/)"
)
# Answers of 500 and up that are the protocol's own: a SOAP fault is sent as HTTP 500
# (SOAP 1.1); the portal's sign-in and logout say the IdP is unreachable (no server here).
SERVER_ERRORS_EXPECTED = {"campus:soap_identity", "campus:sp_login", "campus:sp_slo"}


def _sample_path(pattern: str) -> str:
    path = re.sub(r"<int:[^>]+>", "1", pattern)
    path = re.sub(r"<(str|slug|path):[^>]+>", "x", path)
    path = re.sub(r"\(\?P<app_label>[^)]*\)/\$", "audit/", path)
    return "/" + re.sub(r"\(\?P<rest>\.\*\)\$", "x", path)


def _walk(user) -> list[tuple[str, str, str, int, str]]:
    """(route, path, method, status, redirect target) for every route, GET and POST."""
    answers = []
    for name, pattern in sorted(routes().items()):
        path = _sample_path(pattern)
        for method in ("get", "post"):
            client = Client(raise_request_exception=False)
            if user is not None:
                client.force_login(user)
            response = getattr(client, method)(path)
            where = response.get("Location", "")
            answers.append((name, path, method.upper(), response.status_code, where))
    return answers


def _unexpected_server_errors(answers) -> list:
    return [a for a in answers if a[3] >= 500 and a[0] not in SERVER_ERRORS_EXPECTED]


def _answered(answers, allowed: set[str]) -> list:
    """Answers that gave something (2xx) on a route not in ``allowed``."""
    return [a for a in answers if 200 <= a[3] < 300 and a[0] not in allowed]


def test_signed_out_visitors_get_only_the_open_routes(db):
    answers = _walk(None)
    assert _answered(answers, OPEN_TO_ANYONE) == []
    assert _unexpected_server_errors(answers) == []
    dashboard = [a for a in answers if a[3] == 302 and a[1].startswith(("/boi/", "/audit/"))]
    assert dashboard and all(a[4].startswith(SIGN_IN) for a in dashboard)


def test_an_account_without_a_role_gets_only_the_home_page(outsider):
    answers = _walk(outsider)
    assert _answered(answers, OPEN_TO_ANYONE | OPEN_TO_SIGNED_IN) == []
    assert _unexpected_server_errors(answers) == []


def test_an_auditors_posts_change_nothing(auditor):
    answers = _walk(auditor)
    posts = [a for a in answers if a[2] == "POST" and a[0] not in OPEN_TO_ANYONE]
    let_through = [
        a
        for a in posts
        if a[3] < 400
        and a[0] not in AUDITOR_POST_ANSWERED
        and not a[4].startswith((SIGN_IN, "/admin/login/"))
    ]
    assert let_through == []
    written = set(AuditEntry.objects.values_list("action", flat=True))
    changes = {a for a in written if not a.endswith("refused")} - AUDITOR_MAY_CAUSE
    assert changes == set()


def test_an_hr_operator_is_refused_the_admin_and_audit_trees(hr_operator):
    answers = _walk(hr_operator)
    assert _unexpected_server_errors(answers) == []
    gated = [a for a in answers if HR_REFUSED.match(a[1])]
    assert len(gated) > 40
    assert [a for a in gated if a[3] not in (403, 405)] == []


# Routes that take a POST without the CSRF token, each authenticated otherwise: the
# simulated Campus's APIs (a bearer token or WS-Security in the request itself) and the
# SAML bindings (a signed or ID-matched message from another site).
CSRF_EXEMPT = re.compile(
    r"^/(sandbox/campus/(api/|oauth2/token|services/|saml/acs/)|idp/(sso|slo)/post)"
)


def test_a_signed_in_post_without_its_csrf_token_is_refused_everywhere(district_admin):
    """A district admin's browser, lured to another site that posts to each route."""
    let_through = []
    for name, pattern in sorted(routes().items()):
        path = _sample_path(pattern)
        client = Client(enforce_csrf_checks=True, raise_request_exception=False)
        client.force_login(district_admin)
        status = client.post(path).status_code
        if status not in (403, 405) and not CSRF_EXEMPT.match(path):
            let_through.append((name, status))
    assert let_through == []


def test_the_status_json_holds_only_the_panels_of_the_role(outsider, hr_operator, auditor):
    """The home page's status for its script: an account without a role learns nothing;
    an HR operator sees onboarding and the Business Office, not step-up nor the audit log."""

    def status(user) -> str:
        client = Client()
        client.force_login(user)
        return client.get("/status.json").json()["html"]

    assert 'class="card"' not in status(outsider)
    hr = status(hr_operator)
    assert 'href="/staff/"' in hr and 'href="/boi/"' in hr
    assert 'href="/audit/' not in hr and 'href="/stepup/' not in hr
    everything = status(auditor)
    assert 'href="/audit/' in everything and 'href="/stepup/' in everything
