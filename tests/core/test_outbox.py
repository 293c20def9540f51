from django.core.mail import EmailMultiAlternatives, send_mail

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
