"""Content that is true today: each correction in the fixtures, on the page, and shipped to a
database loaded before it (partnership 0010); where memberships come from and when; closed
practices say what the data knows of where their patients went."""

import datetime
import importlib
import io

import pytest
from django.apps import apps
from django.core.management import call_command
from django.utils import timezone

from neighbourhoods.models import ImportRun, Practice
from partnership.models import HealthChallenge, Place, Source
from tests.factories import MembershipFactory, NeighbourhoodFactory, PracticeFactory

pytestmark = pytest.mark.django_db

corrections = importlib.import_module("partnership.migrations.0010_content_true_today")


@pytest.fixture
def content():
    call_command("load_content", stdout=io.StringIO())


def text_of(response):
    return " ".join(response.content.decode().replace("&#x27;", "'").split())


def test_the_home_page_quotes_obesity_and_overweight_apart_with_year_and_source(content, client):
    page = text_of(client.get("/"))
    assert "over 40% of Year 6 children in Hackney were obese" not in page
    assert "2022/23 school year" in page
    assert "about 4 in 10 Year 6 children in Hackney were overweight or obese" in page
    assert "about 1 in 4 were obese" in page
    challenge = HealthChallenge.objects.get(title__startswith="Obesity")
    assert challenge.source.key == "ncmp-2022-23"
    assert challenge.source.url.startswith("https://digital.nhs.uk/")
    about = text_of(client.get("/about-the-data/"))
    assert 'id="source-ncmp-2022-23"' in about


def test_islington_is_second_to_tower_hamlets_in_density(content, client):
    page = text_of(client.get("/places/islington/"))
    assert "most densely populated borough in the United Kingdom" not in page
    assert "second most densely populated" in page
    assert "after Tower Hamlets" in page
    assert "2021 Census" in page


def test_the_resident_figure_says_it_is_the_2021_censuss(content, client):
    page = text_of(client.get("/"))
    assert "267,800" in page
    assert "From the 2021 Census" in page


def test_workstream_priorities_say_they_are_mid_2018s_with_their_source(content, client):
    for url in ["/workstreams/", "/workstreams/unplanned-care/"]:
        page = text_of(client.get(url))
        assert "These priorities come from" in page, url
        assert "Integrated commissioning programme: progress report to Members" in page
        assert "by the City of London Corporation, about mid-2018" in page
        assert "today's may differ" in page


def test_the_corrections_reach_a_database_loaded_before_them(content):
    """The migration puts each old text right where it is still as first loaded."""
    place = Place.objects.get(slug="city-and-hackney")
    islington = Place.objects.get(slug="islington")
    challenge = HealthChallenge.objects.get(title__startswith="Obesity")
    Place.objects.filter(pk=place.pk).update(residents_note=corrections.RESIDENTS_OLD)
    Place.objects.filter(pk=islington.pk).update(
        description=islington.description.replace(
            corrections.ISLINGTON_NEW, corrections.ISLINGTON_OLD
        )
    )
    HealthChallenge.objects.filter(pk=challenge.pk).update(
        description=corrections.OBESITY_OLD, source=None
    )
    Source.objects.filter(key="ncmp-2022-23").delete()

    corrections.correct(apps, None)

    place.refresh_from_db(), islington.refresh_from_db(), challenge.refresh_from_db()
    assert place.residents_note == corrections.RESIDENTS_NEW
    assert corrections.ISLINGTON_NEW in islington.description
    assert corrections.ISLINGTON_OLD not in islington.description
    assert challenge.description == corrections.OBESITY_NEW
    assert challenge.source.key == "ncmp-2022-23"


def test_the_corrections_leave_staff_edits_alone(content):
    Place.objects.filter(slug="city-and-hackney").update(residents_note="Staff wrote this.")
    corrections.correct(apps, None)
    assert Place.objects.get(slug="city-and-hackney").residents_note == "Staff wrote this."


def test_the_fixtures_and_the_migration_say_the_same(content):
    """A database loaded now and one corrected by the migration end with the same text."""
    assert HealthChallenge.objects.filter(description=corrections.OBESITY_NEW).exists()
    assert Place.objects.filter(residents_note=corrections.RESIDENTS_NEW).exists()
    assert Place.objects.filter(description__contains=corrections.ISLINGTON_NEW).exists()
    fixture_source = Source.objects.get(key="ncmp-2022-23")
    assert {k: getattr(fixture_source, k) for k in corrections.NCMP} == corrections.NCMP


@pytest.fixture
def the_october_2024_epcn():
    now = timezone.now()
    return ImportRun.objects.create(
        source="import_practices", outcome=ImportRun.Outcome.SUCCEEDED, run_by="test",
        started_at=now, finished_at=now, release_date=datetime.date(2025, 9, 1),
        files=[{"name": "ods_epcn_2024-10_core_partners.csv", "release_date": "2024-10-01"},
               {"name": "ods_epraccur_2025-09.csv", "release_date": "2025-09-01"}],
    )  # fmt: skip


def test_memberships_show_the_date_of_the_nhs_data_they_come_from(the_october_2024_epcn, client):
    membership = MembershipFactory(practice__name="Shared Name Surgery")
    neighbourhood, practice = membership.neighbourhood, membership.practice
    for url in [
        "/neighbourhoods/",
        neighbourhood.get_absolute_url(),
        practice.get_absolute_url(),
        "/practices/?q=Shared+Name",
        "/neighbourhoods/map/",
    ]:
        page = text_of(client.get(url))
        assert 'id="membership-source"' in page, url
        assert "(ePCN)</a>, dated October 2024." in page, url


def test_a_closed_practice_says_the_data_does_not_say_where_its_patients_went(client):
    neighbourhood = NeighbourhoodFactory()
    closed = PracticeFactory(
        name="The Elm Practice", postcode="N16 7EA", status=Practice.Status.CLOSED,
        closed_on=datetime.date(2025, 4, 30),
    )  # fmt: skip
    MembershipFactory(
        practice=closed, neighbourhood=neighbourhood, ended_on=datetime.date(2024, 3, 31)
    )
    PracticeFactory(name="Fountayne Road Medical Practice", postcode="N16 7EA")
    PracticeFactory(name="Closed Too", postcode="N16 7EA", status=Practice.Status.CLOSED)
    PracticeFactory(name="Elsewhere Surgery", postcode="E8 1DY")

    page = text_of(client.get(closed.get_absolute_url()))
    assert "It closed on 30 April 2025" in page
    assert "do not say where this practice's patients went" in page
    assert "A practice at the same postcode is still open: " in page
    assert "Fountayne Road Medical Practice" in page
    assert "Closed Too" not in page and "Elsewhere Surgery" not in page

    left = text_of(client.get(neighbourhood.get_absolute_url()))
    assert "The Elm Practice</a> left on 31 March 2024, and closed on 30 April 2025" in left
