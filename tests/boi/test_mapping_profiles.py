"""Mapping profiles through the console: saved from one file, picked at the next upload."""

import io

import pytest

from boi.models import HrImport, MappingProfile, MappingValue

pytestmark = pytest.mark.django_db

# "Skyward Key" is no spelling the suggestions know: the operator maps it by hand once.
HEADER = "Skyward Key,LName,FName,Gender,Birth Date,Orig Hire Dt,Bldg,Job Code,Job Start Dt\n"


def _file(header=HEADER, location="BLDG-7"):
    data = io.BytesIO(
        (header + f"E00001,Ng,Ana,F,1980-01-01,2020-08-01,{location},TCH,2020-08-01\n").encode()
    )
    data.name = "skyward.csv"
    return data


def _upload(client, connection, **extra):
    response = client.post(f"/boi/connections/{connection.id}/import/", {"file": _file(), **extra})
    assert response.status_code == 302
    return HrImport.objects.latest("id"), response


@pytest.fixture
def skyward_profile(ready_connection, login, hr_operator, django_capture_on_commit_callbacks):
    """The operator maps a Skyward file once (a column by hand, a building code on the code
    page) and saves it as the profile "Skyward export"."""
    client = login(hr_operator)
    hr_import, _ = _upload(client, ready_connection)
    assert "Skyward Key" not in hr_import.column_map
    columns = {f"col_{i}": hr_import.column_map.get(h, "") for i, h in enumerate(hr_import.headers)}
    columns["col_0"] = "staff_number"
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/boi/imports/{hr_import.id}/columns/", columns)
    hr_import.refresh_from_db()
    assert hr_import.unmapped == {"location": {"BLDG-7": 1}}
    client.post(f"/boi/imports/{hr_import.id}/codes/", {"c0": "010"})
    client.post(f"/boi/imports/{hr_import.id}/profile/", {"name": "Skyward export"})
    return MappingProfile.objects.get(name="Skyward export")


def test_a_profile_keeps_the_column_mapping_and_the_code_mappings(skyward_profile):
    assert skyward_profile.column_map["Skyward Key"] == "staff_number"
    assert skyward_profile.column_map["Orig Hire Dt"] == "hire_date"
    assert {
        "kind": "location",
        "hr_value": "BLDG-7",
        "campus_value": "010",
        "title_code": "",
        "title_description": "",
    } in (skyward_profile.code_mappings)


def test_the_next_upload_picks_the_profile_and_says_what_it_did(
    skyward_profile, ready_connection, login, hr_operator
):
    MappingValue.objects.filter(hr_value="BLDG-7").delete()  # say, mapped away since
    client = login(hr_operator)
    hr_import, response = _upload(client, ready_connection, profile=skyward_profile.id)
    assert hr_import.column_map["Skyward Key"] == "staff_number"
    assert hr_import.column_map == skyward_profile.column_map
    assert MappingValue.objects.get(hr_value="BLDG-7").campus_value == "010"
    page = client.get(response.url)
    said = [str(m) for m in page.context["messages"]]
    assert any("9 of 9 columns mapped as the profile says; 1 code mapping added" in m for m in said)


def test_a_header_spelled_a_little_differently_still_takes_the_profile_column(
    skyward_profile,
):
    from boi.services.profiles import column_map_with

    headers = ["SKYWARD_KEY", "Last Name", "Gender"]
    chosen = column_map_with(skyward_profile.column_map, headers, {"Last Name": "last_name"})
    assert chosen == {"SKYWARD_KEY": "staff_number", "Last Name": "last_name", "Gender": "sex"}


def test_a_profile_is_duplicated_and_deleted_from_the_connection_page(
    skyward_profile, ready_connection, login, hr_operator
):
    client = login(hr_operator)
    page = client.get(f"/boi/connections/{ready_connection.id}/")
    assert "Skyward export" in page.content.decode()
    client.post(f"/boi/profiles/{skyward_profile.id}/copy/", {"name": "Skyward (2027)"})
    copy = MappingProfile.objects.get(name="Skyward (2027)")
    assert copy.column_map == skyward_profile.column_map
    response = client.post(
        f"/boi/profiles/{skyward_profile.id}/copy/", {"name": "Skyward (2027)"}, follow=True
    )
    assert MappingProfile.objects.count() == 2
    assert "Give the copy a name no other profile has." in response.content.decode()
    client.post(f"/boi/profiles/{skyward_profile.id}/delete/")
    assert list(MappingProfile.objects.values_list("name", flat=True)) == ["Skyward (2027)"]


def test_saving_under_the_same_name_edits_the_profile(
    skyward_profile, login, hr_operator, django_capture_on_commit_callbacks
):
    client = login(hr_operator)
    hr_import = HrImport.objects.latest("id")
    columns = {f"col_{i}": hr_import.column_map.get(h, "") for i, h in enumerate(hr_import.headers)}
    columns["col_6"] = ""  # the operator stops reading Bldg
    columns["col_7"] = ""
    columns["col_8"] = ""
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/boi/imports/{hr_import.id}/columns/", columns)
    client.post(f"/boi/imports/{hr_import.id}/profile/", {"name": "Skyward export"})
    skyward_profile.refresh_from_db()
    assert "Bldg" not in skyward_profile.column_map
    assert MappingProfile.objects.count() == 1


def test_a_profile_is_not_applied_to_a_file_already_checked(skyward_profile, login, hr_operator):
    client = login(hr_operator)
    hr_import = HrImport.objects.latest("id")
    response = client.post(
        f"/boi/imports/{hr_import.id}/apply/", {"profile": skyward_profile.id}, follow=True
    )
    assert "before its rows are checked" in response.content.decode()


def test_an_auditor_cannot_save_a_profile(ready_connection, login, auditor, skyward_profile):
    hr_import = HrImport.objects.latest("id")
    response = login(auditor).post(f"/boi/imports/{hr_import.id}/profile/", {"name": "Mine"})
    assert response.status_code == 403
    assert not MappingProfile.objects.filter(name="Mine").exists()


def test_without_a_profile_the_next_file_is_mapped_as_the_operator_mapped_the_last(
    skyward_profile, ready_connection, login, hr_operator
):
    client = login(hr_operator)
    hr_import, response = _upload(client, ready_connection)
    assert hr_import.column_map["Skyward Key"] == "staff_number"
    said = [str(m) for m in client.get(response.url).context["messages"]]
    assert "1 column mapped as you mapped them in earlier files." in said


def test_a_first_file_has_nothing_to_learn_from(ready_connection, login, hr_operator):
    hr_import, _ = _upload(login(hr_operator), ready_connection)
    assert "Skyward Key" not in hr_import.column_map
