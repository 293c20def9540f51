"""Hand edits of a person, refused for the areas the preferences give to the HR system."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from idbridge.core.access import permission_required
from idbridge.core.forms import form_errors_in_words
from sandbox.boi import manual_edits
from sandbox.boi.forms import ContactForm, EmploymentForm, EndDateForm, NameForm
from sandbox.boi.preferences import person_locked_areas
from sandbox.boi.views.common import VIEW, page_context, require_manage
from sandbox.models import DistrictAssignment, HouseholdLocation, Person
from sandbox.selectors import person_detail


def _name_change(person: Person, data: dict, actor) -> str:
    manual_edits.person_name_change(person=person, actor=actor, **data)
    return "Name changed."


def _contact_set(person: Person, data: dict, actor) -> str:
    manual_edits.person_contact_set(person=person, actor=actor, **data)
    return "Contact details saved."


def _employment_add(person: Person, data: dict, actor) -> str:
    manual_edits.employment_add(person=person, actor=actor, **data)
    return "Employment added."


def _position_end(person: Person, data: dict, actor) -> str:
    assignment = get_object_or_404(DistrictAssignment, pk=data["item"], person=person)
    manual_edits.position_end(assignment=assignment, end_date=data["end_date"], actor=actor)
    return "Position ended."


def _household_location_end(person: Person, data: dict, actor) -> str:
    location = get_object_or_404(
        HouseholdLocation, pk=data["item"], household__members__person=person
    )
    manual_edits.household_location_end(
        person=person, location=location, end_date=data["end_date"], actor=actor
    )
    return "Household location ended."


# area (as the preferences name it) → (its form, the edit it makes)
_EDITS = {
    "identities": (NameForm, _name_change),
    "demographics": (ContactForm, _contact_set),
    "employment": (EmploymentForm, _employment_add),
    "assignments": (EndDateForm, _position_end),
    "households": (EndDateForm, _household_location_end),
}


def _edit(request, person: Person) -> str:
    """Make the posted edit; its success message, or ValueError naming the form's errors."""
    if request.POST.get("area", "") not in _EDITS:
        raise PermissionDenied
    form_class, edit = _EDITS[request.POST["area"]]
    form = form_class(request.POST)
    if not form.is_valid():
        raise ValueError(form_errors_in_words(form))
    return edit(person, form.cleaned_data, request.user)


def _forms(person: Person) -> dict:
    current = next((i for i in person.identities.all() if i.is_current), None)
    names = ("first_name", "middle_name", "last_name")
    return {
        "name_form": NameForm(
            initial={name: getattr(current, name) if current else "" for name in names}
        ),
        "contact_form": ContactForm(
            initial={name: getattr(person, name) for name in ContactForm.base_fields}
        ),
        "employment_form": EmploymentForm(),
    }


@permission_required(VIEW)
def person_edit(request, person_id: int):
    person = person_detail(person_id)
    status = 200
    if request.method == "POST":
        require_manage(request)
        try:
            messages.success(request, _edit(request, person))
            return redirect("campus:person_edit", person_id=person.pk)
        except manual_edits.LockedByHr as exc:
            messages.error(request, str(exc))
            status = 403
        except ValueError as exc:
            messages.error(request, str(exc))
            status = 400
        person = person_detail(person_id)
    return render(
        request,
        "sandbox/boi/person_edit.html",
        page_context(
            request,
            "staff",
            person=person,
            locked=person_locked_areas(person),
            areas=manual_edits.AREA_NAMES,
            today=timezone.localdate(),
            **_forms(person),
        ),
        status=status,
    )
