"""Large reads and writes in short pieces (``idbridge.db``): keyset pages read whole, deletes
and updates a batch per statement."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from idbridge.db import pages, queryset_update, rows_delete
from tests.testapp.models import Sample


@pytest.fixture
def samples(db):
    # Two per name: a page boundary falls between rows that share the first key.
    return Sample.objects.bulk_create(
        [Sample(name=f"n{i // 2:02d}", ssn="123-45-6789", client_secret="s") for i in range(23)]
    )


def test_pages_give_every_row_once_in_order_on_a_two_field_key(samples):
    got = [(s.name, s.id) for page in pages(Sample.objects.all(), ("name", "id"), 4) for s in page]
    assert got == sorted((s.name, s.id) for s in samples)


def test_pages_read_each_page_whole_with_a_query_of_its_own(samples):
    # An open cursor walked a page at a time would be one query: each page is a LIMIT
    # query read whole, so nothing stays open while the caller writes between pages.
    with CaptureQueriesContext(connection) as queries:
        sizes = [len(page) for page in pages(Sample.objects.all(), ("id",), 5)]
    assert sizes == [5, 5, 5, 5, 3]
    assert len(queries.captured_queries) == 6  # the last one finds nothing
    assert all("LIMIT 5" in q["sql"] for q in queries.captured_queries)


def test_rows_delete_deletes_a_batch_per_statement(samples):
    with CaptureQueriesContext(connection) as queries:
        assert rows_delete(Sample.objects.filter(name__lt="n10"), size=6) == 20
    deletes = [q for q in queries.captured_queries if q["sql"].startswith("DELETE")]
    assert len(deletes) == 4
    assert Sample.objects.count() == 3


def test_queryset_update_changes_only_the_rows_asked_for(samples):
    assert queryset_update(Sample.objects.filter(name__gte="n05"), size=4, name="later") == 13
    assert Sample.objects.filter(name="later").count() == 13
    assert Sample.objects.exclude(name="later").count() == 10
