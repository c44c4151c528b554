"""The admin's maps in Chromium, under the site's Content-Security-Policy: every geometry a
member of staff may see is drawn on a map, never printed as coordinates; markers load their
images; and a map that cannot be edited offers no drawing tools. Screenshots go to
artifacts/screenshots/."""

import uuid

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from neighbourhoods.models import LocalAuthority, Lsoa, Neighbourhood, Postcode, Practice

from .conftest import STAFF_PASSWORD, production_hash, shot, sign_in, staff_forget, with_app
from .test_content_security_policy import in_a_thread, violations, watch

# model: whether its map shows a point (a marker) or an area
POINTS = {"practice": True, "postcode": True, "lsoa": False, "neighbourhood": False,
          "localauthority": False}  # fmt: skip


def records():
    """A record of each model with a geometry, from the real data."""
    return {
        "lsoa": Lsoa.objects.filter(neighbourhood__isnull=False).first().pk,
        "neighbourhood": Neighbourhood.objects.get(slug="hackney-downs").pk,
        "practice": Practice.objects.exclude(location=None).get(ods_code="F84021").pk,
        "postcode": Postcode.objects.get(postcode="E8 1DY").pk,
        "localauthority": LocalAuthority.objects.get(gss_code="E09000012").pk,
    }


@pytest.fixture
def member_of(django_db_blocker):
    """Signs up a member of staff in a group, whom the served portal can see: (username,
    password, {model: a record's id}); removed afterwards."""
    from django.contrib.auth.models import Group
    from django.db import connection

    made = []

    def create(group):
        username, password = f"maps-{uuid.uuid4().hex[:8]}", STAFF_PASSWORD
        user = with_app(get_user_model().objects.create_user(username, is_staff=True))
        user.password = production_hash(password)
        user.save(update_fields=["password"])
        user.groups.add(Group.objects.get(name=group))
        found = records()
        connection.close()
        return username, password, found

    def remove():
        for username in made:
            staff_forget(username)
        connection.close()

    def sign_up(group):
        with django_db_blocker.unblock():
            member = in_a_thread(lambda: create(group))
        made.append(member[0])
        return member

    yield sign_up
    with django_db_blocker.unblock():
        in_a_thread(remove)


def failures_of(page, live_url):
    """Requests to the portal itself that failed or were refused (the tile server, which
    the tests leave unreachable, is elsewhere). A request the browser dropped as it left
    the page (the admin's home page's icons, say) is not a failure."""
    failed = []

    def request_failed(request):
        if request.url.startswith(live_url) and request.failure != "net::ERR_ABORTED":
            failed.append(f"{request.failure} {request.url}")

    def answered(response):
        if response.status >= 400 and response.url.startswith(live_url):
            failed.append(f"{response.status} {response.url}")

    page.on("requestfailed", request_failed)
    page.on("response", answered)
    return failed


def open_map(page, live_url, member, model):
    username, password, found = member
    problems = watch(page)
    sign_in(page, live_url, username, password)
    failed = failures_of(page, live_url)
    page.goto(live_url + f"/admin/neighbourhoods/{model}/{found[model]}/change/")
    expect(page.locator(".leaflet-container").first).to_be_visible()
    if POINTS[model]:
        marker = page.locator(".leaflet-container img.leaflet-marker-icon").first
        expect(marker).to_be_visible()
        assert marker.evaluate("img => img.complete && img.naturalWidth > 0")
    else:
        expect(page.locator(".leaflet-container path.leaflet-interactive").first).to_be_visible()
    return problems, failed


@pytest.mark.parametrize("model", list(POINTS))
def test_a_viewer_sees_each_geometry_on_a_map_without_drawing_tools(
    live_url, page, member_of, model
):
    problems, failed = open_map(page, live_url, member_of("Viewers"), model)

    assert "SRID=" not in page.locator("body").inner_text()
    expect(page.locator(".leaflet-draw")).to_have_count(0)
    page.wait_for_load_state("networkidle")
    assert failed == []
    assert violations(page, problems) == []
    shot(page, f"admin-map-view-only-{model}")


@pytest.mark.parametrize(("group", "model"), [("Data managers", "lsoa"),
                                              ("Editors", "neighbourhood")])  # fmt: skip
def test_a_boundary_that_cannot_be_edited_here_offers_no_drawing_tools(
    live_url, page, member_of, group, model
):
    """Staff who may change the record still cannot draw its boundary: it comes from its
    LSOAs (or from ONS)."""
    problems, failed = open_map(page, live_url, member_of(group), model)

    expect(page.locator(".leaflet-container").first).to_be_visible()
    expect(page.get_by_text("cannot be edited here")).to_be_visible()
    expect(page.locator(".leaflet-draw")).to_have_count(0)
    page.wait_for_load_state("networkidle")
    assert failed == []
    assert violations(page, problems) == []


def test_a_data_manager_moves_a_practice_marker_that_loads_its_image(live_url, page, member_of):
    problems, failed = open_map(page, live_url, member_of("Data managers"), "practice")

    expect(page.locator(".leaflet-draw").first).to_be_visible()  # its location is theirs
    page.wait_for_load_state("networkidle")
    assert failed == []
    assert violations(page, problems) == []
