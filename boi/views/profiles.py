"""Mapping profiles: save one from an import, apply one, duplicate, delete."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_POST

from boi.models import HrImport, MappingProfile
from boi.services import ConsoleError
from boi.services import profiles as services
from boi.services.sync.words import count_of
from idbridge.core.access import permission_required


@require_POST
@permission_required("core.manage_boi")
def profile_save(request, import_id):
    hr_import = get_object_or_404(HrImport.objects.select_related("connection"), id=import_id)
    try:
        profile = services.profile_save(
            hr_import=hr_import, name=request.POST.get("name", ""), actor=request.user
        )
    except ConsoleError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"Profile “{profile.name}” saved.")
    return redirect("boi:import", import_id=hr_import.id)


@require_POST
@permission_required("core.manage_boi")
def profile_apply(request, import_id):
    hr_import = get_object_or_404(HrImport.objects.select_related("connection"), id=import_id)
    profile = get_object_or_404(
        MappingProfile, id=request.POST.get("profile") or 0, connection=hr_import.connection
    )
    apply_profile(request, hr_import, profile)
    return redirect("boi:import", import_id=hr_import.id)


def apply_profile(request, hr_import: HrImport, profile: MappingProfile) -> None:
    """Apply ``profile`` and tell the operator what it did."""
    try:
        done = services.profile_apply(hr_import=hr_import, profile=profile, actor=request.user)
    except ConsoleError as exc:
        messages.error(request, str(exc))
    else:
        for line in done:
            messages.info(request, line)


def learn_columns(request, hr_import: HrImport) -> None:
    """Map the columns as the operator did in earlier files, and say so."""
    learned = services.columns_learn(hr_import=hr_import, actor=request.user)
    if learned:
        mapped = count_of(learned, "column")
        messages.info(request, f"{mapped} mapped as you mapped them in earlier files.")


@require_POST
@permission_required("core.manage_boi")
def profile_duplicate(request, profile_id):
    profile = get_object_or_404(MappingProfile, id=profile_id)
    try:
        copy = services.profile_duplicate(
            profile=profile, name=request.POST.get("name", ""), actor=request.user
        )
    except ConsoleError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"Profile “{profile.name}” copied as “{copy.name}”.")
    return redirect("boi:connection", connection_id=profile.connection_id)


@require_POST
@permission_required("core.manage_boi")
def profile_delete(request, profile_id):
    profile = get_object_or_404(MappingProfile, id=profile_id)
    services.profile_delete(profile=profile, actor=request.user)
    messages.success(request, f"Profile “{profile.name}” deleted.")
    return redirect("boi:connection", connection_id=profile.connection_id)
