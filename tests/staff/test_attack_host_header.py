"""Links in mail follow PUBLIC_BASE_URL, never the Host header of the request that caused
the mail (Host header poisoning), even where the allowed hosts are set too wide."""

import re

import pytest

from idbridge.core.models import OutboxMessage
from staff.models import OnboardingCase
from staff.services.discovery import staff_records_from_campus
from tests.staff.conftest import person

pytestmark = pytest.mark.django_db


def test_a_resent_invitation_links_to_the_public_address_whatever_the_host(
    client, hr_operator, connection, settings, django_capture_on_commit_callbacks
):
    settings.ALLOWED_HOSTS = ["*"]
    settings.PUBLIC_BASE_URL = "https://idbridge.district.example"
    staff_records_from_campus(connection=connection, persons=[person(1)])
    case = OnboardingCase.objects.get()
    client.force_login(hr_operator)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            f"/staff/cases/{case.id}/resend/",
            HTTP_HOST="evil.example",
            HTTP_X_FORWARDED_HOST="evil.example",
        )
    body = OutboxMessage.objects.latest("id").body_text
    links = re.findall(r"https?://[^/\s]+", body)
    assert links and set(links) == {"https://idbridge.district.example"}
