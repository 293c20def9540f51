"""SAML protocol code for the step-up IdP: no Django imports in this package.

``xmlsec_backend`` signs in-process, ``keys`` makes key pairs, ``metadata`` reads SP
metadata, ``requests`` validates AuthnRequests strictly, ``idp`` builds the pysaml2 server
and its responses. The Django glue lives in ``stepup/runtime.py`` and ``stepup/idp_views.py``.
"""
