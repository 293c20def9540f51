"""Register, list and remove SAML service providers from the command line.

manage.py stepup_sp add --metadata https://campus.example/saml/metadata
manage.py stepup_sp add --metadata sp-metadata.xml --require-signed-requests
manage.py stepup_sp list
manage.py stepup_sp remove https://campus.example/saml/metadata
"""

from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from stepup.models import ServiceProvider
from stepup.saml.metadata import (
    MAX_METADATA_BYTES,
    MetadataError,
    check_loads_in_pysaml2,
    fetch_metadata,
    parse_sp_metadata,
)
from stepup.services.service_providers import (
    service_provider_delete,
    service_provider_register,
)

ACTOR = "cli:stepup_sp"


class Command(BaseCommand):
    help = "Manage the step-up IdP's SAML service providers."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        add = sub.add_parser("add", help="Register an SP from its metadata (file or URL).")
        add.add_argument("--metadata", required=True, help="A metadata file or http(s) URL.")
        add.add_argument("--name", default="")
        add.add_argument("--require-signed-requests", action="store_true")
        add.add_argument("--encrypt-assertions", action="store_true")
        add.add_argument(
            "--name-id-format",
            choices=[c for c, _ in ServiceProvider.NAMEID_CHOICES],
            default=ServiceProvider.NAMEID_CHOICES[0][0],
        )
        add.add_argument(
            "--attributes",
            default=",".join(ServiceProvider.DEFAULT_ATTRIBUTES),
            help="Comma-separated attributes to release (default: all): "
            + ", ".join(ServiceProvider.DEFAULT_ATTRIBUTES),
        )
        add.add_argument("--disabled", action="store_true")
        sub.add_parser("list", help="List the registered SPs.")
        remove = sub.add_parser("remove", help="Remove an SP by entity ID.")
        remove.add_argument("entity_id")

    def handle(self, *args, action, **options):
        getattr(self, f"_{action}")(**options)

    def _add(
        self,
        *,
        metadata,
        name,
        require_signed_requests,
        encrypt_assertions,
        name_id_format,
        attributes,
        disabled,
        **_,
    ):
        attrs = _released_attributes(attributes)
        try:
            data, url = _read_metadata(metadata)
            parsed = parse_sp_metadata(data)
            check_loads_in_pysaml2(parsed.xml)
            sp = service_provider_register(
                metadata=parsed,
                metadata_url=url,
                actor=ACTOR,
                name=name,
                require_signed_requests=require_signed_requests,
                encrypt_assertions=encrypt_assertions,
                name_id_format=name_id_format,
                released_attributes=attrs,
                enabled=not disabled,
            )
        except (MetadataError, ValidationError) as exc:
            message = exc.messages[0] if isinstance(exc, ValidationError) else str(exc)
            raise CommandError(message)
        self._report_registered(sp)

    def _report_registered(self, sp: ServiceProvider) -> None:
        self.stdout.write(f"Registered {sp.entity_id}")
        for endpoint in sp.acs_endpoints:
            self.stdout.write(f"  ACS {endpoint['url']}")
        if sp.signatures_required:
            self.stdout.write("  requests must be signed")

    def _list(self, **_):
        for sp in ServiceProvider.objects.all():
            flags = [
                "enabled" if sp.enabled else "disabled",
                "signed requests" if sp.signatures_required else "",
                "encrypted assertions" if sp.encrypt_assertions else "",
            ]
            self.stdout.write(f"{sp.entity_id}\t{sp.name}\t{', '.join(f for f in flags if f)}")

    def _remove(self, *, entity_id, **_):
        sp = ServiceProvider.objects.filter(entity_id=entity_id).first()
        if sp is None:
            raise CommandError(f"{entity_id} is not registered.")
        service_provider_delete(sp=sp, actor=ACTOR)
        self.stdout.write(f"Removed {entity_id}")


def _released_attributes(attributes: str) -> list[str]:
    """``--attributes``: comma-separated keys, each one idbridge can release."""
    attrs = [a.strip() for a in attributes.split(",") if a.strip()]
    unknown = set(attrs) - set(ServiceProvider.DEFAULT_ATTRIBUTES)
    if unknown:
        raise CommandError(f"Unknown attributes: {', '.join(sorted(unknown))}")
    return attrs


def _read_metadata(source: str) -> tuple[bytes, str]:
    """The metadata from a URL (fetched, bounded) or a file, and the URL ("" for a file)."""
    if source.startswith(("http://", "https://")):
        timeout = settings.STEPUP_METADATA_FETCH_TIMEOUT_SECONDS
        return fetch_metadata(source, timeout=timeout), source
    path = Path(source)
    if not path.is_file():
        raise CommandError(f"No such file: {source}")
    if path.stat().st_size > MAX_METADATA_BYTES:
        raise CommandError("The metadata file is larger than 1 MB.")
    return path.read_bytes(), ""
