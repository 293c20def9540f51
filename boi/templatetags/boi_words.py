"""Template filters that put the console's records in HR's words (the words themselves
live in ``boi.services.sync.words``)::

    {% load boi_words %}
    {{ entry|call_words }}        → "Send staff to Campus (transfer)"
    {{ item.action|action_words }} → "to be added"
    {{ item|report_problems }}    → ["Home address: house number is required", …]
    {{ problem.message|api_words }} → "Staff number must be letters and digits only"
"""

from django import template

from boi.services.sync.runs import STEP_LABELS
from boi.services.sync.words import ACTION_WORDS, call_in_words, error_in_words, in_words

register = template.Library()


@register.filter
def call_words(entry) -> str:
    """An Error Log entry's Campus call, named."""
    return call_in_words(entry.action, entry.path)


@register.filter
def action_words(action: str) -> str:
    """What validate said Campus will do with a staff member."""
    return ACTION_WORDS.get(action or "", "not validated yet")


@register.filter
def report_problems(item) -> list[str]:
    """The errors and conflicts of a staff member's validate-report entry, in words."""
    report = item.report or {}
    problems = [*(report.get("errors") or []), *(report.get("conflicts") or [])]
    return [error_in_words(p if isinstance(p, dict) else {"message": p}) for p in problems]


@register.filter
def api_words(message: str) -> str:
    """A rule's message with the API names in it put in words."""
    return in_words(message)


@register.filter
def step_words(step: str) -> str:
    """A sync step's name: ``end_transfer`` → "End transfer"."""
    return STEP_LABELS.get(step, (step or "").replace("_", " ").capitalize())
