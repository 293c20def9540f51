"""The onboarding list's search reads each staff member's words (``idbridge.search``):
kept in step by every write, folded ("José" → jose), matched by their start, every typed
word needed; staff numbers match whole."""

import doctest

import pytest

from idbridge import search
from staff.models import OnboardingCase, StaffMember, StaffSearchWord
from staff.selectors import case_list
from staff.services.discovery import staff_records_from_campus
from staff.services.merge import staff_members_merge
from tests.staff.conftest import person


def words(member: StaffMember) -> set[str]:
    return set(StaffSearchWord.objects.filter(staff_member=member).values_list("word", flat=True))


def found(q: str) -> set[str]:
    return {
        f"{c['staff_member__first_name']} {c['staff_member__last_name']}" for c in case_list(q=q)
    }


def numbers(q: str) -> set[str]:
    return {c["staff_member__staff_number"] for c in case_list(q=q)}


@pytest.fixture
def roster(connection):
    staff_records_from_campus(
        connection=connection,
        persons=[
            person(1, first_name="José", last_name="Muñoz", work_email="J.Munoz@D.example"),
            person(2, first_name="Andrea", last_name="Nowak", work_email="a.nowak@d.example"),
            person(3, first_name="Piotr", last_name="Nowakowski", work_email="pn@d.example"),
            person(4, first_name="Łukasz", last_name="Wiśniewski", personal_email="lw@x.example"),
        ],
    )


def test_discovery_writes_each_members_words_once(roster):
    jose = StaffMember.objects.get(staff_number="S00001")
    assert words(jose) == {"jose", "munoz", "j", "d", "example"}
    assert StaffSearchWord.objects.filter(staff_member=jose).count() == 5
    lukasz = StaffMember.objects.get(staff_number="S00004")
    assert words(lukasz) == {"lukasz", "wisniewski", "maria", "lopez4", "district", "example"} | {
        "lw",
        "x",
    }


def test_accents_are_folded_both_ways(roster):
    assert found("jose munoz") == {"José Muñoz"}
    assert found("JOSÉ") == {"José Muñoz"}
    assert found("lukasz wiśniewski") == {"Łukasz Wiśniewski"}


def test_a_word_is_found_by_its_start_and_every_typed_word_must_match(roster):
    assert found("Now") == {"Andrea Nowak", "Piotr Nowakowski"}
    assert found("nowak") == {"Andrea Nowak", "Piotr Nowakowski"}
    assert found("nowako") == {"Piotr Nowakowski"}
    assert found("owak") == set()  # the middle of a word is not its start
    assert found("now andr") == {"Andrea Nowak"}
    assert found("nowak jose") == set()


def test_an_address_is_found_whole_or_by_its_pieces(roster):
    assert found("a.nowak@d.example") == {"Andrea Nowak"}
    assert found("J.Munoz@D.example") == {"José Muñoz"}
    assert found("lw@x.example") == {"Łukasz Wiśniewski"}
    assert (
        found("@")
        == found("")
        == {
            "José Muñoz",
            "Andrea Nowak",
            "Piotr Nowakowski",
            "Łukasz Wiśniewski",
        }
    )


def test_a_staff_number_matches_whole_in_either_case(roster):
    assert found("S00002") == {"Andrea Nowak"}
    assert found("s00002 andrea") == {"Andrea Nowak"}
    assert found("S0000") == set()


def test_a_rename_in_campus_rewrites_only_the_words_that_changed(connection, roster):
    andrea = StaffMember.objects.get(staff_number="S00002")
    kept = StaffSearchWord.objects.get(staff_member=andrea, word="andrea").id
    renamed = person(2, first_name="Andrea", last_name="Kowalska", work_email="a.k@d.example")
    staff_records_from_campus(connection=connection, persons=[renamed])
    assert words(andrea) == {"andrea", "kowalska", "a", "k", "d", "example"}
    assert StaffSearchWord.objects.get(staff_member=andrea, word="andrea").id == kept
    assert found("kowalska") == {"Andrea Kowalska"} and found("nowak") == {"Piotr Nowakowski"}


def test_a_save_by_hand_rewrites_the_words_and_one_that_leaves_the_name_alone_does_not(roster):
    piotr = StaffMember.objects.get(staff_number="S00003")
    piotr.last_name = "Okafor"
    piotr.save(update_fields=["last_name"])
    assert "okafor" in words(piotr) and "nowakowski" not in words(piotr)
    before = set(StaffSearchWord.objects.values_list("id", flat=True))
    piotr = StaffMember.objects.get(id=piotr.id)
    piotr.mobile = "+15550100"
    piotr.save()
    assert set(StaffSearchWord.objects.values_list("id", flat=True)) == before


def test_a_member_created_by_hand_has_words_and_loses_them_when_deleted(connection):
    member = StaffMember.objects.create(
        connection=connection, campus_key="k", first_name="Renée", last_name="Zoë"
    )
    assert words(member) == {"renee", "zoe"}
    member.delete()
    assert not StaffSearchWord.objects.exists()


def test_many_staff_found_alike_when_pieces_are_common(connection, monkeypatch):
    """Pieces with more rows than are read at once are checked for the rare ones' rows
    only, or (all common) case by case in the list's order: the same cases either way."""
    staff_records_from_campus(
        connection=connection,
        persons=[person(n, last_name="Nowak" if n % 3 else f"Lopez{n}") for n in range(1, 13)],
    )
    queries = ["maria", "nowak", "nowak maria", "lopez3 maria", "maria lopez3 S00003", "S00004"]
    queries += ["nowak S00003", "m n", "district example", "lopez12 lopez1"]
    expected = {q: numbers(q) for q in queries}
    assert expected["nowak maria"] == expected["nowak"] and len(expected["nowak"]) == 8
    assert expected["maria lopez3 S00003"] == {"S00003"} and expected["nowak S00003"] == set()
    assert expected["lopez12 lopez1"] == {"S00012"} and len(expected["district example"]) == 12
    for most, among in ((0, 0), (2, 0), (2, 300), (5, 1), (2000, 0)):
        monkeypatch.setattr(search, "PIECE_READ_MAX", most)
        monkeypatch.setattr(search, "AMONG_MAX", among)
        assert {q: numbers(q) for q in queries} == expected


def test_the_words_are_filled_for_staff_recorded_before(roster):
    written = set(StaffSearchWord.objects.values_list("staff_member_id", "word"))
    StaffSearchWord.objects.all().delete()
    search.words_fill(StaffMember, StaffSearchWord, "staff_member_id", batch=3)
    assert found("now andr") == {"Andrea Nowak"}
    assert set(StaffSearchWord.objects.values_list("staff_member_id", "word")) == written
    assert StaffSearchWord.objects.count() == len(written) == 5 + 5 + 5 + 8
    assert OnboardingCase.objects.count() == 4


def test_words_are_folded_cut_and_ranged_as_typed():
    assert search.words_of("José Muñoz-Łęcka\nJ.Munoz@D.example") == [
        "jose",
        "munoz",
        "lecka",
        "j",
        "munoz",
        "d",
        "example",
    ]
    assert search.words_of("x" * 60) == ["x" * search.WORD_MAX_LENGTH]
    assert [search.after_prefix(p) for p in ("nowak", "a9", "noz", "zz")] == [
        "nowal",
        "aa",
        "np",
        None,
    ]


def test_the_search_modules_examples_hold():
    assert doctest.testmod(search).failed == 0


def test_the_pieces_before_a_typed_words_last_are_whole_words(connection, roster):
    staff_records_from_campus(
        connection=connection,
        persons=[person(5, first_name="Ab", last_name="Nowak", work_email="ab.nowak@d.example")],
    )
    assert found("a.nowak@d.example") == {"Andrea Nowak"}  # not ab.nowak@
    assert found("a.nowak@d.ex") == {"Andrea Nowak"}
    assert found("a.now") == {"Andrea Nowak"}
    assert found("ab.nowak@d.example") == {"Ab Nowak"}


def test_a_merge_keeps_one_members_words_with_what_it_gained(connection):
    kept = StaffMember.objects.create(
        connection=connection, campus_key="k1", first_name="Ana", last_name="Silva"
    )
    merged = StaffMember.objects.create(
        connection=connection,
        campus_key="k2",
        first_name="Ana",
        last_name="Silva",
        work_email="ana.silva@district.example",
    )
    survivor = StaffMember.objects.get(
        id=staff_members_merge(member_ids=[kept.id, merged.id], actor="test")
    )
    assert words(survivor) == {"ana", "silva", "district", "example"}
    assert set(StaffSearchWord.objects.values_list("staff_member_id", flat=True)) == {survivor.id}
