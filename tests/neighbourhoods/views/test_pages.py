"""Every public page renders its content; unknown slugs give a styled 404."""

import datetime

import pytest
from django.urls import reverse

from neighbourhoods.models import Lsoa
from neighbourhoods.services.answers import answers_deferred
from partnership.models import PartnerOrganisation, Place
from tests.factories import (
    MembershipFactory,
    NeighbourhoodAimFactory,
    NeighbourhoodFactory,
    PartnerFactory,
    PlaceFactory,
    PracticeFactory,
    PriorityFactory,
    WorkProgrammeFactory,
    WorkstreamFactory,
    WorkstreamPriorityFactory,
)

pytestmark = pytest.mark.django_db


def test_home_shows_the_partnership_its_priorities_and_neighbourhoods(client):
    Lsoa.objects.update(neighbourhood=None)  # a neighbourhood with areas cannot go
    with answers_deferred():  # every answer is redone once, not per row deleted
        Place.objects.all().delete()
    place = PlaceFactory(summary="We plan and buy care together.")
    PriorityFactory(place=place, title="Shift the focus to prevention", order=1)
    WorkProgrammeFactory(place=place, title="Mental health")
    NeighbourhoodFactory(place=place, name="Marsh Test")
    WorkstreamFactory(place=place, name="Planned Care")
    practice = PracticeFactory(registered_patients=12345)
    MembershipFactory(practice=practice, neighbourhood__place=place)

    response = client.get("/")

    assert response.status_code == 200
    html = response.content.decode()
    assert "We plan and buy care together." in html
    assert "Shift the focus to prevention" in html
    assert "Mental health" in html
    assert "Marsh Test" in html
    assert "Planned Care" in html
    assert "12,345" in html
    assert "<title>Your neighbourhood" in html


def test_home_offers_use_my_location_beside_its_postcode_box(client):
    PlaceFactory()
    html = client.get("/").content.decode()
    box = html.index('id="postcode"')
    locate = html.index('data-portal-locate data-lookup-url="/lookup/"')
    assert box < locate < html.index("find it by your GP practice")
    assert '<script src="/static/js/locate.js"' in html


@pytest.mark.realdata
def test_home_content_is_cached_and_cleared_when_content_changes(
    client, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    place = Place.objects.main()
    client.get("/")
    with django_assert_max_num_queries(1):  # the place; the content comes from the cache
        assert client.get("/").status_code == 200

    with django_capture_on_commit_callbacks(execute=True):
        PriorityFactory(place=place, title="A priority added after the page was cached")
    assert "A priority added after the page was cached" in client.get("/").content.decode()

    neighbourhood = place.neighbourhoods.order_by("name").first()
    with django_capture_on_commit_callbacks(execute=True):
        neighbourhood.name = "Renamed Park"
        neighbourhood.save()
    assert "Renamed Park" in client.get("/").content.decode()


def test_home_without_any_place_is_a_404_not_a_500(client):
    Lsoa.objects.update(neighbourhood=None)  # a neighbourhood with areas cannot go
    with answers_deferred():  # every answer is redone once, not per row deleted
        Place.objects.all().delete()
    assert client.get("/").status_code == 404


@pytest.mark.realdata
def test_partner_list_separates_core_partners_from_other_providers(client):
    PartnerOrganisation.objects.all().delete()
    place = Place.objects.main()
    PartnerFactory(name="Hackney Council", is_core_partner=True).places.add(place)
    PartnerFactory(name="Moorfields Eye Hospital", based_outside_area=True).places.add(place)

    html = client.get(reverse("partnership:partner-list")).content.decode()

    assert html.index("Hackney Council") < html.index("Other services our residents use")
    assert html.index("Other services our residents use") < html.index("Moorfields Eye Hospital")


def test_partner_detail_shows_its_workstreams_and_neighbourhoods(client):
    partner = PartnerFactory(name="Homerton Healthcare", website="https://www.homerton.nhs.uk")
    WorkstreamFactory(name="Unplanned Care").partners.add(partner)
    NeighbourhoodFactory(name="Fields Test").partners.add(partner)

    response = client.get(partner.get_absolute_url())

    html = response.content.decode()
    assert "Homerton Healthcare" in html
    assert "Unplanned Care" in html
    assert "Fields Test" in html
    assert "https://www.homerton.nhs.uk" in html
    assert 'aria-label="Breadcrumb"' in html


def test_workstream_list_and_detail_show_priorities_in_order(client):
    workstream = WorkstreamFactory(name="Prevention Test", summary="Helping people stay well.")
    WorkstreamPriorityFactory(workstream=workstream, title="Workplace health", order=3)
    WorkstreamPriorityFactory(workstream=workstream, title="Making Every Contact Count", order=1)
    WorkstreamPriorityFactory(workstream=workstream, title="Stop smoking", order=2)

    listing = client.get(reverse("workstreams:list")).content.decode()
    assert "Prevention Test" in listing and "3 priorities" in listing

    html = client.get(workstream.get_absolute_url()).content.decode()
    assert "Helping people stay well." in html
    positions = [html.index(t) for t in ("Making Every", "Stop smoking", "Workplace health")]
    assert positions == sorted(positions)


def test_neighbourhood_list_counts_current_practices_and_patients(client):
    marshes = NeighbourhoodFactory(name="Marshes Test")
    MembershipFactory(neighbourhood=marshes, practice__registered_patients=15000)
    MembershipFactory(neighbourhood=marshes, practice__registered_patients=5000)
    MembershipFactory(
        neighbourhood=marshes,
        practice__registered_patients=999,
        ended_on=datetime.date(2020, 7, 31),
    )
    NeighbourhoodAimFactory(text="Support people to stay well at home")

    response = client.get(reverse("neighbourhoods:list"))

    html = response.content.decode()
    assert "Marshes Test" in html
    assert "20,000" in html
    listed = {n.pk: n for n in response.context["neighbourhoods"]}
    assert listed[marshes.pk].practice_count == 2
    assert "Support people to stay well at home" in html


def test_neighbourhood_detail_lists_practices_and_those_that_left(client):
    neighbourhood = NeighbourhoodFactory(
        name="Test Park", pcn_code="U00042", pcn_name="TEST PARK PCN"
    )
    MembershipFactory(
        neighbourhood=neighbourhood,
        practice=PracticeFactory(name="Barton House Group Practice", phone="020 7249 5511"),
    )
    MembershipFactory(
        neighbourhood=neighbourhood,
        practice=PracticeFactory(name="Abney House Medical Centre"),
        ended_on=datetime.date(2020, 11, 30),
    )
    neighbourhood.partners.add(PartnerFactory(name="Test Mental Health Trust"))

    html = client.get(neighbourhood.get_absolute_url()).content.decode()

    current, _, left = html.partition("Practices that have left")
    assert "Barton House Group Practice" in current
    assert 'href="tel:02072495511"' in current
    assert "Abney House Medical Centre" not in current
    assert "Abney House Medical Centre" in left and "30 November 2020" in left
    assert "Test Mental Health Trust" in html
    assert "TEST PARK PCN" in html  # the NHS name, with plain words beside it
    assert "U00042" not in html  # codes are for staff, not residents


def test_about_the_data_page_shows_sources_and_attributions(client):
    html = client.get(reverse("partnership:about-data")).content.decode()
    assert "Contains Ordnance Survey data © Crown copyright and database right 2025." in html
    assert "Organisation Data Service" in html
    assert "Open Government Licence" in html


@pytest.mark.parametrize(
    "url",
    [
        "/partners/no-such-partner/",
        "/workstreams/no-such-workstream/",
        "/neighbourhoods/no-such-neighbourhood/",
        "/no-such-page/",
    ],
)
def test_unknown_slugs_give_a_styled_404(client, url):
    response = client.get(url)
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


def test_every_page_has_a_skip_link_and_a_single_main_landmark(client):
    for url in ["/", "/neighbourhoods/", "/workstreams/", "/partners/", "/about-the-data/"]:
        html = client.get(url).content.decode()
        assert 'href="#maincontent"' in html, url
        assert html.count("<main") == 1, url


def test_the_neighbourhoods_are_listed_in_their_order_whatever_their_practices(client):
    """The list counts each neighbourhood's practices (a GROUP BY, where Django applies no
    Meta.ordering): the order staff set still decides, not the database's aggregate."""
    place = PlaceFactory()
    names = ["Test Wetlands", "Test Park", "Test Fields", "Test Marshes"]  # not the real names
    # Made last first, so that neither their ids nor their names give their order.
    for order, name in reversed(list(enumerate(names, start=1))):
        neighbourhood = NeighbourhoodFactory(place=place, name=name, order=order)
        for _ in range(5 - order):
            MembershipFactory(neighbourhood=neighbourhood, started_on=None)

    page = client.get("/neighbourhoods/").content.decode()

    shown = [name for name in names if name in page]
    assert sorted(shown, key=page.index) == names
