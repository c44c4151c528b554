"""Boundary versions on the small borough (tests/neighbourhoods/conftest.py): a publish
keeps a version when the areas change and none when they do not, and a date picks the
version in force."""

import datetime

import pytest
from django.contrib.gis.geos import Point
from django.urls import reverse
from django.utils import timezone

from neighbourhoods import maps, versions
from neighbourhoods.models import BoundaryVersion, Lsoa, Neighbourhood
from neighbourhoods.services.answers import answers_recompute
from neighbourhoods.services.areas import areas_rebuild
from neighbourhoods.services.moves import lsoas_move
from neighbourhoods.services.publishing import boundaries_snapshot
from tests.neighbourhoods.conftest import LSOA_CODE, london

DAY = datetime.timedelta(days=1)


def lsoas_in(version) -> dict[str, int]:
    return dict(version.areas.values_list("slug", "lsoas"))


def test_the_built_borough_is_one_version_of_its_areas(borough):
    [version] = BoundaryVersion.objects.all()
    lf, cp = borough.london_fields.pk, borough.clissold_park.pk
    assert version.assignments == {
        LSOA_CODE["C1"]: lf, LSOA_CODE["H1"]: lf, LSOA_CODE["H2"]: lf,
        LSOA_CODE["H3"]: cp, LSOA_CODE["H4"]: None,
    }  # fmt: skip
    assert lsoas_in(version) == {"london-fields": 3, "clissold-park": 1}
    for area in version.areas.all():
        neighbourhood = Neighbourhood.objects.get(pk=area.neighbourhood_id)
        assert area.boundary.equals(neighbourhood.boundary), area.name


def test_a_publish_that_changes_no_area_keeps_no_version(borough):
    assert areas_rebuild() == 0
    answers_recompute(neighbourhood_ids=[borough.london_fields.pk])
    answers_recompute(everything=True)
    assert boundaries_snapshot() is None
    assert BoundaryVersion.objects.count() == 1


def test_a_practice_or_membership_change_keeps_no_version(borough):
    practice = borough.practices["F90001"]
    practice.name = "Renamed Practice"
    practice.save()
    [membership] = borough.memberships["F90002"]
    membership.ended_on = timezone.localdate() - DAY
    membership.save()
    assert BoundaryVersion.objects.count() == 1


def test_a_move_keeps_a_version_with_its_reason_and_the_last_one_never_changes(borough):
    [before] = BoundaryVersion.objects.all()
    lsoas_move(lsoa_ids=[borough.lsoas["H2"].pk], neighbourhood=borough.clissold_park,
                        reason="Test move")  # fmt: skip

    after = BoundaryVersion.objects.latest()
    assert BoundaryVersion.objects.count() == 2
    assert after.reason == "Test move"
    assert after.assignments[LSOA_CODE["H2"]] == borough.clissold_park.pk
    assert lsoas_in(after) == {"london-fields": 2, "clissold-park": 2}
    before.refresh_from_db()
    assert before.assignments[LSOA_CODE["H2"]] == borough.london_fields.pk
    assert lsoas_in(before) == {"london-fields": 3, "clissold-park": 1}
    assert boundaries_snapshot() is None  # publishing again keeps no other


def test_a_renamed_neighbourhood_keeps_a_version_and_the_old_one_its_old_name(borough):
    neighbourhood = borough.clissold_park
    neighbourhood.name = "Stoke Newington"
    neighbourhood.save()

    first, latest = BoundaryVersion.objects.order_by("published_at", "pk")
    assert first.areas.get(neighbourhood=neighbourhood).name == "Clissold Park"
    assert latest.areas.get(neighbourhood=neighbourhood).name == "Stoke Newington"
    assert latest.assignments == first.assignments


def test_a_move_made_in_the_admin_names_who_made_it(borough, staff, staff_client):
    response = staff_client.post(
        reverse("admin:neighbourhoods_lsoa_move"),
        {"ids": borough.lsoas["H2"].pk, "neighbourhood": borough.clissold_park.pk,
         "confirm": "yes"},
    )  # fmt: skip
    assert response.status_code == 302
    version = BoundaryVersion.objects.latest()
    assert BoundaryVersion.objects.count() == 2
    assert version.changed_by == staff


def test_a_date_picks_the_version_in_force_by_the_end_of_that_day(dated_versions):
    built, moved, _, latest = dated_versions["versions"]
    first, second, today = (dated_versions[k] for k in ("first", "second", "today"))

    assert versions.version_on(first) == built
    assert versions.version_on(second - DAY) == built
    assert versions.version_on(second) == moved  # published at 23:30 that day
    assert versions.version_on(today) == latest  # the later of today's two
    with pytest.raises(versions.NoVersionOnDate) as refused:
        versions.version_on(first - DAY)
    assert str(refused.value) == (
        f"No neighbourhood boundaries had been published by {(first - DAY).day} "
        f"{first - DAY:%B %Y}. The first version was published on {first.day} {first:%B %Y}."
    )


def test_a_version_published_just_after_midnight_is_in_force_from_that_day(borough):
    [version] = BoundaryVersion.objects.all()
    day = timezone.localdate() - 5 * DAY
    BoundaryVersion.objects.filter(pk=version.pk).update(published_at=london(day, 0, 1))
    assert versions.version_on(day) == version
    with pytest.raises(versions.NoVersionOnDate):
        versions.version_on(day - DAY)


def test_before_any_version_the_refusal_says_none_was_published(borough):
    BoundaryVersion.objects.all().delete()
    with pytest.raises(versions.NoVersionOnDate, match="No boundaries have been published yet"):
        versions.neighbourhood_for_postcode("E8 1DY", on=timezone.localdate())


def test_a_postcode_and_a_point_as_on_a_date(dated_versions):
    first, second = dated_versions["first"], dated_versions["second"]
    then = versions.neighbourhood_for_postcode("e81dy", on=first)
    now = versions.neighbourhood_for_postcode("E8 1DY", on=second)

    assert (then.name, then.slug) == ("London Fields", "london-fields")
    assert (now.name, now.slug) == ("Clissold Park", "clissold-park")  # its name then
    assert now.version == dated_versions["versions"][1]
    e8_1dy = Point(-0.065, 51.545, srid=4326)
    assert versions.neighbourhood_covering(e8_1dy, on=first).slug == "london-fields"
    assert versions.neighbourhood_covering(e8_1dy, on=second).slug == "clissold-park"


def test_in_no_neighbourhood_then_or_unknown_answers_none(dated_versions):
    first, today = dated_versions["first"], dated_versions["today"]
    assert versions.neighbourhood_for_postcode("E9 5AA", on=first) is None  # H4 had none
    assert versions.neighbourhood_for_postcode("E9 5AA", on=today).slug == (
        "clissold-and-stoke-newington"
    )
    assert versions.neighbourhood_covering(Point(-0.045, 51.545), on=first) is None
    assert versions.neighbourhood_for_postcode("N1 1AA", on=today) is None  # Islington
    assert versions.neighbourhood_for_postcode("ZZ99 9ZZ", on=today) is None
    assert versions.neighbourhood_for_postcode("not a postcode", on=today) is None


def test_a_point_on_an_lsoa_corner_still_has_an_answer(borough):
    lsoa = Lsoa.objects.get(pk=borough.lsoas["H1"].pk)
    corner = Point(*lsoa.boundary[0].exterior_ring[0], srid=4326)
    assert versions.neighbourhood_covering(corner, on=timezone.localdate()).slug == (
        "london-fields"
    )


def feature_lsoas(collection) -> dict[str, int]:
    return {f["properties"]["slug"]: f["properties"]["lsoas"] for f in collection["features"]}


def test_the_versions_endpoint_lists_them_newest_first(dated_versions, client):
    built, moved, renamed, latest = dated_versions["versions"]

    response = client.get("/api/v1/boundary-versions")

    assert response.status_code == 200
    versions = response.json()["versions"]
    assert [v["id"] for v in versions] == [latest.pk, renamed.pk, moved.pk, built.pk]
    assert versions[2] == {
        "id": moved.pk,
        "published_at": london(dated_versions["second"], 23, 30).isoformat(),
        "note": "H2 to Clissold Park",
        "neighbourhoods": 2,
        "api_url": f"/api/v1/boundary-versions/{moved.pk}/neighbourhoods",
    }
    assert versions[0]["note"] == "H4 given a neighbourhood"
    assert client.get("/api/boundary-versions").json() == response.json()


def test_each_versions_areas_as_geojson(dated_versions, client):
    built, moved, renamed, latest = dated_versions["versions"]

    first = client.get(f"/api/v1/boundary-versions/{built.pk}/neighbourhoods")
    last = client.get(f"/api/v1/boundary-versions/{latest.pk}/neighbourhoods",
                      {"simplified": "true"})  # fmt: skip

    assert first.status_code == 200 and first["Content-Type"] == "application/geo+json"
    assert first.json()["version"]["id"] == built.pk
    assert feature_lsoas(first.json()) == {"london-fields": 3, "clissold-park": 1}
    assert feature_lsoas(last.json()) == {"london-fields": 2, "clissold-and-stoke-newington": 3}
    for feature in first.json()["features"]:
        assert feature["geometry"]["type"] == "MultiPolygon"
        assert feature["properties"]["indicative"] is True
    assert maps.version_collection(built) == first.json()


@pytest.mark.parametrize("version_id", ["999999", "2147483647"])
def test_an_unknown_version_is_a_404(borough, client, version_id):
    response = client.get(f"/api/v1/boundary-versions/{version_id}/neighbourhoods")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "boundary_version_not_found"


def test_the_admin_lists_the_versions_and_serves_their_geojson(dated_versions, staff_client):
    version = dated_versions["versions"][0]
    listing = staff_client.get(reverse("admin:neighbourhoods_boundaryversion_changelist"))
    geojson = staff_client.get(
        reverse("admin:neighbourhoods_boundaryversion_geojson", args=[version.pk])
    )
    assert listing.status_code == 200 and str(version) in listing.content.decode()
    assert feature_lsoas(geojson.json()) == {"london-fields": 3, "clissold-park": 1}
