from collections import Counter

from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404

from staff.models import CampusConnection, OnboardingCase, StaffMember
from staff.transitions import State

# The onboarding case an opened invitation link started in this browser (no account).
APPLICANT_CASE_KEY = "onboarding_case_id"


def case_funnel() -> list[dict]:
    counts = dict(
        OnboardingCase.objects.values_list("state")
        .annotate(n=Count("id"))
        .values_list("state", "n")
    )
    total = max(sum(counts.values()), 1)
    return [
        {
            "state": s.value,
            "count": counts.get(s.value, 0),
            "percent": round(100 * counts.get(s.value, 0) / total),
        }
        for s in State
    ]


def existing_count() -> int:
    """How many existing staff (recorded by a baseline) were never invited."""
    return OnboardingCase.objects.filter(state=State.EXISTING).count()


def existing_scopes() -> tuple[list[tuple[str, int]], list[tuple[str, int]]]:
    """The schools and Campus roles of existing (never invited) staff, with how many each."""
    schools, roles = Counter(), Counter()
    rows = OnboardingCase.objects.filter(state=State.EXISTING).values_list(
        "staff_member__schools", "staff_member__roles"
    )
    for member_schools, member_roles in rows.iterator():
        schools.update(member_schools or [])
        roles.update(member_roles or [])
    return sorted(schools.items()), sorted(roles.items())


def baseline_progress(connection: CampusConnection) -> dict | None:
    """Of the staff a connection's baseline recorded: how many HR invited since, how many
    still wait (None before the baseline)."""
    if connection.baseline_at is None:
        return None
    counts = OnboardingCase.objects.filter(
        staff_member__connection=connection, from_baseline=True
    ).aggregate(
        waiting=Count("id", filter=Q(state=State.EXISTING), distinct=True),
        invited=Count("id", filter=Q(invitations__isnull=False), distinct=True),
    )
    return {"waiting": counts["waiting"], "invited": counts["invited"]}


def case_list(*, q: str = "", state: str = ""):
    cases = OnboardingCase.objects.select_related("staff_member", "staff_member__connection")
    if state:
        cases = cases.filter(state=state)
    if q:
        cases = cases.filter(
            Q(staff_member__last_name__icontains=q)
            | Q(staff_member__first_name__icontains=q)
            | Q(staff_member__staff_number__iexact=q)
            | Q(staff_member__work_email__iexact=q)
        )
    return cases


def case_get(case_id: int) -> OnboardingCase:
    return OnboardingCase.objects.select_related(
        "staff_member", "staff_member__connection", "supervised_checked_by"
    ).get(id=case_id)


def connection_list():
    return CampusConnection.objects.select_related("poll_job").order_by("name")


def applicant_case_get(request) -> OnboardingCase:
    """The case of the applicant in this browser (an invitation opened here), else 404."""
    case_id = request.session.get(APPLICANT_CASE_KEY)
    if not case_id:
        raise Http404("No onboarding in progress in this browser.")
    return get_object_or_404(OnboardingCase.objects.select_related("staff_member"), id=case_id)


def verified_member_get(user_handle: str) -> StaffMember | None:
    """The staff member behind an IdP subject, while their case is verified."""
    return (
        StaffMember.objects.select_related("case")
        .filter(user_handle=user_handle, case__state=State.VERIFIED)
        .first()
    )
