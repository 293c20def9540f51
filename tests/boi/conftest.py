import io

import pytest

from tests.boi.fakeboi import FakeBoi


@pytest.fixture
def fake_boi(monkeypatch):
    """The BOI API, in process: every client the console builds talks to it."""
    fake = FakeBoi()
    monkeypatch.setattr("boi.client.session_factory", lambda: fake)
    return fake


@pytest.fixture
def boi_connection(db, fake_boi):
    from boi.models import BoiConnection

    return BoiConnection.objects.create(
        name="Campus",
        client_id="idb",
        client_secret="s3cret",
        token_url="https://campus.example/campus/oauth2/token?appName=idb",
        base_url="https://campus.example/campus/api/boi/v1/",
    )


@pytest.fixture
def ready_connection(boi_connection):
    """A connection whose Campus lists are fetched, with a few mapping rows."""
    from boi.services.connections import campus_lists_fetch, mapping_save

    campus_lists_fetch(connection=boi_connection, actor="test")
    mapping_save(
        connection=boi_connection, kind="location", hr_value="HS1", campus_value="030", actor="test"
    )
    mapping_save(
        connection=boi_connection,
        kind="job",
        hr_value="TCH",
        campus_value="20",
        title_code="T100",
        actor="test",
    )
    mapping_save(
        connection=boi_connection,
        kind="job",
        hr_value="COACH",
        title_code="T900",
        title_description="Varsity coach",
        actor="test",
    )
    return boi_connection


HEADER = (
    "staff_number,last_name,first_name,sex,ssn,birth_date,hire_date,location,job_code,"
    "position_start_date,address_full,address_city,address_state,address_zip\n"
)


def hr_csv(rows: list[str]) -> bytes:
    return (HEADER + "\n".join(rows) + "\n").encode()


def good_row(n: int, *, last="Ng", address="4321 North Lexington Avenue") -> str:
    return (
        f"E{n:05d},{last},Ana{n},F,123-45-{n % 10000:04d},1980-01-0{1 + n % 9},2020-08-01,HS1,TCH,"
        f"2020-08-01,{address},Blaine,MN,55123"
    )


@pytest.fixture
def upload(ready_connection, django_capture_on_commit_callbacks):
    """Upload bytes as an HR file and check it (tasks run eagerly in unit tests)."""
    from boi import storage
    from boi.services.imports import hr_import_map_columns, hr_import_upload

    def _upload(data: bytes, name="hr.csv", column_map=None):
        stored = storage.store(io.BytesIO(data))
        hr_import = hr_import_upload(
            connection=ready_connection, file_name=name, stored=stored, actor="test"
        )
        with django_capture_on_commit_callbacks(execute=True):
            hr_import_map_columns(
                hr_import=hr_import, column_map=column_map or hr_import.column_map, actor="test"
            )
        hr_import.refresh_from_db()
        return hr_import

    return _upload


def verified_staff_record(user, *, email=None):
    """``user`` as onboarded district staff: a Campus staff record whose onboarding case is
    verified, i.e. someone whose passkey the step-up IdP accepts (and whose subject its
    loader, ``stepup.subjects.set_subject_loader``, keeps signed in)."""
    from django.utils import timezone

    from staff.models import CampusConnection, OnboardingCase, StaffMember
    from staff.transitions import State

    connection, _ = CampusConnection.objects.get_or_create(
        name="Campus (staff)", defaults={"kind": "rest"}
    )
    member, _ = StaffMember.objects.get_or_create(
        connection=connection,
        campus_key=f"staff-{user.pk}-{email or user.email}",
        defaults={
            "first_name": user.first_name or user.username,
            "last_name": user.last_name or "Operator",
            "birth_date": "1980-01-01",
            "work_email": email or user.email,
        },
    )
    OnboardingCase.objects.get_or_create(
        staff_member=member, defaults={"state": State.VERIFIED, "verified_at": timezone.now()}
    )
    return member


def passkey_check_in_session(session, user, *, at=None, email=None) -> None:
    """SIMULATED step-up: what the passkey ceremony behind ``stepup:authenticate`` records
    after a verified, user-verified assertion with ``user``'s passkey
    (``sso_session_start``: the subject, then the event), written into ``session`` on the
    server. ``email``: the staff record is someone else's (another address)."""
    from django.utils import timezone

    from stepup.policy import PASSKEY
    from stepup.subjects import EVENTS_KEY, SUBJECT_KEY, Subject

    member = verified_staff_record(user, email=email)
    subject = Subject(
        subject_id=member.user_handle,
        staff_number=member.staff_number,
        email=member.work_email,
        given_name=member.first_name,
        surname=member.last_name,
        display_name=member.display_name,
        campus_person_id=member.campus_key,
    )
    session[SUBJECT_KEY] = subject.to_session()
    session[EVENTS_KEY] = [
        {"method": PASSKEY, "at": (at or timezone.now()).isoformat(), "user_verified": True}
    ]
    session.save()
