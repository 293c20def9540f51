"""A list's search by words: one word table per searchable list.

Each row of a searchable list (a staff member, an outbox message) has a row in its word
table for every word of its search text: lowercased, accents folded ("José" → "jose"),
cut into runs of letters and digits ("A.Nowak@D.example" → a, nowak, d, example). A
search cuts each typed word the same way: its last piece is the start of a word (a range
of the (word, row) index, ``word >= piece AND word < after_prefix(piece)``, never a LIKE
nor a scan of every row's text), the pieces before it whole words (the punctuation typed
after them says they ended: "a.nowak@d.ex"). Every typed word must match (a typed word
is found when all of its pieces are).

A piece's rows are read up to ``PIECE_READ_MAX`` and intersected here; once the rows
found are few, the remaining pieces (and the common ones) are checked for those rows
only, through the (row, word) index; the list's page is read by id. When every piece is
common (all the outbox says "district"), the list is walked in its own order and each
row checked by an EXISTS on (row, word): a page of matches is met within a few rows
(within a few thousand when the common pieces rarely meet). Either way no more than
``PIECE_READ_MAX`` ids go into a statement (SQLite takes at most 32,766).

>>> words_of("José Muñoz-Łęcka\\nJ.Munoz@D.example")
['jose', 'munoz', 'lecka', 'j', 'munoz', 'd', 'example']
>>> search_terms("  Nowak,  Andrea ")
['Nowak', 'Andrea']
>>> search_pieces("A.Nowak@d.ex")
[('a', True), ('nowak', True), ('d', True), ('ex', False)]
>>> [after_prefix(p) for p in ("nowak", "a9", "noz", "zz")]
['nowal', 'aa', 'np', None]
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Mapping, Sequence

from django.db import models
from django.db.models import Exists, OuterRef, Q

# A word is kept whole up to this many characters (a longer typed piece is cut alike).
WORD_MAX_LENGTH = 40
# Rows read for one piece of a search before it counts as common (checked afterwards).
PIECE_READ_MAX = 2000
# Rows found so far up to which a piece is read for them only (by (row, word)) rather
# than as a range of its own: a few hundred lookups cost what a short range read does.
AMONG_MAX = 300
# Ids per statement when words are written for many rows at once.
CHUNK = 900
# Letters the accent folding (NFKD) leaves alone, spelt as a reader would type them.
_LETTERS = str.maketrans(
    {"ł": "l", "ø": "o", "đ": "d", "ð": "d", "þ": "th", "æ": "ae", "œ": "oe", "ı": "i"}
)
# The characters of a word in the order both SQLite (binary) and PostgreSQL (whatever
# the database's collation) sort them: digits, then letters.
_ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz"


def words_of(text: str) -> list[str]:
    """The words of ``text`` as stored and searched: lowercased, accent-free, letters and
    digits only (in order, repeats kept)."""
    folded = unicodedata.normalize("NFKD", (text or "").casefold().translate(_LETTERS))
    plain = "".join(c for c in folded if not unicodedata.combining(c))
    return [word[:WORD_MAX_LENGTH] for word in re.findall(r"[a-z0-9]+", plain)]


def search_terms(q: str) -> list[str]:
    """The words of a search as typed, commas and extra spaces left out ("Nowak, Andrea")."""
    return [word for word in re.split(r"[\s,;]+", q or "") if word]


def after_prefix(piece: str) -> str | None:
    """The first string after every word that starts with ``piece`` (None: no bound)."""
    stem = piece.rstrip("z")
    if not stem:
        return None
    return stem[:-1] + _ALPHABET[_ALPHABET.index(stem[-1]) + 1]


def search_pieces(term: str) -> list[tuple[str, bool]]:
    """The pieces of a typed word, each with whether it is a whole word (all but the
    last), repeats left out."""
    words = words_of(term)
    return list(dict.fromkeys((word, n < len(words) - 1) for n, word in enumerate(words)))


def piece_match(piece: tuple[str, bool]) -> Q:
    """The word table's rows matching a piece: the word itself when whole, else the words
    starting with it (an index range)."""
    word, whole = piece
    if whole:
        return Q(word=word)
    after = after_prefix(word)
    return Q(word__gte=word) if after is None else Q(word__gte=word, word__lt=after)


def words_write(model, owner: str, texts: Mapping[int, str], *, new: bool = False) -> None:
    """Make ``model``'s words of each row (id → search text, ``owner`` the word table's
    column naming the row) those of its text: words gone deleted, new ones added. Rows
    just inserted (``new``) have none to read. A few statements for any number of rows."""
    wanted = {(word, pk) for pk, text in texts.items() for word in words_of(text)}
    if not new:
        held = {}
        for ids in _chunks(sorted(texts)):
            rows = model.objects.filter(**{f"{owner}__in": ids}).values_list("id", "word", owner)
            held.update({(word, pk): row_id for row_id, word, pk in rows})
        for gone in _chunks(sorted(row_id for key, row_id in held.items() if key not in wanted)):
            model.objects.filter(id__in=gone).delete()
        wanted -= held.keys()
    model.objects.bulk_create(
        [model(word=word, **{owner: pk}) for word, pk in sorted(wanted)], batch_size=CHUNK
    )


class SearchWord(models.Model):
    """A word table's row: one word of a searchable row's search text (the subclass
    names the row, and indexes (word, row) and (row, word))."""

    word = models.CharField(max_length=WORD_MAX_LENGTH)

    class Meta:
        abstract = True

    def __str__(self):
        return self.word


class SearchedByWords:
    """A model whose ``search_text`` has its words in a word table: remembers the text
    read from the database, so a save that leaves it alone writes no words."""

    @classmethod
    def from_db(cls, db, field_names, values):
        row = super().from_db(db, field_names, values)
        row._searched = row.__dict__.get("search_text")
        return row


def search_words_write(model, owner: str, rows, *, new: bool = False) -> None:
    """The words of ``rows`` (``SearchedByWords``, search text refreshed) in ``model``:
    of rows just inserted (``new``), and of those whose text changed since they were read
    (bulk writes, which do not call ``save()``, call this too)."""
    texts = {
        row.pk: row.search_text
        for row in rows
        if new or row.__dict__.get("_searched") != row.search_text
    }
    if texts:
        words_write(model, owner, texts, new=new)
    for row in rows:
        row._searched = row.search_text


def words_fill(model, word_model, owner: str, batch: int = CHUNK) -> None:
    """Words for every row of ``model`` from its ``search_text`` (a migration's backfill:
    historical models), ``batch`` rows at a time by id."""
    last = 0
    while True:
        rows = model.objects.filter(id__gt=last).order_by("id").values_list("id", "search_text")
        page = list(rows[:batch])
        if not page:
            return
        words_write(word_model, owner, dict(page), new=True)
        last = page[-1][0]


def words_filter(
    model, owner: str, terms: Sequence[str], *, outer: str = "pk", also: Mapping | None = None
) -> Q:
    """A filter on a list (its rows' id at ``outer``) keeping the rows that hold every one
    of ``terms`` in ``model``, the list's word table (``owner`` its column naming the
    row); ``also``: term → ids of the rows that match the term otherwise (a staff number)."""
    also = also or {}
    pieces_of = {term: search_pieces(term) for term in terms}
    pieces_of = {term: pieces for term, pieces in pieces_of.items() if pieces}
    if not pieces_of:
        return Q()  # punctuation only: nothing to look for
    found, candidates = {}, None
    for piece in sorted(
        dict.fromkeys(p for pieces in pieces_of.values() for p in pieces), key=_rare_first
    ):
        few = candidates is not None and len(candidates) <= AMONG_MAX
        found[piece] = _owners(model, owner, piece, among=candidates if few else None)
        if found[piece] is not None:
            # Every row found is among this piece's (or its words' other matches): the
            # pieces read from here on, when these rows are few, are read for them only.
            rows = set.intersection(
                *(found[piece] | also.get(t, set()) for t, p in pieces_of.items() if piece in p)
            )
            candidates = rows if candidates is None else candidates & rows
    if candidates is None:
        return _exists_filter(model, owner, pieces_of, outer, also)
    for piece in [piece for piece, rows in found.items() if rows is None]:
        found[piece] = _owners(model, owner, piece, among=candidates)
    for term, pieces in pieces_of.items():
        candidates &= set.intersection(*(found[p] for p in pieces)) | also.get(term, set())
    return Q(**{f"{outer}__in": sorted(candidates)})


def _rare_first(piece: tuple[str, bool]) -> tuple[bool, bool, int]:
    """Whole words, pieces with a digit, longer ones first: the likelier to be rare."""
    word, whole = piece
    return (not whole, not any(c.isdigit() for c in word), -len(word))


def _owners(model, owner: str, piece, among: set | None = None) -> set | None:
    """The rows with a word matching ``piece`` (of ``among`` only, if given); None when
    more than ``PIECE_READ_MAX`` are (a common piece)."""
    words = model.objects.filter(piece_match(piece))
    if among is not None:
        if not among:
            return set()
        return set(words.filter(**{f"{owner}__in": sorted(among)}).values_list(owner, flat=True))
    rows = list(words.values_list(owner, flat=True)[: PIECE_READ_MAX + 1])
    return None if len(rows) > PIECE_READ_MAX else set(rows)


def _exists_filter(model, owner: str, pieces_of: dict, outer: str, also: Mapping) -> Q:
    """Every piece is common: each row of the list, walked in its order, is checked."""
    match = Q()
    for term, pieces in pieces_of.items():
        holds = Q()
        for piece in pieces:
            words = model.objects.filter(piece_match(piece), **{owner: OuterRef(outer)})
            holds &= Q(Exists(words))
        if also.get(term):
            holds |= Q(**{f"{outer}__in": sorted(also[term])})
        match &= holds
    return match


def _chunks(items: list) -> Iterator[list]:
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]
