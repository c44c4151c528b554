"""Stored answers stay true on the small borough (tests/neighbourhoods/conftest.py)
whenever what they show changes: an LSOA moved, a membership ended or begun, a practice,
neighbourhood, local authority or the place's own local authorities changed.

A postcode in a neighbourhood's area is answered with the practices nearest it, whatever
their neighbourhood, each with the neighbourhood it is in now. On the middle line, from
west to east: City Practice (F90002, London Fields) at -0.085, Dalston Practice (F90001,
London Fields) at -0.075, E8 1DY at -0.065, Stoke Newington Practice (F90005, Clissold
Park) at -0.055; so E8 1DY's nearest are Dalston and Stoke Newington (as near, by name),
then City Practice."""

import datetime
import io

import pytest
from django.contrib.gis.db.models.functions import Distance
from django.contrib.gis.geos import Point
from django.core.management import call_command
from django.db import connection, transaction
from django.db.models import Q
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from neighbourhoods.answers import Outcome
from neighbourhoods.models import LocalAuthority, Membership, Neighbourhood, Postcode, Practice
from neighbourhoods.selectors import lookup_point, lookup_postcode
from neighbourhoods.services import answers as answers_service
from neighbourhoods.services.answers import answers_deferred, answers_recompute
from neighbourhoods.services.moves import lsoas_move
from neighbourhoods.stored_answer import NEAREST_PRACTICES
from tests.factories import MembershipFactory, PostcodeFactory, PracticeFactory

TODAY = datetime.date.today()
YESTERDAY = TODAY - datetime.timedelta(days=1)

# The one statement that stores postcodes' answers (stored_answer.ANSWER_SQL).
STORES_ANSWERS = "SET answer = worked_out.answer"


def practices(postcode="E8 1DY") -> list[str]:
    return [p.ods_code for p in lookup_postcode(postcode).practices]


def named(postcode="E8 1DY") -> list[tuple[str, str | None]]:
    """Each practice listed, nearest first, with the slug of the neighbourhood named beside
    it (None: outside City and Hackney)."""
    return [
        (p.ods_code, p.neighbourhood["slug"] if p.neighbourhood else None)
        for p in lookup_postcode(postcode).practices
    ]


# E8 1DY's answer as built.
AS_BUILT = [("F90001", "london-fields"), ("F90005", "clissold-park"), ("F90002", "london-fields")]


def answer_of(postcode) -> dict:
    return Postcode.objects.get(postcode=postcode).answer


def district(outcode) -> dict[str, int]:
    return {s.neighbourhood.slug: s.postcodes for s in lookup_postcode(outcode).district.shares}


def covers(neighbourhood, lon, lat=51.545) -> bool:
    neighbourhood.refresh_from_db()
    return neighbourhood.boundary.covers(Point(lon, lat, srid=4326))


def request_time_answer(record: Postcode) -> list[tuple[Practice, str | None, str | None]]:
    """What a request-time ORM query says a postcode's practices are: the current members of
    any neighbourhood, and the open practices never in one, that have a location and are for
    everyone; nearest first, at most NEAREST_PRACTICES; each with the slug of its
    neighbourhood now (None for one never in any) and the borough its postcode is in."""
    current = Membership.objects.current().filter(neighbourhood__removed_at__isnull=True)
    nearest = list(
        Practice.objects.not_removed()
        .filter(location__isnull=False)
        .filter(Q(serves="") | Q(registers_everyone=True))
        .filter(
            Q(memberships__in=current) | Q(status=Practice.Status.ACTIVE, memberships__isnull=True)
        )
        .distinct()
        .annotate(distance=Distance("location", record.location))
        .order_by("distance", "name")[:NEAREST_PRACTICES]
    )
    boroughs = {
        p.postcode: LocalAuthority.objects.get(gss_code=p.local_authority_code).name
        for p in Postcode.objects.filter(postcode__in=[n.postcode for n in nearest])
    }
    rows = []
    for practice in nearest:
        membership = current.filter(practice=practice).order_by("id").first()
        slug = membership.neighbourhood.slug if membership else None
        rows.append((practice, slug, boroughs.get(practice.postcode)))
    return rows


def test_the_stored_answers_are_what_a_request_time_query_would_say(borough):
    # Eleven open practices in Islington, in no neighbourhood and never in one, so that every
    # answer is cut at the limit; a closed one and one only for some people, nearer still,
    # that no answer lists.
    for i in range(11):
        where = Point(-0.0905 - 0.0013 * i, 51.5415 + 0.0007 * i, srid=4326)
        PracticeFactory(ods_code=f"Y0{i:04d}", name=f"Islington Practice {i}",
                        postcode="N1 1AA", location=where)  # fmt: skip
    nearer = Point(-0.09, 51.545, srid=4326)
    PracticeFactory(ods_code="Y09998", name="Closed Practice", postcode="N1 1AA",
                    status=Practice.Status.CLOSED, location=nearer)  # fmt: skip
    PracticeFactory(ods_code="Y09999", name="Homeless Practice", postcode="N1 1AA",
                    serves="People who are homeless", location=nearer)  # fmt: skip
    in_neighbourhoods = Postcode.objects.live().filter(neighbourhood__isnull=False)
    assert in_neighbourhoods.count() == 7

    for record in in_neighbourhoods:
        code = record.postcode
        expected = request_time_answer(record)
        stored = lookup_postcode(code).practices
        assert len(stored) == NEAREST_PRACTICES, code
        assert [p.ods_code for p in stored] == [p.ods_code for p, _, _ in expected], code
        assert {"Y09998", "Y09999", "F90003", "F90004", "F90006"}.isdisjoint(
            p.ods_code for p in stored
        ), code
        for mine, (theirs, slug, borough_name) in zip(stored, expected, strict=True):
            assert (mine.neighbourhood or {}).get("slug") == slug, (code, mine.ods_code)
            assert mine.outside_area == (slug is None)
            assert mine.borough == borough_name, (code, mine.ods_code)
            # Django's Distance measures on a sphere, the stored answer on the spheroid.
            assert mine.distance_m == pytest.approx(theirs.distance.m, rel=0.005)
    # Both kinds are among them: members with their neighbourhood, the others with Islington.
    assert ("F90005", "clissold-park") in named("E8 1DY")
    assert lookup_postcode("EC2Y 5DE").practices[1].borough == "Islington"
    assert lookup_postcode("E9 5AA").practices == []  # in no neighbourhood's area


def test_moving_an_lsoa_moves_its_postcodes_answers_and_both_areas(borough):
    h2, london_fields, clissold = borough.lsoas["H2"], borough.london_fields, borough.clissold_park
    untouched = answer_of("E8 1AA")
    assert covers(london_fields, -0.065) and not covers(clissold, -0.065)
    assert district("E8") == {"london-fields": 3, "clissold-park": 1}

    changed = lsoas_move(lsoa_ids=[h2.pk], neighbourhood=clissold, reason="Test")

    assert changed == 3  # E8 1DY, E8 2AA and the terminated E8 9ZY
    result = lookup_postcode("E8 1DY")
    assert result.neighbourhood.slug == "clissold-park"
    # The same practices nearest it, whatever the neighbourhood it is now in.
    assert [(p.ods_code, round(p.distance_m)) for p in result.practices] == [
        ("F90001", 694), ("F90005", 694), ("F90002", 1387)
    ]  # fmt: skip
    assert named() == AS_BUILT
    assert Postcode.objects.get(postcode="E8 9ZY").neighbourhood == clissold
    assert lookup_postcode("E8 9ZY").outcome == Outcome.TERMINATED
    assert not covers(london_fields, -0.065) and covers(clissold, -0.065)
    assert covers(london_fields, -0.075)  # H1 stays
    assert london_fields.boundary.num_geom == clissold.boundary.num_geom == 1
    assert london_fields.boundary.area == pytest.approx(0.0002)
    assert clissold.boundary.area == pytest.approx(0.0002)
    assert district("E8") == {"london-fields": 1, "clissold-park": 3}
    assert lookup_point("51.545", "-0.065").neighbourhood.slug == "clissold-park"
    assert answer_of("E8 1AA") == untouched
    assert h2.history.latest().history_change_reason == "Test"
    # Moving it where it already is changes nothing.
    assert lsoas_move(lsoa_ids=[h2.pk], neighbourhood=clissold) == 0


def test_an_lsoa_without_a_neighbourhood_given_one(borough):
    assert lookup_postcode("E9 5AA").neighbourhood is None
    assert lookup_postcode("E9 5AA").practices == []

    assert lsoas_move(lsoa_ids=[borough.lsoas["H4"].pk],
                               neighbourhood=borough.clissold_park) == 1  # fmt: skip

    result = lookup_postcode("E9 5AA")
    assert result.headline == "E9 5AA is in the Clissold Park neighbourhood"
    assert named("E9 5AA") == [
        ("F90005", "clissold-park"), ("F90001", "london-fields"), ("F90002", "london-fields")
    ]  # fmt: skip
    assert [round(p.distance_m) for p in result.practices] == [694, 2081, 2775]
    assert covers(borough.clissold_park, -0.045)
    assert borough.clissold_park.boundary.num_geom == 1


def test_a_move_confirmed_in_the_admin_changes_the_answers(borough, staff_client):
    h2, clissold = borough.lsoas["H2"], borough.clissold_park
    preview = staff_client.get(
        reverse("admin:neighbourhoods_lsoa_move"), {"ids": h2.pk, "neighbourhood": clissold.pk}
    )
    assert preview.status_code == 200
    assert lookup_postcode("E8 1DY").neighbourhood.slug == "london-fields"  # nothing moved yet

    done = staff_client.post(
        reverse("admin:neighbourhoods_lsoa_move"),
        {"ids": h2.pk, "neighbourhood": clissold.pk, "confirm": "yes"},
        follow=True,
    )

    assert done.status_code == 200
    assert "Moved 1 LSOA to Clissold Park: 3 postcode answers changed" in done.content.decode()
    assert lookup_postcode("E8 1DY").neighbourhood.slug == "clissold-park"
    assert lookup_postcode("E8 2AA").neighbourhood.slug == "clissold-park"


def test_a_membership_that_ends_leaves_the_answers(borough):
    assert named() == AS_BUILT
    assert practices("N16 9JT") == ["F90005", "F90001", "F90002"]
    [membership] = borough.memberships["F90001"]
    membership.ended_on = YESTERDAY
    membership.save()
    # Gone from every answer, in its own neighbourhood's area and the other's.
    assert named() == [("F90005", "clissold-park"), ("F90002", "london-fields")]
    assert named("E8 1AA") == [("F90002", "london-fields"), ("F90005", "clissold-park")]
    assert named("N16 9JT") == [("F90005", "clissold-park"), ("F90002", "london-fields")]


def test_a_membership_that_begins_joins_the_answers_nearest_first(borough):
    [future] = borough.memberships["F90004"]  # 0.001 degrees from E8 1DY
    future.started_on = TODAY
    future.save()
    assert named() == [("F90004", "london-fields"), *AS_BUILT]
    assert round(lookup_postcode("E8 1DY").practices[0].distance_m) == 69
    # Nearer Clissold Park's N16 9JT than any but its own practice, so in its answer too.
    assert practices("N16 9JT") == ["F90005", "F90004", "F90001", "F90002"]

    # Stoke Newington Practice leaves Clissold Park yesterday and joins London Fields today:
    # listed where it was, nearest first, with its new neighbourhood.
    [stoke_newington] = borough.memberships["F90005"]
    stoke_newington.ended_on = YESTERDAY
    stoke_newington.save()
    MembershipFactory(
        practice=borough.practices["F90005"], neighbourhood=borough.london_fields, started_on=TODAY
    )
    nearest = lookup_postcode("E8 1DY").practices
    assert [p.ods_code for p in nearest] == ["F90004", "F90001", "F90005", "F90002"]
    assert [p.distance_m for p in nearest] == sorted(p.distance_m for p in nearest)
    assert nearest[2].neighbourhood == {"name": "London Fields", "slug": "london-fields"}
    assert named("N16 9JT")[0] == ("F90005", "london-fields")  # no longer in Clissold Park


def test_a_practice_that_moves_neighbourhood_moves_between_answers(borough):
    [membership] = borough.memberships["F90001"]
    assert named("E8 1AA")[0] == named("N16 9JT")[1] == ("F90001", "london-fields")
    membership.neighbourhood = borough.clissold_park  # the same row, another neighbourhood
    membership.save()
    # Still as near, now named with Clissold Park, in both neighbourhoods' answers.
    assert named() == [("F90001", "clissold-park"), *AS_BUILT[1:]]
    assert named("E8 1AA")[0] == ("F90001", "clissold-park")
    assert named("N16 9JT") == [
        ("F90005", "clissold-park"), ("F90001", "clissold-park"), ("F90002", "london-fields")
    ]  # fmt: skip


def test_a_deleted_membership_or_practice_leaves_the_answers(borough):
    borough.memberships["F90001"][0].delete()
    # No longer named with London Fields: with no membership at all, an open practice is
    # offered as one outside City and Hackney, with its borough.
    assert named() == [("F90001", None), *AS_BUILT[1:]]
    assert lookup_postcode("E8 1DY").practices[0].borough == "Hackney"
    borough.practices["F90002"].delete()
    assert named() == [("F90001", None), ("F90005", "clissold-park")]
    assert "F90002" not in practices("EC2Y 5DE")
    borough.practices["F90001"].delete()
    assert named() == [("F90005", "clissold-park")]
    assert lookup_postcode("E8 1DY").outcome == Outcome.IN_AREA


def test_a_renamed_or_moved_practice_shows_in_the_answers(borough, client):
    practice = borough.practices["F90002"]
    practice.name = "Renamed Health Centre"
    practice.phone = "020 7999 9999"
    practice.location = Point(-0.0655, 51.545, srid=4326)  # now the nearest to E8 1DY
    practice.save()

    first = client.get("/api/v1/postcodes/E8 1DY").json()["practices"][0]
    assert first == {"ods_code": "F90002", "name": "Renamed Health Centre", "postcode": "E8 1AA",
                     "phone": "020 7999 9999", "distance_m": 35,
                     "neighbourhood": {"name": "London Fields", "slug": "london-fields",
                                       "url": "/neighbourhoods/london-fields/"},
                     "outside_area": False, "borough": "Hackney", "serves": None,
                     "registers_everyone": False}  # fmt: skip
    # Renamed in Clissold Park's answers too.
    assert "Renamed Health Centre" in [p.name for p in lookup_postcode("N16 9JT").practices]
    page = client.get("/lookup/", {"postcode": "E8 2AA"}).content.decode()
    assert "Renamed Health Centre" in page

    practice.location = None
    practice.save()
    assert practices() == ["F90001", "F90005"]
    assert practices("N16 9JT") == ["F90005", "F90001"]


def test_a_renamed_neighbourhood_shows_in_the_answers_and_districts(borough, client):
    neighbourhood = borough.london_fields
    neighbourhood.name = "London Fields and Dalston"
    neighbourhood.slug = "london-fields-and-dalston"
    neighbourhood.save()

    body = client.get("/api/v1/postcodes/E8 1DY").json()
    assert body["neighbourhood"] == {
        "name": "London Fields and Dalston",
        "slug": "london-fields-and-dalston",
        "url": "/neighbourhoods/london-fields-and-dalston/",
    }
    assert body["message"].startswith("E8 1DY is in the London Fields and Dalston neighbourhood")
    assert district("E8") == {"london-fields-and-dalston": 3, "clissold-park": 1}
    assert lookup_postcode("N16 9JT").neighbourhood.name == "Clissold Park"
    # Named beside its practices in the other neighbourhood's answers too.
    assert client.get("/api/v1/postcodes/N16 9JT").json()["practices"][1]["neighbourhood"] == {
        "name": "London Fields and Dalston",
        "slug": "london-fields-and-dalston",
        "url": "/neighbourhoods/london-fields-and-dalston/",
    }


def test_a_changed_local_authority_shows_in_its_postcodes_answers(borough, client):
    islington = borough.authorities["E09000019"]
    islington.nhs_body = "NHS Somewhere Else"
    islington.save()
    hackney = borough.authorities["E09000012"]
    hackney.name = "London Borough of Hackney"
    hackney.save()

    says = "Its NHS services are planned by NHS Somewhere Else."
    assert says in lookup_postcode("N1 1AA").message
    assert client.get("/api/v1/postcodes/N16 8HU").json()["local_authority"]["nhs_body"] == (
        "NHS Somewhere Else"
    )
    assert client.get("/api/v1/postcodes/E8 1DY").json()["local_authority"] == {
        "code": "E09000012",
        "name": "London Borough of Hackney",
        "nhs_body": "NHS North East London",
    }
    assert lookup_postcode("EC2Y 5DE").local_authority.name == "City of London"
    # The borough named beside a practice, in every answer that lists it: the City's too.
    assert [p.borough for p in lookup_postcode("EC2Y 5DE").practices] == [
        "London Borough of Hackney"
    ] * 3


def test_the_places_local_authorities_decide_which_postcodes_are_in_the_area(borough):
    place = borough.place
    place.local_authority_codes = ["E09000012"]  # the City left out
    place.save()
    city = lookup_postcode("EC2Y 5DE")
    assert city.outcome == Outcome.OUT_OF_AREA
    assert city.practices == []
    assert city.headline == "EC2Y 5DE is in City of London, outside City and Hackney"
    assert lookup_postcode("EC4Y 9AH").outcome == Outcome.OUT_OF_AREA
    assert lookup_postcode("E8 1DY").outcome == Outcome.IN_AREA

    place.local_authority_codes = ["E09000012", "E09000001"]
    place.save()
    assert lookup_postcode("EC2Y 5DE").neighbourhood.slug == "london-fields"
    assert named("EC4Y 9AH") == [
        ("F90002", "london-fields"), ("F90001", "london-fields"), ("F90005", "clissold-park")
    ]  # fmt: skip
    assert practices("EC2Y 5DE") == ["F90002", "F90001", "F90005"]


def stored_answer_runs(queries) -> int:
    return sum(STORES_ANSWERS in q["sql"] for q in queries.captured_queries)


def three_changes(borough):
    practice = borough.practices["F90001"]
    practice.name = "Deferred Practice"
    practice.save()
    [membership] = borough.memberships["F90002"]
    membership.ended_on = YESTERDAY
    membership.save()
    neighbourhood = borough.london_fields
    neighbourhood.name = "Deferred Fields"
    neighbourhood.save()


def test_deferred_answers_are_worked_out_once_at_the_end(borough):
    before = answer_of("E8 1DY")
    with CaptureQueriesContext(connection) as inside, answers_deferred():
        three_changes(borough)
        assert answer_of("E8 1DY") == before  # nothing worked out yet
        assert stored_answer_runs(inside) == 0
    assert stored_answer_runs(inside) == 1

    result = lookup_postcode("E8 1DY")
    assert result.neighbourhood.name == "Deferred Fields"
    # City Practice's membership ended; Dalston Practice renamed, and named with its
    # renamed neighbourhood in Clissold Park's answers too.
    assert [p.name for p in result.practices] == ["Deferred Practice", "Stoke Newington Practice"]
    elsewhere = lookup_postcode("N16 9JT").practices
    assert [(p.name, p.neighbourhood["name"]) for p in elsewhere] == [
        ("Stoke Newington Practice", "Clissold Park"), ("Deferred Practice", "Deferred Fields")
    ]  # fmt: skip


@pytest.mark.parametrize("one_by_one", [100, 0], ids=["each practice's postcodes", "all"])
def test_practices_changed_in_a_deferred_block_show_in_every_answer(
    borough, monkeypatch, one_by_one
):
    """An import saves many practices at once: past PRACTICES_ONE_BY_ONE, every answer is
    stored again rather than each practice's postcodes found; either way, the answers are
    those each change would have made alone."""
    monkeypatch.setattr(answers_service, "PRACTICES_ONE_BY_ONE", one_by_one)
    with CaptureQueriesContext(connection) as inside, answers_deferred():
        dalston = borough.practices["F90001"]
        dalston.name = "Deferred Practice"
        dalston.save()
        city = borough.practices["F90002"]
        city.location = Point(-0.0655, 51.545, srid=4326)  # now the nearest to E8 1DY
        city.save()
        borough.practices["F90005"].delete()
    assert stored_answer_runs(inside) == 1

    assert named() == [("F90002", "london-fields"), ("F90001", "london-fields")]
    assert [p.name for p in lookup_postcode("E8 1DY").practices] == [
        "City Practice", "Deferred Practice"
    ]  # fmt: skip
    for record in Postcode.objects.live().filter(neighbourhood__isnull=False):
        expected = [p.ods_code for p, _, _ in request_time_answer(record)]
        assert practices(record.postcode) == expected, record.postcode


def test_without_deferring_each_change_is_worked_out_at_once(borough):
    with CaptureQueriesContext(connection) as queries:
        three_changes(borough)
    assert stored_answer_runs(queries) == 3
    assert lookup_postcode("E8 1DY").neighbourhood.name == "Deferred Fields"


def test_a_deferred_block_within_another_waits_for_the_outer(borough):
    with answers_deferred():
        with answers_deferred():
            three_changes(borough)
        assert lookup_postcode("E8 1DY").neighbourhood.name == "London Fields"
    assert lookup_postcode("E8 1DY").neighbourhood.name == "Deferred Fields"


def test_a_deferred_block_that_fails_works_out_nothing_and_defers_nothing_after(borough):
    with pytest.raises(RuntimeError), transaction.atomic(), answers_deferred():
        three_changes(borough)
        raise RuntimeError("the import stopped")
    assert lookup_postcode("E8 1DY").neighbourhood.name == "London Fields"

    practice = Practice.objects.get(ods_code="F90001")
    practice.name = "Answered At Once"
    practice.save()
    assert lookup_postcode("E8 1DY").practices[0].name == "Answered At Once"


def test_a_new_postcode_is_answered_in_full_when_it_is_worked_out(borough):
    record = PostcodeFactory(postcode="E8 9ZW", location=Point(-0.065, 51.545, srid=4326),
                             local_authority_code="E09000012")  # fmt: skip
    assert lookup_postcode("E8 9ZW").practices == []

    assert answers_recompute(postcode_ids=[record.pk]) == 1

    assert lookup_postcode("E8 9ZW").practices == lookup_postcode("E8 1DY").practices
    assert district("E8") == {"london-fields": 4, "clissold-park": 1}
    assert answers_recompute(postcode_ids=[record.pk]) == 0


def test_recompute_answers_fills_answers_left_empty(borough):
    Postcode.objects.filter(postcode__in=["E8 1DY", "N16 9JT"]).update(answer=None)
    assert practices() == [] and practices("N16 9JT") == []
    out = io.StringIO()

    call_command("recompute_answers", stdout=out)

    assert out.getvalue().strip() == "2 postcode answer(s) worked out again."
    assert named() == AS_BUILT
    assert practices("N16 9JT") == ["F90005", "F90001", "F90002"]
    assert Neighbourhood.objects.get(slug="london-fields").boundary is not None
