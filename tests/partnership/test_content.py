"""The content fixtures load, are up to date, and every fact names where it came from."""

import io

import pytest
from django.core.management import call_command

from neighbourhoods.models import Neighbourhood, NeighbourhoodAim
from partnership.models import PartnerOrganisation, Place, Priority, WorkProgramme
from workstreams.models import Workstream

pytestmark = pytest.mark.django_db

PCN_CODES = {
    "Clissold Park": "U51492",
    "Hackney Downs": "U21268",
    "Hackney Marshes": "U05451",
    "London Fields": "U40100",
    "Shoreditch Park and City": "U07169",
    "Springfield Park": "U89154",
    "Well Street Common": "U58256",
    "Woodberry Wetlands": "U46293",
}


@pytest.fixture
def content():
    call_command("load_content", stdout=io.StringIO())


def test_the_eight_neighbourhoods_are_todays_primary_care_networks(content):
    assert dict(Neighbourhood.objects.values_list("name", "pcn_code")) == PCN_CODES


def test_the_four_workstreams_have_their_priorities_in_order(content):
    names = list(Workstream.objects.values_list("name", flat=True))
    assert names == [
        "Planned Care",
        "Unplanned Care",
        "Children, Young People and Maternity",
        "Prevention",
    ]
    unplanned = Workstream.objects.get(slug="unplanned-care")
    titles = [p.title for p in unplanned.priorities.all()]
    assert len(titles) == 3
    assert "urgent care" in titles[0].lower()
    assert "neighbourhood" in titles[2].lower()


def test_city_and_hackney_is_a_place_in_nhs_north_east_london(content):
    place = Place.objects.get(slug="city-and-hackney")
    assert place.nhs_body == "NHS North East London"
    assert place.sub_icb_location_code == "A3A8R"
    assert Priority.objects.filter(place=place).count() == 5
    assert WorkProgramme.objects.filter(place=place).count() == 5
    assert Place.objects.filter(slug="islington").exists()


def test_the_ccg_is_history_not_a_current_partner(content):
    names = " ".join(PartnerOrganisation.objects.values_list("name", flat=True))
    assert "Clinical Commissioning Group" not in names
    assert PartnerOrganisation.objects.filter(name="NHS North East London").exists()


@pytest.mark.parametrize(
    "model", [Place, Priority, WorkProgramme, PartnerOrganisation, Workstream, Neighbourhood,
              NeighbourhoodAim],
    ids=lambda m: m.__name__,
)  # fmt: skip
def test_every_content_record_names_its_source(content, model):
    assert model.objects.exists()
    assert not model.objects.filter(source__isnull=True).exists()


def test_loading_again_keeps_staff_edits(content):
    Workstream.objects.filter(slug="prevention").update(summary="Edited by staff")
    out = io.StringIO()
    call_command("load_content", stdout=out)
    assert "left as it is" in out.getvalue()
    assert Workstream.objects.get(slug="prevention").summary == "Edited by staff"


def test_every_public_page_renders_with_the_real_content(content, client):
    urls = ["/", "/partners/", "/workstreams/", "/neighbourhoods/", "/about-the-data/"]
    urls += [p.get_absolute_url() for p in PartnerOrganisation.objects.all()]
    urls += [w.get_absolute_url() for w in Workstream.objects.all()]
    urls += [n.get_absolute_url() for n in Neighbourhood.objects.all()]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
