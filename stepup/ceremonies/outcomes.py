"""Why a passkey ceremony did not succeed, in words: pure, no Django.

Two sources, one vocabulary (``Failure.code`` in the audit details, ``Failure.audit`` its
words), so the audit log tells apart the four ways a check most often fails:

- **cancelled**: the person stopped it, with the page's Cancel (``AbortError``) or at
  the browser's or device's prompt (``NotAllowedError`` before the time ran out);
- **timed out**: nobody answered the device in time: the browser says
  ``NotAllowedError`` too, so ``static/stepup/passkey.js`` reports ``TimeoutError``
  when that came after the ceremony's own timeout had passed;
- **user verification missing**: an answer the server refused because the device did
  not verify the person (no fingerprint, face or screen lock: the UV flag is off);
- **unknown credential**: an answer from a passkey the district does not know (or has
  disabled, or whose owner is not verified: each its own code).

The browser reports a failed ``navigator.credentials.get()``/``create()`` as a
DOMException whose *name* is all a page may rely on (its message is the browser's own,
e.g. Chromium's "The operation either timed out or was not allowed. See: https://…"):
:func:`browser_failure` reads that name. The server's refusals use the constants below.

>>> browser_failure("NotAllowedError").code
'cancelled'
>>> browser_failure("TimeoutError").audit
'timed out (nobody answered the device in time)'
>>> browser_failure("SomethingNew").code
'other'
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Failure:
    code: str  # stable, for the audit details and tests
    audit: str  # the audit log's words


CANCELLED_AT_PROMPT = Failure(
    "cancelled", "cancelled at the browser's or device's prompt (or declined there)"
)
CANCELLED_ON_PAGE = Failure("cancelled", "cancelled (the page's Cancel)")
TIMED_OUT = Failure("timed-out", "timed out (nobody answered the device in time)")
UV_MISSING = Failure(
    "uv-missing",
    "refused: the device did not verify the person (no fingerprint, face or screen lock)",
)
UNKNOWN_CREDENTIAL = Failure("unknown-credential", "refused: a passkey the district does not know")
DISABLED_CREDENTIAL = Failure("disabled-credential", "refused: a passkey that was disabled")
UNVERIFIED_PERSON = Failure(
    "unverified-person", "refused: the passkey's owner has not finished onboarding"
)
INVALID_ANSWER = Failure("invalid-answer", "refused: the answer did not verify")

_BROWSER = {
    "NotAllowedError": CANCELLED_AT_PROMPT,
    "TimeoutError": TIMED_OUT,
    "AbortError": CANCELLED_ON_PAGE,
    "InvalidStateError": Failure(
        "already-registered", "refused by the device: this passkey is already registered"
    ),
    "SecurityError": Failure(
        "wrong-address", "refused by the browser: the page's address does not match the site"
    ),
    "NotSupportedError": Failure(
        "not-supported", "refused by the browser: no passkey support on this device"
    ),
}
OTHER = Failure("other", "not completed (the browser reported another error)")

# Names a page may report (anything else is recorded as OTHER, never echoed).
KNOWN_NAMES = tuple(_BROWSER)


def browser_failure(name: str) -> Failure:
    """The failure a DOMException ``name`` stands for."""
    return _BROWSER.get(name, OTHER)
