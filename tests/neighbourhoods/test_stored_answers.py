"""Stored answers stay true when what they show changes: practices, memberships, LSOAs."""

import datetime

import pytest
from django.contrib.gis.geos import Point

from neighbourhoods.models import (
    DistrictAnswer,
    LocalAuthority,
    Lsoa,
    Membership,
    Neighbourhood,
    Postcode,
)
from neighbourhoods.selectors import lookup_postcode
from neighbourhoods.services.answers import answers_recompute
from neighbourhoods.services.moves import lsoas_move
from tests.neighbourhoods.services.test_answers import request_time_answer

pytestmark = [pytest.mark.django_db, pytest.mark.realdata]

POSTCODE = "E8 1DY"  # in London Fields


def answer_names(query=POSTCODE):
    return [p.name for p in lookup_postcode(query).practices]


def nearest_membership(query=POSTCODE):
    ods_code = lookup_postcode(query).practices[0].ods_code
    return Membership.objects.current().get(practice__ods_code=ods_code)


def test_stored_answers_match_what_a_request_time_query_would_say():
    for query in (POSTCODE, "N16 9JT", "EC2Y 5DE"):
        record = Postcode.objects.get(postcode=query)
        expected = request_time_answer(record)
        practices = lookup_postcode(query).practices
        assert len(practices) == 10, query
        assert [p.ods_code for p in practices] == [p.ods_code for p, _, _ in expected], query
        assert [p.neighbourhood and p.neighbourhood["slug"] for p in practices] == [
            slug for _, slug, _ in expected
        ], query
        # Django's Distance measures on a sphere, the stored answer on the spheroid: 0.5%.
        for stored, (live, _, _) in zip(practices, expected, strict=True):
            assert stored.distance_m == pytest.approx(live.distance.m, rel=0.005, abs=0.1)


def test_a_renamed_practice_is_renamed_in_the_answers():
    practice = nearest_membership().practice
    practice.name = "Renamed Health Centre"
    practice.save()
    assert answer_names()[0] == "Renamed Health Centre"
    assert "Renamed Health Centre" in lookup_postcode(POSTCODE).practices[0].name


def test_a_practice_that_leaves_is_no_longer_in_the_answers():
    membership = nearest_membership()
    membership.ended_on = datetime.date.today() - datetime.timedelta(days=1)
    membership.save()
    assert membership.practice.name not in answer_names()
    assert answer_names()  # the others are still there


def test_a_practice_that_moves_neighbourhood_moves_between_answers():
    membership = nearest_membership()
    practice = membership.practice
    other = Neighbourhood.objects.get(name="Clissold Park")

    def named_beside_it():
        listed = {p.ods_code: p for p in lookup_postcode(POSTCODE).practices}[practice.ods_code]
        return listed.neighbourhood["slug"]

    assert named_beside_it() == "london-fields"
    membership.ended_on = datetime.date.today() - datetime.timedelta(days=1)
    membership.save()
    Membership.objects.create(
        practice=practice, neighbourhood=other, started_on=datetime.date.today()
    )
    # Still the nearest practice to E8 1DY, now named as Clissold Park's.
    assert answer_names()[0] == practice.name
    assert named_beside_it() == "clissold-park"


def test_a_moved_lsoa_moves_its_postcodes_answers_and_the_district_answer():
    record = Postcode.objects.get(postcode=POSTCODE)
    new = Neighbourhood.objects.get(name="Clissold Park")
    before = {s.neighbourhood.slug: s.postcodes for s in lookup_postcode("E8").district.shares}
    moved = Postcode.objects.live().filter(lsoa=record.lsoa, outcode="E8").count()

    lsoas_move(lsoa_ids=[Lsoa.objects.get(pk=record.lsoa_id).pk], neighbourhood=new)

    result = lookup_postcode(POSTCODE)
    assert result.neighbourhood.name == "Clissold Park"
    # The nearest practices are still the nearest, whatever the area they are drawn in.
    expected = request_time_answer(record)
    assert [p.ods_code for p in result.practices] == [p.ods_code for p, _, _ in expected]
    after = {s.neighbourhood.slug: s.postcodes for s in lookup_postcode("E8").district.shares}
    assert after["london-fields"] == before["london-fields"] - moved
    assert after["clissold-park"] == before.get("clissold-park", 0) + moved


def test_a_renamed_neighbourhood_and_authority_show_in_the_answers():
    neighbourhood = Neighbourhood.objects.get(slug="london-fields")
    neighbourhood.name = "London Fields and Dalston"
    neighbourhood.save()
    assert lookup_postcode(POSTCODE).headline.endswith("London Fields and Dalston neighbourhood")
    shares = DistrictAnswer.objects.get(outcode="E8").shares
    assert "London Fields and Dalston" in {s["name"] for s in shares}

    authority = LocalAuthority.objects.get(name="Tower Hamlets")
    authority.nhs_body = "NHS Somewhere Else"
    authority.save()
    assert "NHS Somewhere Else" in lookup_postcode("E1 0AA").message


def test_a_new_postcode_is_answered_in_full_when_it_is_worked_out():
    location = Postcode.objects.get(postcode=POSTCODE).location
    record = Postcode.objects.create(
        postcode="E8 9ZW", outcode="E8", location=Point(location.x, location.y, srid=4326),
        local_authority_code="E09000012", source="onspd",
    )  # fmt: skip
    assert answers_recompute(postcode_ids=[record.pk]) == 1
    assert answer_names("E8 9ZW") == answer_names()
    assert answers_recompute(postcode_ids=[record.pk]) == 0


def test_recompute_answers_fills_answers_left_empty():
    import io

    from django.core.management import call_command

    Postcode.objects.filter(postcode=POSTCODE).update(answer=None)
    assert lookup_postcode(POSTCODE).practices == []
    out = io.StringIO()
    call_command("recompute_answers", stdout=out)
    assert "1 postcode answer(s) worked out again." in out.getvalue()
    assert answer_names()
