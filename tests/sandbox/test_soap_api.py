"""The SOAP Identity Service through a real zeep client against a live server."""

import time
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import pytest
import requests
import zeep
from django.db.models import F
from django.test import override_settings
from django.utils import timezone
from lxml import etree
from zeep.exceptions import Fault, TransportError
from zeep.transports import Transport
from zeep.wsse.username import UsernameToken

from sandbox import faults
from sandbox.models import DistrictAssignment, Identity, Person, SoapSession, Student

pytestmark = pytest.mark.django_db(transaction=True)


def client(sandbox, *, password=None, digest=True, username=None, **token_kwargs):
    token = UsernameToken(
        username or sandbox.username,
        sandbox.password if password is None else password,
        use_digest=digest,
        **token_kwargs,
    )
    return zeep.Client(sandbox.wsdl, wsse=token, transport=Transport(session=sandbox.http))


def fault_detail_code(fault: Fault) -> str:
    return next(
        el.text
        for el in fault.detail.iter()
        if isinstance(el.tag, str) and el.tag.endswith("}code")
    )


def a_staff_member():
    return (
        Person.objects.filter(assignments__isnull=False, staff_number__gt="")
        .distinct()
        .order_by("pk")
        .first()
    )


def test_zeep_loads_the_wsdl_and_posts_to_the_host_that_served_it(soap_sandbox):
    zc = zeep.Client(soap_sandbox.wsdl, transport=Transport(session=soap_sandbox.http))
    port = zc.wsdl.services["IdentityService"].ports["IdentityServicePort"]
    assert port.binding_options["address"] == soap_sandbox.endpoint
    assert set(port.binding._operations) == {"Authenticate", "GetPerson"}


def test_a_digest_username_token_authenticates_and_reads_a_staff_member(soap_sandbox, district):
    zc = client(soap_sandbox)
    before = datetime.now(UTC)
    # zeep unwraps GetPersonResponse (a single element) into its Person.
    session = zc.service.Authenticate()
    assert len(session.sessionID) >= 32
    lifetime = session.expiresAt - before
    assert timedelta(minutes=29) < lifetime <= timedelta(minutes=30, seconds=5)

    staff = a_staff_member()
    person = zc.service.GetPerson(personID=staff.pk, sessionID=session.sessionID)
    identity = Identity.objects.get(person=staff, is_current=True)
    assert person.personID == staff.pk
    assert person.staffNumber == staff.staff_number
    assert (person.firstName, person.lastName) == (identity.first_name, identity.last_name)
    assert person.isStaff is True
    assert person.birthDate == staff.birth_date
    assert person.workEmail == staff.work_email
    assert person.dateModified == staff.date_modified.replace(
        microsecond=staff.date_modified.microsecond
    )
    positions = DistrictAssignment.objects.filter(person=staff).order_by("start_date", "id")
    got = person.assignments.assignment
    assert [a.schoolNumber for a in got] == [p.school.number for p in positions]
    assert [a.startDate for a in got] == [p.start_date for p in positions]
    assert [a.titleCode for a in got] == [
        p.title_code.code if p.title_code else None for p in positions
    ]


def test_a_plain_text_password_also_authenticates(soap_sandbox, district):
    zc = client(soap_sandbox, digest=False)
    session = zc.service.Authenticate()
    student = Student.objects.select_related("person").first().person
    person = zc.service.GetPerson(personID=student.pk, sessionID=session.sessionID)
    assert person.isStaff is False
    assert person.assignments is None or person.assignments.assignment == []  # empty element


@pytest.mark.parametrize("digest", [True, False])
def test_a_wrong_password_gives_failed_authentication(soap_sandbox, digest):
    with pytest.raises(Fault) as exc:
        client(soap_sandbox, password="wrong-password", digest=digest).service.Authenticate()
    assert exc.value.code == "wsse:FailedAuthentication"
    assert fault_detail_code(exc.value) == "InvalidCredentials"


def test_an_unknown_user_gets_the_same_fault_as_a_wrong_password(soap_sandbox):
    with pytest.raises(Fault) as exc:
        client(soap_sandbox, username="nobody").service.Authenticate()
    assert fault_detail_code(exc.value) == "InvalidCredentials"


def test_authenticate_without_a_username_token_is_refused(soap_sandbox):
    with pytest.raises(Fault) as exc:
        zeep.Client(
            soap_sandbox.wsdl, transport=Transport(session=soap_sandbox.http)
        ).service.Authenticate()
    assert exc.value.code == "wsse:InvalidSecurity"
    assert fault_detail_code(exc.value) == "MissingSecurityHeader"


def test_an_expired_session_gives_session_expired(soap_sandbox, district):
    zc = client(soap_sandbox)
    session_id = zc.service.Authenticate().sessionID
    SoapSession.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    with pytest.raises(Fault) as exc:
        zc.service.GetPerson(personID=a_staff_member().pk, sessionID=session_id)
    assert exc.value.code == "tns:SessionExpired"
    assert fault_detail_code(exc.value) == "SessionExpired"


def test_sessions_expire_early_when_the_fault_switch_says_so(soap_sandbox, district):
    faults.faults_set(actor="tests", session_seconds=1)
    zc = client(soap_sandbox)
    session = zc.service.Authenticate()
    assert session.expiresAt - datetime.now(UTC) < timedelta(seconds=2)
    # The session's second goes by: its row moves 1.2 s into the past.
    SoapSession.objects.update(
        created_at=F("created_at") - timedelta(seconds=1.2),
        expires_at=F("expires_at") - timedelta(seconds=1.2),
    )
    with pytest.raises(Fault) as exc:
        zc.service.GetPerson(personID=a_staff_member().pk, sessionID=session.sessionID)
    assert fault_detail_code(exc.value) == "SessionExpired"


@pytest.mark.parametrize("session_id", ["", "not-a-session"])
def test_a_missing_or_unknown_session_gives_invalid_session(soap_sandbox, district, session_id):
    with pytest.raises(Fault) as exc:
        client(soap_sandbox).service.GetPerson(personID=1, sessionID=session_id)
    assert exc.value.code == "tns:InvalidSession"


def test_a_new_soap_password_ends_the_clients_sessions(soap_sandbox, district):
    from sandbox.models import ApiClient
    from sandbox.services.clients import api_client_rotate_soap_password

    zc = client(soap_sandbox)
    session_id = zc.service.Authenticate().sessionID
    api_client_rotate_soap_password(client=ApiClient.objects.get(name="Legacy HR"), actor="tests")
    with pytest.raises(Fault) as exc:
        zc.service.GetPerson(personID=1, sessionID=session_id)
    assert fault_detail_code(exc.value) == "InvalidSession"


def test_an_unknown_person_gives_person_not_found(soap_sandbox, district):
    zc = client(soap_sandbox)
    session_id = zc.service.Authenticate().sessionID
    with pytest.raises(Fault) as exc:
        zc.service.GetPerson(personID=10_000_000, sessionID=session_id)
    assert exc.value.code == "tns:PersonNotFound"


def test_a_callers_fault_is_not_logged_as_a_server_error(soap_sandbox, district, caplog):
    zc = client(soap_sandbox)
    session_id = zc.service.Authenticate().sessionID
    with caplog.at_level("INFO"), pytest.raises(Fault):
        zc.service.GetPerson(personID=10_000_000, sessionID=session_id)
    assert not [r for r in caplog.records if r.levelname == "ERROR"]
    assert [r for r in caplog.records if r.getMessage() == "soap fault"]


def test_a_replayed_nonce_is_refused(soap_sandbox):
    created = datetime.now(UTC).replace(microsecond=0)
    zc = client(soap_sandbox, nonce="the-same-nonce-16", created=created)
    zc.service.Authenticate()
    with pytest.raises(Fault) as exc:
        zc.service.Authenticate()
    assert exc.value.code == "tns:NonceReplayed"


def test_a_created_time_outside_five_minutes_is_refused(soap_sandbox):
    stale = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=6)
    with pytest.raises(Fault) as exc:
        client(soap_sandbox, created=stale).service.Authenticate()
    assert exc.value.code == "wsse:MessageExpired"


XXE = """<?xml version="1.0"?>
<!DOCTYPE foo [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"
  xmlns:tns="urn:idbridge:campus-sandbox:identity:1"><soap:Body>
<tns:GetPersonRequest><tns:personID>&xxe;</tns:personID><tns:sessionID>x</tns:sessionID>
</tns:GetPersonRequest></soap:Body></soap:Envelope>"""
LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE l [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">]>
<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>
<AuthenticateRequest>&d;</AuthenticateRequest></soap:Body></soap:Envelope>"""


@pytest.mark.parametrize("payload", [XXE, LAUGHS])
def test_an_xxe_or_entity_expansion_payload_gets_a_fault_and_nothing_else(soap_sandbox, payload):
    response = requests.post(
        soap_sandbox.endpoint,
        data=payload.encode(),
        headers={"Content-Type": "text/xml; charset=utf-8"},
        timeout=10,
    )
    assert response.status_code == 500
    body = etree.fromstring(response.content)
    assert body.findtext(".//faultcode") == "soap:Client"
    assert "MalformedRequest" in response.text
    assert "root:" not in response.text and "aaaaaaaaaa" not in response.text
    assert faults.counters_get()["soap.invalid"] == 1


@override_settings(CAMPUS_SANDBOX_AUTH_FAILURE_LIMIT=2)
def test_repeated_failed_authentications_are_rate_limited(soap_sandbox):
    for _ in range(2):
        with pytest.raises(Fault):
            client(soap_sandbox, password="guess").service.Authenticate()
    with pytest.raises(Fault) as exc:
        client(soap_sandbox).service.Authenticate()  # even the right password, for now
    assert exc.value.code == "tns:RateLimited"
    assert (
        int(
            next(
                el.text
                for el in exc.value.detail.iter()
                if str(el.tag).endswith("retryAfterSeconds")
            )
        )
        > 0
    )


def test_counters_count_authentications_and_person_reads(soap_sandbox, district):
    faults.counters_reset()
    zc = client(soap_sandbox)
    session_id = zc.service.Authenticate().sessionID
    for person in Person.objects.order_by("pk")[:3]:
        zc.service.GetPerson(personID=person.pk, sessionID=session_id)
    counts = faults.counters_get()
    assert counts["soap.Authenticate"] == 1
    assert counts["soap.GetPerson"] == 3
    assert counts["soap.wsdl"] >= 1


def test_injected_503s_hit_only_the_chosen_operation(soap_sandbox, district):
    faults.faults_set(actor="tests", error_share=1.0, error_status=503, endpoints="soap.GetPerson")
    zc = client(soap_sandbox)
    session_id = zc.service.Authenticate().sessionID
    with pytest.raises(TransportError) as exc:
        zc.service.GetPerson(personID=1, sessionID=session_id)
    assert exc.value.status_code == 503


def test_half_the_requests_fail_when_the_share_is_one_half(soap_sandbox, district):
    zc = client(soap_sandbox)
    session_id = zc.service.Authenticate().sessionID
    faults.counters_reset()
    faults.faults_set(actor="tests", error_share=0.5, error_status=500, endpoints="soap")
    outcomes = []
    for _ in range(4):
        try:
            zc.service.GetPerson(personID=a_staff_member().pk, sessionID=session_id)
            outcomes.append("ok")
        except Fault as fault:
            assert fault.code == "soap:Server" and fault_detail_code(fault) == "InternalError"
            outcomes.append("fault")
    assert outcomes == ["ok", "fault", "ok", "fault"]


def test_an_injected_429_carries_retry_after(soap_sandbox):
    faults.faults_set(actor="tests", rate_limit_share=1.0, retry_after_seconds=7)
    response = requests.post(
        soap_sandbox.endpoint,
        data=b'<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body>'
        b'<t:AuthenticateRequest xmlns:t="urn:idbridge:campus-sandbox:identity:1"/>'
        b"</s:Body></s:Envelope>",
        timeout=10,
    )
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "7"
    assert "RateLimited" in response.text


def test_latency_and_timeouts_can_be_injected(soap_sandbox, served_requests):
    faults.faults_set(actor="tests", latency_ms=300, endpoints="soap.wsdl")
    started = time.monotonic()
    requests.get(soap_sandbox.wsdl, timeout=10).raise_for_status()
    assert time.monotonic() - started >= 0.3
    faults.faults_set(actor="tests", latency_ms=0, timeout_share=1.0, timeout_seconds=0.5)
    with pytest.raises(requests.Timeout):
        requests.get(soap_sandbox.wsdl, timeout=0.2)
    # Let the server thread finish its slow answer before the test database goes away.
    assert served_requests.wait(urlsplit(soap_sandbox.wsdl).path, count=2)


def test_the_wsdl_needs_the_query_and_other_methods_are_refused(soap_sandbox):
    assert requests.get(soap_sandbox.endpoint, timeout=10).status_code == 400
    assert requests.put(soap_sandbox.endpoint, timeout=10).status_code == 405
