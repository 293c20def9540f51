"""The client address behind the recommended TLS proxy: each client gets its own
per-address budget, and an ``X-Forwarded-For`` from anyone but a trusted proxy buys
nothing."""

import pytest
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.test import Client, RequestFactory, override_settings
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from idbridge.ratelimit import client_address
from tests.ratelimits import one_window  # noqa: F401 (a fixture)

PROXY = "10.0.0.5"
OPTIONS = "/stepup/authenticate/options/"


def address(remote, forwarded=None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return client_address(RequestFactory().get("/", **extra))


@pytest.fixture
def behind_proxy(settings):
    settings.TRUSTED_PROXIES = [PROXY, "10.1.0.0/16"]


def test_without_trusted_proxies_the_peer_is_the_client(settings):
    settings.TRUSTED_PROXIES = []
    assert address("203.0.113.9", "192.0.2.1") == "203.0.113.9"


def test_a_trusted_proxy_names_the_client(behind_proxy):
    assert address(PROXY, "192.0.2.1") == "192.0.2.1"
    assert address(PROXY, " 2001:db8::1 ") == "2001:db8::1"


def test_the_right_most_address_that_is_not_a_proxy_wins(behind_proxy):
    # the client claimed 6.6.6.6; the outer proxy (10.1.2.3) saw 192.0.2.1
    assert address(PROXY, "6.6.6.6, 192.0.2.1, 10.1.2.3") == "192.0.2.1"


def test_an_untrusted_peer_cannot_name_a_client(behind_proxy):
    assert address("203.0.113.9", "192.0.2.1") == "203.0.113.9"


def test_garbage_or_no_header_from_the_proxy_leaves_the_proxy(behind_proxy):
    assert address(PROXY) == PROXY
    assert address(PROXY, "") == PROXY
    assert address(PROXY, "192.0.2.1, not-an-address") == PROXY
    assert address(PROXY, "10.1.0.9") == "10.1.0.9"  # only proxies: the left-most


claimed = st.lists(
    st.one_of(st.ip_addresses().map(str), st.text(alphabet=" ,.:0123456789abcdefx", max_size=20)),
    max_size=5,
)


@hypothesis_settings(deadline=None)  # a shared, loaded machine must not fail it
@given(claimed=claimed, peer=st.ip_addresses(network="192.0.2.0/24").map(str))
def test_whatever_the_client_claims_the_peer_the_proxy_saw_is_counted(claimed, peer):
    with override_settings(TRUSTED_PROXIES=[PROXY]):
        assert address(PROXY, ", ".join([*claimed, peer])) == peer  # the proxy appends
        assert address(peer, ", ".join(claimed)) == peer  # straight from the client


def test_a_bad_trusted_proxy_entry_is_a_configuration_error(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.300"]
    with pytest.raises(ImproperlyConfigured, match="TRUSTED_PROXIES"):
        address(PROXY, "192.0.2.1")


@pytest.mark.django_db
@pytest.mark.usefixtures("one_window")
def test_two_clients_behind_the_proxy_have_their_own_budgets(behind_proxy, settings):
    settings.STEPUP_SIGNIN_REQUESTS_PER_ADDRESS_PER_MINUTE = 3
    cache.clear()
    first = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="192.0.2.1")
    second = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="192.0.2.2")
    assert [first.post(OPTIONS).status_code for _ in range(4)] == [200, 200, 200, 429]
    assert [second.post(OPTIONS).status_code for _ in range(4)] == [200, 200, 200, 429]


@pytest.mark.django_db
@pytest.mark.usefixtures("one_window")
def test_a_spoofed_forwarded_for_does_not_buy_a_fresh_budget(behind_proxy, settings):
    settings.STEPUP_SIGNIN_REQUESTS_PER_ADDRESS_PER_MINUTE = 3
    cache.clear()
    codes = [
        Client(REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR=f"192.0.2.{n}")
        .post(OPTIONS)
        .status_code
        for n in range(5)
    ]
    assert codes == [200, 200, 200, 429, 429]
    # nor through the proxy: the proxy appends the real peer after the claimed one
    spoofed = [
        Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=f"192.0.2.{n}, 198.51.100.7")
        .post(OPTIONS)
        .status_code
        for n in range(5)
    ]
    assert spoofed == [200, 200, 200, 429, 429]


@pytest.mark.django_db
def test_the_audit_log_names_the_client_behind_the_proxy(behind_proxy):
    from idbridge.audit.models import AuditEntry

    browser = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="192.0.2.1")
    assert browser.get("/idp/sso/redirect", {"SAMLRequest": "not-a-request"}).status_code == 400
    entry = AuditEntry.objects.filter(action="stepup.request_refused").latest("id")
    assert entry.details["client_ip"] == "192.0.2.1"
