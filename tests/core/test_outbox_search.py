"""The outbox is searched by recipient and subject and filtered by date; page links keep
the filters."""

import re
from datetime import timedelta

import pytest
from django.core.mail import send_mail
from django.utils import timezone

from idbridge.core.models import OutboxMessage


def mail(subject, to, days_ago=0):
    send_mail(subject, "Hello", None, [to])
    message = OutboxMessage.objects.latest("id")
    OutboxMessage.objects.filter(id=message.id).update(
        created_at=timezone.now() - timedelta(days=days_ago)
    )


def subjects(client, query) -> set[str]:
    html = client.get("/outbox/", query).content.decode()
    return {s for s in ("Set up your sign-in", "Audit checkpoint", "Old invite") if s in html}


def test_the_outbox_is_searched_by_recipient_and_subject(client, district_admin):
    mail("Set up your sign-in", "andrea.nowak@district.example")
    mail("Audit checkpoint", "admins@district.example")
    mail("Old invite", "andrea.nowak@district.example", days_ago=10)
    client.force_login(district_admin)
    assert subjects(client, {"q": "nowak"}) == {"Set up your sign-in", "Old invite"}
    assert subjects(client, {"q": "checkpoint"}) == {"Audit checkpoint"}
    assert subjects(client, {"q": "nowak sign-in"}) == {"Set up your sign-in"}
    today = timezone.localdate()
    week_ago = (today - timedelta(days=7)).isoformat()
    assert subjects(client, {"q": "nowak", "since": week_ago}) == {"Set up your sign-in"}
    assert subjects(client, {"until": week_ago}) == {"Old invite"}
    assert subjects(client, {"since": today.isoformat(), "until": today.isoformat()}) == {
        "Set up your sign-in",
        "Audit checkpoint",
    }


def test_a_range_that_ends_before_it_starts_is_refused(client, district_admin):
    client.force_login(district_admin)
    html = client.get("/outbox/", {"since": "2026-12-02", "until": "2026-12-01"}).content
    assert b"The end date is before the start date." in html


def test_outbox_page_links_keep_the_filters(client, district_admin):
    for n in range(26):
        mail(f"Invitation {n}", "r&d@district.example")
    client.force_login(district_admin)
    html = client.get("/outbox/", {"q": "r&d", "since": "2020-01-01"}).content.decode()
    assert re.search(r'"\?q=r%26d&amp;since=2020-01-01&after=\d+\.\d+" rel="next"', html)


@pytest.mark.parametrize("count", [30, 90])
def test_the_outbox_takes_the_same_queries_however_much_mail(
    client, district_admin, count, django_assert_max_num_queries
):
    for n in range(count):
        send_mail(f"Invitation {n}", "Hello", None, [f"staff{n}@district.example"])
    client.force_login(district_admin)
    client.get("/outbox/")
    with django_assert_max_num_queries(6):
        html = client.get("/outbox/").content.decode()
    cursor = re.search(r'after=(\d+\.\d+)" rel="next"', html)[1]
    with django_assert_max_num_queries(6):
        deep = client.get("/outbox/", {"after": cursor, "q": "staff"}).content.decode()
    assert f"Invitation {count - 26}<" in deep and f"Invitation {count - 25}<" not in deep


def test_the_search_matches_what_is_stored_with_the_message_in_any_case(client, district_admin):
    mail("Set up your sign-in", "Andrea.Nowak@District.example")
    message = OutboxMessage.objects.get()
    assert message.search_text == "andrea.nowak@district.example\nset up your sign-in"
    client.force_login(district_admin)
    assert subjects(client, {"q": "NOWAK Sign-In"}) == {"Set up your sign-in"}
