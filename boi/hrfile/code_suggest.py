"""A Campus value for an HR code, by name similarity (for the code mapping page).

HR codes are short and abbreviated ("ELEM-LIN", "TCHR", "F"); Campus lists carry a code and a
name ("010 Lincoln Elementary"). A Campus item scores by how much of the HR code's words are
the start of its name's words, by its initials ("RMS"), and by plain character similarity to
its code and name (shared letter pairs).

>>> items = [{"code": "010", "name": "Lincoln Elementary"}, {"code": "030", "name": "Central High"}]
>>> suggest_campus_value("LINCOLN ELEM", items)
('010', 0.95)
>>> suggest_campus_value("RMS", items + [{"code": "020", "name": "Roosevelt Middle"}])
('020', 0.85)
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

# Below this a suggestion is shown but not pre-chosen on the pick-list.
CHOOSE_AT = 0.75
INITIALS_SCORE = 0.85
_WORDS = re.compile(r"[a-z]+|\d+")


def _words(text: str) -> list[str]:
    return _WORDS.findall(text.lower())


@dataclass(frozen=True)
class _Item:
    code: str
    code_text: str
    name_text: str
    name_words: tuple[str, ...]
    initials: str
    code_pairs: frozenset[str]
    name_pairs: frozenset[str]

    @classmethod
    def of(cls, item: dict) -> _Item:
        code, words = str(item.get("code", "")), _words(str(item.get("name", "")))
        code_text, name_text = " ".join(_words(code)), " ".join(words)
        initials = "".join(w[0] for w in words)
        return cls(
            code, code_text, name_text, tuple(words), initials, _pairs(code_text), _pairs(name_text)
        )


def _pairs(text: str) -> frozenset[str]:
    """The text's letter pairs, for a similarity that ignores word order and typing slips."""
    padded = f" {text} "
    return frozenset(padded[i : i + 2] for i in range(len(padded) - 1))


def _dice(a: frozenset[str], b: frozenset[str]) -> float:
    return 2 * len(a & b) / (len(a) + len(b)) if a and b else 0.0


def _score(hr_words: list[str], hr: str, hr_pairs: frozenset[str], item: _Item) -> float:
    if hr in (item.code_text, item.name_text):
        return 1.0
    compact = hr.replace(" ", "")
    initials = item.initials
    if len(initials) >= 2 and compact.startswith(initials) and len(compact) <= len(initials) + 1:
        return INITIALS_SCORE  # "RMS" for Roosevelt Middle (School)
    hits = sum(any(w.startswith(h) for w in item.name_words) for h in hr_words)
    by_words = 0.95 * hits / len(hr_words)
    by_pairs = max(_dice(hr_pairs, item.name_pairs), _dice(hr_pairs, item.code_pairs))
    return round(max(by_words, by_pairs), 2)


def suggest_campus_values(hr_values: Iterable[str], items: list[dict]) -> dict[str, tuple]:
    """``{hr value: (best Campus code, score 0–1)}``, the list prepared once for all."""
    prepared = [_Item.of(i) for i in items]
    out = {}
    for hr_value in hr_values:
        hr_words = _words(hr_value)
        best, best_score = "", 0.0
        if hr_words:
            hr = " ".join(hr_words)
            hr_pairs = _pairs(hr)
            for item in prepared:
                score = _score(hr_words, hr, hr_pairs, item)
                if score > best_score:
                    best, best_score = item.code, score
        out[hr_value] = (best, best_score)
    return out


def suggest_campus_value(hr_value: str, items: list[dict]) -> tuple[str, float]:
    """The best Campus code for ``hr_value`` and its score (0–1); ("", 0.0) for none."""
    return suggest_campus_values([hr_value], items)[hr_value]
