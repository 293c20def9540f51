"""A search box takes ``%``, ``_`` and ``\\`` as the characters typed, not as wildcards,
and markup typed into it comes back as text (reflected XSS)."""

from urllib.parse import quote

import pytest

from idbridge.audit.models import AuditEntry
from idbridge.audit.selectors import entry_list
from idbridge.audit.services import audit_record

pytestmark = pytest.mark.django_db

TYPED = ["%", "_", "\\", "%%", "a%b", "_%_", "'", "\\%"]
SEARCHES = ["/audit/?target={}", "/audit/?actor={}", "/staff/?q={}", "/outbox/?q={}"]


@pytest.fixture
def entries(db):
    audit_record(actor="test", action="test.thing", target="Lincoln Elementary")
    audit_record(actor="test", action="test.thing", target="100% done_now")


@pytest.mark.parametrize("typed", TYPED)
def test_a_wildcard_matches_only_itself(entries, typed):
    found = set(entry_list(target=typed).values_list("target", flat=True))
    expected = {t for t in AuditEntry.objects.values_list("target", flat=True) if typed in t}
    assert found == expected


@pytest.mark.parametrize("typed", [*TYPED, "<script>alert(1)</script>", '"><img src=x>'])
@pytest.mark.parametrize("search", SEARCHES)
def test_every_search_box_reads_what_was_typed_and_echoes_it_as_text(
    entries, login, district_admin, search, typed
):
    response = login(district_admin).get(search.format(quote(typed)))
    assert response.status_code == 200
    page = response.content.decode()
    assert "<script>alert" not in page and "<img src=x" not in page
