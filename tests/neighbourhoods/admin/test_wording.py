"""The admin's pages say things as staff read them: a count agrees with its noun, a label
is spelt as staff spell it, and no value is shown as raw JSON or an ISO date."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from neighbourhoods.models import ImportRun
from tests import factories

pytestmark = pytest.mark.django_db


def text_of(response) -> str:
    assert response.status_code == 200
    html = re.sub(r"<script.*?</script>", "", response.content.decode(), flags=re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_a_postcodes_lsoa_is_labelled_lsoa(staff_client):
    lsoa = factories.LsoaFactory()
    postcode = factories.PostcodeFactory(lsoa=lsoa)

    text = text_of(
        staff_client.get(reverse("admin:neighbourhoods_postcode_change", args=[postcode.pk]))
    )

    assert f"LSOA: {lsoa}" in text
    assert "Lsoa" not in text


def test_an_import_runs_counts_and_files_are_in_words(staff_client):
    now = timezone.now()
    run = ImportRun.objects.create(
        source="import_practices", outcome=ImportRun.Outcome.SUCCEEDED, run_by="make data",
        started_at=now, finished_at=now, added=3, changed=1,
        counts={"Practices": {"added": 3, "changed": 1, "unchanged": 38},
                "Memberships": {"unchanged": 42}},
        files=[{"name": "epcn.csv", "bytes": 4200, "sha256": "ab12",
                "release_date": "2024-10-01"}],
    )  # fmt: skip

    text = text_of(
        staff_client.get(reverse("admin:neighbourhoods_importrun_change", args=[run.pk]))
    )

    assert "Practices: 3 added, 1 changed, 38 unchanged" in text
    assert "Memberships: 42 unchanged" in text
    assert "{" not in text.partition("Counts:")[2].partition("Run by:")[0]
    assert "released 1 October 2024" in text


def test_a_date_in_a_history_reads_as_a_date(staff_client):
    membership = factories.MembershipFactory()
    membership.ended_on = datetime.date(2030, 1, 1)
    membership.save()

    history = text_of(
        staff_client.get(reverse("admin:neighbourhoods_membership_history", args=[membership.pk]))
    )
    recent = text_of(staff_client.get(reverse("recent-changes")))

    for page in (history, recent):
        assert "Ended on: (none) → 1 January 2030" in page.replace("&rarr;", "→")


@pytest.mark.parametrize("lsoas, says", [(0, "0 LSOAs"), (1, "1 LSOA"), (2, "2 LSOAs")])
def test_a_neighbourhoods_area_note_counts_its_lsoas(staff_client, lsoas, says):
    neighbourhood = factories.NeighbourhoodFactory()
    factories.LsoaFactory.create_batch(lsoas, neighbourhood=neighbourhood)

    text = text_of(
        staff_client.get(
            reverse("admin:neighbourhoods_neighbourhood_change", args=[neighbourhood.pk])
        )
    )

    assert f"The area is the union of its {says} " in text
