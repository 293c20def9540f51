"""The pre-flight asks Campus several questions at once, each distinct one once, and takes
the answers in input order."""

import random
import threading
import time

import pytest

from boi.models import AddressCheck, HrRow, StaffCheck
from boi.services.lookups import CampusLookups
from boi.services.preflight import preflight_queue
from tests.boi.conftest import good_row, hr_csv

pytestmark = pytest.mark.django_db

STREETS = ["4321 North Lexington Avenue", "12 Main Street", "7 Oak Lane"]


class SlowClient:
    """Answers after a random pause, noting every question and the threads asking."""

    def __init__(self):
        self.asked, self.threads = [], set()
        self.on_error = None
        self.tokens = type("Tokens", (), {"cache": {}, "cache_key": "k"})()
        self.tokens.cache = type("Cache", (), {"get": lambda self, key: None})()

    def answer(self, key):
        self.asked.append(key)
        self.threads.add(threading.get_ident())
        time.sleep(random.uniform(0, 0.01))
        return f"answer {key}"


def test_lookups_ask_each_key_once_and_answer_in_input_order():
    client = SlowClient()
    items = [n % 7 for n in range(60)]
    with CampusLookups(client, concurrency=4) as lookups:
        answers = list(lookups.in_order(items, lambda n: lookups.once(n, lambda: client.answer(n))))
    assert answers == [(n, f"answer {n}") for n in items]
    assert sorted(client.asked) == list(range(7))
    assert len(client.threads) > 1


def test_the_preflight_asks_once_per_address_and_staff_number_in_row_order(
    upload, fake_boi, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr("boi.services.lookups.MAX_CONCURRENCY", 4)
    hr_import = upload(hr_csv([good_row(n, address=STREETS[n % 3]) for n in range(24)]))
    threads, request = set(), fake_boi.request

    def slow_request(*args, **kwargs):
        threads.add(threading.get_ident())
        time.sleep(random.uniform(0, 0.005))
        return request(*args, **kwargs)

    monkeypatch.setattr(fake_boi, "request", slow_request)
    with django_capture_on_commit_callbacks(execute=True):
        preflight_queue(hr_import=hr_import, actor="test")
    hr_import.refresh_from_db()
    rows = list(HrRow.objects.filter(hr_import=hr_import).order_by("row_number"))
    searches = [path for method, path in fake_boi.calls if method == "GET"]
    assert searches.count("addresses") == 3 == AddressCheck.objects.filter(checked=True).count()
    assert searches.count("staff") == 2 * len(rows)  # by number, then by name: none in Campus
    checks = StaffCheck.objects.filter(hr_import=hr_import).order_by("id")
    assert [c.staff_number for c in checks] == [r.staff_number for r in rows]
    assert hr_import.preflight_status == "done" and hr_import.preflight_job.done == 3 + len(rows)
    assert hr_import.preflight_summary["staff_missing"] == len(rows)
    assert len(threads) > 1
