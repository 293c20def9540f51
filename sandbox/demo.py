"""The Campus sandbox's part of `make demo` (steps registered with
``idbridge.core.demo.demo_step``).

First (order 10) the district, the demo administrator and the demo API client.
Idempotent: the district is seeded only into an empty sandbox, the demo administrator is
hired once (a district office position, so the REST connection's baseline records them
as existing staff and staff onboarding's demo step can invite them), and the demo API
client is created once; its credentials are kept in ``var/campus_demo_client.json``
(mode 0600) because the sandbox stores the client secret hashed and cannot show it again.

Then (order 25), once staff onboarding's REST connection has taken its baseline of the
seeded district (every seeded staff member recorded as existing, nobody invited), a few
people are hired in the sandbox: the worker's first poll finds and invites them, the way a
district's new hires are invited after it connects idbridge.

Then (order 30) the sandbox's Campus portal, a SAML SP, is registered in the step-up IdP.
This is demo wiring, the one place the sandbox meets ``stepup`` in code; the portal itself
reaches the IdP over SAML only.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from django.conf import settings
from django.contrib.auth.hashers import check_password
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from idbridge.core.demo import demo_step, private_json_write
from sandbox.models import BOI_SCOPE, ApiClient, District, Identity, Person, School, TitleCode
from sandbox.services.clients import (
    api_client_create,
    api_client_rotate_secret,
    api_client_rotate_soap_password,
    client_credentials,
)
from sandbox.services.people import assignment_add
from sandbox.services.seed import district_seed, sandbox_is_empty
from sandbox.sp.metadata import sp_metadata_xml
from staff.demo import DEMO_ADMIN_STAFF_NUMBER, demo_baseline_take
from stepup.models import ServiceProvider
from stepup.saml.metadata import check_loads_in_pysaml2, parse_sp_metadata
from stepup.services.service_providers import (
    service_provider_register,
    service_provider_replace_metadata,
)

DEMO_CLIENT_NAME = "idbridge"
DEMO_STAFF = 300
DEMO_STUDENTS = 600
DEMO_SEED = 2026
DEMO_NEW_HIRES = 3
# The demo administrator's Campus record (the staff number is how staff onboarding finds it).
DEMO_ADMIN_NAME = ("Demo", "Administrator")
DEMO_ADMIN_BIRTH_DATE = date(1980, 1, 15)
ACTOR = "manage.py demo"


def demo_client_path() -> Path:
    return Path(settings.VAR_DIR) / "campus_demo_client.json"


def demo_client_ensure() -> dict:
    """The demo API client's credentials (created, or re-issued if the file was lost)."""
    path = demo_client_path()
    stored = json.loads(path.read_text()) if path.exists() else None
    client = ApiClient.objects.select_related("application").filter(name=DEMO_CLIENT_NAME).first()
    if client is not None and BOI_SCOPE not in client.scope_list:
        # A demo client made before the sandbox had its BOI API: the console needs it.
        client.scopes = f"{client.scopes} {BOI_SCOPE}".strip()
        client.save(update_fields=["scopes"])
    if client is None:
        _, credentials = api_client_create(name=DEMO_CLIENT_NAME, actor=ACTOR)
        private_json_write(path, credentials)
        return credentials
    if (
        stored
        and stored.get("client_id") == client.application.client_id
        and check_password(stored.get("client_secret", ""), client.application.client_secret)
        and client.soap_password.reveal() == stored.get("soap_password")
    ):
        return stored
    credentials = client_credentials(
        client,
        client_secret=api_client_rotate_secret(client=client, actor=ACTOR),
        soap_password=api_client_rotate_soap_password(client=client, actor=ACTOR),
    )
    private_json_write(path, credentials)
    return credentials


@demo_step(order=10, name="campus sandbox")
def sandbox_demo_setup(stdout) -> dict:
    if sandbox_is_empty():
        report = district_seed(
            staff=DEMO_STAFF, students=DEMO_STUDENTS, seed=DEMO_SEED, actor=ACTOR
        )
        stdout.write(
            f"Campus sandbox seeded: {DEMO_STAFF} staff, {DEMO_STUDENTS} students "
            f"({report.counts.get('person', 0)} persons) in {report.seconds:.1f} s."
        )
    else:
        stdout.write(f"Campus sandbox has its district ({Person.objects.count()} persons).")
    demo_admin_hire()
    credentials = demo_client_ensure()
    stdout.write(
        "Campus sandbox: /sandbox/ on the dashboard; SOAP WSDL at "
        "/sandbox/campus/services/IdentityService?wsdl; OneRoster app "
        f"'{credentials['app_name']}'; demo client credentials in {demo_client_path()}."
    )
    return credentials


def demo_admin_hire(*, actor: str = ACTOR) -> Person:
    """The demo administrator as a Campus staff member (once): a person with a staff
    number, a work e-mail and a position at the first school since the district began."""
    person = Person.objects.filter(staff_number=DEMO_ADMIN_STAFF_NUMBER).first()
    if person is not None:
        return person
    domain = District.objects.values_list("email_domain", flat=True).first() or "example.org"
    with transaction.atomic():
        person = Person.objects.create(
            staff_number=DEMO_ADMIN_STAFF_NUMBER,
            birth_date=DEMO_ADMIN_BIRTH_DATE,
            work_email=f"demo.administrator@{domain}",
        )
        first, last = DEMO_ADMIN_NAME
        Identity.objects.create(person=person, first_name=first, last_name=last)
        assignment_add(
            person=person,
            school=School.objects.order_by("pk").first(),
            start_date=date(timezone.localdate().year - 1, 7, 1),
            title_code=TitleCode.objects.order_by("pk").first(),
            actor=actor,
        )
    return person


def new_hires_add(count: int, *, actor: str = ACTOR) -> list[Person]:
    """Hire ``count`` people who hold no position yet (nor are students), each with an
    email address to be invited at: a teaching position at the first school from today."""
    school = School.objects.order_by("pk").first()
    title = TitleCode.objects.order_by("pk").first()
    people = list(
        Person.objects.filter(assignments__isnull=True, student__isnull=True)
        .exclude(Q(work_email="") & Q(personal_email=""))
        .order_by("pk")[:count]
    )
    for person in people:
        _hire_paperwork(person)
        assignment_add(
            person=person,
            school=school,
            start_date=timezone.localdate(),
            title_code=title,
            actor=actor,
        )
    return people


def _hire_paperwork(person: Person) -> None:
    """What HR gives a new hire before their first day: a staff number and a work e-mail
    (the invitation goes there; the personal e-mail or mobile Campus already had becomes
    the second channel for the proofing code)."""
    identity = person.identities.order_by("-pk").first()
    domain = District.objects.values_list("email_domain", flat=True).first() or "example.org"
    names = [identity.first_name, identity.last_name] if identity else ["new.hire", str(person.pk)]
    local = ".".join("".join(c for c in n.lower() if c.isalnum()) for n in names)
    person.staff_number = person.staff_number or str(900000 + person.pk)
    person.work_email = person.work_email or f"{local}.{person.pk}@{domain}"
    person.save(update_fields=["staff_number", "work_email"])


@demo_step(order=25, name="campus new hires")
def sandbox_new_hires_setup(stdout) -> None:
    # Only in the run that took the baseline: a second run hires nobody more.
    if not demo_baseline_take(stdout):
        return
    hired = new_hires_add(DEMO_NEW_HIRES)
    names = ", ".join(p.work_email for p in hired)
    stdout.write(
        f"Campus sandbox: {len(hired)} new hires after the baseline ({names}); "
        "the worker's first poll invites them."
    )


def campus_sandbox_sp_register(*, actor: str = ACTOR) -> str:
    """Register the Campus sandbox's portal (a SAML SP, ``sandbox/sp``) in the step-up IdP.

    Idempotent: the first run registers the SP's metadata (signed requests required, every
    attribute released); later runs replace it when it changed, e.g. when
    ``PUBLIC_BASE_URL`` moved its ACS and logout URLs. Returns what happened:
    ``registered``, ``updated`` or ``unchanged``.
    """
    parsed = parse_sp_metadata(sp_metadata_xml())
    check_loads_in_pysaml2(parsed.xml)
    sp = ServiceProvider.objects.filter(entity_id=parsed.entity_id).first()
    if sp is None:
        service_provider_register(
            metadata=parsed,
            actor=actor,
            name="Campus sandbox portal",
            require_signed_requests=True,
            released_attributes=list(ServiceProvider.DEFAULT_ATTRIBUTES),
        )
        return "registered"
    if sp.metadata_xml != parsed.xml:
        service_provider_replace_metadata(sp=sp, metadata=parsed, actor=actor)
        return "updated"
    return "unchanged"


@demo_step(order=30, name="campus portal sp")
def campus_sandbox_sp_setup(stdout) -> None:
    # The sandbox's Campus portal signs people in through the step-up IdP.
    outcome = campus_sandbox_sp_register()
    stdout.write(
        f"Campus portal SAML SP {outcome} in the step-up IdP "
        f"({settings.PUBLIC_BASE_URL}/sandbox/campus/portal/)."
    )
