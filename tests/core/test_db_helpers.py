"""Plain-statement helpers of idbridge.db: a row by equality, a counter bumped, and a large
read a page per query."""

import pytest

from idbridge.db import column_increment, in_pages, row_where
from sandbox.models import EndpointCounter

pytestmark = pytest.mark.django_db


def test_row_where_finds_the_row_or_none_and_column_increment_bumps_it():
    EndpointCounter.objects.create(endpoint="boi.staff", count=41)
    assert row_where(EndpointCounter, pk="boi.staff").count == 41
    assert row_where(EndpointCounter, endpoint="boi.addresses") is None
    assert column_increment(EndpointCounter, "count", endpoint="boi.staff") == 1
    assert column_increment(EndpointCounter, "count", endpoint="boi.addresses") == 0
    assert EndpointCounter.objects.get(pk="boi.staff").count == 42


def test_in_pages_reads_everything_in_key_order_one_query_per_page(
    django_assert_num_queries,
):
    EndpointCounter.objects.bulk_create(
        EndpointCounter(endpoint=f"e{n:02}", count=n) for n in reversed(range(10))
    )
    with django_assert_num_queries(4):  # pages of 3, 3, 3 and 1
        counts = [c.count for c in in_pages(EndpointCounter.objects.all(), key="count", size=3)]
    assert counts == list(range(10))
    with django_assert_num_queries(6):  # five full pages, then one more look
        assert len(list(in_pages(EndpointCounter.objects.all(), size=2))) == 10


def test_in_pages_lets_the_reader_write_between_pages():
    EndpointCounter.objects.bulk_create(EndpointCounter(endpoint=f"e{n}") for n in range(5))
    for counter in in_pages(EndpointCounter.objects.all(), size=2):
        column_increment(EndpointCounter, "count", endpoint=counter.endpoint)
    assert set(EndpointCounter.objects.values_list("count", flat=True)) == {1}
