from idbridge.core.paging import filter_query


def test_page_links_keep_filters_url_encoded_and_drop_empty_ones():
    query = filter_query({"q": "R&D a+b@x #1", "state": "", "outcome": None, "n": 2})
    assert query == "q=R%26D+a%2Bb%40x+%231&n=2"


# --- keyset pages -----------------------------------------------------------------------

import doctest  # noqa: E402
from datetime import UTC, datetime, timedelta  # noqa: E402

import pytest  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from idbridge.core import paging  # noqa: E402
from idbridge.core.models import OutboxMessage  # noqa: E402
from idbridge.core.paging import cursor_from, cursor_parse, keyset_page  # noqa: E402

T0 = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)


def test_the_paging_examples_hold():
    assert doctest.testmod(paging).failed == 0


@pytest.mark.parametrize("cursor", ["", "x", "12", "12.", ".5", "-1.5", "1.-5", "9" * 19 + ".1"])
def test_a_cursor_that_is_not_one_gives_the_first_page(cursor):
    assert cursor_parse(cursor) is None


def test_a_cursor_keeps_microseconds_and_the_id():
    at = datetime(2026, 12, 3, 17, 59, 1, 123456, tzinfo=UTC)
    assert cursor_parse(cursor_from(at, 987)) == (at, 987)


def messages(n: int, *, start: datetime = T0, same_time_every: int = 3) -> list[int]:
    """``n`` outbox messages, newest last; every ``same_time_every`` share one time (the id
    breaks the tie). Their ids, newest first (the order of the list)."""
    made = []
    for i in range(n):
        m = OutboxMessage.objects.create(subject=f"m{i}", from_email="x@d.example", to=["a@b"])
        at = start + timedelta(minutes=i // same_time_every)
        OutboxMessage.objects.filter(id=m.id).update(created_at=at)
        made.append(m.id)
    return made[::-1]


def ids(page) -> list[int]:
    return [m.id for m in page]


@pytest.mark.django_db
def test_walking_older_then_newer_visits_every_row_once_in_order():
    every = messages(23)
    seen, page = [], keyset_page(OutboxMessage.objects.all(), size=5)
    assert page.is_first and not page.newer
    while True:
        seen += ids(page)
        if not page.older:
            break
        page = keyset_page(OutboxMessage.objects.all(), size=5, after=page.older)
    assert seen == every
    back = []
    while page.newer:
        page = keyset_page(OutboxMessage.objects.all(), size=5, before=page.newer)
        back = ids(page) + back
    assert back == every[: len(back)] and page.is_first and len(back) == 20


@pytest.mark.django_db
def test_rows_added_between_page_loads_neither_repeat_nor_push_a_row_off_the_next_page():
    every = messages(12)
    first = keyset_page(OutboxMessage.objects.all(), size=5)
    # New mail arrives (newest), and one message at the very time of the page's last row.
    newer = messages(4, start=T0 + timedelta(days=1))
    OutboxMessage.objects.create(subject="tie", from_email="x@d.example", to=["a@b"])
    second = keyset_page(OutboxMessage.objects.all(), size=5, after=first.older)
    third = keyset_page(OutboxMessage.objects.all(), size=5, after=second.older)
    walked = ids(first) + ids(second) + ids(third)
    assert len(walked) == len(set(walked))
    assert [i for i in walked if i in every] == every
    assert not set(walked) & set(newer)


@pytest.mark.django_db
def test_a_page_is_one_query_without_offset_or_count_however_deep():
    every = messages(40)
    cursor = keyset_page(OutboxMessage.objects.all(), size=30).older
    with CaptureQueriesContext(connection) as queries:
        page = keyset_page(OutboxMessage.objects.all(), size=5, after=cursor)
    assert ids(page) == every[30:35]
    assert len(queries) == 1
    sql = queries[0]["sql"].upper()
    assert "OFFSET" not in sql and "COUNT(" not in sql and "LIMIT 6" in sql


@pytest.mark.django_db
def test_newer_back_to_the_top_gives_a_full_first_page_with_what_arrived_meanwhile():
    every = messages(12)
    first = keyset_page(OutboxMessage.objects.all(), size=5)
    second = keyset_page(OutboxMessage.objects.all(), size=5, after=first.older)
    arrived = messages(3, start=T0 + timedelta(days=1))
    back = keyset_page(OutboxMessage.objects.all(), size=5, before=second.newer)
    assert ids(back) == every[:5] and back.newer  # the page seen before, as it was
    top = keyset_page(OutboxMessage.objects.all(), size=5, before=back.newer)
    assert top.is_first and not top.newer and len(top) == 5
    assert ids(top) == arrived + every[:2] and top.older
