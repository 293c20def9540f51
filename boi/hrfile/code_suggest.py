"""A Campus value for an HR code, by name similarity (for the code mapping page).

HR codes are short and abbreviated ("ELEM-LIN", "TCHR", "F"); Campus lists carry a code and a
name ("010 Lincoln Elementary"). A Campus item scores by how much of the HR code's words are
the start of its name's words, and by plain character similarity to its code and name.

>>> items = [{"code": "010", "name": "Lincoln Elementary"}, {"code": "030", "name": "Central High"}]
>>> suggest_campus_value("LINCOLN ELEM", items)
('010', 0.95)
>>> suggest_campus_value("RMS", items + [{"code": "020", "name": "Roosevelt Middle"}])
('020', 0.85)
"""

from __future__ import annotations

import re
from difflib import SequenceMatcher

# Below this a suggestion is shown but not pre-chosen on the pick-list.
CHOOSE_AT = 0.75
_WORDS = re.compile(r"[a-z]+|\d+")


def _words(text: str) -> list[str]:
    return _WORDS.findall(text.lower())


def _prefix_share(hr_words: list[str], name_words: list[str]) -> float:
    """Share of the HR words that start a word of the name ("elem" starts "elementary")."""
    if not hr_words:
        return 0.0
    hits = sum(any(w.startswith(h) for w in name_words) for h in hr_words)
    return hits / len(hr_words)


def item_score(hr_value: str, code: str, name: str) -> float:
    hr = " ".join(_words(hr_value))
    if not hr:
        return 0.0
    if hr == " ".join(_words(code)) or hr == " ".join(_words(name)):
        return 1.0
    name_words = _words(name)
    initials = "".join(w[0] for w in name_words)
    compact = hr.replace(" ", "")
    if len(initials) >= 2 and compact.startswith(initials) and len(compact) <= len(initials) + 1:
        return 0.85  # "RMS" for Roosevelt Middle (School)
    by_words = _prefix_share(_words(hr_value), name_words)
    by_chars = max(
        SequenceMatcher(None, hr, " ".join(_words(name))).ratio(),
        SequenceMatcher(None, hr, " ".join(_words(code))).ratio(),
    )
    return round(max(by_words * 0.95, by_chars), 2)


def suggest_campus_value(hr_value: str, items: list[dict]) -> tuple[str, float]:
    """The best Campus code for ``hr_value`` and its score (0–1); ("", 0.0) for none."""
    best, best_score = "", 0.0
    for item in items:
        code = str(item.get("code", ""))
        score = item_score(hr_value, code, str(item.get("name", "")))
        if score > best_score:
            best, best_score = code, score
    return best, best_score
