from django.db.models import Count, Q

from staff.models import CampusConnection, OnboardingCase
from staff.transitions import State


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
    return CampusConnection.objects.order_by("name")
