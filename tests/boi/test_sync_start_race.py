"""Two sync starts for one connection at the same moment (a double click, two operators):
one run is created, the other is refused in words. On PostgreSQL (``make integration``)."""

import threading

import pytest
from django.db import connection as db_connection

from boi.models import SyncRun
from boi.services import ConsoleError
from boi.services.import_check import hr_import_check
from boi.services.sync.runs import sync_run_create
from tests.boi.conftest import good_row, hr_csv
from tests.conftest import wait_for

pytestmark = pytest.mark.integration


def _checked(hr_import) -> bool:
    hr_import.refresh_from_db()
    return hr_import.is_checked


@pytest.mark.django_db(transaction=True)
def test_two_sync_starts_at_once_make_one_run_and_refuse_the_other_in_words(upload):
    first, second = upload(hr_csv([good_row(1)])), upload(hr_csv([good_row(2)]), name="b.csv")
    for hr_import in (first, second):
        # Checked here, unless a worker listening on the same broker took the job first.
        hr_import_check(job_id=hr_import.check_job_id)
        wait_for(lambda i=hr_import: _checked(i), 120, what="the row check")
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def start(hr_import):
        try:
            barrier.wait()
            sync_run_create(hr_import=hr_import, actor="test")
            outcomes.append("created")
        except ConsoleError as exc:
            outcomes.append(str(exc))
        finally:
            db_connection.close()

    threads = [threading.Thread(target=start, args=(i,)) for i in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert SyncRun.objects.count() == 1, outcomes
    refused = [o for o in outcomes if o != "created"]
    assert len(refused) == 1 and refused[0].endswith("is running: wait until it is done.")
