"""The code mapping page: every unmapped HR code of a file on one page, chosen from pick-lists
of Campus's fetched lists, saved in one submit."""

import pytest

from boi.hrfile.code_suggest import suggest_campus_value
from boi.models import HrImport, MappingValue
from tests.boi.conftest import hr_csv

pytestmark = pytest.mark.django_db

SCHOOLS = [
    {"code": "010", "name": "Lincoln Elementary"},
    {"code": "020", "name": "Roosevelt Middle"},
    {"code": "030", "name": "Central High"},
]


def _row(n, *, sex="F", location="HS1", job="TCH"):
    return (
        f"E{n:05d},Ng,Ana{n},{sex},123-45-{n:04d},1980-01-01,2020-08-01,{location},{job},"
        "2020-08-01,4321 North Lexington Avenue,Blaine,MN,55123"
    )


@pytest.fixture
def mixed_codes(upload):
    """A file with HR codes no mapping knows: three schools, two jobs and a sex code."""
    rows = [
        _row(1, location="LINCOLN ELEM"),
        _row(2, location="LINCOLN ELEM"),
        _row(3, location="RMS"),
        _row(4, location="Central HS", job="TEACHER"),
        _row(5, job="PARA"),
        _row(6, sex="Female"),
    ]
    return upload(hr_csv(rows))


@pytest.mark.parametrize(
    "hr_code, campus_code",
    [("LINCOLN ELEM", "010"), ("ELEM-LIN", "010"), ("RMS", "020"), ("Central HS", "030")],
)
def test_a_school_is_suggested_by_its_name(hr_code, campus_code):
    assert suggest_campus_value(hr_code, SCHOOLS)[0] == campus_code


def test_a_code_like_nothing_on_the_list_gets_a_weak_suggestion():
    assert suggest_campus_value("ZZZ", SCHOOLS)[1] < 0.5


def test_every_unmapped_code_is_on_one_page_with_its_rows_and_suggestion(
    mixed_codes, login, hr_operator
):
    assert mixed_codes.unmapped["location"] == {"Central HS": 1, "LINCOLN ELEM": 2, "RMS": 1}
    page = login(hr_operator).get(f"/boi/imports/{mixed_codes.id}/codes/")
    html = page.content.decode()
    assert page.status_code == 200
    for code in ("LINCOLN ELEM", "RMS", "Central HS", "TEACHER", "PARA", "Female"):
        assert f'data-hr-code="{code}"' in html
    assert html.count("<select") == 6 + 2  # a pick-list each, and a title pick-list per job
    assert "010 — Lincoln Elementary" in html  # the description beside each code
    assert "2 rows" in html
    # The close suggestion is chosen already.
    assert '<option value="010" selected>' in html


def test_the_whole_page_is_saved_in_one_submit(
    mixed_codes, login, hr_operator, django_capture_on_commit_callbacks
):
    client = login(hr_operator)
    page = client.get(f"/boi/imports/{mixed_codes.id}/codes/")
    form = page.context["form"]
    data = {name: form[name].value() or "" for name in form.fields}
    rows = {row["hr_value"]: i for i, (row, _, _) in enumerate(page.context["table"])}
    data[f"c{rows['TEACHER']}"] = "20"
    data[f"t{rows['TEACHER']}"] = "T100"
    data[f"c{rows['PARA']}"] = "30"
    data[f"c{rows['Female']}"] = "F"
    data["recheck"] = "1"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/boi/imports/{mixed_codes.id}/codes/", data)
    assert response.status_code == 302
    saved = {
        (m.kind, m.hr_value): (m.campus_value, m.title_code)
        for m in MappingValue.objects.filter(connection=mixed_codes.connection)
    }
    assert saved[("location", "LINCOLN ELEM")] == ("010", "")
    assert saved[("location", "RMS")] == ("020", "")
    assert saved[("job", "TEACHER")] == ("20", "T100")
    assert saved[("sex", "Female")] == ("F", "")
    mixed_codes.refresh_from_db()
    assert mixed_codes.status == HrImport.Status.CHECKED
    assert mixed_codes.unmapped == {}
    assert mixed_codes.error_row_count == 0
    page = client.get(f"/boi/imports/{mixed_codes.id}/codes/")
    assert b'id="all-mapped"' in page.content


def test_a_value_not_on_campus_list_is_refused_and_nothing_is_saved(
    mixed_codes, login, hr_operator
):
    client = login(hr_operator)
    page = client.get(f"/boi/imports/{mixed_codes.id}/codes/")
    form = page.context["form"]
    data = {name: form[name].value() or "" for name in form.fields}
    data["c0"] = "999"  # typed, not picked
    before = MappingValue.objects.count()
    response = client.post(f"/boi/imports/{mixed_codes.id}/codes/", data)
    assert response.status_code == 200
    assert MappingValue.objects.count() == before
    assert "999 is not one of the available choices" in response.content.decode()


def test_an_auditor_may_see_the_import_but_not_map_codes(mixed_codes, login, auditor):
    response = login(auditor).post(f"/boi/imports/{mixed_codes.id}/codes/", {"c0": "010"})
    assert response.status_code == 403
    assert not MappingValue.objects.filter(hr_value="LINCOLN ELEM").exists()
