"""The mapping tables exported as CSV (Campus's description beside each code) and imported."""

import io

import pytest

from boi.models import MappingValue

pytestmark = pytest.mark.django_db


def _csv(text: str, name="mappings.csv"):
    data = io.BytesIO(text.encode())
    data.name = name
    return data


def test_the_export_shows_each_code_with_campus_description(ready_connection, login, auditor):
    response = login(auditor).get(f"/boi/connections/{ready_connection.id}/mappings.csv")
    lines = response.content.decode().splitlines()
    assert lines[0] == "Kind,HR code,Campus value,Campus description,Title code,Title description"
    assert "location,HS1,030,Central High,," in lines
    assert "job,TCH,20,Teacher,T100," in lines


def test_an_exported_file_edited_in_a_spreadsheet_imports_back(
    ready_connection, login, hr_operator
):
    client = login(hr_operator)
    exported = client.get(f"/boi/connections/{ready_connection.id}/mappings.csv").content.decode()
    MappingValue.objects.all().delete()
    edited = exported + "location,LINCOLN ELEM,010,,,\nsex,Female,F,,,\n"
    response = client.post(
        f"/boi/connections/{ready_connection.id}/mappings/import/",
        {"file": _csv("\ufeff" + edited)},
        follow=True,
    )
    assert "5 mappings imported." in response.content.decode()
    saved = {(m.kind, m.hr_value): m.campus_value for m in MappingValue.objects.all()}
    assert saved[("location", "LINCOLN ELEM")] == "010"
    coach = MappingValue.objects.get(hr_value="COACH")
    assert (coach.title_code, coach.title_description) == ("T900", "Varsity coach")


def test_a_file_with_a_value_campus_lacks_imports_nothing_and_says_which(
    ready_connection, login, hr_operator
):
    before = MappingValue.objects.count()
    text = "Kind,HR code,Campus value\nlocation,NEW1,010\nlocation,NEW2,999\nshoe,X,1\n"
    response = login(hr_operator).post(
        f"/boi/connections/{ready_connection.id}/mappings/import/",
        {"file": _csv(text)},
        follow=True,
    )
    page = response.content.decode()
    assert "Nothing imported" in page and "line 4: kind must be location, sex or job" in page
    assert MappingValue.objects.count() == before
    text = "Kind,HR code,Campus value\nlocation,NEW1,010\nlocation,NEW2,999\n"
    response = login(hr_operator).post(
        f"/boi/connections/{ready_connection.id}/mappings/import/",
        {"file": _csv(text)},
        follow=True,
    )
    assert "NEW2: 999 is not a Campus school number" in response.content.decode()
    assert MappingValue.objects.count() == before
