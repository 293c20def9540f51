"""SAML protocol code for the step-up IdP: no Django imports in this package.

``keys`` makes key pairs, ``metadata`` reads SP metadata, ``requests`` validates
AuthnRequests strictly, ``idp`` builds the pysaml2 server and its responses (signed and
encrypted in-process by ``idbridge.saml_crypto``). The Django glue lives in
``stepup/runtime.py`` and ``stepup/idp_views.py``.
"""
