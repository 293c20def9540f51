"""Street-line parsing and USPS Publication 28 normalization.

One street line (no city, state or ZIP: those come in their own fields and are handled
by ``addresses``) becomes ``StreetParts`` in Campus's component terms, or a reason why it
cannot. The steps:

1. ``clean_line``: ASCII, upper case, punctuation stripped ("N.E." -> "NE", "P.O." -> "PO",
   "St." -> "ST"), "#" set apart, whitespace collapsed. Every later step sees only this
   canonical text, so case, punctuation and spacing never change a result.
2. PO boxes ("PO BOX 12", "P O B 12", "POST OFFICE BOX 12", "BOX 12") and rural / highway
   contract routes ("RR 2 BOX 15", "RURAL ROUTE 2 BOX 15", "HC 1 BOX 3") are recognized by
   regular expression: usaddress misreads several of their spellings ("POB 12", "RR2").
3. Everything else is labelled token by token by usaddress (a CRF model). Its labelling is
   accepted only when the labels come in street-address order; otherwise (usaddress raises
   ``RepeatedLabelError`` on "250 SOUTH ST E", or labels tokens out of order) a small
   right-to-left rule parser takes over: number, then unit from the first unit designator,
   then post-directional, suffix and pre-directional peeled off the ends.
4. The pieces are normalized with the Pub 28 tables in ``pub28``.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import usaddress

from .pub28 import (
    DIRECTIONALS,
    PRE_TYPE_WORDS,
    STREET_SUFFIXES,
    SUFFIX_FULL_NAMES,
    UNIT_DESIGNATORS,
    UNITS_WITHOUT_NUMBER,
)

MAX_LINE_LENGTH = 200


@dataclass(frozen=True, slots=True)
class StreetParts:
    """A parsed street line, in Campus component terms, normalized to Pub 28."""

    number: str = ""
    prefix: str = ""  # pre-directional
    street: str = ""  # street name, including pre-types ("HIGHWAY 52")
    tag: str = ""  # suffix, with a post-modifier if any ("RD EXT")
    direction: str = ""  # post-directional
    apt: str = ""  # unit: its number ("45"), or a lone designator ("REAR")
    post_office_box: bool = False


class Unparseable(Exception):  # noqa: N818 - an outcome, not a programming error
    """The line cannot be read as an address; ``str(exc)`` says why, for a RuleError."""


# --- 1. cleaning -----------------------------------------------------------------------

_DOT_AFTER_LETTER = re.compile(r"\b([A-Z])\.")
_NOT_KEPT = re.compile(r"[^A-Z0-9#&/\- ]+")
_LOOSE_HYPHEN = re.compile(r"(?<![A-Z0-9])-+|-+(?![A-Z0-9])")
_LOOSE_SLASH = re.compile(r"(?<!\d)/+|/+(?!\d)")
_SPACES = re.compile(r"\s+")
_TWO_WORD_DIRECTIONAL = re.compile(r"\b(N|S|NORTH|SOUTH) (E|W|EAST|WEST)\b")


@lru_cache(maxsize=65_536)
def clean_line(text: str) -> str:
    """Canonical text of a street line: ``"4321 N. Lexington Ave.,"`` -> ``4321 N LEXINGTON AVE``.

    Hyphens survive only inside a token ("4-B", "123-45"), slashes only in fractions
    ("7 1/2"), "#" becomes its own token, apostrophes vanish ("O'Neil" -> "ONEIL").
    """
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    text = text.upper().replace("'", "")
    text = _DOT_AFTER_LETTER.sub(r"\1", text)
    text = _NOT_KEPT.sub(" ", text)
    text = text.replace("#", " # ")
    text = _LOOSE_HYPHEN.sub(" ", text)
    text = _LOOSE_SLASH.sub(" ", text)
    text = _SPACES.sub(" ", text).strip()
    # "N E" (from "N. E.") and "NORTH EAST" are one directional: NE, NORTHEAST.
    return _TWO_WORD_DIRECTIONAL.sub(_join_directional, text)


def _join_directional(match: re.Match[str]) -> str:
    first, second = match.groups()
    if (len(first) == 1) != (len(second) == 1):  # "N EAST": not one directional's spelling
        return match.group(0)
    return first + second


# --- 2. PO boxes and rural routes ------------------------------------------------------

_PO_BOX = re.compile(
    r"^(?:P ?O ?B(?:OX)?|P ?O BX|POST OFFICE (?:BOX|BX)|POSTAL BOX|P ?O|BOX|BX)"
    # The box number holds a digit: otherwise "PO BOX" alone reads as box "OX" of "PO B".
    r"(?: ?#)? ?((?=[A-Z0-9-]*\d)[A-Z0-9][A-Z0-9-]*)$"
)
_PO_BOX_WORDS = re.compile(r"^(?:P ?O ?B(?:OX)?|P ?O BX|POST OFFICE (?:BOX|BX)|POSTAL BOX)\b")
_ROUTE_WORDS = (
    r"(RR|R R|RFD|R F D|RURAL ROUTE|RURAL RTE|RURAL RT|RURAL|RT|RTE|ROUTE"
    r"|HC|HCR|H C|HIGHWAY CONTRACT ROUTE|HIGHWAY CONTRACT|STAR ROUTE|STAR RTE)"
)
_RURAL_ROUTE = re.compile(
    rf"^{_ROUTE_WORDS} ?(?:# ?)?(\d+[A-Z]?) (?:BOX|BX) ?(?:# ?)?([A-Z0-9][A-Z0-9-]*)$"
)
# A Campus street that is a route ("RR 2"): its number is the box.
RURAL_STREET = re.compile(rf"^{_ROUTE_WORDS} ?(?:# ?)?(\d+[A-Z]?)$")
_HIGHWAY_CONTRACT = frozenset(
    {"HC", "HCR", "H C", "HIGHWAY CONTRACT ROUTE", "HIGHWAY CONTRACT", "STAR ROUTE", "STAR RTE"}
)


def route_name(words: str, route: str) -> str:
    """Pub 28 name of a route: ``RR 2`` for rural routes, ``HC 2`` for highway contracts."""
    return f"{'HC' if words in _HIGHWAY_CONTRACT else 'RR'} {route}"


# --- 3. usaddress, checked, with a rule parser behind it -------------------------------

# Where each usaddress label may appear in a street line, left to right. A labelling that
# goes backwards, or splits one label in two, is not trusted.
_RANK = {
    "Recipient": 0,
    "LandmarkName": 0,
    "AddressNumberPrefix": 1,
    "AddressNumber": 2,
    "AddressNumberSuffix": 3,
    "StreetNamePreModifier": 4,
    "StreetNamePreDirectional": 4,
    "StreetNamePreType": 5,
    "StreetName": 6,
    "StreetNamePostType": 7,
    "StreetNamePostModifier": 8,
    "StreetNamePostDirectional": 9,
    "SubaddressType": 10,
    "SubaddressIdentifier": 10,
    "OccupancyType": 10,
    "OccupancyIdentifier": 10,
    "BuildingName": 10,
    "PlaceName": 11,
    "StateName": 11,
    "ZipCode": 11,
    "CountryName": 11,
}
_UNIT_RANK = 10
_PLACE_RANK = 11
_SEPARATORS = frozenset({"&", "AND", "AT"})  # "MAIN ST AND 2ND AVE", "MAIN & 2ND"
_FRACTION = re.compile(r"^\d+/\d+$")


@dataclass(slots=True)
class _Raw:
    """Pieces of a line before Pub 28 normalization (token lists)."""

    number: list[str]
    prefix: list[str]
    pre_type: list[str]
    name: list[str]
    tag: list[str]
    modifier: list[str]
    direction: list[str]
    unit: list[str]


def _group(tokens: list[tuple[str, str]]) -> dict[str, list[str]] | None:
    """Group usaddress's labelled tokens, or None when the labels are out of order."""
    groups: dict[str, list[str]] = {}
    last_label = ""
    last_rank = -1
    for token, label in tokens:
        rank = _RANK.get(label)
        if rank is None or rank < last_rank:
            return None
        if label != last_label and label in groups and rank != _UNIT_RANK:
            return None  # the same label twice, apart: usaddress's RepeatedLabelError case
        groups.setdefault(label, []).append(token)
        last_label, last_rank = label, rank
    return groups


def _raw_from_usaddress(line: str, tokens: list[tuple[str, str]]) -> _Raw | None:
    separators = [token for token, label in tokens if label == "IntersectionSeparator"]
    if any(token in _SEPARATORS for token in separators):
        raise Unparseable(f"'{line}' looks like an intersection, not a street address")
    groups = _group(tokens)  # other intersection labels are not ranked: read by rules
    if groups is None or "AddressNumber" not in groups or "StreetName" not in groups:
        return None
    name = groups["StreetName"]
    if any(_unit_starts_at(name, i) for i in range(1, len(name))):
        return None  # a unit inside the name ("GROVE RVR OFFICE 519"): read by rules
    unit = [token for token, label in tokens if _RANK.get(label) == _UNIT_RANK]
    raw = _Raw(
        number=groups.get("AddressNumberPrefix", [])
        + groups["AddressNumber"]
        + groups.get("AddressNumberSuffix", []),
        prefix=groups.get("StreetNamePreDirectional", []),
        pre_type=groups.get("StreetNamePreModifier", []) + groups.get("StreetNamePreType", []),
        name=groups["StreetName"],
        tag=groups.get("StreetNamePostType", []),
        modifier=groups.get("StreetNamePostModifier", []),
        direction=groups.get("StreetNamePostDirectional", []),
        unit=unit,
    )
    place = [token for token, label in tokens if _RANK.get(label) == _PLACE_RANK]
    if place and not _absorb_trailing(raw, place):
        # With no suffix before them, usaddress may have taken street words for a city
        # ("SAINT PAUL BG"): read by rules if the line then ends in a street part.
        # After a suffix ("MAIN ST COON RAPIDS") the line really carries extra text.
        by_rules = None if raw.tag else _raw_by_rules(line.split())
        if by_rules is None or not (by_rules.tag or by_rules.direction or by_rules.unit):
            raise Unparseable(
                f"'{line}' has '{' '.join(place)}' after the street: city, state and ZIP "
                "belong in their own fields"
            )
        return by_rules
    return raw


def _absorb_trailing(raw: _Raw, place: list[str]) -> bool:
    """Take back words usaddress called a city: "100 MAIN ST UPPER", "2 MAIN RD WEST APT 1",
    "100 SPRING LAKE BEACH".

    City, state and ZIP come in their own fields, so trailing place words are either
    misread street parts (a unit such as UPPER or BSMT; a post-directional; name words
    ending in a suffix when no suffix was found) or text that does not belong in the street
    line (False, and ``raw`` is left as it was: the caller refuses the line).
    """
    if raw.unit:
        raw.unit += place
        return True
    cut = next((i for i, word in enumerate(place) if word in UNIT_DESIGNATORS), len(place))
    words, unit = place[:cut], place[cut:]
    direction = raw.direction
    if words and not direction and words[-1] in DIRECTIONALS:
        direction = [words.pop()]
    if words and (raw.tag or raw.direction or words[-1] not in STREET_SUFFIXES):
        return False
    if words:
        raw.name, raw.tag = raw.name + words[:-1], words[-1:]
    raw.direction, raw.unit = direction, unit
    return True


def _unit_starts_at(tokens: list[str], index: int) -> bool:
    token = tokens[index]
    if token == "#":
        return True
    designator = UNIT_DESIGNATORS.get(token)
    if designator is None:
        return False
    following = tokens[index + 1] if index + 1 < len(tokens) else ""
    if following == "#" or any(c.isdigit() for c in following):
        return True
    if designator in UNITS_WITHOUT_NUMBER:  # "REAR", "BSMT APT 2"; not "N FRONT ST"
        return not following or following in UNIT_DESIGNATORS
    return len(following) == 1  # "APT B"


def _raw_by_rules(tokens: list[str]) -> _Raw | None:
    """Right-to-left reading, per Pub 28, for lines usaddress cannot label consistently."""
    if not tokens or not any(c.isdigit() for c in tokens[0]):
        return None
    number, rest = [tokens[0]], tokens[1:]
    if rest and _FRACTION.match(rest[0]):
        number.append(rest.pop(0))
    cut = next((i for i in range(1, len(rest)) if _unit_starts_at(rest, i)), len(rest))
    street, unit = rest[:cut], rest[cut:]
    direction: list[str] = []
    tag: list[str] = []
    modifier: list[str] = []
    prefix: list[str] = []
    if len(street) >= 2 and street[-1] in DIRECTIONALS:
        direction = [street.pop()]
    if (
        len(street) >= 3
        and STREET_SUFFIXES.get(street[-1]) == "EXT"
        and street[-2] in STREET_SUFFIXES
    ):
        modifier = [street.pop()]
    if len(street) >= 2 and street[-1] in STREET_SUFFIXES:
        tag = [street.pop()]
    if len(street) >= 2 and street[0] in DIRECTIONALS:
        prefix = [street.pop(0)]
    if not street:
        return None
    return _Raw(number, prefix, [], street, tag, modifier, direction, unit)


# --- 4. Pub 28 normalization ------------------------------------------------------------


def normalize_unit(tokens: list[str]) -> str:
    """``["APARTMENT", "45"]`` -> ``45``; ``["#", "4B"]`` -> ``4B``; ``["REAR"]`` -> ``REAR``.

    Campus keeps only the unit's number in ``apt``, so a leading designator followed by a
    number is dropped; a designator that stands alone (REAR, BSMT, PH) is the unit itself.
    """
    words = [UNIT_DESIGNATORS.get(token, token) for token in tokens if token != "#"]
    if len(words) >= 2 and words[0] in UNIT_DESIGNATORS:
        words = words[1:]
    return " ".join(words)


def _spell_out_suffix(word: str) -> str:
    standard = STREET_SUFFIXES.get(word)
    return SUFFIX_FULL_NAMES[standard] if standard else word


def _normalize(raw: _Raw) -> StreetParts:
    _read_right_to_left(raw)
    prefix = DIRECTIONALS.get(" ".join(raw.prefix), "")
    name = list(raw.name)
    if raw.prefix and not prefix:
        name = raw.prefix + name  # not a directional after all: part of the name
    pre_type = [PRE_TYPE_WORDS.get(word) or _spell_out_suffix(word) for word in raw.pre_type]
    tag_words = list(raw.tag)
    if len(tag_words) > 1:  # "COUNTRY CLUB HIGHWAY" labelled CLUB HIGHWAY: one suffix only
        name += tag_words[:-1]
        tag_words = tag_words[-1:]
    if not tag_words and len(name) > 1 and name[-1] in STREET_SUFFIXES:
        tag_words = [name.pop()]  # "OAK TRAIL SOUTH" labelled OAK TRAIL as the name
    modifier = list(raw.modifier)
    if tag_words and not modifier and len(name) > 1 and name[-1] in STREET_SUFFIXES:
        if STREET_SUFFIXES.get(tag_words[0]) == "EXT":  # "COUNTRY CLUB EXT": CLB EXT
            modifier, tag_words = tag_words, [name.pop()]
    tag_text = " ".join(tag_words)
    tag = STREET_SUFFIXES.get(tag_text, tag_text)
    direction = DIRECTIONALS.get(" ".join(raw.direction), "")
    if raw.direction and not direction:
        return _normalize_rules_instead(raw)
    if not tag and prefix and len(name) == 1 and name[0] in STREET_SUFFIXES:
        # "250 SOUTH ST EAST": usaddress reads SOUTH as the pre-directional and ST as the
        # name. Pub 28 reads right to left: ST is the suffix, so the directional before it
        # is the street's name, kept as written: letter streets exist ("N ST NW" in
        # Washington is not NORTH ST), so N is never spelled out as NORTH in a name.
        tag, name, prefix = STREET_SUFFIXES[name[0]], list(raw.prefix), ""
    if tag and name and name[-1] in STREET_SUFFIXES:
        # Two suffix words ("PARK AVE RD"): only the second is abbreviated (Pub 28).
        name[-1] = _spell_out_suffix(name[-1])
    if modifier:
        tag = " ".join([tag, *(STREET_SUFFIXES.get(w, w) for w in modifier)]).strip()
    return StreetParts(
        number=" ".join(raw.number),
        prefix=prefix,
        street=" ".join(pre_type + name),
        tag=tag,
        direction=direction,
        apt=normalize_unit(raw.unit),
    )


def _read_right_to_left(raw: _Raw) -> None:
    """Pub 28's right-to-left reading, where usaddress's labels contradict it."""
    if raw.unit and not raw.direction and raw.unit[0] in DIRECTIONALS and len(raw.unit) > 1:
        raw.direction = [raw.unit.pop(0)]  # "RD E LOBBY 800": E is the post-directional
    if (
        len(raw.tag) == 1
        and raw.tag[0] in UNIT_DESIGNATORS
        and not raw.direction
        and raw.unit
        and raw.unit[0] not in UNIT_DESIGNATORS
        and len(raw.name) > 1
        and raw.name[-1] in STREET_SUFFIXES
    ):
        # TRAILER and KEY are both suffixes and unit designators: in "MAIN TRAIL KEY 835"
        # the word before the number is the unit's designator and TRAIL the suffix.
        raw.unit.insert(0, raw.tag[0])
        raw.tag = [raw.name.pop()]


def _normalize_rules_instead(raw: _Raw) -> StreetParts:
    tokens = raw.number + raw.prefix + raw.pre_type + raw.name + raw.tag + raw.modifier
    tokens += raw.direction + raw.unit
    by_rules = _raw_by_rules(tokens)  # its directions come from DIRECTIONALS: no loop
    if by_rules is None:
        raise Unparseable(f"cannot read '{' '.join(tokens)}' as a street address")
    return _normalize(by_rules)


@lru_cache(maxsize=65_536)
def parse_clean_line(line: str) -> StreetParts:
    """Parse text already passed through ``clean_line``. Raises ``Unparseable``."""
    if not line:
        raise Unparseable("the street address is empty")
    if len(line) > MAX_LINE_LENGTH:
        raise Unparseable(f"the street address is longer than {MAX_LINE_LENGTH} characters")
    if match := _PO_BOX.match(line):
        return StreetParts(number=match.group(1), post_office_box=True)
    if match := _RURAL_ROUTE.match(line):
        words, route, box = match.groups()
        return StreetParts(number=box, street=route_name(words, route))
    if _PO_BOX_WORDS.match(line):
        raise Unparseable(f"'{line}': a PO box is written 'PO BOX <number>' and nothing else")
    try:
        tokens = usaddress.parse(line)
    except Exception:  # a third-party model must not stop a 50,000-row import
        tokens = []
    raw = _raw_from_usaddress(line, tokens) if tokens else None
    if raw is None:
        raw = _raw_by_rules(line.split())
    if raw is None:
        raise Unparseable(
            f"cannot read '{line}' as a street address: expected a house number, "
            "an optional direction, a street, an optional direction and an optional unit"
        )
    return _normalize(raw)


def parse_street_line(text: str) -> StreetParts:
    """Parse a free-text street line. Raises ``Unparseable`` with a readable reason.

    >>> parse_street_line("4321 South Lexington Ave SE Apt 45")
    StreetParts(number='4321', prefix='S', street='LEXINGTON', tag='AVE', direction='SE', \
apt='45', post_office_box=False)
    """
    return parse_clean_line(clean_line(text))
