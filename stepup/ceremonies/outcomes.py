"""What a passkey ceremony that the browser gave up on means, in words: pure, no Django.

The browser reports a failed ``navigator.credentials.get()``/``create()`` as a
DOMException whose *name* is all a page may rely on (its message is the browser's own,
e.g. Chromium's "The operation either timed out or was not allowed. See: https://…").
``static/stepup/passkey.js`` tells the person what happened and what to do next, and
reports the name here so the audit log says the same thing.

Browsers deliberately give one name, ``NotAllowedError``, to a check that timed out, was
declined at the fingerprint prompt, or whose user verification failed (so a page cannot
probe which passkeys exist): that is "not completed (timed out or declined)". An explicit
cancel (the page's Cancel button, or ``AbortError`` when the page aborted the call) is
told apart.

>>> browser_failure("NotAllowedError").audit
'not completed (timed out or declined)'
>>> browser_failure("SomethingNew").code
'other'
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class BrowserFailure:
    code: str  # stable, for the audit details and tests
    audit: str  # the audit log's words


_FAILURES = {
    "NotAllowedError": BrowserFailure("not-completed", "not completed (timed out or declined)"),
    "TimeoutError": BrowserFailure("timed-out", "not completed (timed out)"),
    "AbortError": BrowserFailure("cancelled", "cancelled"),
    "InvalidStateError": BrowserFailure(
        "already-registered", "refused by the device: this passkey is already registered"
    ),
    "SecurityError": BrowserFailure(
        "wrong-address", "refused by the browser: the page's address does not match the site"
    ),
    "NotSupportedError": BrowserFailure(
        "not-supported", "refused by the browser: no passkey support on this device"
    ),
}
OTHER = BrowserFailure("other", "not completed (the browser reported another error)")

# Names a page may report (anything else is recorded as OTHER, never echoed).
KNOWN_NAMES = tuple(_FAILURES)


def browser_failure(name: str) -> BrowserFailure:
    """The failure a DOMException ``name`` stands for."""
    return _FAILURES.get(name, OTHER)
