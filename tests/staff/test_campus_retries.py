"""Retries of Campus calls: a call that changes Campus is sent again only when Campus
surely did not get it."""

import pytest
import requests
import urllib3

from idbridge.connectors.http import call_with_retries
from idbridge.connectors.types import OutcomeUnknown, TransientCampusError


class Answer:
    def __init__(self, status, headers=None):
        self.status_code, self.headers = status, headers or {}


def sender(*outcomes):
    sent = []

    def send():
        sent.append(1)
        outcome = outcomes[min(len(sent), len(outcomes)) - 1]
        if isinstance(outcome, Exception):
            raise outcome
        return Answer(outcome)

    return send, sent


def refused() -> requests.ConnectionError:
    reason = urllib3.exceptions.NewConnectionError(None, "Connection refused")
    return requests.ConnectionError(urllib3.exceptions.MaxRetryError(None, "/", reason))


@pytest.mark.parametrize("first", [503, requests.ReadTimeout(), requests.ConnectionError("reset")])
def test_a_change_campus_may_have_made_is_not_sent_again(first):
    send, sent = sender(first, 200)
    with pytest.raises(OutcomeUnknown):
        call_with_retries(send, what="commit", sleep=lambda s: None, idempotent=False)
    assert len(sent) == 1


@pytest.mark.parametrize("first", [429, requests.ConnectTimeout(), refused()])
def test_a_change_campus_surely_did_not_get_is_sent_again(first):
    send, sent = sender(first, 200)
    answer = call_with_retries(send, what="commit", sleep=lambda s: None, idempotent=False)
    assert answer.status_code == 200 and len(sent) == 2


def test_a_read_is_retried_through_timeouts_and_5xx_then_gives_up():
    send, sent = sender(requests.ReadTimeout(), 503, 502, 504)
    with pytest.raises(TransientCampusError) as failed:
        call_with_retries(send, what="read", sleep=lambda s: None, attempts=4)
    assert not isinstance(failed.value, OutcomeUnknown) and len(sent) == 4


def test_a_session_reads_proxies_and_ca_bundle_from_the_environment_once(monkeypatch):
    from idbridge.connectors.http import environment_settle

    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.district.example:3128")
    monkeypatch.setenv("NO_PROXY", "campus.internal")
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", "/etc/district-ca.pem")
    session = requests.Session()
    environment_settle(session, "https://campus.example/api/", "https://campus.example/token")
    assert not session.trust_env
    assert session.proxies["https"] == "http://proxy.district.example:3128"
    assert session.verify == "/etc/district-ca.pem"
    monkeypatch.setenv("HTTPS_PROXY", "http://elsewhere.example:3128")  # read once: no effect
    sent_with = session.merge_environment_settings(
        "https://campus.example/api/staff", {}, None, None, None
    )
    assert sent_with["proxies"]["https"] == "http://proxy.district.example:3128"
    assert sent_with["verify"] == "/etc/district-ca.pem"


def test_a_session_whose_urls_take_different_proxies_keeps_reading_the_environment(
    monkeypatch,
):
    from idbridge.connectors.http import environment_settle

    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.district.example:3128")
    monkeypatch.setenv("NO_PROXY", "campus.internal")
    session = requests.Session()
    environment_settle(session, "https://campus.example/api/", "https://campus.internal/token")
    assert session.trust_env and session.proxies == {}
