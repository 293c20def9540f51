"""Test settings: the project's settings plus a small app that exercises shared pieces."""

from idbridge.settings import *  # noqa: F403

INSTALLED_APPS = [*INSTALLED_APPS, "tests.testapp"]  # noqa: F405
# Fast password hashing: tests create many users.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Many ceremonies run within a minute from 127.0.0.1 in a test run: the per-address
# ceilings are lifted (the budgets per credential, case and invitation stay as shipped);
# tests of a limit set it themselves.
STAFF_ONBOARDING_REQUESTS_PER_ADDRESS_PER_MINUTE = 10_000
STEPUP_SIGNIN_REQUESTS_PER_ADDRESS_PER_MINUTE = 10_000
STEPUP_REFUSALS_AUDITED_PER_MINUTE = 10_000
# The onboarding page's counts are read fresh on every load, as tests change cases between
# loads (tests of the cached counts set it themselves).
STAFF_DASHBOARD_COUNTS_SECONDS = 0
