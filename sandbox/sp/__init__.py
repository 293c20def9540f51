"""The Campus sandbox as a SAML service provider (djangosaml2): the Campus portal.

It reaches idbridge only over SAML/HTTP, like a real Campus: it never imports ``stepup``,
``staff`` or ``boi``. See docs/adr/0008-sandbox-sp.md.
"""
