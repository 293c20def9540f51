"""Step-up freshness per page (pure), and the pages' settings against the IdP's defaults."""

import importlib
from datetime import UTC, datetime, timedelta

import pytest

from sandbox.sp.pages import (
    ENROLLMENT_CHANGE,
    GRADE_OVERRIDE,
    PAGES,
    PAYROLL,
    REFEDS_MFA,
    StepUp,
    freshness,
    page_for_path,
)

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def checked(seconds_ago, class_ref=PAYROLL.class_ref):
    return StepUp(class_ref=class_ref, authn_instant=NOW - timedelta(seconds=seconds_ago))


@pytest.mark.parametrize(
    ("page", "step_up", "fresh", "reason"),
    [
        (PAYROLL, None, False, "missing"),
        (PAYROLL, checked(10), True, ""),
        (PAYROLL, checked(299), True, ""),
        (PAYROLL, checked(300), False, "stale"),
        (PAYROLL, checked(301), False, "stale"),
        (PAYROLL, checked(10, REFEDS_MFA), False, "wrong_class"),
        (PAYROLL, checked(10, GRADE_OVERRIDE.class_ref), False, "wrong_class"),
        (GRADE_OVERRIDE, checked(10, PAYROLL.class_ref), False, "wrong_class"),
        (GRADE_OVERRIDE, checked(301, GRADE_OVERRIDE.class_ref), False, "stale"),
        (ENROLLMENT_CHANGE, checked(599, ENROLLMENT_CHANGE.class_ref), True, ""),
        (ENROLLMENT_CHANGE, checked(600, ENROLLMENT_CHANGE.class_ref), False, "stale"),
        (PAYROLL, checked(-10), True, ""),  # a few seconds of clock skew
        (PAYROLL, checked(-120), False, "stale"),  # a check "from the future"
    ],
)
def test_a_step_up_is_fresh_only_for_its_page_within_its_limit(page, step_up, fresh, reason):
    result = freshness(page, step_up, NOW)
    assert result.fresh is fresh
    assert result.reason == reason


def test_remaining_time_counts_down_to_the_limit():
    result = freshness(PAYROLL, checked(100), NOW)
    assert result.age_seconds == 100 and result.remaining_seconds == 200


def test_pages_use_the_class_refs_and_limits_the_idp_ships():
    defaults = importlib.import_module("stepup.migrations.0002_default_policies").DEFAULTS
    shipped = {d["class_ref"]: d["max_age_seconds"] for d in defaults}
    assert {p.class_ref: p.max_age_seconds for p in PAGES.values()} == shipped


def test_page_paths_map_to_pages_exactly():
    paths = {"payroll": "/sandbox/campus/payroll/"}
    assert page_for_path("/sandbox/campus/payroll/", paths) is PAYROLL
    assert page_for_path("/sandbox/campus/payroll/x", paths) is None
    assert page_for_path("", paths) is None
