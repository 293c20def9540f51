"""The outbox search reads each message's words (``idbridge.search``): written when the
message is stored, folded, matched by their start, every typed word needed; only district
admins search, and only while mail lands in the outbox."""

import pytest
from django.core.mail import send_mail

from idbridge import search
from idbridge.core.models import OutboxMessage, OutboxSearchWord

SUBJECTS = ("Set up your sign-in", "Audit checkpoint", "Réunion de rentrée")


def subjects(client, q: str) -> set[str]:
    html = client.get("/outbox/", {"q": q}).content.decode()
    return {s for s in SUBJECTS if s in html}


@pytest.fixture
def mailed(db, settings):
    settings.EMAIL_BACKEND = "idbridge.core.mail.OutboxBackend"
    send_mail(SUBJECTS[0], "Hello", None, ["Andrea.Nowak@District.example"])
    send_mail(SUBJECTS[1], "Hello", None, ["admins@district.example", "r&d@district.example"])
    send_mail(SUBJECTS[2], "Bonjour", None, ["jose.munoz@district.example"])


def test_a_message_is_stored_with_its_words(mailed):
    message = OutboxMessage.objects.get(subject=SUBJECTS[0])
    words = OutboxSearchWord.objects.filter(message=message).values_list("word", flat=True)
    assert sorted(words) == ["andrea", "district", "example", "in", "nowak", "set", "sign"] + [
        "up",
        "your",
    ]


def test_the_outbox_is_searched_by_the_start_of_words(client, district_admin, mailed):
    client.force_login(district_admin)
    assert subjects(client, "andrea.nowak@district.example") == {SUBJECTS[0]}
    assert subjects(client, "Andr NOW") == {SUBJECTS[0]}
    assert subjects(client, "owak") == set()
    assert subjects(client, "r&d checkpoint") == {SUBJECTS[1]}
    assert subjects(client, "reunion rentree") == {SUBJECTS[2]}
    assert subjects(client, "Réunion") == {SUBJECTS[2]}
    assert subjects(client, "district") == set(SUBJECTS)
    assert subjects(client, "district nowak audit") == set()


def test_common_words_find_the_same_messages(client, district_admin, mailed, monkeypatch):
    client.force_login(district_admin)
    queries = ["district", "district example nowak", "set up", "a", "d e s", "zz", "checkpoint"]
    expected = {q: subjects(client, q) for q in queries}
    assert expected["set up"] == {SUBJECTS[0]} and expected["d e s"] == {SUBJECTS[0]}
    for most, among in ((0, 0), (2, 0), (2, 300), (5, 1), (2000, 0)):
        monkeypatch.setattr(search, "PIECE_READ_MAX", most)
        monkeypatch.setattr(search, "AMONG_MAX", among)
        assert {q: subjects(client, q) for q in queries} == expected


def test_a_deleted_message_takes_its_words_along(mailed):
    OutboxMessage.objects.filter(subject=SUBJECTS[0]).delete()
    assert not OutboxSearchWord.objects.filter(word="nowak").exists()
    assert OutboxSearchWord.objects.filter(word="rentree").exists()


def test_the_words_are_filled_for_messages_stored_before(client, district_admin, mailed):
    written = set(OutboxSearchWord.objects.values_list("message_id", "word"))
    OutboxSearchWord.objects.all().delete()
    search.words_fill(OutboxMessage, OutboxSearchWord, "message_id", batch=2)
    assert set(OutboxSearchWord.objects.values_list("message_id", "word")) == written
    client.force_login(district_admin)
    assert subjects(client, "nowak sign") == {SUBJECTS[0]}


def test_only_district_admins_search_the_outbox(client, hr_operator, auditor, mailed):
    for insider in (hr_operator, auditor):
        client.force_login(insider)
        assert client.get("/outbox/", {"q": "nowak"}).status_code == 403


def test_with_real_mail_the_search_is_gone_too(client, district_admin, mailed, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    client.force_login(district_admin)
    assert client.get("/outbox/", {"q": "nowak"}).status_code == 404
