"""Every write of staff onboarding, one module per part of the story:

- ``cases``: the onboarding case's transitions, revocation, timeline notes, and
  ``OnboardingError`` (a request the case cannot take);
- ``discovery``: what Campus reports about staff (new cases, updates, leavers); a
  connection's first poll, its baseline, records the staff already there as existing;
- ``existing``: HR invites one existing staff member; whom a scope (school, role) takes;
- ``waves``: invitation waves, existing staff invited by scope at a pace, as a job;
- ``invitations``: sending, reminding, expiring and redeeming invitation links;
- ``proofing``: the record check and the supervised document check;
- ``passkeys``: the Passkey rows (enrollment, a second device, rename, retire);
- ``connections``: Campus connection settings, tests and polls.

Each service validates, saves, audits in the same transaction, and enqueues mail or
tasks only once the transaction commits. The WebAuthn ceremonies that produce passkeys
live in ``stepup.ceremonies``; they hand the services plain data (``NewPasskey``).
"""
