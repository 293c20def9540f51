from collections import Counter
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS
from django.db.models import Count, Exists, OuterRef, Q, Subquery
from django.db.models.functions import TruncDate
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from idbridge.db import CompiledRead
from idbridge.search import search_terms, words_filter
from staff.campus_names import school_label, school_names
from staff.identity import staff_number_key, staff_number_spellings
from staff.models import (
    CampusConnection,
    CaseEvent,
    Invitation,
    InvitationWave,
    OnboardingCase,
    StaffMember,
    StaffSearchWord,
    WaveMember,
)
from staff.transitions import State

# The onboarding case an opened invitation link started in this browser (no account).
APPLICANT_CASE_KEY = "onboarding_case_id"
# How a case's timeline says its invitation mail did not leave (the mail server failed).
MAIL_FAILED_NOTE = "The invitation email could not be sent"
# The list's "needs attention" filters, in the order the page shows them.
ATTENTION = {
    "stalled": "In proofing for days",
    "locked": "Locked",
    "expired": "Expired",
    "mail_failed": "Invitation mail failed",
}


def onboarding_counts() -> dict:
    """What the onboarding page counts over every case: the funnel, what needs attention,
    existing staff, invitations and verifications per day, cases per school (at district
    size each reads every case: ``staff.views.funnel.glance`` keeps them a few seconds)."""
    return {
        "funnel": case_funnel(),
        "attention": case_attention(),
        "existing": existing_count(),
        "days": funnel_by_day(),
        "schools": cases_by_school(),
    }


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


# How many days the funnel over time covers, ending today (the district's calendar).
FUNNEL_DAYS = 30
# The school a case counts under when Campus lists none for the person.
NO_SCHOOL = "(no school)"


def funnel_by_day(*, days: int = FUNNEL_DAYS, today: date | None = None) -> list[dict]:
    """Invitations sent and cases verified on each of the last ``days`` days, by the
    district's calendar (two queries, whatever the number of cases)."""
    zone = ZoneInfo(settings.TIME_ZONE)
    today = today or timezone.localdate(timezone=zone)
    first = today - timedelta(days=days - 1)
    since = datetime.combine(first, time.min, tzinfo=zone)
    invited = _count_per_day(Invitation.objects.filter(created_at__gte=since), "created_at", zone)
    verified = _count_per_day(
        CaseEvent.objects.filter(to_state=State.VERIFIED, at__gte=since).exclude(
            from_state=State.VERIFIED
        ),
        "at",
        zone,
    )
    return [
        {"date": day.isoformat(), "invited": invited.get(day, 0), "verified": verified.get(day, 0)}
        for day in (first + timedelta(days=n) for n in range(days))
    ]


def _count_per_day(rows, field: str, zone) -> dict[date, int]:
    """How many ``rows`` fall on each day of ``zone``'s calendar (one grouped query)."""
    per_day = (
        rows.order_by()
        .annotate(day=TruncDate(field, tzinfo=zone))
        .values("day")
        .annotate(n=Count("id"))
        .values_list("day", "n")
    )
    return {_as_date(day): n for day, n in per_day}


def _as_date(day) -> date:
    return day if isinstance(day, date) else date.fromisoformat(str(day))


def cases_by_school() -> list[dict]:
    """Each school with how many of its staff's cases are in each state (one grouped
    query); a person with several schools counts under each of them."""
    rows = (
        OnboardingCase.objects.order_by()
        .values_list("staff_member__schools", "state")
        .annotate(n=Count("id"))
    )
    per_school: dict[str, Counter] = {}
    names = school_names()
    for schools, state, n in rows:
        for school in schools or [None]:
            label = NO_SCHOOL if school is None else school_label(str(school), names)
            per_school.setdefault(label, Counter())[state] += n
    return [
        {
            "school": school,
            "counts": [counts.get(s.value, 0) for s in State],
            "total": sum(counts.values()),
        }
        for school, counts in sorted(per_school.items(), key=lambda item: item[0].lower())
    ]


def existing_count() -> int:
    """How many existing staff (recorded by a baseline) were never invited."""
    return OnboardingCase.objects.filter(state=State.EXISTING).count()


def existing_scopes() -> tuple[list[tuple[str, str, int]], list[tuple[str, int]]]:
    """The schools (key and name) and Campus roles of existing (never invited) staff,
    with how many each."""
    schools, roles = Counter(), Counter()
    rows = OnboardingCase.objects.filter(state=State.EXISTING).values_list(
        "staff_member__schools", "staff_member__roles"
    )
    for member_schools, member_roles in rows.iterator():
        schools.update(member_schools or [])
        roles.update(member_roles or [])
    names = school_names()
    named = sorted(
        ((key, school_label(key, names), n) for key, n in schools.items()),
        key=lambda school: school[1].lower(),
    )
    return named, sorted(roles.items())


def baseline_progress(connection: CampusConnection) -> dict | None:
    """Of the staff a connection's baseline recorded: how many HR invited since, how many
    still wait (None before the baseline)."""
    if connection.baseline_at is None:
        return None
    counts = OnboardingCase.objects.filter(
        staff_member__sources__connection=connection, from_baseline=True
    ).aggregate(
        waiting=Count("id", filter=Q(state=State.EXISTING), distinct=True),
        invited=Count("id", filter=Q(invitations__isnull=False), distinct=True),
    )
    return {"waiting": counts["waiting"], "invited": counts["invited"]}


# What the list shows of a case (a page of 50 loads nothing else, as plain rows).
CASE_LIST_FIELDS = (
    "id",
    "state",
    "created_at",
    "staff_member__first_name",
    "staff_member__last_name",
    "staff_member__staff_number",
    "staff_member__work_email",
    "staff_member__personal_email",
)


def case_list(*, q: str = "", state: str = "", attention: str = ""):
    """Cases matching every word of ``q`` (each word the start of a word of a name or an
    e-mail, or a whole staff number: "Andrea Nowak", "Nowak, Andr", "a.nowak@d.example"),
    in ``state``, needing ``attention``:
    ``values()`` rows of ``CASE_LIST_FIELDS`` (fifty model pairs cost three times the rows)."""
    cases = OnboardingCase.objects.values(*CASE_LIST_FIELDS)
    if state:
        cases = cases.filter(state=state)
    if attention in ATTENTION:
        cases = cases.filter(_attention_filters()[attention])
    terms = search_terms(q)
    if terms:
        # The staff members holding every word, from the word table's ranges (a few
        # index reads, idbridge.search), then their cases in the list's order.
        cases = cases.filter(
            words_filter(
                StaffSearchWord,
                "staff_member_id",
                terms,
                outer="staff_member_id",
                also=staff_number_matches(terms),
            )
        )
    return cases


def staff_number_matches(terms: list[str]) -> dict[str, set[int]]:
    """The staff members whose staff number is one of ``terms`` whole, in either case
    (one index lookup; a search without a digit, a name, has no staff number to look
    for): term → their ids."""
    terms = [term for term in terms if any(c.isdigit() for c in term)]
    if not terms:
        return {}
    keys = {staff_number_key(term): term for term in terms}
    rows = StaffMember.objects.filter(staff_number__in=staff_number_spellings(terms))
    found: dict[str, set[int]] = {}
    for pk, number in rows.values_list("id", "staff_number"):
        if staff_number_key(number) in keys:
            found.setdefault(keys[staff_number_key(number)], set()).add(pk)
    return found


def _attention_filters() -> dict[str, Q]:
    """What each kind of "needs attention" means, as a filter on cases."""
    cutoff = timezone.now() - timedelta(days=settings.STAFF_ATTENTION_PROOFING_DAYS)
    opened_lately = CaseEvent.objects.filter(case=OuterRef("pk"), event="open_link", at__gte=cutoff)
    latest_invitation = (
        Invitation.objects.filter(case=OuterRef("case"))
        .order_by("-created_at")
        .values("created_at")[:1]
    )
    mail_failed = CaseEvent.objects.filter(
        case=OuterRef("pk"),
        event="note",
        reason__startswith=MAIL_FAILED_NOTE,
        at__gte=Subquery(latest_invitation),
    )
    return {
        "stalled": Q(state=State.PROOFING) & ~Exists(opened_lately),
        "locked": Q(state=State.LOCKED),
        "expired": Q(state=State.EXPIRED),
        "mail_failed": Q(state=State.INVITED) & Exists(mail_failed),
    }


def case_attention() -> list[dict]:
    """The "needs attention" filters with how many cases each holds (one query)."""
    filters = _attention_filters()
    counts = OnboardingCase.objects.aggregate(
        **{kind: Count("id", filter=filters[kind]) for kind in ATTENTION}
    )
    return [
        {"kind": kind, "label": label, "count": counts[kind]} for kind, label in ATTENTION.items()
    ]


def record_check_miss_message(case: OnboardingCase) -> str:
    """What the applicant reads after a failed record check: from the second failure on,
    how many attempts are left before the case locks."""
    message = "That does not match the Campus record."
    attempts = case.record_check_attempts
    left = max(settings.STAFF_RECORD_CHECK_MAX_ATTEMPTS - attempts, 0)
    if attempts >= 2 and left:
        plural = "attempt" if left == 1 else "attempts"
        message += f" {left} {plural} left before your onboarding is locked."
    return message


def record_facts_overdue(member: StaffMember) -> bool:
    """The task asked Campus for the record's facts too long ago and they are not here."""
    asked = member.record_facts_requested_at
    wait = timedelta(seconds=settings.STAFF_RECORD_FACTS_WAIT_SECONDS)
    return not member.has_record_facts and asked is not None and timezone.now() - asked >= wait


def case_get(case_id: int) -> OnboardingCase:
    return (
        OnboardingCase.objects.select_related(
            "staff_member", "staff_member__connection", "supervised_checked_by"
        )
        .prefetch_related("staff_member__sources__connection")
        .get(id=case_id)
    )


# A poll's counts (``CampusConnection.last_poll_counts``) as the operator reads them.
POLL_COUNT_WORDS = {
    "read": "{:,} read from Campus",
    "new_cases": "{:,} new staff invited",
    "existing": "{:,} recorded as existing staff",
    "updated": "{:,} updated",
    "revoked": "{:,} gone from Campus",
}


def poll_counts_words(counts: dict) -> str:
    """ "3,000 read from Campus, 2 new staff invited" (what is zero is left out, but the
    persons read)."""
    words = [
        POLL_COUNT_WORDS[key].format(value)
        for key, value in counts.items()
        if key in POLL_COUNT_WORDS and (value or key == "read")
    ]
    return ", ".join(words)


# What the onboarding page shows of a connection: never its secrets (left unread, and
# so never decrypted, on every load of the page).
CONNECTION_LIST_FIELDS = (
    "id",
    "name",
    "kind",
    "status",
    "last_poll_at",
    "next_poll_at",
    "last_error",
    "poll_job__state",
    "poll_job__heartbeat_at",
)


def connection_list():
    return (
        CampusConnection.objects.select_related("poll_job")
        .only(*CONNECTION_LIST_FIELDS)
        .order_by("name")
    )


def applicant_case_get(request) -> OnboardingCase:
    """The case of the applicant in this browser (an invitation opened here), else 404."""
    case_id = request.session.get(APPLICANT_CASE_KEY)
    if not case_id:
        raise Http404("No onboarding in progress in this browser.")
    return get_object_or_404(OnboardingCase.objects.select_related("staff_member"), id=case_id)


def verified_members():
    """Staff whose onboarding case is verified: who may sign in to the IdP."""
    return StaffMember.objects.filter(case__state=State.VERIFIED)


def verified_member_get(user_handle: str) -> StaffMember | None:
    """The staff member behind an IdP subject, while their case is verified."""
    return verified_members().select_related("case").filter(user_handle=user_handle).first()


# What the IdP asserts about a person (stepup.ceremonies.signin.subject_from_member), in
# the model's field order (StaffMember.from_db reads them in that order).
_SSO_FIELDS = tuple(
    field.attname
    for field in StaffMember._meta.concrete_fields
    if field.attname
    in {
        "id",
        "user_handle",
        "staff_number",
        "work_email",
        "personal_email",
        "first_name",
        "last_name",
        "campus_person_id",
        "campus_key",
        "roles",
    }
)
_sso_read = CompiledRead(
    lambda handle: verified_members().filter(user_handle=handle).values_list(*_SSO_FIELDS)[:1],
    "handle",
)


def verified_member_for_sso(user_handle: str) -> StaffMember | None:
    """:func:`verified_member_get` for the IdP's every SSO answer: only the fields it
    asserts (the others deferred), by a query compiled once per process."""
    row = _sso_read.first(handle=user_handle)
    return None if row is None else StaffMember.from_db(DEFAULT_DB_ALIAS, _SSO_FIELDS, row)


def _wave_counts():
    outcome = WaveMember.Outcome
    return {
        name: Count("members", filter=Q(members__outcome=value))
        for name, value in (
            ("invited", outcome.INVITED),
            ("skipped", outcome.SKIPPED),
            ("not_sent", outcome.NOT_SENT),
        )
    }


def wave_list():
    """Invitation waves, newest first, with their job and how many were invited, skipped
    (invited meanwhile) and not sent."""
    return InvitationWave.objects.select_related("job").annotate(**_wave_counts())


def wave_get(wave_id: int) -> InvitationWave:
    return get_object_or_404(wave_list(), id=wave_id)


def wave_not_sent(wave: InvitationWave, limit: int = 50):
    """The members a wave could not invite, and why."""
    return (
        wave.members.filter(outcome=WaveMember.Outcome.NOT_SENT)
        .select_related("case__staff_member")
        .order_by("id")[:limit]
    )
