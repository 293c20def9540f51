"""Every write of the step-up IdP, each with its audit entry in the same transaction.

One module per thing written: ``state`` (the IdP's state row and configuration version),
``signing_keys``, ``service_providers``, ``policies`` (step-up policies), ``replay`` (the
request-ID cache) and ``decisions`` (the audit trail of the SSO flow and passkey checks).
Callers import a service from its module (``from stepup.services.signing_keys import
signing_key_ensure``).
"""
