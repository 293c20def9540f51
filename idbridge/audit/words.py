"""The audit log in people's words: who did what to whom, with a link to its page.

Entries store labels (``actor_label`` a username or ``staff:E1007``; ``target``
``staff.onboardingcase:101``), and idbridge imports no app above it, so each app
describes its own in an ``audit_words.py`` module, found with
``autodiscover_modules("audit_words")`` (like the demo steps)::

    audit_actions({"staff.invitation.sent": "invited {target}"})
    audit_targets("staff.onboardingcase", cases_named)   # keys -> {key: Named}
    audit_details("staff.wave.created", scopes_named)    # [details] -> [details]

An action's words are a phrase after the actor's name; ``{target}`` marks where the
target's name goes (else the target is named after the phrase). A resolver gets every
key of its kind on a page at once (one query per kind, not per entry) and returns what
to call each and where it lives. An action or target nobody described still reads as
words: ``boi.sync.commit_requested`` → "sync commit requested", a model's verbose name
and its id. An entry keeps its details as recorded (a school by its Campus key); a
details rewording reads them in words for the page and the CSV (the school's name).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.apps import apps
from django.contrib.auth import get_user_model
from django.utils.module_loading import autodiscover_modules

from idbridge.core.roles import ROLE_PERMISSIONS


@dataclass(frozen=True)
class Named:
    """What to call someone or something, and its page ("" = none)."""

    words: str
    url: str = ""


Resolver = Callable[[list[str]], dict[str, Named]]
DetailsWording = Callable[[list[dict]], list[dict]]

_actions: dict[str, str] = {}
_targets: dict[str, Resolver] = {}
_details: dict[str, DetailsWording] = {}
_discovered = False

# Labels written by the system rather than a person, in words.
SYSTEM_ACTORS = {
    "system": "idbridge",
    "anonymous": "Someone not signed in",
    "campus:poller": "idbridge's Campus poll",
    "campus:reconcile": "idbridge's full Campus reconciliation",
}


def audit_actions(phrases: dict[str, str]) -> None:
    """Describe actions: ``{"boi.sync.committed": "committed {target} to Campus"}``."""
    _actions.update(phrases)


def audit_targets(kind: str, resolve: Resolver) -> None:
    """Name targets (and actors) whose label is ``kind:key``."""
    _targets[kind] = resolve


def audit_details(action: str, reword: DetailsWording) -> None:
    """Read the details of ``action``'s entries in words: ``reword`` gets the details of
    every such entry on a page at once (one query per page, not per entry) and returns
    them in the same order. The entries keep what they recorded."""
    _details[action] = reword


def _discover() -> None:
    global _discovered
    if not _discovered:
        autodiscover_modules("audit_words")
        _discovered = True


def known_actions() -> list[tuple[str, str]]:
    """(action, its words) for every described action, by words: the filter's pick-list."""
    _discover()
    return sorted(((a, action_words(a)) for a in _actions), key=lambda pair: pair[1].lower())


def action_words(action: str) -> str:
    """The phrase for ``action`` without its target; an action nobody described reads
    as its words after the app's name.

    >>> action_words("campus.sessions_expired")
    'sessions expired'
    """
    phrase = _actions.get(action)
    if phrase:
        return re.sub(r"\s+", " ", phrase.replace("{target}", "")).strip()
    return " ".join(action.split(".")[1:] or [action]).replace("_", " ")


def detail_items(details: dict) -> list[tuple[str, str]]:
    """An entry's details as a readable list.

    >>> detail_items({"max_age_seconds": {"from": 300, "to": 120}, "roles": ["a", "b"]})
    [('Max age seconds', '300 → 120'), ('Roles', 'a, b')]
    """
    return [(key.replace("_", " ").capitalize(), _value(value)) for key, value in details.items()]


def _value(value) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dict):
        if set(value) == {"from", "to"}:
            return f"{_value(value['from'])} → {_value(value['to'])}"
        return "; ".join(f"{k.replace('_', ' ')}: {_value(v)}" for k, v in value.items())
    if isinstance(value, list | tuple):
        return ", ".join(_value(v) for v in value) or "—"
    return str(value)


@dataclass
class Line:
    """One entry as the audit log page and its CSV show it."""

    entry: object
    actor: Named
    before: str  # the phrase up to the target
    target: Named | None
    after: str = ""
    details: list[tuple[str, str]] = field(default_factory=list)

    @property
    def sentence(self) -> str:
        target = self.target.words if self.target else ""
        return re.sub(
            r"\s+", " ", f"{self.actor.words} {self.before} {target} {self.after}"
        ).strip()


def _phrase_parts(action: str, has_target: bool) -> tuple[str, str]:
    phrase = _actions.get(action) or action_words(action)
    if "{target}" in phrase:
        before, _, after = phrase.partition("{target}")
        return before.strip(), after.strip()
    return (phrase + (":" if has_target else "")), ""


def lines_in_words(entries: Iterable) -> list[Line]:
    """``entries`` (with ``select_related("actor")``) in words, naming each person and
    target once per kind: a page of 50 entries costs a few queries."""
    _discover()
    entries = list(entries)
    names = _names_for(
        [e.actor_label for e in entries if e.actor_id is None]
        + [e.target for e in entries if e.target]
    )
    users = _users_named([e.actor for e in entries if e.actor_id and e.actor])
    details = _details_in_words(entries)
    lines = []
    for e, said in zip(entries, details, strict=True):
        actor = users.get(e.actor_id) or names.get(e.actor_label) or _fallback(e.actor_label)
        target = (names.get(e.target) or _fallback(e.target)) if e.target else None
        if target and target.words == actor.words:
            target = None
        before, after = _phrase_parts(e.action, target is not None)
        lines.append(Line(e, actor, before, target, after, detail_items(said)))
    return lines


def _details_in_words(entries: list) -> list[dict]:
    """Each entry's details, reworded by its action's :func:`audit_details`, if any."""
    details = [dict(e.details or {}) for e in entries]
    by_action: dict[str, list[int]] = defaultdict(list)
    for index, e in enumerate(entries):
        if e.action in _details:
            by_action[e.action].append(index)
    for action, indexes in by_action.items():
        reworded = _details[action]([details[i] for i in indexes])
        for index, said in zip(indexes, reworded, strict=True):
            details[index] = said
    return details


def _names_for(labels: list[str]) -> dict[str, Named]:
    by_kind: dict[str, set[str]] = defaultdict(set)
    for label in labels:
        kind, sep, key = label.partition(":")
        if sep and kind in _targets:
            by_kind[kind].add(key)
    named = {}
    for kind, keys in by_kind.items():
        found = _targets[kind](sorted(keys))
        named.update({f"{kind}:{key}": value for key, value in found.items()})
    return named


def _fallback(label: str) -> Named:
    """A label nobody described: a system name, a model's verbose name and id, or as is."""
    if label in SYSTEM_ACTORS:
        return Named(SYSTEM_ACTORS[label])
    kind, sep, key = label.partition(":")
    if sep and "." in kind:
        try:
            return Named(f"{apps.get_model(kind)._meta.verbose_name} {key}")
        except (LookupError, ValueError):
            pass
    return Named(label)


def _users_named(users: list) -> dict[int, Named]:
    """Dashboard users by role and name: "HR operator Maria Lopez"."""
    if not users:
        return {}
    User = get_user_model()
    roles: dict[int, list[str]] = defaultdict(list)
    through = User.groups.through.objects.filter(user_id__in={u.id for u in users})
    for user_id, group in through.values_list("user_id", "group__name"):
        if group in ROLE_PERMISSIONS:
            roles[user_id].append(group)
    return {
        u.id: Named(" ".join([*sorted(roles[u.id], key=ROLE_ORDER.index)[:1], _name(u)]))
        for u in users
    }


# A person with several roles is named by the widest.
ROLE_ORDER = list(ROLE_PERMISSIONS)


def _name(user) -> str:
    return user.get_full_name() or user.get_username()


def people_named(labels: Iterable[str]) -> dict[str, str]:
    """What each account label means to a person (one query): a dashboard user's name
    ("Maria Lopez"; the account name only when it has none), a system name ("idbridge"),
    else the label as is. For records that keep who acted as a label (an invitation
    wave's ``created_by``, a case event's ``actor_label``)."""
    labels = set(labels)
    User = get_user_model()
    users = User._default_manager.filter(**{f"{User.USERNAME_FIELD}__in": labels})
    named = {label: _fallback(label).words for label in labels}
    named.update({user.get_username(): _name(user) for user in users})
    return named


def user_named(user) -> Named:
    return _users_named([user])[user.id]


def model_targets(
    kind: str, *, words: Callable = str, url: Callable | None = None, related: tuple = ()
) -> None:
    """Name ``app_label.model:pk`` targets from their rows, one query per page:
    ``model_targets("boi.syncrun", url=lambda run: reverse("boi:run", args=[run.pk]))``."""
    model = apps.get_model(kind)

    def resolve(keys: list[str]) -> dict[str, Named]:
        pks = [int(k) for k in keys if k.isdigit()]
        rows = model._default_manager.filter(pk__in=pks).select_related(*related)
        return {str(obj.pk): Named(words(obj), url(obj) if url else "") for obj in rows}

    audit_targets(kind, resolve)
