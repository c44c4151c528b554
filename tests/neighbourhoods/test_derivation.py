"""The derived neighbourhood areas: complete, contiguous, reproducible, and editable by staff."""

import io
import json

import pytest
from django.contrib.auth import get_user_model
from django.contrib.gis.geos import Point
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from neighbourhoods import derivation
from neighbourhoods.importers.areas import DEFAULT_OUTPUT
from neighbourhoods.models import Lsoa, Membership, Neighbourhood, Postcode
from neighbourhoods.selectors import lookup_postcode
from neighbourhoods.services.answers import answers_recompute
from neighbourhoods.services.moves import lsoas_move
from partnership.models import Place
from tests.factories import PostcodeFactory

pytestmark = pytest.mark.django_db

CITY_AND_HACKNEY = ["E09000001", "E09000012"]


@pytest.mark.realdata
def test_every_lsoa_in_city_and_hackney_has_exactly_one_neighbourhood():
    lsoas = Lsoa.objects.filter(local_authority_code__in=CITY_AND_HACKNEY)
    assert lsoas.count() == 155
    assert not lsoas.filter(neighbourhood__isnull=True).exists()


@pytest.mark.realdata
def test_the_eight_areas_cover_city_and_hackney_without_gap_or_overlap():
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT ST_Area(ST_Union(l.boundary)::geography),
                   (SELECT SUM(ST_Area(n.boundary::geography)) FROM neighbourhoods_neighbourhood n),
                   ST_Area(ST_Union(
                       (SELECT ST_Union(n.boundary) FROM neighbourhoods_neighbourhood n),
                       ST_Union(l.boundary))::geography)
            FROM neighbourhoods_lsoa l WHERE l.local_authority_code = ANY(%s)
            """,
            [CITY_AND_HACKNEY],
        )
        lsoa_area, sum_of_areas, union_area = cursor.fetchone()
    # The eight add up to the whole (no overlap) and stay within it (no gap, no spill).
    assert sum_of_areas == pytest.approx(lsoa_area, rel=1e-6)
    assert union_area == pytest.approx(lsoa_area, rel=1e-6)


@pytest.mark.realdata
def test_each_area_is_one_piece():
    neighbourhoods = list(Neighbourhood.objects.all())
    assert len(neighbourhoods) == 8
    for neighbourhood in neighbourhoods:
        assert neighbourhood.boundary is not None, neighbourhood
        assert neighbourhood.boundary.num_geom == 1, neighbourhood


@pytest.mark.realdata
def test_the_city_of_london_is_in_shoreditch_park_and_city():
    names = set(
        Lsoa.objects.filter(local_authority_code="E09000001").values_list(
            "neighbourhood__name", flat=True
        )
    )
    assert names == {"Shoreditch Park and City"}


@pytest.mark.realdata
def test_every_live_city_and_hackney_postcode_has_a_neighbourhood():
    live = Postcode.objects.live().filter(local_authority_code__in=CITY_AND_HACKNEY)
    assert live.filter(source="codepoint").count() == 6153
    assert not live.filter(neighbourhood__isnull=True).exists()
    assert (
        not Postcode.objects.exclude(local_authority_code__in=CITY_AND_HACKNEY)
        .filter(neighbourhood__isnull=False)
        .exists()
    )


@pytest.mark.realdata
def test_all_37_active_practices_are_inside_their_own_area():
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT p.ods_code, ST_Covers(n.boundary, p.location)
            FROM neighbourhoods_membership m
            JOIN neighbourhoods_practice p ON p.id = m.practice_id
            JOIN neighbourhoods_neighbourhood n ON n.id = m.neighbourhood_id
            WHERE m.ended_on IS NULL
            """
        )
        rows = cursor.fetchall()
    assert len(rows) == 37
    assert [code for code, inside in rows if not inside] == []


@pytest.mark.realdata
def test_the_committed_assignment_is_what_the_command_derives(tmp_path):
    out = tmp_path / "areas.json"
    call_command("derive_neighbourhood_areas", output=str(out), stdout=io.StringIO())
    assert json.loads(out.read_text()) == json.loads(DEFAULT_OUTPUT.read_text())
    document = json.loads(out.read_text())
    assert any("Open Government Licence" in line for line in document["attribution"])


@pytest.mark.realdata
def test_a_point_on_an_lsoa_edge_still_gets_an_answer():
    lsoa = Lsoa.objects.filter(local_authority_code="E09000012").order_by("code").first()
    x, y = lsoa.boundary[0][0][0]  # a vertex shared with its neighbours
    postcode = PostcodeFactory(
        postcode="E8 9ZX", outcode="E8", location=Point(x, y, srid=4326),
        local_authority_code="E09000012",
    )  # fmt: skip
    answers_recompute(postcode_ids=[postcode.pk])
    postcode.refresh_from_db()
    assert postcode.neighbourhood is not None
    assert lookup_postcode("E8 9ZX").neighbourhood == postcode.neighbourhood


@pytest.mark.realdata
def test_moving_an_lsoa_in_the_admin_redraws_areas_and_answers(client):
    user = get_user_model().objects.create_superuser("editor", "e@example.org", "pw")
    client.force_login(user)
    postcode = Postcode.objects.get(postcode="E8 1DY")
    lsoa, old = postcode.lsoa, postcode.neighbourhood
    new = Neighbourhood.objects.exclude(pk=old.pk).get(name="Clissold Park")
    old_area, new_area = old.boundary.area, new.boundary.area

    response = client.post(
        reverse("admin:neighbourhoods_lsoa_change", args=[lsoa.pk]),
        {
            "code": lsoa.code,
            "name": lsoa.name,
            "local_authority_code": lsoa.local_authority_code,
            "boundary": lsoa.boundary.geojson,
            "neighbourhood": new.pk,
        },
    )

    # The change is previewed first (services/test_moves_real.py), then confirmed.
    assert response.status_code == 302, response.content.decode()[:2000]
    assert response["Location"].startswith(reverse("admin:neighbourhoods_lsoa_move"))
    postcode.refresh_from_db()
    assert postcode.neighbourhood == old
    confirmed = client.post(
        reverse("admin:neighbourhoods_lsoa_move"),
        {"ids": lsoa.pk, "neighbourhood": new.pk, "confirm": "yes",
         "reason": "Splits Clissold Park, on purpose", "understood": "on"},
    )  # fmt: skip
    assert confirmed.status_code == 302
    postcode.refresh_from_db()
    old.refresh_from_db()
    new.refresh_from_db()
    assert postcode.neighbourhood == new
    assert lookup_postcode("E8 1DY").neighbourhood == new
    assert old.boundary.area < old_area
    assert new.boundary.area > new_area
    assert not Postcode.objects.filter(lsoa=lsoa).exclude(neighbourhood=new).exists()


@pytest.mark.realdata
def test_staff_assignments_survive_loading_the_derived_file_again():
    lsoa = Lsoa.objects.get(code=Postcode.objects.get(postcode="E8 1DY").lsoa.code)
    other = Neighbourhood.objects.exclude(pk=lsoa.neighbourhood_id).first()
    lsoas_move(lsoa_ids=[lsoa.pk], neighbourhood=other)
    out = io.StringIO()
    call_command("load_neighbourhood_areas", stdout=out)
    lsoa.refresh_from_db()
    assert lsoa.neighbourhood == other
    assert "1 kept as staff set them" in out.getvalue()


@pytest.mark.parametrize("members, expected", [
    ({"A", "B", "C"}, [{"A", "B", "C"}]),
    ({"A", "C"}, [{"A"}, {"C"}]),
    (set(), []),
])  # fmt: skip
def test_pieces_follow_shared_borders(members, expected):
    adjacency = derivation.neighbour_pairs([("A", "B", 50), ("B", "C", 50), ("A", "C", 2)])
    assert derivation.pieces(members, adjacency) == expected


def test_derivation_keeps_an_area_in_one_piece_and_reports_the_practice_left_outside():
    # A row of five LSOAs; neighbourhood X has practices at both ends, Y in the middle.
    units = [derivation.AreaUnit(c, c, "LA", i * 100.0, 0.0) for i, c in enumerate("ABCDE")]
    adjacency = derivation.neighbour_pairs(
        [(a, b, 100) for a, b in zip("ABCD", "BCDE", strict=True)]
    )
    practices = [
        derivation.PracticeSite("X1", "X", "A", 0, 0, 10000),
        derivation.PracticeSite("X2", "X", "E", 400, 0, 1000),
        derivation.PracticeSite("Y1", "Y", "C", 200, 0, 5000),
    ]
    result = derivation.derive(units, adjacency, practices)
    for nbh in ("X", "Y"):
        members = {c for c, n in result.assignment.items() if n == nbh}
        assert len(derivation.pieces(members, adjacency)) == 1
    assert set(result.assignment) == set("ABCDE")
    assert result.practices_outside == [("X2", "its LSOA E went to Y")]
    assert sorted(result.practices_inside) == ["X1", "Y1"]


@pytest.mark.realdata
def test_no_current_membership_is_lost_from_the_map():
    current = Membership.objects.current()
    assert current.count() >= 37
    assert current.filter(practice__location__isnull=True).count() == 0


@pytest.mark.realdata
def test_reloading_the_content_keeps_the_areas_drawn():
    call_command("load_content", force=True, stdout=io.StringIO())
    assert not Neighbourhood.objects.filter(boundary__isnull=True).exists()
    assert lookup_postcode("E8 1DY").neighbourhood.name == "London Fields"


@pytest.mark.realdata
def test_changing_the_places_local_authorities_answers_postcodes_again():
    place = Place.objects.get(slug="city-and-hackney")
    place.local_authority_codes = ["E09000012"]  # the City left out
    place.save()
    assert lookup_postcode("EC1A 7HF").outcome == "out_of_area"
    place.local_authority_codes = CITY_AND_HACKNEY
    place.save()
    assert lookup_postcode("EC1A 7HF").outcome == "in_area"


@pytest.mark.realdata
def test_lsoas_come_from_ons_and_cannot_be_added_or_deleted_in_the_admin(client):
    user = get_user_model().objects.create_superuser("editor", "e@example.org", "pw")
    client.force_login(user)
    postcode = Postcode.objects.get(postcode="E8 1DY")
    lsoa = postcode.lsoa

    delete = client.post(
        reverse("admin:neighbourhoods_lsoa_delete", args=[lsoa.pk]), {"post": "yes"}
    )
    add = client.get(reverse("admin:neighbourhoods_lsoa_add"))

    assert delete.status_code == 403
    assert add.status_code == 403
    assert Lsoa.objects.filter(pk=lsoa.pk).exists()
    assert lookup_postcode("E8 1DY").neighbourhood == postcode.neighbourhood
