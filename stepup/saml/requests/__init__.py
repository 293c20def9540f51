"""Strict AuthnRequest validation, beyond what pysaml2 checks. No Django imports.

The view turns the Django request into a plain :class:`~.values.SamlHttpInput` (one glue
function, ``stepup.idp_views.saml_input``); :func:`.authn.validate_authn_request` then
checks, in this order, and raises :class:`~.values.RequestRefused` (a code, a sentence
for a person, an HTTP status) at the first failure:

1. the binding's encoding: base64, DEFLATE for HTTP-Redirect, bounded sizes;
2. XML without a DOCTYPE or entity declarations (refused, not merely not expanded);
3. a SAML 2.0 ``samlp:AuthnRequest`` with ID, Version and IssueInstant;
4. the Issuer is a registered, enabled SP;
5. signatures: every signature present must verify against the SP's certificates from
   *our registry* (the KeyInfo in the message is never used); the SP must sign when its
   metadata says ``AuthnRequestsSigned`` or the district requires it. POST: enveloped,
   one Reference to the request's own ID, SHA-2 only. Redirect: the query-string
   signature over the octets as received;
6. Destination, when present (required when signed), is the endpoint it arrived at;
7. IssueInstant within ``clock_skew`` of now;
8. the response can go only to an HTTP-POST ACS URL in the SP's metadata (by URL or by
   index; none given: the SP's default);
9. ``ForceAuthn`` / ``IsPassive`` are xs:boolean, parsed as such ("false" is false);
10. the request ID has not been seen before (``claim_request_id``, shared by workers).

Steps 1-7 and 10 apply to a ``samlp:LogoutRequest`` too
(:func:`.logout.validate_logout_request`), which must moreover be signed whatever the
SP's setting (SAML's profiles require it authenticated): an SP with no signing
certificate cannot send one.

Before step 1, the binding's parameters are read once from what arrived
(:mod:`.parameters`): a duplicated SAML parameter, or one whose name is percent-encoded,
is refused, so that the octets the HTTP-Redirect signature covers are those of the
parameters used.

Identifiers (Issuer, NameID, SessionIndex, AuthnContextClassRef) are read whole
(``decoding.element_text``): a comment, processing instruction or element inside one is
refused.

Modules: ``values`` (what goes in and comes out, the refusal), ``parameters`` (the
bindings' parameters), ``decoding`` (steps 1-3's bytes, XML and XML Schema datatypes),
``signatures`` (step 5), ``checks`` (steps 1-7 and 10, common to both messages),
``authn`` and ``logout`` (each message's own checks).
"""
