"""Invitation waves on the dashboard: make one (whom, how fast), the list, and one wave
with its live progress, Pause, Resume and Cancel (the one progress component)."""

from django.contrib import messages
from django.shortcuts import redirect, render

from idbridge.audit.words import people_named
from idbridge.core.access import permission_required
from idbridge.jobs.kinds import job_kind
from idbridge.jobs.progress import job_progress_info
from staff import selectors
from staff.campus_names import school_names
from staff.forms import WaveForm
from staff.services.cases import OnboardingError
from staff.services.existing import Scope
from staff.services.waves import pace_words, wave_create, wave_scope


@permission_required("core.manage_onboarding")
def wave_new(request):
    """Invite existing staff in a wave: all, one school or one Campus role, at a pace."""
    schools, roles = selectors.existing_scopes()
    form = WaveForm(request.POST or None, schools=schools, roles=roles)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        scope = Scope(
            school=data["school"] if data["scope"] == "school" else "",
            role=data["role"] if data["scope"] == "role" else "",
        )
        try:
            wave = wave_create(scope=scope, pace_per_hour=form.pace_per_hour, actor=request.user)
        except OnboardingError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request,
                f"Wave started: {wave.total:,} existing staff "
                f"({scope.label_named(school_names())}), "
                f"{pace_words(wave.pace_per_hour)}.",
            )
            return redirect("staff:wave", wave_id=wave.id)
    return render(
        request, "staff/wave_new.html", {"form": form, "waiting": selectors.existing_count()}
    )


def _row(wave, names: dict[str, str], schools: dict[str, str]) -> dict:
    return {
        "wave": wave,
        "by": names[wave.created_by],
        "scope": wave_scope(wave).label_named(schools),
        "pace": pace_words(wave.pace_per_hour),
        "state": wave.job.get_state_display() if wave.job else "",
    }


@permission_required("core.view_onboarding")
def wave_list(request):
    waves = list(selectors.wave_list()[:200])
    names = people_named(wave.created_by for wave in waves)
    schools = school_names()
    rows = [_row(wave, names, schools) for wave in waves]
    return render(request, "staff/waves.html", {"rows": rows})


@permission_required("core.view_onboarding")
def wave_detail(request, wave_id):
    wave = selectors.wave_get(wave_id)
    job = wave.job
    can_manage = job is not None and request.user.has_perm(job_kind(job.kind).manage_permission)
    return render(
        request,
        "staff/wave.html",
        {
            **_row(wave, people_named([wave.created_by]), school_names()),
            "info": job_progress_info(job, can_manage=can_manage),
            "not_sent": selectors.wave_not_sent(wave),
        },
    )
