"""The SSO answer to a person already signed in: read the session, write nothing to it,
and still audit every assertion and refuse every replay."""

import pytest
from django.contrib.sessions.models import Session

from idbridge.audit.models import AuditEntry
from tests.stepup.conftest import authn_request_url, browser, signed_in_session

pytestmark = pytest.mark.django_db(transaction=True)


def session_row(key: str) -> tuple:
    row = Session.objects.get(session_key=key)
    return row.session_data, row.expire_date


def answer(client, idp_url, session):
    _, url = authn_request_url(client, idp_url)
    response = session.get(url, allow_redirects=False, timeout=30)
    assert response.status_code == 200 and 'name="SAMLResponse"' in response.text
    return response


def test_a_second_answer_to_a_signed_in_person_does_not_rewrite_their_session(
    idp_at_live_server, register_sp, sp_client
):
    register_sp()
    client, key = sp_client(), signed_in_session()
    session = browser(key)
    answer(client, idp_at_live_server.url, session)  # notes the NameID issued: a change
    before = session_row(key)
    response = answer(client, idp_at_live_server.url, session)
    assert session_row(key) == before
    assert "sessionid" not in response.cookies


def test_every_answer_is_audited_even_when_the_session_is_not_written(
    idp_at_live_server, register_sp, sp_client
):
    register_sp()
    client, session = sp_client(), browser(signed_in_session())
    for _ in range(3):
        answer(client, idp_at_live_server.url, session)
    assert AuditEntry.objects.filter(action="stepup.assertion_issued").count() == 3
