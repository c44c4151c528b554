"""How up to date each source's release in use is (selectors.data_freshness): its date, its
age in whole months on a given day, and "out of date" once older than its publisher's cadence
(partnership.data_sources); and the line About the data shows for it."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from neighbourhoods.models import ImportRun
from neighbourhoods.selectors import data_freshness, whole_months
from partnership.data_sources import DATA_SOURCES

pytestmark = pytest.mark.django_db

MARCH = datetime.date(2026, 3, 1)


def imported(source, *, files=(), release_date=None):
    """A successful run of `source`, the latest; `files` as (name, release date)."""
    now = timezone.now()
    return ImportRun.objects.create(
        source=source,
        files=[{"name": name, "release_date": day.isoformat()} for name, day in files],
        release_date=release_date,
        outcome=ImportRun.Outcome.SUCCEEDED,
        run_by="tests",
        started_at=now,
        finished_at=now,
    )


@pytest.fixture
def no_runs():
    """No import run yet (a whole run's database holds the real data's)."""
    ImportRun.objects.all().delete()


def practices_imported(epcn=MARCH, epraccur=MARCH, patients=MARCH):
    return imported(
        "import_practices",
        files=[
            ("ods_epcn_2026-03_core_partners_city_and_hackney.csv", epcn),
            ("ods_epraccur_2026-03_city_and_hackney_pcn_practices.csv", epraccur),
            ("nhs_gp_reg_pat_prac_all_2026-04_city_and_hackney_practices.csv", patients),
        ],
        release_date=patients,
    )


@pytest.mark.parametrize(
    "since, until, months",
    [
        (MARCH, MARCH, 0),
        (MARCH, datetime.date(2026, 3, 31), 0),
        (MARCH, datetime.date(2026, 4, 1), 1),
        (MARCH, datetime.date(2026, 5, 31), 2),
        (datetime.date(2025, 10, 17), datetime.date(2026, 1, 16), 2),
        (datetime.date(2025, 10, 17), datetime.date(2026, 1, 17), 3),
        (datetime.date(2024, 10, 1), datetime.date(2026, 12, 5), 26),
        (MARCH, datetime.date(2026, 2, 1), 0),  # a release dated later: no age
    ],
)
def test_a_releases_age_is_in_whole_months(since, until, months):
    assert whole_months(since, until) == months


@pytest.mark.parametrize(
    "today, age, stale",
    [
        (datetime.date(2026, 3, 20), 0, False),
        (datetime.date(2026, 5, 31), 2, False),
        (datetime.date(2026, 6, 1), 3, False),  # exactly three months old
        (datetime.date(2026, 6, 2), 3, True),  # older than three months
        (datetime.date(2026, 12, 5), 9, True),
    ],
)
def test_an_ods_release_is_out_of_date_once_older_than_three_months(no_runs, today, age, stale):
    practices_imported()

    freshness = data_freshness(today=today)

    for key in ("ods-epcn", "ods-epraccur", "gp-registered-patients"):
        assert freshness[key].release_date == MARCH
        assert (freshness[key].age_months, freshness[key].stale) == (age, stale), key
        assert freshness[key].cadence_months == 3


def test_each_file_of_one_import_is_aged_on_its_own_release(no_runs):
    practices_imported(epcn=datetime.date(2024, 10, 1), epraccur=datetime.date(2025, 9, 1))
    imported("import_postcodes", release_date=datetime.date(2025, 10, 17))

    freshness = data_freshness(today=datetime.date(2025, 12, 1))

    got = {key: (f.release_date, f.age_months, f.stale) for key, f in freshness.items()}
    assert got["ods-epcn"] == (datetime.date(2024, 10, 1), 14, True)
    assert got["ods-epraccur"] == (datetime.date(2025, 9, 1), 3, False)
    assert got["gp-registered-patients"] == (MARCH, 0, False)  # dated after the day asked
    assert got["codepoint-open"] == (datetime.date(2025, 10, 17), 1, False)


def test_boundaries_carry_no_date_and_are_never_out_of_date(no_runs):
    imported("import_boundaries")

    boundaries = data_freshness(today=datetime.date(2040, 1, 1))["ons-boundaries"]

    assert (boundaries.release_date, boundaries.age_months, boundaries.stale) == (None, None, False)
    assert boundaries.imported_at is not None
    assert boundaries.cadence_months is None and "redrawn" in boundaries.cadence


def test_a_source_never_imported_has_no_age_and_no_flag(no_runs):
    freshness = data_freshness(today=datetime.date(2026, 12, 5))

    assert set(freshness) == {source.key for source in DATA_SOURCES}
    assert all(f.release_date is None and not f.stale for f in freshness.values())


def test_every_source_says_how_often_it_is_published():
    cadences = {source.key: (source.cadence, source.cadence_months) for source in DATA_SOURCES}
    assert cadences == {
        "ods-epcn": ("about every month", 3),
        "ods-epraccur": ("about every month", 3),
        "gp-registered-patients": ("every month", 3),
        "codepoint-open": ("every quarter", 3),
        "ons-boundaries": ("when the boundaries are redrawn, after each census", None),
        "census-2021": ("every ten years", None),
        "census-2021-languages": ("every ten years", None),
        "imd-2025": ("every four or five years", None),
        "imd-2019": ("every four or five years", None),
        "registered-imd-2019": ("not on a schedule", None),
    }


def how_up_to_date(html: str, key: str) -> str:
    """The "How up to date" line of one source's section of About the data, as text."""
    section = html.split(f'<h3 id="{key}">', 1)[1].split("<h3", 1)[0]
    line = re.search(r"How up to date</dt>\s*<dd[^>]*>(.*?)</dd>", section, re.S)[1]
    return " ".join(re.sub(r"<[^>]+>", " ", line).split())


def test_about_the_data_gives_each_releases_date_and_age_and_flags_an_old_one(no_runs, client):
    today = timezone.localdate()
    recent = today - datetime.timedelta(days=40)
    practices_imported(epcn=recent, epraccur=datetime.date(2025, 9, 1), patients=recent)
    imported("import_boundaries")

    html = client.get(reverse("partnership:about-data")).content.decode()

    epraccur_age = whole_months(datetime.date(2025, 9, 1), today)
    assert how_up_to_date(html, "ods-epraccur") == (
        f"Out of date We use the release dated 1 September 2025, {epraccur_age} months old. "
        "New releases come out about every month, so a newer one is probably available."
    )
    assert how_up_to_date(html, "ods-epcn") == (
        f"We use the release dated {recent.day} {recent:%B %Y}, 1 month old. "
        "New releases come out about every month."
    )
    assert how_up_to_date(html, "ons-boundaries") == (
        "The files we use give no release date. "
        "New releases come out when the boundaries are redrawn, after each census."
    )
    assert how_up_to_date(html, "codepoint-open") == "New releases come out every quarter."
    assert html.count('class="nhsuk-tag nhsuk-tag--orange">Out of date<') == 1
