"""Transfer never refuses a row pre-flight accepted; a refused batch is split until the
refused staff are isolated, the rest go through, and each refused one is named."""

import pytest
from django.utils import timezone

from boi.models import Alert, ErrorLogEntry, SyncRun, SyncStaff
from boi.rules.addresses import normalize_address
from boi.services.preflight import preflight_queue
from boi.services.sync.commit import sync_commit_request
from boi.services.sync.runs import sync_run_create
from tests.boi.conftest import good_row, hr_csv

pytestmark = pytest.mark.django_db

PLACE = {"city": "Blaine", "state": "MN", "zip": "55123"}
LINE = "4321 N Lexington Ave"


def _plant_one_field_address(fake_boi):
    """A Campus address whose whole street line was typed into one field (an old import)."""
    key = normalize_address({"fullStreetAddress": LINE, **PLACE})[0].key
    names = ("number", "prefix", "tag", "direction", "apt", "county")
    fake_boi.addresses[key] = {
        "addressID": 900,
        "postOfficeBox": False,
        **{k: "" for k in names},
        **PLACE,
        "street": LINE,
        "oneLine": "4321 N Lexington Ave, Blaine, MN 55123",
    }


def _sync(upload, rows, capture, *, preflight=False):
    hr_import = upload(hr_csv(rows))
    if preflight:
        with capture(execute=True):
            preflight_queue(hr_import=hr_import, actor="test")
    with capture(execute=True):
        run = sync_run_create(hr_import=hr_import, actor="test")
    run.refresh_from_db()
    return run


def test_a_campus_address_held_in_one_field_is_sent_as_its_full_street_line(
    upload, fake_boi, django_capture_on_commit_callbacks
):
    _plant_one_field_address(fake_boi)
    rows = [good_row(n) for n in range(1, 4)]
    run = _sync(upload, rows, django_capture_on_commit_callbacks, preflight=True)
    assert run.state == SyncRun.State.VALIDATED, run.last_error
    sent = fake_boi.syncs[run.sync_id]["staff"]
    address = sent[0]["household"]["householdLocations"][0]["address"]
    assert address == {"fullStreetAddress": LINE, **PLACE}
    assert not SyncStaff.objects.filter(run=run, outcome="refused").exists()
    assert not ErrorLogEntry.objects.filter(run=run).exists()


def _refuse_staff(fake_boi, number, *, name_position=True):
    """Campus refuses any batch holding staff ``number`` (its house number left out)."""
    original = fake_boi._transfer_problem

    def problem(body):
        for i, staff in enumerate(body):
            if staff.get("staffNumber") == number:
                from tests.boi.fakeboi import refused

                path = "household.householdLocations[0].address.number"
                field = f"staff[{i}].{path}" if name_position else path
                return refused(400, field, "required", "number is required")
        return original(body)

    fake_boi._transfer_problem = problem


@pytest.mark.parametrize("name_position", [True, False], ids=["named", "bisected"])
def test_a_refused_batch_is_split_the_rest_go_through_and_the_refused_one_is_named(
    upload,
    fake_boi,
    django_capture_on_commit_callbacks,
    settings,
    client,
    hr_operator,
    name_position,
):
    settings.BOI_TRANSFER_BATCH_SIZE = 8
    _refuse_staff(fake_boi, "E00005", name_position=name_position)
    rows = [good_row(n) for n in range(1, 11)]
    run = _sync(upload, rows, django_capture_on_commit_callbacks)
    assert run.state == SyncRun.State.VALIDATED, run.last_error
    sent = [s["staffNumber"] for s in fake_boi.syncs[run.sync_id]["staff"]]
    assert sorted(sent) == [f"E{n:05d}" for n in range(1, 11) if n != 5]
    refused = SyncStaff.objects.get(run=run, outcome="refused")
    assert refused.staff_number == "E00005" and refused.row.row_number == 6
    # Campus's reason in HR's words, with its own error-log entry holding its request only
    reason = refused.outcome_errors[0]
    assert reason["message"] == "Home address: house number is required"
    entry = ErrorLogEntry.objects.get(id=reason["entry"])
    assert "E00005" in entry.message and "HR row 6" in entry.message and "Ana5 Ng" in entry.message
    assert "E00004" not in entry.payload and "***-**-0005" in entry.payload
    assert "123-45-0005" not in entry.payload
    # the error log is searchable by staff number
    client.force_login(hr_operator)
    found = client.get("/boi/errors/", {"q": "E00005"}).content.decode()
    assert f"/boi/errors/{entry.id}/" in found

    with django_capture_on_commit_callbacks(execute=True):
        sync_commit_request(run=run, actor=hr_operator, verified_at=timezone.now())
    run.refresh_from_db()
    assert (run.succeeded_count, run.failed_count) == (9, 1)
    assert sorted(fake_boi.staff) == sorted(sent)
    page = client.get(f"/boi/runs/{run.id}/").content.decode()
    assert "E00005" in page and "row 6" in page and "house number is required" in page
    assert "staff[" not in page and ".address.number" not in page
    # the validate report's lists and the commit in words, not API names
    assert "Staff to be added" in page and "staffToAdd" not in page
    assert "Campus's synchronous commit" in page and "(commit," not in page
    results = client.get(f"/boi/runs/{run.id}/results/").content.decode()
    assert "E00005" in results and "Refused at transfer" in results
    assert "house number is required" in results
    alert = Alert.objects.get(run=run)
    assert alert.title.endswith(": 9 staff added, 1 failed")


def _answer_lost_once(fake_boi, number, *, keep=None):
    """Campus stages the first transfer call holding staff ``number`` (or only its first
    ``keep`` staff), then its gateway answers 504: the console does not know it arrived."""
    from tests.boi.fakeboi import FakeResponse

    original = fake_boi.sync_action
    lost = []

    def staged_then_lost(sync_id, sync, action, body):
        if action != "transfer" or lost or number not in {s["staffNumber"] for s in body}:
            return original(sync_id, sync, action, body)
        lost.append(number)
        original(sync_id, sync, action, body if keep is None else body[:keep])
        return FakeResponse(504, {"errors": [{"message": "gateway"}]})

    fake_boi.sync_action = staged_then_lost


def test_a_split_batch_part_whose_answer_was_lost_is_not_sent_again(
    upload, fake_boi, django_capture_on_commit_callbacks, settings
):
    settings.BOI_TRANSFER_BATCH_SIZE = 8
    _refuse_staff(fake_boi, "E00002", name_position=False)  # the batch is bisected
    _answer_lost_once(fake_boi, "E00007")
    run = _sync(upload, [good_row(n) for n in range(1, 11)], django_capture_on_commit_callbacks)
    assert run.state == SyncRun.State.VALIDATED, run.last_error
    sent = [s["staffNumber"] for s in fake_boi.syncs[run.sync_id]["staff"]]
    assert sorted(sent) == [f"E{n:05d}" for n in range(1, 11) if n != 2]  # each once
    assert SyncStaff.objects.filter(run=run, outcome="pending").count() == 9
    assert SyncStaff.objects.get(run=run, outcome="refused").staff_number == "E00002"


def test_a_lost_answer_campus_holds_part_of_is_not_guessed_at(
    upload, fake_boi, django_capture_on_commit_callbacks
):
    _answer_lost_once(fake_boi, "E00001", keep=1)
    run = _sync(upload, [good_row(n) for n in range(1, 4)], django_capture_on_commit_callbacks)
    assert run.job == SyncRun.Job.FAILED
    assert "Campus now holds 1 staff for this synchronization" in run.last_error
    assert "neither the 0 before it nor the 3 after it" in run.last_error
    assert "start the synchronization again" in run.last_error
    transfers = [path for _, path in fake_boi.calls if path.endswith("/transfer")]
    assert len(transfers) == 1


def test_a_transfer_resumed_where_campus_holds_what_was_not_recorded_stops_in_words(
    upload, fake_boi, django_capture_on_commit_callbacks
):
    """A worker that died after Campus took a batch and before the batch was recorded: the
    retried transfer finds Campus holding staff nobody recorded, and sends nothing again."""
    original = fake_boi.route

    def a_batch_already_held(method, path, params, body):
        answer = original(method, path, params, body)
        if path == "sync/start":
            fake_boi.syncs[str(answer.json()["syncID"])]["staff"].append({"staffNumber": "E1"})
        return answer

    fake_boi.route = a_batch_already_held
    run = _sync(upload, [good_row(n) for n in range(1, 4)], django_capture_on_commit_callbacks)
    assert run.job == SyncRun.Job.FAILED
    assert run.last_error.startswith(
        "Campus holds 1 staff for this synchronization where 0 were confirmed as sent"
    )
    assert "Start the synchronization again" in run.last_error
    assert not [path for _, path in fake_boi.calls if path.endswith("/transfer")]
