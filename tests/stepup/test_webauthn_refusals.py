"""A passkey answer py_webauthn refuses reads as a sentence for the person at the device,
never the library's protocol text (which goes to the log)."""

import json
import os

import pytest
from webauthn.helpers import bytes_to_base64url

from stepup import webauthn
from stepup.ceremonies.common import relying_party
from tests.stepup.authenticator import SoftwarePasskey

pytestmark = pytest.mark.django_db


def _answer(passkey, challenge: bytes, **kwargs) -> str:
    options = {"challenge": bytes_to_base64url(challenge), "rpId": relying_party().id}
    return json.dumps(passkey.assertion(options, **kwargs))


def _refusal(passkey, challenge, credential_json, *, sign_count=0) -> str:
    with pytest.raises(webauthn.PasskeyError) as refused:
        webauthn.verify_authentication(
            relying_party(),
            challenge,
            credential_json,
            public_key=passkey.cose_public_key(),
            sign_count=sign_count,
        )
    return str(refused.value)


def test_a_counter_that_went_backwards_is_explained_not_quoted(caplog):
    passkey, challenge = SoftwarePasskey("u1"), os.urandom(32)
    words = _refusal(passkey, challenge, _answer(passkey, challenge), sign_count=5)
    assert words.startswith("The passkey check failed. This passkey was refused")
    assert "copied" in words and "sign count" not in words.lower()
    logged = [r.detail for r in caplog.records if r.name == "stepup.webauthn"]
    assert "was not greater than current count" in logged[0]  # the detail goes to the log


def test_an_answer_to_another_challenge_or_origin_reads_as_words():
    passkey = SoftwarePasskey("u1")
    stale = _refusal(passkey, os.urandom(32), _answer(passkey, os.urandom(32)))
    assert (
        stale
        == "The passkey check failed. This check had expired or was already answered. Try again."
    )
    challenge = os.urandom(32)
    elsewhere = _refusal(passkey, challenge, _answer(passkey, challenge, origin="https://x.test"))
    assert "another address of this site" in elsewhere and "x.test" not in elsewhere
