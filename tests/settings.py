"""Test settings: the project's settings plus a small app that exercises shared pieces."""

from idbridge.settings import *  # noqa: F403

INSTALLED_APPS = [*INSTALLED_APPS, "tests.testapp"]  # noqa: F405
# Fast password hashing: tests create many users.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Many ceremonies run within a minute from 127.0.0.1 in a test run; tests of the limit
# itself set it low.
STAFF_CEREMONY_RATE_PER_MINUTE = 10_000
STEPUP_REFUSALS_AUDITED_PER_MINUTE = 10_000
