"""The onboarding list at district size: pages by keyset (no OFFSET, no COUNT over every
case), stable while cases arrive, a fixed number of queries whatever the number of cases;
the page's counts over every case are made at most every STAFF_DASHBOARD_COUNTS_SECONDS."""

import re

import pytest
from django.core.cache import cache
from django.db import connection as db
from django.test.utils import CaptureQueriesContext

from staff.services.discovery import staff_records_from_campus
from staff.views.funnel import GLANCE_KEY, GLANCE_MAKING_KEY, glance
from tests.staff.conftest import person

NAME = re.compile(r">Maria (Lopez\d+)</a>")
OLDER = re.compile(r'href="\?([^"]*after=\d+\.\d+)" rel="next"')


def discover(connection, numbers) -> None:
    staff_records_from_campus(connection=connection, persons=[person(n) for n in numbers])


def listed(html: str) -> list[str]:
    return NAME.findall(html)


def test_paging_on_is_stable_when_new_staff_are_discovered_between_loads(
    client, hr_operator, connection
):
    discover(connection, range(1, 61))
    client.force_login(hr_operator)
    first = client.get("/staff/").content.decode()
    older = OLDER.search(first)[1].replace("&amp;", "&")
    discover(connection, range(61, 71))  # newer cases arrive before the next page
    second = client.get(f"/staff/?{older}").content.decode()
    pages = listed(first) + listed(second)
    assert len(listed(first)) == 50 and len(pages) == len(set(pages))
    assert set(pages) == {f"Lopez{n}" for n in range(1, 61)}
    assert "Newest</a>" in second and not OLDER.search(second)


@pytest.mark.parametrize("cases", [60, 180])
def test_the_list_takes_the_same_queries_however_many_cases(
    client, hr_operator, connection, cases, django_assert_max_num_queries
):
    discover(connection, range(1, cases + 1))
    client.force_login(hr_operator)
    client.get("/staff/")  # the session settles
    with django_assert_max_num_queries(13):
        first = client.get("/staff/").content.decode()
    older = OLDER.search(first)[1].replace("&amp;", "&")
    with django_assert_max_num_queries(13):
        assert len(listed(client.get(f"/staff/?{older}").content.decode())) == min(50, cases - 50)
    # A search reads one range of search words per word typed (two here), then the page.
    with django_assert_max_num_queries(14):
        client.get("/staff/", {"q": "maria lopez", "state": "invited"})


def test_with_the_counts_kept_a_page_load_counts_nothing_and_skips_nothing(
    client, hr_operator, connection, settings
):
    settings.STAFF_DASHBOARD_COUNTS_SECONDS = 15
    cache.clear()
    discover(connection, range(1, 121))
    client.force_login(hr_operator)
    first = client.get("/staff/").content.decode()
    assert "<svg" in first and "&lt;svg" not in first  # the kept chart, not escaped
    older = OLDER.search(first)[1].replace("&amp;", "&")
    with CaptureQueriesContext(db) as queries:
        client.get(f"/staff/?{older}")
    sql = [q["sql"].upper() for q in queries]
    assert not [s for s in sql if "COUNT(" in s or "OFFSET" in s]
    assert sum("STAFF_ONBOARDINGCASE" in s for s in sql) == 1  # the page itself
    cache.clear()


def test_the_kept_counts_catch_up_after_their_time(client, hr_operator, connection, settings):
    settings.STAFF_DASHBOARD_COUNTS_SECONDS = 15
    cache.clear()
    discover(connection, range(1, 4))
    client.force_login(hr_operator)
    assert '<th scope="row">Discovered</th><td>3</td>' in client.get("/staff/").content.decode()
    discover(connection, range(4, 6))
    page = client.get("/staff/").content.decode()
    assert '<th scope="row">Discovered</th><td>3</td>' in page  # kept for a few seconds
    assert "Lopez5" in page  # the list itself is current
    cache.clear()  # as when the 15 s are over
    assert '<th scope="row">Discovered</th><td>5</td>' in client.get("/staff/").content.decode()
    cache.clear()


def discovered_count(counts: dict) -> int:
    return next(row["count"] for row in counts["funnel"] if row["state"] == "discovered")


def test_old_counts_are_made_anew_by_one_request_while_the_others_show_the_kept_ones(
    connection, settings
):
    settings.STAFF_DASHBOARD_COUNTS_SECONDS = 15
    cache.clear()
    discover(connection, range(1, 4))
    kept = glance()
    discover(connection, range(4, 6))
    assert discovered_count(glance()) == 3  # still fresh
    cache.set(GLANCE_KEY, {**kept, "made_at": kept["made_at"] - 60}, 300)  # a minute old
    cache.add(GLANCE_MAKING_KEY, 1, 60)  # another worker is making them anew
    assert discovered_count(glance()) == 3
    cache.delete(GLANCE_MAKING_KEY)
    assert discovered_count(glance()) == 5
    cache.clear()
