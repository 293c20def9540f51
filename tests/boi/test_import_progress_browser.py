"""The row check's progress in Chromium: sizes in words with a rate and time left while it
runs, and the checked import once it finishes, without a reload by the operator.

The test holds the check job itself (claim, progress, succeed: what a worker does), so
the page can be watched at a known point of a 5.4 MB file.
"""

import re

import pytest

from boi.jobs import CHECK
from boi.models import HrImport
from idbridge.jobs.models import Job
from idbridge.jobs.services import job_claim
from tests.boi.conftest import good_row, hr_csv
from tests.boi.test_wizard_browser import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SIZE = 5_662_310  # 5.4 MB


def test_the_row_check_shows_sizes_in_words_and_its_end_without_a_reload(
    page, live_server, hr_operator, upload, settings
):
    settings.JOBS_PROGRESS_SECONDS = 0
    hr_import = upload(hr_csv([good_row(n) for n in range(4)]))
    job = Job.objects.create(kind=CHECK, subject_id=hr_import.id, unit="bytes")
    HrImport.objects.filter(id=hr_import.id).update(check_job=job, status=HrImport.Status.CHECKING)
    running = job_claim(job.id)
    running.progress(2_202_010, total=SIZE, step="Reading and checking the rows")
    sign_in(page, live_server.url)
    page.goto(f"{live_server.url}/boi/imports/{hr_import.id}/")
    text = page.locator("#import-status [data-progress-text]")
    text.filter(has_text=re.compile(r"^2\.1 MB of 5\.4 MB · Reading and checking")).wait_for()
    page.evaluate("window.stillHere = true")

    running.progress(4_404_020)
    moving = re.compile(
        r"^4\.2 MB of 5\.4 MB · Reading and checking the rows · [\d.,]+ (KB|MB)/s"
        r" · about \d+ (s|min) left$"
    )
    text.filter(has_text=moving).wait_for()
    assert page.evaluate("window.stillHere") is True
    assert "bytes" not in text.inner_text() and "4404020" not in text.inner_text()
    # The import's own fields stay filled in while the script updates the box.
    status = page.locator("#import-status")
    assert status.locator('[data-field="status_label"]').inner_text() == "Checking rows"
    assert status.locator('[data-field="rows"]').inner_text() == str(hr_import.row_count)

    HrImport.objects.filter(id=hr_import.id).update(status=HrImport.Status.CHECKED)
    running.progress(SIZE)
    running.succeed()
    page.locator('#import-status [data-field="status_label"]', has_text="Checked").wait_for()
    assert page.locator("#import-status progress").is_hidden()
    assert page.locator("#preflight").is_visible()  # the checked import's actions
