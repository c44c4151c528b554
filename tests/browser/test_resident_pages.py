"""The neighbourhood page's own map, the map's credit and extent, and the admin's boundary map."""

import re

import pytest
from playwright.sync_api import expect

from neighbourhoods.models import Neighbourhood

from .conftest import PRACTICES_TABLE, STAFF_PASSWORD, production_hash, sign_in, with_app


def test_the_neighbourhood_map_numbers_its_practices_as_the_table_does(live_url, page):
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(live_url + "/neighbourhoods/hackney-downs/")

    expect(page.locator("#portal-map path.leaflet-interactive")).to_have_count(8)
    rows = page.get_by_role("table", name=PRACTICES_TABLE).locator("tbody tr")
    markers = page.locator("#portal-map .portal-map-marker")
    expect(markers.first).to_be_attached()
    # One number on a marker for each row; practices at one address share one (test_maps.py).
    numbers = [int(n) for text in markers.all_inner_texts() for n in text.split(", ")]
    assert sorted(numbers) == list(range(1, rows.count() + 1))
    first_name = rows.first.locator("th > span").last.inner_text().strip()
    assert markers.first.get_attribute("title") == f"1. {first_name}"
    assert errors == []


def test_without_javascript_the_neighbourhood_page_still_lists_its_practices(
    live_url, page_without_js
):
    page_without_js.goto(live_url + "/neighbourhoods/hackney-downs/")
    expect(
        page_without_js.get_by_role("table", name=PRACTICES_TABLE).locator("tbody tr").first
    ).to_be_visible()
    expect(page_without_js.get_by_role("heading", name="Need help now?")).to_be_visible()


@pytest.mark.parametrize(
    "path", ["/neighbourhoods/map/", "/lookup/?postcode=E8+1DY", "/neighbourhoods/hackney-downs/"]
)
def test_every_map_credits_openstreetmap(live_url, page, path):
    page.goto(live_url + path)
    credit = page.locator("#portal-map .leaflet-control-attribution")
    expect(credit).to_contain_text("OpenStreetMap")
    expect(credit.get_by_role("link", name="OpenStreetMap")).to_have_attribute(
        "href", re.compile("openstreetmap.org/copyright")
    )


TILE_ZOOM = """() => [...document.querySelectorAll('#portal-map img.leaflet-tile')]
  .map(tile => Number(new URL(tile.src).pathname.split('/')[1]))"""


def test_a_point_outside_the_area_is_shown_with_the_area_around_it(live_url, page):
    page.goto(live_url + "/lookup/?postcode=E1+0AA")
    expect(page.locator("#portal-map path.leaflet-interactive")).to_have_count(8)
    expect(page.locator("#portal-map img.leaflet-tile").first).to_be_attached()
    zooms = set(page.evaluate(TILE_ZOOM))
    assert zooms and max(zooms) <= 14, f"zoomed in to {zooms} on a lone point"


@pytest.fixture
def staff_login(django_db_blocker, monkeypatch):
    """A staff account in the database the served portal reads, removed afterwards."""
    from django.contrib.auth import get_user_model

    # Playwright's sync API runs an event loop in this thread; these queries are plain
    # synchronous set-up, outside any request.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with django_db_blocker.unblock():
        password = production_hash(STAFF_PASSWORD)
        user = with_app(
            get_user_model().objects.create_superuser("browser-editor", "browser@example.org", None)
        )
        user.password = password
        user.save(update_fields=["password"])
        pk = Neighbourhood.objects.values_list("pk", flat=True).get(slug="hackney-downs")
    yield "browser-editor", STAFF_PASSWORD, pk
    with django_db_blocker.unblock():
        user.delete()


def test_the_admin_boundary_map_draws_the_area(live_url, page, staff_login):
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    username, password, pk = staff_login
    sign_in(page, live_url, username, password)

    page.goto(live_url + f"/admin/neighbourhoods/neighbourhood/{pk}/change/")

    expect(page.locator(".leaflet-container path.leaflet-interactive").first).to_be_attached()
    assert errors == []
