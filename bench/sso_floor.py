"""The floor of the "sso" case: what any answer of idbridge's shape costs at least.

A WSGI application that answers every request with a freshly built signed Response
(Response and Assertion signed with the IdP's key, as ``stepup.saml.assertion`` builds
them) in a form, and does nothing else: no request parsing or signature check, no
session, subject or policy, no replay claim, no audit entry, no Django middleware.
Served by gunicorn as idbridge is, it measures gunicorn plus the two RSA-2048 signatures
plus the XML:

    .venv/bin/python bench/bench_sso.py --wsgi sso_floor:application

No SP may ever receive these Responses: they answer no request. Bench use only.
"""

import base64

from django.utils import timezone

from idbridge.wsgi import application as _django  # noqa: F401 - Django set up as for idbridge
from stepup.runtime import runtime
from stepup.saml.idp import authn_response, identity_for, name_id_for

ATTRIBUTES = {"email": "floor@example.test", "roles": ["teacher"]}


def application(environ, start_response):
    rt = runtime()
    sp = next(iter(rt.sps.values()))
    name_id = name_id_for(
        fmt=sp.name_id_format,
        secret=rt.nameid_secret,
        idp_entity_id=rt.idp.spec.entity_id,
        sp_entity_id=sp.entity_id,
        subject_id="floor",
        email=ATTRIBUTES["email"],
    )
    issued = authn_response(
        rt.idp,
        in_response_to="id-floor",
        destination=sp.acs[0].url,
        sp_entity_id=sp.entity_id,
        name_id=name_id,
        identity=identity_for(ATTRIBUTES, ["email", "roles"]),
        class_ref="https://refeds.org/profile/mfa",
        authn_instant=timezone.now(),
    )
    value = base64.b64encode(issued.xml.encode()).decode()
    body = f'<form method="post"><input name="SAMLResponse" value="{value}"></form>'.encode()
    start_response("200 OK", [("Content-Type", "text/html"), ("Content-Length", str(len(body)))])
    return [body]
