"""Legacy SOAP connector: Campus's Identity Service over zeep with a WS-Security
UsernameToken.

- ``transport``: the settings, the zeep clients, one call with retries, SOAP faults;
- ``sessions``: the Authenticate session every worker shares;
- ``parsing``: a GetPerson answer as a ``CampusPerson``;
- ``pipeline``: GetPerson calls in flight at once, answered in order;
- ``connector``: ``SoapConnector``, the Connector interface and the discovery walk.
"""
