"""Which database a read goes to (config/db_router.py): the decisions, without a replica;
then, when DATABASE_REPLICA_URL names one that is up (`make replica`), the routing on it."""

import time

import pytest
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.core.exceptions import MiddlewareNotUsed
from django.db import OperationalError, connection, connections, transaction
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from config.db_router import (
    PIN_COOKIE,
    PRIMARY,
    REPLICA,
    ReplicaReadsMiddleware,
    ReplicaRouter,
    public_reads,
    read_database,
)
from neighbourhoods.models import Neighbourhood
from partnership.models import Place
from tests.factories import NeighbourhoodFactory, PlaceFactory
from tests.second_factor import StaffClient


@pytest.fixture
def with_replica(settings):
    """Reads to a replica turned on (these decisions never connect to it)."""
    settings.PORTAL_REPLICA_READS = True


def read_during(request):
    """The alias a read would go to while the middleware serves the request, and its answer."""
    seen = []

    def view(request):
        from django.http import HttpResponse

        seen.append(read_database())
        return HttpResponse("ok")

    response = ReplicaReadsMiddleware(view)(request)
    return seen[0], response


rf = RequestFactory()


@pytest.mark.parametrize(
    ("request_", "expected"),
    [
        (rf.get("/api/v1/postcodes/E8%201DY"), REPLICA),
        (rf.head("/api/v1/neighbourhoods"), REPLICA),
        (rf.get("/lookup/?postcode=E8+1DY"), REPLICA),
        (rf.get("/neighbourhoods/london-fields/"), REPLICA),
        (rf.get("/admin/"), PRIMARY),  # the admin, its move preview and history
        (rf.get("/admin/neighbourhoods/lsoa/move/preview/"), PRIMARY),
        (rf.post("/api/v1/postcodes", {}), PRIMARY),  # any POST
        (rf.post("/feedback/", {}), PRIMARY),
    ],
    ids=lambda v: getattr(v, "path", v),
)
def test_public_reads_go_to_the_replica_and_staff_reads_to_the_primary(
    with_replica, request_, expected
):
    assert read_during(request_)[0] == expected


def test_a_signed_in_client_reads_the_primary(with_replica):
    request = rf.get("/neighbourhoods/london-fields/")
    request.COOKIES[django_settings.SESSION_COOKIE_NAME] = "a-session"
    assert read_during(request)[0] == PRIMARY


def test_a_write_pins_its_client_to_the_primary_for_a_few_seconds(with_replica):
    _, response = read_during(rf.post("/feedback/", {}))
    pin = response.cookies[PIN_COOKIE]
    assert 0 < pin["max-age"] <= 30 and pin["httponly"]
    request = rf.get("/neighbourhoods/london-fields/")
    request.COOKIES[PIN_COOKIE] = "1"
    assert read_during(request)[0] == PRIMARY


def test_the_api_is_never_pinned_nor_given_a_cookie(with_replica):
    _, response = read_during(rf.post("/api/v1/postcodes", {}))
    assert PIN_COOKIE not in response.cookies


def test_without_a_replica_everything_is_the_primary_and_no_cookie_is_set():
    assert not django_settings.PORTAL_REPLICA_READS
    with pytest.raises(MiddlewareNotUsed):  # not in the chain: nothing to pay per request
        ReplicaReadsMiddleware(lambda request: None)
    with public_reads():
        assert read_database() == PRIMARY


def test_commands_tasks_and_writes_use_the_primary(with_replica):
    router = ReplicaRouter()
    assert router.db_for_read(Neighbourhood) == PRIMARY  # nothing marked the read public
    with public_reads():
        assert router.db_for_read(Neighbourhood) == REPLICA
        assert router.db_for_write(Neighbourhood) == PRIMARY
    assert router.allow_migrate(PRIMARY, "neighbourhoods") is True
    assert router.allow_migrate(REPLICA, "neighbourhoods") is False


@pytest.mark.django_db
def test_reads_inside_a_transaction_stay_on_the_primary(with_replica):
    with public_reads(), transaction.atomic():
        assert read_database() == PRIMARY


# On a real streaming replica (`make replica`), of the test database itself: the settings
# name it, as a mirror of the test database, when DATABASE_REPLICA_URL is set.
HAS_REPLICA = REPLICA in django_settings.DATABASES


@pytest.fixture
def replica(settings, django_db_blocker):
    try:
        with django_db_blocker.unblock(), connections[REPLICA].cursor() as cursor:
            cursor.execute("SELECT pg_is_in_recovery()")
            in_recovery = cursor.fetchone()[0]
    except OperationalError as exc:
        pytest.skip(f"the replica is not up: {exc}")
    assert in_recovery, "DATABASE_REPLICA_URL names a primary, not a replica"
    settings.PORTAL_REPLICA_READS = True
    return connections[REPLICA]


def replayed(replica_connection, timeout=10.0):
    """Wait until the replica has replayed everything the primary has written so far."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_lsn()")
        lsn = cursor.fetchone()[0]
    deadline = time.monotonic() + timeout
    with replica_connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [lsn])
            if cursor.fetchone()[0]:
                return
            time.sleep(0.05)
    pytest.fail(f"the replica did not replay {lsn} within {timeout} s")


@pytest.fixture
def committed(django_db_setup, django_db_blocker):
    """A neighbourhood and a member of staff, committed (so the replica replays them) outside
    any test transaction, and deleted again after the test: the test database keeps the rows
    its migrations made, which flushing it would not."""
    with django_db_blocker.unblock():
        place_existed = Place.objects.filter(slug=PlaceFactory.slug).exists()
        neighbourhood = NeighbourhoodFactory(name="Replica Park", slug="replica-park")
        staff = get_user_model().objects.create_superuser("replica-staff", "r@example.org", "pw")
        try:
            yield neighbourhood, staff
        finally:
            neighbourhood.delete()
            staff.delete()
            if not place_existed:  # the real data's place stays
                neighbourhood.place.delete()


@pytest.mark.skipif(
    not HAS_REPLICA, reason="no replica: `make replica`, then set DATABASE_REPLICA_URL"
)
def test_on_a_real_replica_public_reads_leave_the_primary_and_staff_reads_do_not(
    committed, replica, django_db_blocker
):
    neighbourhood, staff = committed
    client = StaffClient()  # staff sign in with a second factor
    with django_db_blocker.unblock():
        replayed(replica)
        path = f"/api/v1/neighbourhoods/{neighbourhood.slug}"
        on_replica, on_primary = CaptureQueriesContext(replica), CaptureQueriesContext(connection)
        with on_replica, on_primary:
            response = client.get(path)
        assert response.status_code == 200, response.content
        assert response.json()["properties"]["name"] == "Replica Park"
        assert on_replica.captured_queries and not on_primary.captured_queries

        # A member of staff, signed in, reads the primary: their own change is there at once,
        # whatever the replica's lag.
        client.force_login(staff)
        with CaptureQueriesContext(replica) as on_replica:
            response = client.get(f"/admin/neighbourhoods/neighbourhood/{neighbourhood.pk}/change/")
        assert response.status_code == 200
        assert not on_replica.captured_queries


def test_the_database_cache_is_read_where_it_is_written_and_cleared(with_replica):
    from django.core.cache.backends.db import DatabaseCache

    cache_model = DatabaseCache("portal_cache", {}).cache_model_class
    with public_reads():
        assert ReplicaRouter().db_for_read(cache_model) == PRIMARY
