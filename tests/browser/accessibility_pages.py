"""Which dashboard pages the accessibility test opens, and which routes it leaves out (why).

The list is read from the URL resolver, so a new route fails the test until it is given
sample arguments here (``PAGES``) or a reason to leave it out (``EXCLUDED`` or
``EXCLUDED_PREFIXES``). ``PAGES`` maps a route name to a function of the seeded data
(``Seeded``) returning the route's keyword arguments.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.urls import URLPattern, URLResolver, get_resolver, reverse


@dataclass
class Seeded:
    """Ids of the realistic data the test seeds, for the routes' arguments."""

    ids: dict[str, int] = field(default_factory=dict)

    def __getattr__(self, name):
        try:
            return self.ids[name]
        except KeyError:
            raise AttributeError(name) from None


def _none(s: Seeded) -> dict:
    return {}


# Pages a signed-in dashboard user opens with GET. Pages only the invited person sees
# (the record check, the passkey enrollment, their own passkeys) are visited on the way
# through onboarding, in APPLICANT_PAGES.
PAGES = {
    "core:home": _none,
    "core:outbox": _none,
    "core:outbox_message": lambda s: {"pk": s.message},
    "audit:list": _none,
    "staff:index": _none,
    "staff:case": lambda s: {"case_id": s.case},
    "staff:waves": _none,
    "staff:wave_new": _none,
    "staff:wave": lambda s: {"wave_id": s.wave},
    "staff:connection_new": _none,
    "staff:connection": lambda s: {"connection_id": s.staff_connection},
    "staff:connection_edit": lambda s: {"connection_id": s.staff_connection},
    "stepup:index": _none,
    "stepup:sp_list": _none,
    "stepup:sp_add": _none,
    "stepup:sp_detail": lambda s: {"pk": s.sp},
    "stepup:sp_delete": lambda s: {"pk": s.sp},
    "stepup:policy_list": _none,
    "stepup:policy_add": _none,
    "stepup:policy_edit": lambda s: {"pk": s.policy},
    "stepup:policy_delete": lambda s: {"pk": s.policy},
    "stepup:activity": _none,
    "stepup:dashboard_access": _none,
    "boi:index": _none,
    "boi:template": _none,
    "boi:connection_new": _none,
    "boi:connection": lambda s: {"connection_id": s.boi_connection},
    "boi:connection_edit": lambda s: {"connection_id": s.boi_connection},
    "boi:import_upload": lambda s: {"connection_id": s.boi_connection},
    "boi:import": lambda s: {"import_id": s.hr_import},
    "boi:import_codes": lambda s: {"import_id": s.hr_import},
    "boi:row": lambda s: {"import_id": s.hr_import, "row_id": s.bad_row},
    "boi:run": lambda s: {"run_id": s.run},
    "boi:run_report": lambda s: {"run_id": s.run},
    "boi:run_results": lambda s: {"run_id": s.run},
    "boi:staff_entry": lambda s: {"run_id": s.run, "staff_id": s.sync_staff},
    "boi:errors": _none,
    "boi:error": lambda s: {"entry_id": s.error_entry},
    "boi:day": _none,
    "campus:index": _none,
    "campus:staff": _none,
    "campus:person": lambda s: {"person_id": s.campus_person},
    "campus:person_edit": lambda s: {"person_id": s.campus_person},
    "campus:clients": _none,
    "campus:faults": _none,
    "campus:boi_index": _none,
    "campus:boi_credentials": _none,
    "campus:boi_api_docs": _none,
    "campus:boi_check": _none,
    "campus:boi_sync_tool": _none,
    "campus:boi_sync_report": lambda s: {"sync_id": s.campus_sync},
    "campus:boi_error_log": _none,
    "campus:boi_error_log_entry": lambda s: {"pk": s.campus_error},
    "campus:boi_notifications": _none,
    "campus:boi_notification_edit": lambda s: {"pk": s.campus_notification},
    "campus:boi_tool_rights": _none,
    "campus:boi_messages": _none,
    "campus:boi_preferences": _none,
    "campus:boi_combine": _none,
}

# Pages without a dashboard session: sign-in, break-glass, the invited person's way.
SIGNED_OUT_PAGES = ["stepup:dashboard_sign_in", "break_glass"]
# The break-glass account's page for one administrative act (its own session).
BREAK_GLASS_PAGES = ["core:break_glass_confirm"]
APPLICANT_PAGES = [
    "staff:welcome",
    "staff:record_check",
    "staff:proofing_code",
    "stepup:enroll",
    "staff:done",
    "stepup:own_passkeys",
    "stepup:authenticate",
    # The Campus sandbox's portal, a SAML SP of the IdP: signed in with the passkey.
    "campus:sp_portal",
    "campus:sp_payroll",
    "campus:sp_signed_out",
]

POST_ONLY = "a form's POST target: it redirects to a page visited here"
JSON = "JSON for a page's script (the page itself is visited)"
DOWNLOAD = "a file download (CSV or PDF), not a page"
EXCLUDED = {
    "healthz": "plain-text health check for load balancers",
    "logout": POST_ONLY,
    "core:status_json": JSON,
    "audit:csv": DOWNLOAD,
    "audit:check": POST_ONLY + " (its messages are checked after Verify the chain)",
    "staff:funnel_json": JSON,
    "staff:case_action": POST_ONLY,
    "staff:connection_test": POST_ONLY,
    "staff:connection_poll": POST_ONLY,
    "staff:connection_progress": JSON,
    "stepup:key_rollover": POST_ONLY,
    "stepup:key_promote": POST_ONLY,
    "stepup:sp_replace_metadata": POST_ONLY,
    "stepup:dashboard_sign_in_options": JSON,
    "stepup:dashboard_sign_in_verify": JSON,
    "stepup:passkey_options": JSON,
    "stepup:passkey_verify": JSON,
    "stepup:passkey_cancel": JSON,
    "stepup:enroll_options": JSON,
    "stepup:enroll_verify": JSON,
    "stepup:own_passkey_options": JSON,
    "stepup:own_passkey_verify": JSON,
    "stepup:own_passkey_rename": POST_ONLY,
    "stepup:own_passkey_disable": POST_ONLY,
    "stepup:dashboard_roles": POST_ONLY,
    "stepup:own_passkeys_confirm": "redirects to the step-up check (visited)",
    "stepup:passkey_failed": "records a failed ceremony for the page's script; no body",
    "stepup:own_sign_out": POST_ONLY,
    "jobs:progress": JSON,
    "jobs:retry": POST_ONLY,
    "jobs:cancel": POST_ONLY,
    "jobs:pause": POST_ONLY,
    "jobs:resume": POST_ONLY,
    "boi:template_csv": DOWNLOAD,
    "boi:alert_dismiss": POST_ONLY,
    "boi:connection_test": POST_ONLY,
    "boi:lists_fetch": POST_ONLY,
    "boi:mapping_add": POST_ONLY,
    "boi:mappings_export": DOWNLOAD,
    "boi:mapping_delete": POST_ONLY,
    "boi:mappings_import": POST_ONLY,
    "boi:import_columns": POST_ONLY,
    "boi:profile_save": POST_ONLY,
    "boi:profile_apply": POST_ONLY,
    "boi:profile_copy": POST_ONLY,
    "boi:profile_delete": POST_ONLY,
    "boi:import_progress": JSON,
    "boi:exclude_bad": POST_ONLY,
    "boi:import_errors_csv": DOWNLOAD,
    "boi:preflight": POST_ONLY,
    "boi:import_delete": POST_ONLY,
    "boi:import_sync": POST_ONLY,
    "boi:row_exclude": POST_ONLY,
    "boi:run_progress": JSON,
    "boi:run_step": POST_ONLY,
    "boi:run_commit": POST_ONLY,
    "boi:run_report_csv": DOWNLOAD,
    "boi:errors_pdf": DOWNLOAD,
    "boi:error_request": DOWNLOAD,
    "boi:run_commit_resume": "where the passkey check returns: commits, then the run page "
    "(visited)",
    "boi:staff_create": POST_ONLY + " (Day to day, sent empty below)",
    "stepup:act_policy_edit": POST_ONLY,
    "boi:staff_send": POST_ONLY,
    "boi:position_send": POST_ONLY,
    "campus:client_create": POST_ONLY,
    "campus:client_secret_rotate": POST_ONLY,
    "campus:client_soap_password_rotate": POST_ONLY,
    "campus:boi_credentials_create": POST_ONLY,
    "campus:boi_credentials_rotate": POST_ONLY,
    "campus:boi_error_log_pdf": DOWNLOAD,
    "campus:sp_grade_override": "the portal's payroll page (sandbox/sp/page.html) again",
    "campus:sp_enrollment_change": "the portal's payroll page (sandbox/sp/page.html) again",
}
# Whole route trees that hold no dashboard page.
EXCLUDED_PREFIXES = {
    "admin/": "Django's admin site (its own markup; the dashboard links to its own pages)",
    "idp/": "the SAML IdP's protocol endpoints (metadata XML, bindings; their pages are "
    "the step-up check visited above)",
    "sandbox/campus/api/": "the simulated Campus's OneRoster and BOI APIs (JSON)",
    "sandbox/campus/services/": "the simulated Campus's SOAP service",
    "sandbox/campus/oauth2/": "the simulated Campus's OAuth2 token endpoint",
    "sandbox/campus/_": "the sandbox's test and benchmark control (JSON)",
    "sandbox/campus/saml/": "the portal's SAML endpoints (metadata, bindings): their pages "
    "are the portal's, visited",
}


def routes() -> dict[str, str]:
    """Every named route of the site: name (with namespace) → its pattern."""
    found: dict[str, str] = {}

    def walk(patterns, prefix: str, namespace: str) -> None:
        for p in patterns:
            if isinstance(p, URLResolver):
                inner = f"{namespace}{p.namespace}:" if p.namespace else namespace
                walk(p.url_patterns, prefix + str(p.pattern).lstrip("^"), inner)
            elif isinstance(p, URLPattern) and p.name:
                found.setdefault(namespace + p.name, prefix + str(p.pattern).lstrip("^"))

    walk(get_resolver().url_patterns, "", "")
    return found


def unaccounted_routes() -> list[str]:
    """Routes neither visited nor left out with a reason."""
    known = set(PAGES) | set(SIGNED_OUT_PAGES) | set(APPLICANT_PAGES) | set(EXCLUDED)
    known |= set(BREAK_GLASS_PAGES)
    return sorted(
        f"{name} ({pattern})"
        for name, pattern in routes().items()
        if name not in known and not pattern.startswith(tuple(EXCLUDED_PREFIXES))
    )


def page_path(name: str, seeded: Seeded) -> str:
    return reverse(name, kwargs=PAGES[name](seeded))
