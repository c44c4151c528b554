""" "Use my location" on the lookup page: the browser's position gives the same answer page as
the point decision; a refusal gets a plain message; without JavaScript nothing is lost."""

import pytest
from playwright.sync_api import expect

from .axe import axe_violations
from .conftest import DESKTOP, PHONE

LONDON_FIELDS = {"latitude": 51.542, "longitude": -0.061}
ISLINGTON = {"latitude": 51.5455, "longitude": -0.104}


def located_page(browser, *, viewport=DESKTOP, where=None, allow=True):
    context = browser.new_context(
        viewport=viewport,
        geolocation=where,
        permissions=["geolocation"] if allow else [],
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    return page


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1280 px", "375 px"])
def test_use_my_location_shows_the_answer_for_where_you_are(live_url, browser, viewport):
    page = located_page(browser, viewport=viewport, where=LONDON_FIELDS)
    try:
        page.goto(live_url + "/lookup/")
        button = page.get_by_role("button", name="Use my location")
        expect(button).to_be_visible()
        assert axe_violations(page) == []
        button.click()
        expect(page.get_by_role("heading", level=1)).to_have_text(
            "This location is in the London Fields neighbourhood"
        )
        assert "lat=51.54200" in page.url and "lon=-0.06100" in page.url
        expect(page.get_by_text("GP practices nearest your location")).to_be_visible()
        expect(page.locator("#portal-map path.leaflet-interactive")).to_have_count(8)
        expect(page.locator(".leaflet-tooltip", has_text="Your location")).to_be_visible()
        assert axe_violations(page) == []
        widths = page.evaluate(
            "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
        )
        assert widths[0] <= widths[1]
    finally:
        page.context.close()


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1280 px", "375 px"])
def test_use_my_location_is_beside_the_home_pages_postcode_box(live_url, browser, viewport):
    page = located_page(browser, viewport=viewport, where=LONDON_FIELDS)
    try:
        page.goto(live_url + "/")
        button = page.get_by_role("button", name="Use my location")
        expect(button).to_be_visible()
        assert axe_violations(page) == []
        button.click()
        expect(page.get_by_role("heading", level=1)).to_have_text(
            "This location is in the London Fields neighbourhood"
        )
        assert "/lookup/?lat=51.54200" in page.url
    finally:
        page.context.close()


def test_a_location_outside_names_its_borough(live_url, browser):
    page = located_page(browser, where=ISLINGTON)
    try:
        page.goto(live_url + "/lookup/?postcode=E8+1DY")  # from an answer, to search again
        page.get_by_role("button", name="Use my location").click()
        expect(page.get_by_role("heading", level=1)).to_have_text(
            "This location is in Islington, outside City and Hackney"
        )
        expect(page.get_by_role("link", name="Find a GP on the NHS website").first).to_be_visible()
    finally:
        page.context.close()


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1280 px", "375 px"])
def test_a_refusal_gets_a_plain_message_in_the_page(live_url, browser, viewport):
    page = located_page(browser, viewport=viewport, where=LONDON_FIELDS, allow=False)
    try:
        page.goto(live_url + "/lookup/")
        page.get_by_role("button", name="Use my location").click()
        message = page.get_by_role("status")
        expect(message).to_contain_text("You did not let this site use your location")
        expect(message).to_contain_text("Enter your postcode instead")
        assert page.url.endswith("/lookup/")
        expect(page.get_by_role("button", name="Use my location")).to_be_enabled()
        assert axe_violations(page) == []
    finally:
        page.context.close()


def test_without_javascript_no_dead_button_shows(live_url, page_without_js):
    page_without_js.goto(live_url + "/lookup/")
    expect(page_without_js.get_by_label("Enter your postcode")).to_be_visible()
    expect(page_without_js.get_by_role("button", name="Use my location")).to_be_hidden()
    page_without_js.goto(live_url + "/lookup/?lat=51.54200&lon=-0.06100")
    expect(page_without_js.get_by_role("heading", level=1)).to_have_text(
        "This location is in the London Fields neighbourhood"
    )


def test_without_geolocation_no_button_shows(live_url, page):
    page.add_init_script("delete Navigator.prototype.geolocation")
    page.goto(live_url + "/lookup/")
    expect(page.get_by_label("Enter your postcode")).to_be_visible()
    expect(page.get_by_role("button", name="Use my location")).to_be_hidden()


def test_a_location_the_browser_cannot_find_gets_its_own_message(live_url, page):
    # As when the device has no fix: the browser answers POSITION_UNAVAILABLE (2).
    page.add_init_script(
        "navigator.geolocation.getCurrentPosition = (ok, fail) => "
        "setTimeout(() => fail({code: 2, message: 'no fix'}), 10)"
    )
    page.goto(live_url + "/lookup/")
    page.get_by_role("button", name="Use my location").click()
    expect(page.get_by_role("status")).to_contain_text(
        "We could not get your location from your browser"
    )
    assert page.url.endswith("/lookup/")
