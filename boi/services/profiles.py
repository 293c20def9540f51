"""Mapping profiles: a named column mapping and code mappings per HR system, saved from an
import and applied to the next file from that system."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from boi.hrfile.header_names import header_key
from boi.models import HrImport, MappingProfile, MappingValue
from boi.services import ConsoleError
from boi.services.connections import mappings_save_many
from boi.services.sync.words import count_of
from idbridge.audit.services import audit_record

CODE_FIELDS = ("kind", "hr_value", "campus_value", "title_code", "title_description")
LEARN_FROM_FILES = 20  # earlier files of the connection whose column choices are reused


def profile_save(*, hr_import: HrImport, name: str, actor) -> MappingProfile:
    """Save (or overwrite) the profile ``name``: this file's column mapping and the
    connection's code mappings."""
    name = name.strip()
    if not name:
        raise ConsoleError("Give the profile a name, such as “Skyward export”.")
    if not hr_import.column_map:
        raise ConsoleError("Map the file's columns first.")
    codes = list(MappingValue.objects.filter(connection=hr_import.connection).values(*CODE_FIELDS))
    with transaction.atomic():
        profile, created = MappingProfile.objects.update_or_create(
            connection=hr_import.connection,
            name=name[:100],
            defaults={
                "column_map": hr_import.column_map,
                "code_mappings": codes,
                "updated_at": timezone.now(),
            },
        )
        audit_record(
            actor=actor,
            action="boi.profile.saved",
            target=hr_import.connection,
            details={
                "profile": profile.name,
                "columns": len(profile.column_map),
                "codes": len(codes),
                "created": created,
            },
        )
    return profile


def profile_duplicate(*, profile: MappingProfile, name: str, actor) -> MappingProfile:
    name = name.strip()[:100]
    if not name or MappingProfile.objects.filter(connection=profile.connection, name=name).exists():
        raise ConsoleError("Give the copy a name no other profile has.")
    with transaction.atomic():
        copy = MappingProfile.objects.create(
            connection=profile.connection,
            name=name,
            column_map=profile.column_map,
            code_mappings=profile.code_mappings,
        )
        audit_record(
            actor=actor,
            action="boi.profile.duplicated",
            target=profile.connection,
            details={"profile": profile.name, "copy": name},
        )
    return copy


def profile_delete(*, profile: MappingProfile, actor) -> None:
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="boi.profile.deleted",
            target=profile.connection,
            details={"profile": profile.name},
        )
        profile.delete()


def column_map_with(known: dict[str, str], headers: list[str], suggested: dict) -> dict:
    """The file's column mapping with ``known`` choices (a profile's, or the operator's on
    earlier files) over the suggestions: a header known as written, or spelled alike
    ("SKYWARD_KEY" for "Skyward Key"), takes the known column; each column used once."""
    by_key = {header_key(h): column for h, column in known.items()}
    chosen: dict[str, str] = {}
    for header in headers:
        column = known.get(header) or by_key.get(header_key(header))
        if column and column not in chosen.values():
            chosen[header] = column
    taken = set(chosen.values())
    for header, column in suggested.items():
        if header not in chosen and column not in taken:
            chosen[header] = column
            taken.add(column)
    return chosen


def columns_learn(*, hr_import: HrImport, actor) -> int:
    """Map the new file's columns as the operator mapped the same headers in this
    connection's earlier files (the newest choice wins); how many differ from the
    suggestions."""
    earlier = (
        HrImport.objects.filter(connection=hr_import.connection, id__lt=hr_import.id)
        .exclude(column_map={})
        .order_by("-id")
        .values_list("column_map", flat=True)[:LEARN_FROM_FILES]
    )
    known: dict[str, str] = {}
    for column_map in reversed(list(earlier)):
        known.update(column_map)
    column_map = column_map_with(known, hr_import.headers, hr_import.column_map)
    changed = sum(column_map.get(h) != hr_import.column_map.get(h) for h in hr_import.headers)
    if changed:
        with transaction.atomic():
            HrImport.objects.filter(id=hr_import.id).update(column_map=column_map)
            audit_record(
                actor=actor,
                action="boi.import.columns_learned",
                target=hr_import,
                details={"columns": changed},
            )
        hr_import.column_map = column_map
    return changed


def profile_apply(*, hr_import: HrImport, profile: MappingProfile, actor) -> list[str]:
    """Apply a profile to a file not yet checked; what it did, in words."""
    if hr_import.status not in (HrImport.Status.UPLOADED, HrImport.Status.FAILED):
        raise ConsoleError("A profile applies to a file before its rows are checked.")
    column_map = column_map_with(profile.column_map, hr_import.headers, hr_import.column_map)
    profile_keys = {header_key(h) for h in profile.column_map}
    from_profile = sum(
        h in profile.column_map or header_key(h) in profile_keys for h in hr_import.headers
    )
    codes, skipped = _codes_to_add(hr_import, profile)
    with transaction.atomic():
        HrImport.objects.filter(id=hr_import.id).update(column_map=column_map)
        added = mappings_save_many(connection=hr_import.connection, choices=codes, actor=actor)
        audit_record(
            actor=actor,
            action="boi.profile.applied",
            target=hr_import,
            details={"profile": profile.name, "columns": from_profile, "codes": added},
        )
    hr_import.column_map = column_map
    done = [
        f"Profile “{profile.name}”: {from_profile} of "
        f"{count_of(len(hr_import.headers), 'column')} mapped as the profile says; "
        f"{count_of(added, 'code mapping')} added."
    ]
    if skipped:
        done.append(
            f"{count_of(len(skipped), 'code mapping')} of the profile name values no longer "
            f"on Campus's lists and were left out: {', '.join(skipped[:10])}."
        )
    return done


def _codes_to_add(hr_import: HrImport, profile: MappingProfile) -> tuple[list[dict], list[str]]:
    """The profile's code mappings the connection lacks, and those Campus no longer has."""
    connection = hr_import.connection
    have = set(MappingValue.objects.filter(connection=connection).values_list("kind", "hr_value"))
    add, skipped = [], []
    for code in profile.code_mappings:
        if (code["kind"], code["hr_value"]) in have or code["kind"] not in MappingValue.CAMPUS_LIST:
            continue
        list_name = MappingValue.CAMPUS_LIST[code["kind"]][0]
        value_ok = not code["campus_value"] or code["campus_value"] in connection.campus_codes(
            list_name
        )
        title_ok = not code["title_code"] or code["title_code"] in connection.campus_codes(
            "titleCodes"
        )
        (add if value_ok and title_ok else skipped).append(
            code if value_ok and title_ok else code["hr_value"]
        )
    return add, skipped
