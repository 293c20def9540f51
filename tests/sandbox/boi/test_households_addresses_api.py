"""Households and addresses through the BOI API: the guide's household rules, the two
address forms, PO boxes, and matching (exact, then USPS Pub 28 normalized, else create)."""

import pytest
from django.db import connection

from sandbox.boi.addresses import AddressIndex
from sandbox.boi.preferences import preferences_set
from sandbox.models import Address, Household, HouseholdLocation, HouseholdMember, Person

from .conftest import errors

pytestmark = pytest.mark.django_db

PLACE = {"city": "Blaine", "state": "MN", "zip": "55123"}


def household_of(address: dict) -> dict:
    return {"householdLocations": [{"address": address}]}


def address_of(staff_number: str) -> Address:
    person = Person.objects.get(staff_number=staff_number)
    member = HouseholdMember.objects.get(person=person)
    location = HouseholdLocation.objects.get(household=member.household, end_date__isnull=True)
    return location.address


def test_a_new_staff_member_gets_a_new_staff_household_at_a_new_address(boi_api, staff_payload):
    before = Address.objects.count()
    response = boi_api.post("staff", staff_payload())
    assert response.status_code == 201
    assert response.json()["addressesCreated"] == 1
    member = HouseholdMember.objects.get(person__staff_number="900001")
    household = member.household
    assert household.is_staff_household and household.members.count() == 1
    assert household.name == "Lindqvist Household"
    address = address_of("900001")
    assert (address.number, address.prefix, address.street, address.tag, address.direction) == (
        "4321",
        "S",
        "LEXINGTON",
        "AVE",
        "SE",
    )
    assert address.apt == "45" and address.match_key == "4321|S|LEXINGTON|AVE|SE|45|MN|55123"
    assert Address.objects.count() == before + 1


def test_two_spellings_of_one_address_share_one_record(boi_api, staff_payload):
    long_form = {
        "number": "4321",
        "prefix": "North",
        "street": "Lexington",
        "tag": "Avenue",
        **PLACE,
    }
    short_form = {"fullStreetAddress": "4321 N Lexington Ave.", **PLACE}
    boi_api.post("staff", staff_payload("900001", household=household_of(long_form)))
    response = boi_api.post("staff", staff_payload("900002", household=household_of(short_form)))
    assert response.json()["addressesCreated"] == 0
    assert address_of("900001") == address_of("900002")


def test_a_different_pre_directional_is_a_different_address(boi_api, staff_payload):
    boi_api.post(
        "staff",
        staff_payload(
            "900001", household=household_of({"fullStreetAddress": "4321 109th Ave NW", **PLACE})
        ),
    )
    boi_api.post(
        "staff",
        staff_payload(
            "900002", household=household_of({"fullStreetAddress": "4321 W 109th Ave NW", **PLACE})
        ),
    )
    first, second = address_of("900001"), address_of("900002")
    assert first != second
    assert (first.prefix, second.prefix) == ("", "W")


def test_an_existing_address_is_matched_exactly_by_its_components(boi_api, staff_payload, district):
    seeded = Address.objects.filter(post_office_box=False).exclude(number="").order_by("id").first()
    components = {
        "number": seeded.number,
        "prefix": seeded.prefix,
        "street": seeded.street,
        "tag": seeded.tag,
        "direction": seeded.direction,
        "apt": seeded.apt,
        "city": seeded.city,
        "state": seeded.state,
        "zip": seeded.zip,
        "county": seeded.county,
    }
    response = boi_api.post("staff", staff_payload(household=household_of(components)))
    assert response.json()["addressesCreated"] == 0
    assert address_of("900001") == seeded


def test_an_existing_address_written_another_way_is_found_by_its_normalized_key(
    boi_api, staff_payload, district
):
    seeded = Address.objects.create(
        number="12500", prefix="South", street="42nd", tag="Gardens", apt="123", **PLACE
    )
    from sandbox.boi.addresses import record_keys

    seeded.components_key, seeded.match_key = record_keys(seeded)
    seeded.save()
    typed = {"fullStreetAddress": "12500 S. 42nd Gdns #123", **PLACE}
    response = boi_api.post("staff", staff_payload(household=household_of(typed)))
    assert response.json()["addressesCreated"] == 0
    assert address_of("900001") == seeded


def test_full_street_address_and_components_together_are_refused(boi_api, staff_payload):
    both = {"fullStreetAddress": "4321 N Lexington Ave", "number": "4321", "street": "X", **PLACE}
    response = boi_api.post("staff", staff_payload(household=household_of(both)))
    assert response.status_code == 400
    assert errors(response) == [
        ("household.householdLocations[0].address.fullStreetAddress", "conflict")
    ]


def test_a_po_box_takes_only_its_number(boi_api, staff_payload):
    box = {"postOfficeBox": True, "number": "54", "street": "Main", "apt": "2", **PLACE}
    response = boi_api.post("staff", staff_payload(household=household_of(box)))
    assert response.status_code == 400
    assert set(errors(response)) == {
        ("household.householdLocations[0].address.street", "conflict"),
        ("household.householdLocations[0].address.apt", "conflict"),
    }
    box = {"postOfficeBox": True, "number": "54", **PLACE}
    assert boi_api.post("staff", staff_payload(household=household_of(box))).status_code == 201
    address = address_of("900001")
    assert address.post_office_box and address.number == "54"
    assert address.match_key == "PO|54|55123"


@pytest.mark.parametrize("line", ["PO Box", "Lexington Ave"])
def test_an_unparseable_street_line_is_refused(boi_api, staff_payload, line):
    # "PO Box" without a number once read as box "OX" (fixed in boi/rules/address_parser.py).
    response = boi_api.post(
        "staff", staff_payload(household=household_of({"fullStreetAddress": line, **PLACE}))
    )
    assert response.status_code == 400
    assert errors(response) == [
        ("household.householdLocations[0].address.fullStreetAddress", "unparseable")
    ]


def test_updating_the_only_member_of_a_staff_household_updates_it(boi_api, staff_payload, today):
    boi_api.post("staff", staff_payload())
    old = address_of("900001")
    moved = {"fullStreetAddress": "77 Elm St", **PLACE}
    response = boi_api.put("staff/900001", staff_payload(household=household_of(moved)))
    assert response.status_code == 200
    assert response.json()["householdIgnored"] is False
    assert address_of("900001").street == "ELM"
    ended = HouseholdLocation.objects.get(address=old)
    assert ended.end_date == today
    assert Household.objects.filter(members__person__staff_number="900001").count() == 1


def test_a_household_shared_with_others_is_left_alone_and_the_response_says_so(
    boi_api, staff_payload
):
    boi_api.post("staff", staff_payload())
    household = HouseholdMember.objects.get(person__staff_number="900001").household
    student = Person.objects.create()
    HouseholdMember.objects.create(household=household, person=student)
    old = address_of("900001")
    moved = {"fullStreetAddress": "77 Elm St", **PLACE}
    response = boi_api.put("staff/900001", staff_payload(household=household_of(moved)))
    assert response.status_code == 200
    body = response.json()
    assert body["householdIgnored"] is True
    assert any("household" in note and "ignored" in note for note in body["notes"])
    assert address_of("900001") == old
    assert not Address.objects.filter(street="ELM").exists()


def test_with_the_household_preference_off_household_and_address_data_are_ignored(
    boi_api, staff_payload
):
    preferences_set(actor="tests", allow_household_updates=False)
    bad_address = {"fullStreetAddress": "1 Main St", "number": "1", **PLACE}  # not even checked
    response = boi_api.post("staff", staff_payload(household=household_of(bad_address)))
    assert response.status_code == 201, response.content
    assert response.json()["householdIgnored"] is True
    assert not HouseholdMember.objects.filter(person__staff_number="900001").exists()
    assert response.json()["staff"]["household"] is None


def test_address_search_finds_by_components_and_by_full_street_address(boi_api, staff_payload):
    boi_api.post("staff", staff_payload())
    stored = address_of("900001")
    by_full = boi_api.get(
        "addresses", {"fullStreetAddress": "4321 South Lexington Avenue Southeast #45", **PLACE}
    ).json()["addresses"]
    assert [a["addressID"] for a in by_full] == [stored.pk]
    assert by_full[0]["street"] == "LEXINGTON" and by_full[0]["prefix"] == "S"
    by_parts = boi_api.get(
        "addresses",
        {
            "number": "4321",
            "prefix": "S",
            "street": "Lexington",
            "tag": "Ave",
            "direction": "SE",
            "apt": "45",
            **PLACE,
        },
    ).json()["addresses"]
    assert [a["addressID"] for a in by_parts] == [stored.pk]
    none = boi_api.get("addresses", {"fullStreetAddress": "1 Nowhere Rd", **PLACE})
    assert none.json()["addresses"] == []
    bad = boi_api.get("addresses", {"fullStreetAddress": "1 Main St", "street": "Main", **PLACE})
    assert bad.status_code == 400


def test_seeded_addresses_carry_both_keys(district):
    assert not Address.objects.filter(components_key="").exists()
    assert Address.objects.exclude(match_key="").count() >= 0.9 * Address.objects.count()


def test_matching_costs_two_index_lookups_whatever_the_number_of_addresses(
    district, django_assert_num_queries
):
    payloads = [{"fullStreetAddress": f"{n} Main St", **PLACE} for n in range(1, 40)]
    with django_assert_num_queries(2):
        AddressIndex().load(payloads)
    with django_assert_num_queries(2):
        AddressIndex().load(payloads[:1])
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "EXPLAIN QUERY PLAN SELECT id FROM campus_address WHERE match_key IN ('a', 'b')"
            )
            plan = " ".join(str(row) for row in cursor.fetchall())
            assert "INDEX" in plan.upper()
