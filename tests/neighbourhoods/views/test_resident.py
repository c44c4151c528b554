"""What a resident needs to trust the portal: coverage, search, help, true and plain content.

These run on the real open data and content that tests/conftest.py loads."""

import datetime
import importlib
import io

import pytest
from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse

from neighbourhoods.answers import Outcome
from neighbourhoods.models import Neighbourhood, Practice
from neighbourhoods.selectors import lookup_postcode
from partnership.models import PartnerOrganisation, Place, Source
from partnership.services import pages_mark_reviewed

pytestmark = pytest.mark.django_db


# -- Postcodes we do not hold --------------------------------------------------------------


@pytest.mark.parametrize(
    "typed, outcome",
    [
        ("SW1A 1AA", Outcome.OUT_OF_AREA),  # Westminster: a real postcode we do not hold
        ("M1 1AE", Outcome.OUT_OF_AREA),
        ("sw1a1aa", Outcome.OUT_OF_AREA),
        ("SW1A", Outcome.OUT_OF_AREA),  # a district outside our postcode areas
        ("E8 9ZZ", Outcome.NOT_FOUND),  # in our postcode areas, but not in our data
        ("E8 1D", Outcome.DISTRICT),  # typed in part
        ("e8 1h", Outcome.DISTRICT),
        ("E8 1DY", Outcome.IN_AREA),
        ("E8 1DDD", Outcome.INVALID),
    ],
)  # fmt: skip
@pytest.mark.realdata
def test_each_postcode_gets_the_answer_its_coverage_decides(typed, outcome):
    assert lookup_postcode(typed).outcome == outcome


def test_a_postcode_in_another_area_is_outside_never_a_typo(client):
    response = client.get(reverse("lookup"), {"postcode": "SW1A 1AA"})

    html = response.content.decode()
    assert response.status_code == 200
    assert "SW1A 1AA is outside City and Hackney" in html
    assert "typo" not in html
    assert "E, EC, N or WC" in html
    assert 'value="SW1A 1AA"' in html  # "Search again" keeps what was typed


def test_the_api_answers_a_postcode_in_another_area_as_out_of_area(client):
    response = client.get("/api/postcodes/SW1A1AA")

    body = response.json()
    assert response.status_code == 200
    assert body["status"] == "out_of_area"
    assert body["neighbourhood"] is None
    assert body["local_authority"] is None and body["location"] is None
    assert "outside City and Hackney" in body["message"]


def test_the_api_docs_state_the_coverage(client):
    schema = client.get("/api/openapi.json").json()
    assert "E, EC, N or WC" in schema["info"]["description"]
    answer = schema["components"]["schemas"]["PostcodeAnswer"]["properties"]
    assert {"type": "null"} in answer["location"]["anyOf"]


@pytest.mark.realdata
def test_a_partial_postcode_gets_its_districts_answer(client):
    response = client.get(reverse("lookup"), {"postcode": "E8 1D"})

    html = response.content.decode()
    assert response.status_code == 200
    assert "Neighbourhoods in the E8 postcode district" in html
    assert "E8 1D is only part of a postcode" in html
    assert 'value="E8 1D"' in html
    api = client.get("/api/postcodes/E8 1D")
    assert api.status_code == 400
    assert "/api/outcodes/E8" in api.json()["error"]["message"]


# -- Practice search --------------------------------------------------------------------------

SEARCHES = [
    # query, must find, must not find
    ("homerton", {"Latimer Health Centre", "The Lea Surgery"}, {"Barton House Group Practice"}),
    ("homerton high street", {"The Lea Surgery"}, {"Latimer Health Centre"}),
    ("barton", {"Barton House Group Practice"}, set()),
    ("bartn", {"Barton House Group Practice"}, set()),  # a typo still finds it
    ("hoxtn", {"The Hoxton Surgery"}, set()),
    ("lower clapton", {"Lower Clapton General Practice"}, {"Barton House Group Practice"}),
    ("neaman", {"The Neaman Practice"}, set()),
    ("springfield", set(), {"Spring Hill Practice"}),  # only a "did you mean"
    ("zzzz", set(), {"Barton House Group Practice"}),
]


@pytest.mark.realdata
@pytest.mark.parametrize("query, found, not_found", SEARCHES, ids=[s[0] for s in SEARCHES])
def test_practice_search_finds_what_it_must_and_nothing_it_must_not(query, found, not_found):
    names = set(Practice.objects.search(query).values_list("name", flat=True))
    assert found <= names
    assert not (not_found & names)


@pytest.mark.realdata
def test_a_weak_match_is_offered_as_did_you_mean_not_as_a_result(client):
    response = client.get(reverse("practice-search"), {"q": "springfield"})

    html = response.content.decode()
    assert "No practices found" in html
    assert "Did you mean" in html
    assert "Spring Hill Practice" in html


def test_one_letter_asks_for_more(client):
    response = client.get(reverse("practice-search"), {"q": "x"})

    html = response.content.decode()
    assert response.status_code == 400
    assert "Enter at least 2 letters" in html
    assert "<title>Error:" in html
    assert "Hoxton" not in html


# -- Help, contact, privacy, accessibility ---------------------------------------------------

INFORMATION_PAGES = {
    "partnership:contact": "Contact us",
    "partnership:accessibility": "Accessibility statement",
    "partnership:privacy": "Privacy and cookies",
}


@pytest.mark.realdata
@pytest.mark.parametrize("url_name, title", INFORMATION_PAGES.items())
def test_the_footer_links_to_each_information_page(client, url_name, title):
    home = client.get("/").content.decode()
    page = client.get(reverse(url_name))

    assert f'href="{reverse(url_name)}"' in home
    assert page.status_code == 200
    assert f"<title>{title}" in page.content.decode()
    assert "Page last updated:" in page.content.decode()


@pytest.mark.realdata
@pytest.mark.parametrize("path", ["/contact/", "/neighbourhoods/hackney-downs/"])
def test_need_help_now_signposts_111_and_999(client, path):
    html = client.get(path).content.decode()
    assert "nhsuk-card--care--urgent" in html
    assert "Need help now?" in html
    assert 'href="tel:111"' in html and 'href="tel:999"' in html


@pytest.mark.realdata
def test_the_contact_page_links_to_the_partners_websites(client):
    html = client.get("/contact/").content.decode()
    assert "https://northeastlondon.icb.nhs.uk" in html


@pytest.mark.parametrize(
    "path", ["/", "/lookup/?postcode=E8+1DY", "/practices/?q=barton", "/neighbourhoods/map/",
             "/contact/", "/privacy/", "/neighbourhoods/hackney-downs/"],
)  # fmt: skip
@pytest.mark.realdata
def test_residents_get_no_cookies(client, path):
    response = client.get(path)
    assert response.status_code == 200
    assert response.cookies == {}
    assert "Set-Cookie" not in response.headers


# -- True, current, plain content -------------------------------------------------------------


@pytest.mark.realdata
def test_public_pages_show_when_a_person_last_reviewed_their_content(client, staff):
    neighbourhood = Neighbourhood.objects.get(slug="hackney-downs")
    before = client.get(neighbourhood.get_absolute_url()).content.decode()
    pages_mark_reviewed(
        records=Neighbourhood.objects.filter(pk=neighbourhood.pk),
        by=staff,
        on=datetime.date(2026, 12, 3),
    )

    html = client.get(neighbourhood.get_absolute_url()).content.decode()

    # Until then, where its text came from (its source, as "About the data" names it).
    assert "Page last reviewed" not in before
    assert (
        "Text from Primary Care Networks and their member practices (ePCN), NHS England, "
        "Organisation Data Service (October 2024). Published on this site 22 November 2026."
    ) in before
    assert "Page last reviewed: 3 December 2026" in html


@pytest.mark.realdata
def test_islington_council_is_not_a_partner_of_city_and_hackney(client):
    html = client.get(reverse("partnership:partner-list")).content.decode()
    islington = client.get("/places/islington/").content.decode()

    assert "Islington Council" not in html
    assert 'href="/places/islington/"' in html
    assert "Islington Council" in islington
    assert "NHS North Central London" in islington


@pytest.mark.realdata
def test_local_voluntary_services_are_not_listed_as_from_outside_the_area(client):
    html = client.get(reverse("partnership:partner-list")).content.decode()

    outside = html.index("Other services our residents use")
    for local in ("Derman", "Bikur Cholim", "Mind in the City"):
        assert html.index("Also working in our neighbourhoods") < html.index(local) < outside
    assert html.index("Moorfields Eye Hospital") > outside


@pytest.mark.realdata
def test_about_the_data_shows_no_staff_notes(client):
    html = client.get(reverse("partnership:about-data")).content.decode()
    assert "the seed text has no title" not in html
    assert "Date estimated" not in html
    assert Source.objects.filter(notes__contains="Date estimated").exists()  # still for staff


@pytest.mark.parametrize(
    "path", ["/", "/neighbourhoods/hackney-downs/", "/practices/?q=barton",
             "/partners/nhs-north-east-london/", "/lookup/?postcode=E8+1DY", "/neighbourhoods/"],
)  # fmt: skip
def test_public_pages_carry_no_unexplained_jargon(client, path):
    # The content (loaded only into an empty database), so that no page is a "Page not found";
    # E8 1DY is "not found" in the fast layer's database, which holds no postcodes.
    call_command("load_content", stdout=io.StringIO())
    response = client.get(path)
    html = response.content.decode()
    if path.startswith("/lookup/"):
        assert response.status_code in (200, 404) and "<h1>" in html and "E8 1DY" in html
    else:
        assert response.status_code == 200, path
    assert "ODS code" not in html
    assert "PCN code" not in html
    assert "LSOA" not in html
    if "Sub-ICB location" in html:
        assert "NHS records call" in html


@pytest.mark.realdata
def test_the_data_migration_corrects_an_existing_database():
    migration = importlib.import_module("partnership.migrations.0004_content_corrections")
    islington = PartnerOrganisation.objects.get(slug="islington-council")
    islington.places.add(Place.objects.main())
    PartnerOrganisation.objects.filter(slug="moorfields-eye-hospital").update(
        based_outside_area=False, reviewed_on=None
    )

    migration.correct(apps, None)

    assert Place.objects.main() not in islington.places.all()
    moorfields = PartnerOrganisation.objects.get(slug="moorfields-eye-hospital")
    assert moorfields.based_outside_area
    assert moorfields.reviewed_on == migration.REVIEWED_ON
    assert not PartnerOrganisation.objects.get(slug="derman").based_outside_area


# -- Neighbourhood page and maps --------------------------------------------------------------


@pytest.mark.realdata
def test_the_neighbourhood_page_maps_its_own_area_with_numbered_practices(client):
    neighbourhood = Neighbourhood.objects.get(slug="hackney-downs")
    practices = [m.practice.name for m in neighbourhood.current_memberships()]

    response = client.get(neighbourhood.get_absolute_url())

    config = response.context["map_config"]
    assert config["neighbourhood"] == "hackney-downs" and config["focusArea"]
    assert [p["number"] for p in config["practices"]] == list(range(1, len(practices) + 1))
    assert [p["name"] for p in config["practices"]] == practices
    html = response.content.decode()
    assert 'id="portal-map-config"' in html
    assert '<span class="portal-map-number">1</span>' in html
    assert "What the team does" in html and "How to get help" in html


def test_the_map_keeps_the_openstreetmap_credit():
    name, url, options = settings.LEAFLET_CONFIG["TILES"][0]
    assert "OpenStreetMap" in options["attribution"]
    assert "openstreetmap.org/copyright" in options["attribution"]
