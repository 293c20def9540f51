"""Every WebAuthn ceremony idbridge runs, one module per use case:

- ``enrollment``: the applicant registers their first passkey at the end of onboarding
  (``/staff/onboarding/passkey/``);
- ``signin``: usernameless sign-in to the IdP and the fresh check of a step-up
  (``/stepup/authenticate/``), with the sign-count conditional update;
- ``own``: a verified staff member adds, renames and retires their passkeys
  (``/staff/me/passkeys/``), behind the one freshness gate (``stepup.gates``).

``common`` holds what they share: the relying party, the challenge kept in the session
between options and verify, and :class:`CeremonyRefused`; ``limits`` the rate limits
(per credential, per case, under a per-address ceiling). The protocol itself is
``stepup.webauthn`` (no Django). Views in ``views/`` parse, gate, call one service here
and render; the Passkey rows are written by ``staff.services.passkeys``.
"""
