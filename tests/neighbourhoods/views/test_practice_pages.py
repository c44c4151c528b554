"""A page for every GP practice, the links to it, and the map of all the areas."""

import datetime
import json
import re

import pytest
from django.urls import reverse

from neighbourhoods import maps
from neighbourhoods.models import Neighbourhood, Practice
from tests.factories import MembershipFactory, NeighbourhoodFactory, PracticeFactory

pytestmark = pytest.mark.django_db

TODAY = datetime.date.today()
DAY = datetime.timedelta(days=1)


def page(client, practice, status=200):
    response = client.get(practice.get_absolute_url())
    assert response.status_code == status
    return response, response.content.decode()


@pytest.mark.realdata
def test_the_page_shows_the_neighbourhood_address_phone_list_size_and_nhs_profile(client):
    neighbourhood = NeighbourhoodFactory(name="Marsh Test", slug="marsh-test")
    practice = PracticeFactory(
        ods_code="F99001",
        name="Marsh Lane Surgery",
        ods_name="MARSH LANE SURGERY",
        address="1 Marsh Lane\nHackney\nLondon",
        postcode="E9 5AB",
        phone="020 8000 1234",
        registered_patients=12345,
        registered_patients_as_of=datetime.date(2026, 4, 1),
    )
    MembershipFactory(practice=practice, neighbourhood=neighbourhood)

    response, html = page(client, practice)

    assert "<title>Marsh Lane Surgery –" in html
    assert "<h1>Marsh Lane Surgery</h1>" in html
    assert 'In the <a href="/neighbourhoods/marsh-test/">Marsh Test</a> neighbourhood' in html
    assert "1 Marsh Lane<br>Hackney<br>London<br>E9 5AB" in html
    assert '<a href="tel:02080001234">020 8000 1234</a>' in html
    assert "12,345 on 1 April 2026" in html
    assert "Patients Registered at a GP Practice</a>, released April 2026" in html
    assert 'href="https://www.nhs.uk/services/gp-surgery/marsh-lane-surgery/XF99001"' in html
    assert "Marsh Lane Surgery on the NHS website" in html
    # The code is shown with plain words beside it, never as jargon.
    assert "F99001: the code the NHS uses for this practice" in html
    assert "ODS" not in html
    # Breadcrumbs lead back through its neighbourhood.
    assert 'class="nhsuk-breadcrumb__link" href="/neighbourhoods/marsh-test/">Marsh Test' in html


@pytest.mark.realdata
def test_the_nhs_website_link_has_the_form_the_nhs_website_uses():
    # As the NHS website itself addresses London Fields Medical Centre.
    practice = Practice.objects.get(ods_code="F84021")
    assert practice.nhs_website_url == (
        "https://www.nhs.uk/services/gp-surgery/london-fields-medical-centre/XF84021"
    )


def test_the_membership_history_is_told_in_plain_words(client):
    practice = PracticeFactory(name="Moving Practice")
    MembershipFactory(
        practice=practice,
        neighbourhood__name="Old Park",
        started_on=datetime.date(2019, 7, 1),
        ended_on=datetime.date(2022, 3, 31),
    )
    MembershipFactory(
        practice=practice, neighbourhood__name="New Park", started_on=datetime.date(2022, 4, 1)
    )

    response, html = page(client, practice)

    history = response.context["history"]
    assert [state for _, state in history] == ["ended", "current"]
    text = re.sub(r"<[^>]+>", "", html)
    assert "In Old Park from 1 July 2019 until 31 March 2022, when it left." in text
    assert "In New Park since 1 April 2022." in text
    assert "In the New Park neighbourhood." in text


def test_a_membership_with_no_start_date_and_one_to_come_are_worded_truthfully(client):
    practice = PracticeFactory()
    MembershipFactory(
        practice=practice,
        neighbourhood__name="Known Park",
        started_on=None,
        ended_on=TODAY + 29 * DAY,
    )
    MembershipFactory(
        practice=practice, neighbourhood__name="Future Park", started_on=TODAY + 30 * DAY
    )

    text = re.sub(r"<[^>]+>", "", page(client, practice)[1])

    assert (
        f"In Known Park (we do not know since when), until {(TODAY + 29 * DAY):%-d %B %Y}."
    ) in text
    assert f"Joins Future Park on {(TODAY + 30 * DAY):%-d %B %Y}." in text


def test_a_practice_that_left_and_closed_says_so_and_where_to_go(client):
    practice = PracticeFactory(
        name="Gone Surgery",
        status=Practice.Status.CLOSED,
        closed_on=datetime.date(2024, 3, 31),
        registered_patients=None,
        registered_patients_as_of=None,
    )
    MembershipFactory(
        practice=practice, neighbourhood__name="Left Park", ended_on=datetime.date(2024, 3, 31)
    )

    response, html = page(client, practice)

    text = re.sub(r"<[^>]+>", "", html)
    assert "This practice has closed" in text
    assert "It closed on 31 March 2024." in text
    assert (
        "No longer in a City and Hackney neighbourhood. It left Left Park on 31 March 2024." in text
    )
    assert "Find a GP on the NHS website".lower() in text.lower()
    assert "Registered patients" in text and "Not known" in text
    # Its old phone number and NHS website page are not offered.
    assert "None: the practice has closed" in text
    assert "tel:020" not in html and "nhs.uk/services/gp-surgery" not in html
    # The breadcrumbs lead to the practice search, not to a neighbourhood it left.
    assert 'class="nhsuk-breadcrumb__link" href="/practices/"' in html


def test_a_practice_never_in_a_neighbourhood_and_with_no_location_or_phone(client):
    practice = PracticeFactory(location=None, phone="")

    response, html = page(client, practice)

    assert "Not in a City and Hackney neighbourhood." in html
    assert "This practice has never been in a City and Hackney neighbourhood." in html
    assert response.context["map_config"] is None
    assert 'id="portal-map"' not in html
    assert "tel:" not in html.split("Need help now?")[0].split('id="maincontent"')[1]


@pytest.mark.realdata
def test_the_map_shows_the_practice_close_up_with_its_neighbourhood(client):
    practice = Practice.objects.get(ods_code="F84640")

    response, html = page(client, practice)

    config = response.context["map_config"]
    assert config["neighbourhood"] == "shoreditch-park-and-city"
    assert config["centre"] == [round(practice.location.y, 6), round(practice.location.x, 6)]
    assert config["practices"] == [
        {"name": "The Neaman Practice", "point": config["centre"], "forWhom": ""}  # for everyone
    ]
    assert 'id="portal-map-config"' in html
    # Without JavaScript the map takes no room: the words say where it is.
    assert "<h2>Where it is</h2>\n<p>" in html
    assert "EC1A 7HF." in html


@pytest.mark.parametrize(
    "path",
    ["/practices/F00000/", "/practices/XYZ/", "/practices/F840401/", "/practices/f8464/",
     "/practices/%3Cscript%3E/", "/practices/F84640%00/", "/practices/" + "A" * 300 + "/"],
)  # fmt: skip
def test_an_unknown_or_malformed_code_is_a_plain_404(client, path):
    response = client.get(path)
    assert response.status_code == 404
    html = response.content.decode()
    assert "Page not found" in html


@pytest.mark.realdata
def test_a_lower_case_code_answers_with_the_canonical_page(client):
    response = client.get("/practices/f84640/")
    assert response.status_code == 301
    assert response["Location"] == "/practices/F84640/"
    assert client.get("/practices/f84640/", follow=True).status_code == 200


@pytest.mark.realdata
def test_the_list_size_date_comes_from_the_import_when_the_practice_has_none(client):
    practice = Practice.objects.get(ods_code="F84008")
    Practice.objects.filter(pk=practice.pk).update(registered_patients_as_of=None)

    html = page(client, practice)[1]

    # The import records the list-size file's release: the April 2026 extract.
    assert f"{practice.registered_patients:,} on 1 April 2026" in html


@pytest.mark.realdata
def test_every_real_practice_has_a_page(client):
    practices = list(Practice.objects.all())
    assert len(practices) >= 37
    for practice in practices:
        response = client.get(f"/practices/{practice.ods_code}/")
        assert response.status_code == 200, practice.ods_code
        assert practice.name in response.content.decode()


# -- Practice names link to their pages wherever they are shown -----------------------------

NEAMAN = 'href="/practices/F84640/"'


@pytest.mark.parametrize(
    "path",
    ["/neighbourhoods/shoreditch-park-and-city/", "/neighbourhoods/map/",
     "/practices/?q=neaman", "/lookup/?postcode=EC1A+7HF"],
)  # fmt: skip
@pytest.mark.realdata
def test_practice_names_link_to_their_pages(client, path):
    html = client.get(path).content.decode()
    assert f"<a {NEAMAN}>The Neaman Practice</a>" in html


@pytest.mark.realdata
def test_did_you_mean_links_straight_to_the_practice_page(client):
    html = client.get(reverse("practice-search"), {"q": "springfield"}).content.decode()
    suggestions = html.split('id="suggestions"')[1].split("</ul>")[0]
    assert '<a href="/practices/Y03049/">Spring Hill Practice</a>' in suggestions


@pytest.mark.realdata
def test_the_practice_page_reads_a_few_rows(client, django_assert_max_num_queries):
    practice = Practice.objects.get(ods_code="F84640")
    # The maps' areas file and its version are worked out once for every page, until a
    # change or 15 minutes on (maps.areas_file): not this page's reads.
    maps.areas_url()
    # The practice, its memberships with their neighbourhoods, the list-size import run.
    with django_assert_max_num_queries(3):
        assert client.get(practice.get_absolute_url()).status_code == 200


@pytest.mark.realdata
def test_a_practice_that_left_links_from_its_old_neighbourhood(client):
    html = client.get("/neighbourhoods/shoreditch-park-and-city/").content.decode()
    assert '<a href="/practices/F84041/">Southgate Road Medical Centre</a> left on' in html


# -- The map of all areas ------------------------------------------------------------------


@pytest.mark.realdata
def test_the_map_page_numbers_and_labels_every_area_as_its_key_and_list_do(client):
    response = client.get(reverse("neighbourhoods:map"))

    html = response.content.decode()
    neighbourhoods = list(Neighbourhood.objects.all())
    areas = response.context["map_config"]["areas"]
    assert [areas[n.slug]["number"] for n in neighbourhoods] == list(range(1, 9))
    key = html.split('id="map-key"')[1].split("</ul>")[0]
    for number, neighbourhood in enumerate(neighbourhoods, start=1):
        colour = (number - 1) % 8 + 1
        badge = f'<span class="portal-area-badge portal-area-{colour}">{number}</span>'
        assert f"{badge} {neighbourhood.name}</li>" in key
        assert f'{badge} <a href="{neighbourhood.get_absolute_url()}">' in html
        # The label sits inside its own area.
        lat, lon = areas[neighbourhood.slug]["label"]
        assert Neighbourhood.objects.filter(
            pk=neighbourhood.pk, boundary__covers=f"SRID=4326;POINT({lon} {lat})"
        ).exists()
    config = json.loads(
        html.split('id="portal-map-config" type="application/json">')[1].split("<")[0]
    )
    assert config["areas"] == areas


@pytest.mark.realdata
def test_the_maps_practice_markers_carry_their_pages_address(client):
    neighbourhood = client.get("/neighbourhoods/shoreditch-park-and-city/").context["map_config"]
    assert {"name": "The Neaman Practice", "url": "/practices/F84640/"}.items() <= next(
        p for p in neighbourhood["practices"] if p["name"] == "The Neaman Practice"
    ).items()
    every = client.get(reverse("neighbourhoods:map")).context["map_config"]
    assert {"name": "The Neaman Practice", "url": "/practices/F84640/"}.items() <= next(
        p for p in every["practices"] if p["name"] == "The Neaman Practice"
    ).items()


@pytest.mark.realdata
def test_the_lookup_answers_map_links_each_practice_to_its_page(client):
    response = client.get(reverse("lookup"), {"postcode": "E8 1DY"})
    listed = response.context["result"].practices
    on_the_map = response.context["map_data"]["practices"]
    assert listed and len(on_the_map) == len(listed)
    for practice, marker in zip(listed, on_the_map, strict=True):
        assert marker["url"] == f"/practices/{practice.ods_code}/"
        assert client.get(marker["url"]).status_code == 200
