"""Names from the simulated Campus (a person, a school, an e-mail with quotes) are text on
every sandbox page that shows them, and in idbridge's once a poll discovers them."""

import pytest

from sandbox.models import Identity, Person, School
from tests.staff.test_attack_stored_markup import assert_shown_as_text

pytestmark = pytest.mark.django_db

MARKUP = "<img src=x onerror=alert(1)>"


def test_a_person_and_a_school_named_with_markup_are_text_on_the_sandbox_pages(
    client, district_admin, district
):
    staff = Person.objects.filter(assignments__isnull=False).exclude(staff_number="").first()
    Identity.objects.filter(person=staff, is_current=True).update(
        first_name=MARKUP, last_name='"><script>alert(2)</script>'
    )
    School.objects.filter(pk=School.objects.first().pk).update(name=MARKUP)
    client.force_login(district_admin)
    pages = [
        "/sandbox/",
        "/sandbox/staff/",
        "/sandbox/staff/?q=img",
        f"/sandbox/people/{staff.pk}/",
        f"/sandbox/people/{staff.pk}/edit/",
        "/sandbox/boi/",
        "/sandbox/boi/check/",
        "/sandbox/boi/combine/",
    ]
    assert_shown_as_text(client, pages)
    person_page = client.get(f"/sandbox/people/{staff.pk}/").content.decode()
    assert "&lt;img src=x onerror=alert(1)&gt;" in person_page
