"""The shared cache in front (config/surrogates.py): which answers it may keep and under which
keys, and the purge every publish sends once it commits, which never fails a publish."""

import datetime
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from config import surrogates
from neighbourhoods.services.moves import lsoas_move
from neighbourhoods.services.publishing import caches_clear

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("path", "kind"),
    [
        ("/api/v1/postcodes/E8%201DY", "api"),  # the hot path, its bytes kept per process
        ("/api/v1/outcodes/E8", "api"),
        ("/api/v1/practices", "geojson"),
        ("/api/v1/postcodes.csv", "download"),
        ("/api/v1/neighbourhoods", "geojson"),
        ("/api/v1/neighbourhoods/london-fields", "geojson"),
    ],
)
def test_public_api_answers_carry_surrogate_keys_and_a_shared_max_age(borough, client, path, kind):
    response = client.get(path)
    assert response.status_code == 200
    # The coarse keys first (every answer, and its kind), then what it shows.
    assert response[surrogates.HEADER].split()[:2] == [surrogates.EVERYTHING, kind]
    cache_control = response["Cache-Control"].split(", ")
    assert "public" in cache_control and f"s-maxage={surrogates.SHARED_MAX_AGE}" in cache_control
    assert any(d.startswith("max-age=") for d in cache_control)  # browsers as before


def keys(client, path) -> set[str]:
    response = client.get(path)
    assert response.status_code == 200, response.content
    return set(response[surrogates.HEADER].split())


def test_each_answer_names_what_it_shows(borough, client):
    london_fields, clissold_park = borough.london_fields, borough.clissold_park
    answer = client.get("/api/v1/postcodes/E8%201DY").json()
    listed = {p["ods_code"] for p in answer["practices"]}
    assert listed  # the postcode's practices, nearest first
    assert keys(client, "/api/v1/postcodes/E8%201DY") == {
        "portal", "api", "pc-E81DY", "district-E8", f"nbh-{london_fields.pk}",
        *(f"practice-{ods}" for ods in listed),
    }  # fmt: skip
    # Asked again, from the bytes kept per process: the same keys.
    assert keys(client, "/api/v1/postcodes/e81dy") == keys(client, "/api/v1/postcodes/E8%201DY")
    assert {f"nbh-{london_fields.pk}", "district-E8"} <= keys(client, "/api/v1/outcodes/E8")
    version = client.get("/api/v1/boundary-versions").json()["versions"][0]["id"]
    areas = keys(client, "/api/v1/neighbourhoods")
    assert {"neighbourhoods", f"areas-{version}", f"nbh-{london_fields.pk}",
            f"nbh-{clissold_park.pk}"} <= areas  # fmt: skip
    one = keys(client, "/api/v1/neighbourhoods/london-fields")
    assert f"nbh-{london_fields.pk}" in one and f"nbh-{clissold_park.pk}" not in one
    practices = keys(client, "/api/v1/practices")
    assert {"practices", "practice-F90001", "practice-F90005", "release-ods-epraccur"} <= practices
    assert "release-codepoint-open" in keys(client, "/api/v1/postcodes.csv")
    today = datetime.date.today().isoformat()
    assert "as-on" in keys(client, f"/api/v1/postcodes/E8%201DY?on={today}")


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/postcodes/E8%209ZZ",  # not found: errors are never kept
        "/api/v1/postcodes/not-a-postcode",
        "/api/v1/points?lat=51.545&lon=-0.065",  # where someone is: their browser's alone
        "/api/v1/points?lat=51.545&lon=-0.065&on=2026-01-01",  # on a date too
        "/lookup/?postcode=E8+1DY",  # pages carry a nonce of their own
    ],
)
def test_errors_points_and_pages_carry_no_keys(borough, client, path):
    response = client.get(path)
    assert surrogates.HEADER not in response
    assert "s-maxage" not in response.get("Cache-Control", "")


@pytest.fixture
def purges(settings):
    """A stand-in for the cache: records the keys of each PURGE it is sent."""
    received = []

    class Handler(BaseHTTPRequestHandler):
        def do_PURGE(self):  # noqa: N802 (the method's name)
            received.append(self.headers["xkey-purge"])
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    settings.PORTAL_CACHE_PURGE_URLS = [f"http://127.0.0.1:{server.server_port}/"]
    yield received
    server.shutdown()
    server.server_close()


def purged(purges) -> set[str]:
    return {key for header in purges for key in header.split()}


def test_a_move_purges_the_cache_once_it_commits(
    borough, purges, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        lsoas_move(
            lsoa_ids=[borough.lsoas["H2"].pk], neighbourhood=borough.neighbourhoods["clissold-park"]
        )
        assert purges == []  # nothing before the commit: a reader could refill the old answer
    for callback in callbacks:
        callback()
    # The keys of what the move changed: the moved postcodes' answers, their district's,
    # today's areas (a new boundary version) and the downloads; not everything.
    keys = purged(purges)
    assert {"pc-E81DY", "pc-E82AA", "district-E8", "neighbourhoods", "download"} <= keys
    assert surrogates.EVERYTHING not in keys
    assert "pc-N169JT" not in keys  # in Clissold Park already: its answer is the same


def test_a_practice_edit_purges_the_answers_that_name_it_alone(
    borough, client, purges, django_capture_on_commit_callbacks
):
    practice = borough.practices["F90005"]  # Stoke Newington Practice, in Clissold Park
    naming = {
        path for path in ("/api/v1/postcodes/E8%201DY", "/api/v1/postcodes/N16%209JT",
                          "/api/v1/postcodes/EC2Y%205DE", "/api/v1/postcodes/E9%205AA")
        if "practice-F90005" in keys(client, path)
    }  # fmt: skip
    assert naming
    with django_capture_on_commit_callbacks(execute=True):
        practice.name = "Stoke Newington Practice (renamed)"
        practice.save()
    keys_purged = purged(purges)
    assert {"practice-F90005", "practices"} <= keys_purged
    assert surrogates.EVERYTHING not in keys_purged and surrogates.API not in keys_purged
    for path in naming:  # every answer naming it carries a key purged
        assert keys(client, path) & keys_purged
    assert not keys(client, "/api/v1/neighbourhoods/london-fields") & keys_purged
    assert not keys(client, "/api/v1/postcodes.csv") & keys_purged


def test_a_content_change_purges_no_api_answer(purges, django_capture_on_commit_callbacks):
    from tests.factories import PartnerFactory

    with django_capture_on_commit_callbacks(execute=True):
        PartnerFactory()
    assert purges == []  # no API answer shows it; Django's cache of pages is cleared


def test_a_cache_that_cannot_be_reached_is_logged_never_raised(
    settings, caplog, django_capture_on_commit_callbacks
):
    settings.PORTAL_CACHE_PURGE_URLS = ["http://127.0.0.1:9/"]  # nothing listens on discard
    with django_capture_on_commit_callbacks(execute=True):
        caches_clear()
    assert "was not purged" in caplog.text


def test_without_a_cache_in_front_nothing_is_sent(settings, django_capture_on_commit_callbacks):
    settings.PORTAL_CACHE_PURGE_URLS = []
    with django_capture_on_commit_callbacks(execute=True):
        caches_clear()  # and no error


def test_an_import_that_changes_no_row_still_purges_the_release_it_records(
    borough, purges, django_capture_on_commit_callbacks
):
    """The downloads name each source's release in use: a new release with the same rows
    changes them."""
    from neighbourhoods.importers.base import Importer

    class Unchanged(Importer):
        source_name = "codepoint"

        def run_import(self, summary, **options):
            return "Nothing new"

    with django_capture_on_commit_callbacks(execute=True):
        result = Unchanged().run()
    assert result.outcome == "unchanged"
    keys = purged(purges)
    assert {"release-codepoint", "download", "practices", "neighbourhoods"} <= keys
    assert surrogates.EVERYTHING not in keys


PROFILES = ("/api/v1/neighbourhoods/london-fields/profile",
            "/api/v1/neighbourhoods/london-fields/profile.csv")  # fmt: skip


def test_a_profile_is_purged_by_what_changes_its_figures(
    statistics, client, purges, django_capture_on_commit_callbacks
):
    """A move (residents), a membership ended (registered patients) and a profiles release
    each purge a key both profile answers carry."""
    from neighbourhoods.importers.base import Importer

    london_fields = statistics.london_fields
    for path in PROFILES:
        assert {"portal", f"nbh-{london_fields.pk}", "neighbourhoods"} <= keys(client, path)

    with django_capture_on_commit_callbacks(execute=True):
        lsoas_move(lsoa_ids=[statistics.lsoas["H2"].pk],
                   neighbourhood=statistics.neighbourhoods["clissold-park"])  # fmt: skip
    moved = purged(purges)
    purges.clear()
    with django_capture_on_commit_callbacks(execute=True):
        [membership] = statistics.memberships["F90002"]
        membership.ended_on = datetime.date.today() - datetime.timedelta(days=1)
        membership.save()
    ended = purged(purges)
    purges.clear()

    class ProfilesRelease(Importer):
        source_name = "import_profiles"

        def run_import(self, summary, **options):
            return "Nothing new"

    with django_capture_on_commit_callbacks(execute=True):
        ProfilesRelease().run()
    released = purged(purges)
    for path in PROFILES:
        answer_keys = keys(client, path)
        assert answer_keys & moved, path
        assert answer_keys & ended, path
        assert answer_keys & released, path
    assert surrogates.EVERYTHING not in moved | ended | released
