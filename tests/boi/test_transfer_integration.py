"""Transfer against the Campus sandbox: an address Campus holds with its whole street line in
one field (an old import) is found by pre-flight and sent back in a form Campus takes."""

import csv
import io
from urllib.parse import urlsplit

import pytest

from boi.models import Alert, HrImport, SyncStaff
from boi.samples import COLUMNS, sample_rows
from sandbox.boi.addresses import record_keys
from sandbox.models import Address, HouseholdLocation, HouseholdMember, Person, SyncStagedStaff
from tests.boi.dropping_proxy import DroppingProxy
from tests.boi.test_integration import (  # noqa: F401 - the fixture
    commit_and_wait,
    sandbox_connection,
    sync_until_validated,
    upload_and_check,
)
from tests.conftest import wait_for

pytestmark = pytest.mark.integration


def _csv(rows: list[dict]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS)
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


def test_a_campus_address_held_in_one_field_is_reused_and_nobody_is_refused(
    client,
    hr_operator,
    sandbox_connection,  # noqa: F811 - the fixture
    celery_worker,
):
    fields = {"street": "8484 Washington St", "city": "Blaine", "state": "MN", "zip": "55434"}
    planted = Address(**fields)
    planted.components_key, planted.match_key = record_keys(planted)
    assert planted.match_key  # Campus reads it as a full street line
    planted.save()
    rows = list(sample_rows(4, seed=11, prefix="W"))
    for row in rows:
        for column in COLUMNS:
            if column.startswith("address_"):
                row[column] = ""
        row.update(
            address_full="8484 Washington Street",
            address_city="Blaine",
            address_state="MN",
            address_zip="55434",
        )
    client.force_login(hr_operator)
    hr_import = upload_and_check(client, sandbox_connection, _csv(rows), "one-field.csv")
    assert hr_import.error_row_count == 0
    client.post(f"/boi/imports/{hr_import.id}/preflight/")
    wait_for(
        lambda: HrImport.objects.filter(
            id=hr_import.id, preflight_status__in=["done", "failed"]
        ).exists(),
        timeout=120,
    )
    hr_import.refresh_from_db()
    assert hr_import.preflight_summary["addresses_in_campus"] == 1
    run = sync_until_validated(client, hr_import)
    assert not SyncStaff.objects.filter(run=run, outcome="refused").exists()
    run = commit_and_wait(client, hr_operator, run, step_up_needed=True)
    assert (run.succeeded_count, run.failed_count) == (4, 0)
    people = Person.objects.filter(staff_number__in=[r["staff_number"] for r in rows])
    assert people.count() == 4
    households = HouseholdMember.objects.filter(person__in=people).values("household_id")
    addresses = set(
        HouseholdLocation.objects.filter(household_id__in=households).values_list(
            "address_id", flat=True
        )
    )
    assert addresses == {planted.pk}  # Campus's own record, no second one


def test_the_same_file_synced_again_with_households_allowed_is_all_unchanged(
    client,
    hr_operator,
    sandbox_connection,  # noqa: F811 - the fixture
    celery_worker,
):
    assert sandbox_connection.household_allowed
    rows = list(sample_rows(5, seed=23, prefix="U"))
    client.force_login(hr_operator)
    first = upload_and_check(client, sandbox_connection, _csv(rows), "first.csv")
    run = commit_and_wait(
        client, hr_operator, sync_until_validated(client, first), step_up_needed=True
    )
    assert (run.succeeded_count, run.failed_count) == (5, 0)

    again = upload_and_check(client, sandbox_connection, _csv(rows), "again.csv")
    run = sync_until_validated(client, again)
    assert run.report_summary.get("unchanged") == 5, run.report_summary
    run = commit_and_wait(client, hr_operator, run, step_up_needed=False)

    results = SyncStaff.objects.filter(run=run)
    assert set(results.values_list("action", "outcome")) == {("unchanged", "succeeded")}
    alert = Alert.objects.filter(run=run).get()
    assert alert.title == f"Sync {run.id} committed: 5 staff unchanged"


def _through(proxy: DroppingProxy, connection) -> None:
    """The console reaches the sandbox's BOI API through ``proxy`` (tokens directly)."""
    path = urlsplit(connection.base_url).path
    connection.base_url = proxy.url + path
    connection.save(update_fields=["base_url"])


@pytest.mark.parametrize("when", ["after", "before"])
def test_a_transfer_whose_answer_is_lost_stages_each_staff_member_once(
    client,
    hr_operator,
    sandbox_connection,  # noqa: F811 - the fixture
    celery_worker,
    live_server,
    when,
):
    rows = list(sample_rows(6, seed=31, prefix="T"))
    client.force_login(hr_operator)
    hr_import = upload_and_check(client, sandbox_connection, _csv(rows), f"lost-{when}.csv")
    with DroppingProxy(live_server.url, drop_path="/transfer", when=when) as proxy:
        _through(proxy, sandbox_connection)
        run = sync_until_validated(client, hr_import)

    # "after": Campus staged the batch, so it is not sent again; "before": it never
    # arrived, so it is sent a second time. Either way each staff member is staged once.
    assert (proxy.dropped, proxy.calls) == (1, 1 if when == "after" else 2)
    staged = SyncStagedStaff.objects.filter(session_id=int(run.sync_id))
    assert sorted(staged.values_list("staff_number", flat=True)) == sorted(
        r["staff_number"] for r in rows
    )
    assert run.report_summary["add"] == 6 and run.report_summary["error"] == 0
    assert SyncStaff.objects.filter(run=run, outcome="pending").count() == 6
