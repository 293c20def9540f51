"""The sync wizard in Chromium: a small HR file, through the step-up, to the Results.

The console talks to the Campus sandbox's BOI API on the same live server (tasks run
in-process in browser tests). Nothing is simulated: the operator (omar_hr) onboarded as
district staff with the same e-mail and holds a passkey in a Chromium virtual
authenticator (tests/browser/webauthn.py). Commit sends them to ``stepup:authenticate``,
whose button runs the real WebAuthn get() and the server's verification; the run's gate
(``stepup.gates``) then reads the event that ceremony recorded. First the device's user
verification fails (``WebAuthn.setUserVerified`` false), and so does a page that asks the
device not to verify: Commit stays blocked and nothing reaches Campus.
"""

import re

import pytest
from django.core.cache import cache

from boi.models import BoiConnection, SyncRun, SyncStaff
from boi.samples import DEMO_MAPPINGS, bad_rows, sample_csv
from boi.services.connections import campus_lists_fetch, mapping_save
from idbridge.audit.models import AuditEntry
from sandbox.models import BOI_SCOPE, Person
from sandbox.services.clients import api_client_create
from sandbox.services.seed import district_seed
from tests.browser.webauthn import staff_onboarded_with_passkey
from tests.conftest import dashboard_session

pytestmark = pytest.mark.browser

STAFF, BAD, SEED = 12, 2, 21
STEP_UP = re.compile(r".*/stepup/authenticate/\?next=")

# A modified step-up page: the same ceremony, but it asks the device not to verify the user.
GET_WITHOUT_USER_VERIFICATION = """async () => {
    const root = document.getElementById("passkey-check");
    const csrf = root.querySelector("input[name=csrfmiddlewaretoken]").value;
    const post = (url, body) => fetch(url, {method: "POST",
        headers: {"Content-Type": "application/json", "X-CSRFToken": csrf},
        body: JSON.stringify(body)});
    const options = await (await post(root.dataset.optionsUrl, {})).json();
    options.userVerification = "discouraged";
    const credential = await navigator.credentials.get({
        publicKey: PublicKeyCredential.parseRequestOptionsFromJSON(options)});
    const response = await post(root.dataset.verifyUrl,
        {credential: credential.toJSON(), next: root.dataset.next});
    return {status: response.status, body: await response.json()};
}"""


@pytest.fixture
def connection(live_server, settings, transactional_db):
    settings.PUBLIC_BASE_URL = live_server.url
    cache.clear()
    district_seed(staff=10, students=5, seed=5, actor="tests")
    _, creds = api_client_create(name="HR system", actor="tests", scopes=BOI_SCOPE)
    connection = BoiConnection.objects.create(
        name="Campus sandbox",
        client_id=creds["client_id"],
        client_secret=creds["client_secret"],
        token_url=creds["token_url"],
        base_url=f"{live_server.url}/sandbox/campus/api/boi/v1/",
        scope=BOI_SCOPE,
    )
    campus_lists_fetch(connection=connection, actor="tests")
    for kind, table in DEMO_MAPPINGS.items():
        for hr_value, campus in table.items():
            assignment, title, description = campus if kind == "job" else (campus, "", "")
            mapping_save(
                connection=connection,
                kind=kind,
                hr_value=hr_value,
                campus_value=assignment,
                title_code=title,
                title_description=description,
                actor="tests",
            )
    yield connection
    cache.clear()


def sign_in(page, base):
    from django.contrib.auth.models import User

    dashboard_session(page, base, User.objects.get(username="omar_hr"))


def test_an_operator_takes_a_small_file_through_the_wizard_to_the_results(
    page, live_server, connection, hr_operator, tmp_path
):
    base = live_server.url
    # omar_hr is also district staff, onboarded with a passkey on this browser's device.
    cdp, authenticator = staff_onboarded_with_passkey(page, work_email=hr_operator.email)

    def user_verified(ok: bool) -> None:
        cdp.send(
            "WebAuthn.setUserVerified", {"authenticatorId": authenticator, "isUserVerified": ok}
        )

    sign_in(page, base)

    # Import: upload, map the columns, check; the bad rows are listed, then excluded.
    page.goto(f"{base}/boi/")
    page.get_by_role("link", name="Import an HR file").click()
    path = tmp_path / "hr-small.csv"
    path.write_bytes(sample_csv(STAFF, bad=BAD, seed=SEED, prefix="B"))
    page.get_by_label("HR export").set_input_files(str(path))
    page.get_by_role("button", name="Upload and continue").click()
    page.get_by_role("button", name="Check the rows").click()
    page.locator("#error-rows", has_text=str(BAD)).wait_for()
    errors = page.locator("#rows").inner_text()
    for i in bad_rows(STAFF, BAD, seed=SEED):  # a missing last name, an impossible date
        assert f"row {i + 2}, " in errors
    assert "last_name" in errors and "birth_date" in errors
    page.get_by_role("button", name=f"Exclude the {BAD} rows with errors").click()
    page.locator("#excluded-rows", has_text=str(BAD)).wait_for()

    # Start → transfer → end transfer → validate, then the validate report.
    page.get_by_role("button", name="Start a synchronization").click()
    page.wait_for_url(re.compile(r".*/boi/runs/\d+/$"))
    run_url = page.url
    page.locator("#run-state", has_text="Validated").wait_for()
    good = STAFF - BAD
    assert page.locator("#report-summary").inner_text().count(str(good)) >= 2

    # Commit asks for a fresh passkey check first.
    commit = page.get_by_role("button", name=f"Commit {good} staff to Campus")
    commit.click()
    page.wait_for_url(STEP_UP)
    page.get_by_text("Verify with your passkey to commit.").wait_for()
    assert page.get_by_role("heading", name="Confirm it's you").is_visible()
    assert page.get_by_text(hr_operator.email).is_visible()

    # The device cannot verify the user: Chromium refuses the UV-required get() …
    user_verified(False)
    page.get_by_role("button", name="Use your passkey").click()
    page.get_by_role("status").filter(has_text="did not succeed").wait_for()
    # … and a page that asks the device not to verify gets an answer the server refuses.
    refused = page.evaluate(GET_WITHOUT_USER_VERIFICATION)
    assert refused["status"] == 400 and "verif" in refused["body"]["error"].lower()
    assert AuditEntry.objects.filter(action="stepup.check_failed").count() == 1
    # Commit stays blocked: back at the run it asks again, and nothing reached Campus.
    page.goto(run_url)
    commit.click()
    page.wait_for_url(STEP_UP)
    assert SyncRun.objects.get().state == SyncRun.State.VALIDATED
    assert not Person.objects.filter(staff_number__startswith="B").exists()

    # With the fingerprint accepted the real check passes and the commit proceeds by
    # itself: the operator lands on the run, committing, without pressing Commit again.
    user_verified(True)
    page.get_by_role("button", name="Use your passkey").click()
    page.wait_for_url(run_url)
    assert AuditEntry.objects.filter(action="stepup.check_succeeded").count() == 1
    page.get_by_text(f"Passkey check done: committing {good} staff.").wait_for()
    page.locator("#results-summary", has_text=f"{good} staff succeeded, 0 failed").wait_for()
    assert AuditEntry.objects.filter(action="boi.sync.commit_requested").count() == 1

    # Results: every staff member, each linked to its HR row.
    page.get_by_role("link", name="Open the results").click()
    page.get_by_role("heading", name="Results").wait_for()
    table = page.locator("#report")
    assert table.locator("tbody tr").count() == good
    assert table.get_by_text("Succeeded").count() == good
    first_row = table.locator("tbody tr").first
    assert re.fullmatch(r"row \d+", first_row.get_by_role("link").nth(1).inner_text())
    run = SyncRun.objects.get()
    assert (run.state, run.commit_mode, run.succeeded_count) == ("committed", "commit", good)
    assert SyncStaff.objects.filter(run=run, outcome="succeeded").count() == good
    assert Person.objects.filter(staff_number__startswith="B").count() == good
