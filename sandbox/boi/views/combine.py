"""The Combine Person tool: preview two people, then merge the other into the base."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render

from idbridge.core.access import permission_required
from sandbox.boi import combine
from sandbox.boi.forms import CombineForm
from sandbox.boi.views.common import VIEW, page_context, require_manage
from sandbox.models import Person
from sandbox.selectors import person_detail


def _preview(form: CombineForm, base_id: int, other_id: int) -> dict | None:
    people = Person.objects.filter(pk__in=[base_id, other_id])
    if people.count() != 2 or base_id == other_id:
        form.add_error(None, "Enter two different personIDs that exist.")
        return None
    return {"base": person_detail(base_id), "other": person_detail(other_id)}


def _combine(request, form: CombineForm, base_id: int, other_id: int):
    """The combined base person, or None with the form's error set."""
    try:
        return combine.person_combine(base_id=base_id, other_id=other_id, actor=request.user)
    except combine.CombineError as exc:
        form.add_error(None, str(exc))
        return None


@permission_required(VIEW)
def combine_person(request):
    preview = None
    form = CombineForm(request.POST or None)
    if request.method == "POST":
        require_manage(request)
        if form.is_valid():
            base_id = form.cleaned_data["base_person"]
            other_id = form.cleaned_data["other_person"]
            if not form.cleaned_data["confirm"]:
                preview = _preview(form, base_id, other_id)
            elif base := _combine(request, form, base_id, other_id):
                messages.success(request, f"Person {other_id} combined into {base.pk}.")
                return redirect("campus:person", person_id=base.pk)
    return render(
        request,
        "sandbox/boi/combine.html",
        page_context(request, "boi", form=form, preview=preview),
        status=400 if form.errors else 200,
    )
