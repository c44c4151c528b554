"""Boundary versions: every published state of the areas kept, dated, and read back as on a
date (neighbourhoods.selectors)."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.contrib.gis.geos import Point
from django.urls import reverse
from django.utils import timezone

from neighbourhoods import maps, versions
from neighbourhoods.models import BoundaryVersion, Lsoa, Neighbourhood, Postcode
from neighbourhoods.services.answers import answers_recompute
from neighbourhoods.services.areas import areas_rebuild
from neighbourhoods.services.moves import lsoas_move
from neighbourhoods.services.publishing import BOUNDARY_VERSION_LOCK, boundaries_snapshot

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
YESTERDAY = TODAY - datetime.timedelta(days=1)


def date_versions_back():
    """Every version so far is dated yesterday, so a move today makes today's version."""
    BoundaryVersion.objects.update(published_at=timezone.now() - datetime.timedelta(days=1))


def move_e8_1dy():
    postcode = Postcode.objects.get(postcode="E8 1DY")
    home = postcode.neighbourhood
    target = Neighbourhood.objects.get(name="Well Street Common")
    lsoas_move(lsoa_ids=[postcode.lsoa_id], neighbourhood=target, reason="Test move")
    return postcode, home, target


@pytest.mark.realdata
def test_the_loaded_areas_are_a_version(db):
    version = BoundaryVersion.objects.latest()
    assert version.areas.count() == Neighbourhood.objects.count()
    assert len(version.assignments) == Lsoa.objects.count()
    assert all(area.boundary for area in version.areas.all())


@pytest.mark.realdata
def test_a_publish_that_changes_nothing_takes_no_version(db):
    versions = BoundaryVersion.objects.count()
    areas_rebuild()
    answers_recompute(neighbourhood_ids=[Neighbourhood.objects.first().pk])
    assert BoundaryVersion.objects.count() == versions


@pytest.mark.realdata
def test_a_move_takes_a_version_naming_its_reason(db):
    versions = BoundaryVersion.objects.count()
    move_e8_1dy()
    version = BoundaryVersion.objects.latest()
    assert BoundaryVersion.objects.count() == versions + 1
    assert version.reason == "Test move"


@pytest.mark.realdata
def test_a_postcode_as_on_a_date(db):
    date_versions_back()
    postcode, home, target = move_e8_1dy()

    then = versions.neighbourhood_for_postcode("e81dy", on=YESTERDAY)
    now = versions.neighbourhood_for_postcode("E8 1DY", on=TODAY)

    assert (then.name, then.slug, then.neighbourhood_id) == (home.name, home.slug, home.pk)
    assert (now.name, now.neighbourhood_id) == (target.name, target.pk)
    assert now.version == BoundaryVersion.objects.latest()


@pytest.mark.realdata
def test_a_point_as_on_a_date(db):
    date_versions_back()
    postcode, home, target = move_e8_1dy()
    point = postcode.location

    assert versions.neighbourhood_covering(point, on=YESTERDAY).name == home.name
    assert versions.neighbourhood_covering(point, on=TODAY).name == target.name


@pytest.mark.realdata
def test_a_point_on_a_shared_edge_still_has_an_answer(db):
    lsoa = Lsoa.objects.filter(neighbourhood__isnull=False).first()
    corner = Point(*lsoa.boundary[0].exterior_ring[0], srid=4326)
    assert versions.neighbourhood_covering(corner, on=TODAY) is not None


@pytest.mark.realdata
def test_outside_every_area_or_unknown_answers_none(db):
    assert versions.neighbourhood_covering(Point(-0.5, 51.5, srid=4326), on=TODAY) is None
    assert versions.neighbourhood_for_postcode("ZZ99 9ZZ", on=TODAY) is None
    assert versions.neighbourhood_for_postcode("not a postcode", on=TODAY) is None


def test_a_date_before_the_first_version_says_so(db):
    with pytest.raises(versions.NoVersionOnDate, match="No neighbourhood boundaries had been"):
        versions.neighbourhood_for_postcode("E8 1DY", on=datetime.date(2000, 1, 1))


@pytest.mark.realdata
def test_a_versions_areas_as_geojson(db):
    date_versions_back()
    _, home, target = move_e8_1dy()
    before = maps.version_collection(versions.version_on(YESTERDAY))
    after = maps.version_collection(versions.version_on(TODAY), simplified=True)

    def lsoas(collection, name):
        [feature] = [f for f in collection["features"] if f["properties"]["name"] == name]
        assert feature["geometry"]["type"] == "MultiPolygon"
        return feature["properties"]["lsoas"]

    assert before["type"] == "FeatureCollection" and len(before["features"]) == 8
    assert lsoas(after, target.name) == lsoas(before, target.name) + 1
    assert lsoas(after, home.name) == lsoas(before, home.name) - 1


@pytest.mark.realdata
def test_the_admin_lists_versions_and_serves_their_geojson(client):
    client.force_login(get_user_model().objects.create_superuser("b", "b@example.org", "pw"))
    version = BoundaryVersion.objects.latest()

    listing = client.get(reverse("admin:neighbourhoods_boundaryversion_changelist"))
    geojson = client.get(reverse("admin:neighbourhoods_boundaryversion_geojson", args=[version.pk]))
    missing = client.get(reverse("admin:neighbourhoods_boundaryversion_geojson", args=[999999]))

    assert listing.status_code == 200 and str(version) in listing.content.decode()
    assert geojson.status_code == 200 and len(geojson.json()["features"]) == 8
    assert missing.status_code == 404


def test_a_publish_holds_the_boundary_version_lock_until_its_transaction_ends(db):
    """Two publishes at once must not both keep a version: while one is comparing and keeping
    its version, another connection cannot take the lock it holds."""
    import psycopg2
    from django.db import connection

    boundaries_snapshot()  # inside this test's transaction, not yet committed
    other = psycopg2.connect(**connection.get_connection_params())
    try:
        with other, other.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [BOUNDARY_VERSION_LOCK])
            taken = cursor.fetchone()[0]
    finally:
        other.close()

    assert taken is False


def test_re_answering_one_postcode_does_not_compare_the_areas_again(db):
    """A postcode's answer is not part of a boundary version, so saving one postcode does
    not read every LSOA and area to compare them with the latest version."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories import LsoaFactory, NeighbourhoodFactory, PostcodeFactory

    LsoaFactory(neighbourhood=NeighbourhoodFactory())
    boundaries_snapshot()
    postcode = PostcodeFactory()
    versions = BoundaryVersion.objects.count()

    with CaptureQueriesContext(connection) as queries:
        answers_recompute(postcode_ids=[postcode.pk])

    table = BoundaryVersion._meta.db_table
    assert not [q["sql"] for q in queries if table in q["sql"]]
    assert BoundaryVersion.objects.count() == versions
