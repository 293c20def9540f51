"""Business Office Integration (BOI) API client: staff, positions, addresses, synchronization.

No Django here. Every call carries an OAuth2 bearer token from the district's token URL
(client credentials; fetched, cached in the shared cache and renewed by ``TokenSource``).
A 401 gets one fresh token; a token request that is refused means the client secret was
rotated in Campus (``BoiCredentialsRejected``). Timeouts, 5xx and 429 are retried with
backoff by ``call_with_retries`` and then raised as ``TransientCampusError``; any other
4xx is a ``BoiRefused`` carrying Campus's ``{"errors": [{"field", "code", "message"}]}``.

Every failed call is also handed to ``on_error(CallFailure)`` — the console's error log —
with the request body as sent (the caller masks SSNs before storing it).

    client = BoiClient(BoiSettings(token_url, base_url, client_id, secret), cache, "boi:1")
    sync_id = client.sync_start()
    client.sync_transfer(sync_id, [staff, ...])

Modules: ``client`` (``BoiClient``), ``types`` (settings and what calls return),
``errors`` (Campus's refusals), ``answers`` (reading Campus's answers), ``report`` (the
validate report's members, read as they arrive).
"""
