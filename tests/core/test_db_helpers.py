"""Plain-statement helpers of idbridge.db: a row by equality, a counter bumped (large reads
a page per query, ``pages``: tests/core/test_large_writes.py)."""

import pytest

from idbridge.db import column_increment, row_where
from sandbox.models import EndpointCounter

pytestmark = pytest.mark.django_db


def test_row_where_finds_the_row_or_none_and_column_increment_bumps_it():
    EndpointCounter.objects.create(endpoint="boi.staff", count=41)
    assert row_where(EndpointCounter, pk="boi.staff").count == 41
    assert row_where(EndpointCounter, endpoint="boi.addresses") is None
    assert column_increment(EndpointCounter, "count", endpoint="boi.staff") == 1
    assert column_increment(EndpointCounter, "count", endpoint="boi.addresses") == 0
    assert EndpointCounter.objects.get(pk="boi.staff").count == 42
