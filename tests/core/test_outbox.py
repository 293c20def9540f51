from django.core.mail import EmailMultiAlternatives, send_mail
from django.test import Client

from idbridge.core.models import OutboxMessage


def test_mail_lands_in_the_outbox_in_the_embedded_default(db, settings):
    settings.EMAIL_BACKEND = "idbridge.core.mail.OutboxBackend"
    message = EmailMultiAlternatives(
        "Welcome to the district",
        "Open https://example.invalid/x",
        to=["new.hire@district.example"],
    )
    message.attach_alternative("<p>Welcome</p>", "text/html")
    message.send()
    stored = OutboxMessage.objects.get()
    assert stored.to == ["new.hire@district.example"]
    assert stored.body_html == "<p>Welcome</p>"
    assert "multipart/alternative" in stored.raw


def test_outbox_page_lists_and_shows_messages(client, district_admin, outsider, settings):
    settings.EMAIL_BACKEND = "idbridge.core.mail.OutboxBackend"
    send_mail("Your invitation", "Hello", None, ["a@district.example"])
    client.force_login(district_admin)
    listing = client.get("/outbox/")
    assert b"Your invitation" in listing.content
    message = OutboxMessage.objects.get()
    assert b"Hello" in client.get(f"/outbox/{message.pk}/").content
    client.force_login(outsider)
    assert client.get(f"/outbox/{message.pk}/").status_code == 403


def test_only_district_admins_read_the_outbox(client, hr_operator, auditor, district_admin):
    send_mail("Your invitation", "Hello", None, ["a@district.example"])
    message = OutboxMessage.objects.get()
    for insider in (hr_operator, auditor):
        client.force_login(insider)
        assert client.get("/outbox/").status_code == 403
        assert client.get(f"/outbox/{message.pk}/").status_code == 403
        assert b'href="/outbox/"' not in client.get("/").content
    client.force_login(district_admin)
    assert b'href="/outbox/"' in client.get("/").content


def test_every_page_says_the_outbox_is_an_evaluation_mode(client, hr_operator):
    banner = b"Evaluation mode:"
    assert banner in client.get("/accounts/login/").content
    client.force_login(hr_operator)
    assert banner in client.get("/staff/").content
    assert banner in Client().post("/staff/welcome/not-a-link/").content  # the applicant's


def test_with_real_mail_the_outbox_is_gone_for_everyone(client, district_admin, settings):
    send_mail("Your invitation", "Hello", None, ["a@district.example"])  # from before
    message = OutboxMessage.objects.get()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    client.force_login(district_admin)
    assert client.get("/outbox/").status_code == 404
    assert client.get(f"/outbox/{message.pk}/").status_code == 404
    home = client.get("/").content
    assert b'href="/outbox/"' not in home and b"Evaluation mode:" not in home
