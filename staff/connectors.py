"""Glue: a CampusConnection row → the right connector, with the shared (encrypted) cache."""

import json

from django.conf import settings
from django.core.cache import cache

from idbridge import crypto
from idbridge.connectors.rest import RestConnector, RestSettings
from idbridge.connectors.soap.connector import SoapConnector
from idbridge.connectors.soap.transport import SoapSettings
from staff.models import CampusConnection


class EncryptedCache:
    """Django's shared cache, with values encrypted: cached tokens are secrets too."""

    def get(self, key, default=None):
        stored = cache.get(key)
        if stored is None:
            return default
        try:
            return json.loads(crypto.decrypt(stored))
        except (crypto.DecryptionError, ValueError):
            return default

    def set(self, key, value, timeout=None):
        cache.set(key, crypto.encrypt(json.dumps(value)), timeout=timeout)

    def delete(self, key):
        cache.delete(key)

    def add(self, key, value, timeout=None):
        return cache.add(key, value, timeout=timeout)


def connector_for(connection: CampusConnection):
    key = f"campus:{connection.id}"
    if connection.kind == CampusConnection.Kind.SOAP:
        return SoapConnector(
            SoapSettings(
                wsdl_url=connection.wsdl_url,
                username=connection.soap_username,
                password=connection.soap_password.reveal(),
                miss_run_limit=connection.miss_run_limit,
                max_concurrency=connection.max_concurrency,
                timeout=connection.request_timeout_seconds,
                time_zone=settings.TIME_ZONE,
            ),
            EncryptedCache(),
            key,
        )
    return RestConnector(
        RestSettings(
            token_url=connection.token_url,
            rostering_base_url=connection.rostering_base_url,
            client_id=connection.client_id,
            client_secret=connection.client_secret.reveal(),
            staff_number_field=connection.staff_number_field,
            person_id_field=connection.person_id_field,
            max_concurrency=connection.max_concurrency,
            page_size=connection.page_size,
            overlap_seconds=connection.overlap_seconds,
            timeout=connection.request_timeout_seconds,
            time_zone=settings.TIME_ZONE,
        ),
        EncryptedCache(),
        key,
    )
