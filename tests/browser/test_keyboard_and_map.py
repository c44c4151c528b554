"""Keyboard-only use, the map as an enhancement, and a 375-pixel phone screen."""

import pytest
from playwright.sync_api import expect

from .conftest import focused, tab_through
from .pages import ALL_PAGES


def test_the_first_tab_reaches_the_skip_link_and_it_moves_focus_to_the_content(live_url, page):
    page.goto(live_url + "/lookup/")
    page.keyboard.press("Tab")
    first = focused(page)
    assert first["text"] == "Skip to main content"
    assert first["visible"]
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "maincontent"


def test_tab_order_reaches_the_postcode_box_and_the_answer_by_keyboard(live_url, page):
    page.goto(live_url + "/")
    stops = tab_through(page, presses=15, until=lambda now: now["id"] == "postcode")
    order = [now["id"] or now["text"] for now in stops]
    assert order[0] == "Skip to main content"
    assert order.index("Neighbourhoods") < order.index("postcode")
    page.keyboard.type("E8 1DY")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "E8 1DY is in the London Fields neighbourhood"
    )


def test_every_focusable_element_shows_its_focus(live_url, page):
    page.goto(live_url + "/lookup/?postcode=E8+1DY")
    # The answer lists ten practices with their links before the search form, so Tab runs
    # until the form's button, not a fixed number of times.
    stops = tab_through(page, presses=200, until=lambda now: now["tag"] == "BUTTON")
    seen = {now["tag"] for now in stops}
    assert {"A", "INPUT", "BUTTON"} <= seen


def test_focus_moves_to_the_error_summary_on_an_error(live_url, page):
    page.goto(live_url + "/lookup/")
    page.get_by_label("Enter your postcode").focus()
    page.keyboard.press("Enter")
    expect(page.locator(".nhsuk-error-summary")).to_be_focused()
    page.keyboard.press("Tab")
    assert focused(page)["text"] == "Enter a postcode"
    page.keyboard.press("Enter")
    expect(page.get_by_label("Enter your postcode")).to_be_focused()


def test_the_map_can_be_used_by_keyboard(live_url, page):
    page.goto(live_url + "/neighbourhoods/map/")
    container = page.locator("#portal-map")
    expect(container.locator("path.leaflet-interactive")).to_have_count(8)
    assert container.get_attribute("tabindex") == "0"
    assert "same information is in the text" in container.get_attribute("aria-label")
    container.focus()
    zoom = page.locator(".leaflet-control-zoom-in")
    expect(zoom).to_have_attribute("role", "button")
    transform = page.evaluate("document.querySelector('.leaflet-map-pane').style.transform")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowRight")
    page.wait_for_function(
        "t => document.querySelector('.leaflet-map-pane').style.transform !== t", arg=transform
    )


def test_without_a_tile_server_the_areas_and_markers_still_show(live_url, page):
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(live_url + "/lookup/?postcode=E8+1DY")
    expect(page.locator("#portal-map path.leaflet-interactive")).to_have_count(8)
    markers = page.locator("#portal-map img.leaflet-marker-icon")
    expect(markers.first).to_be_visible()
    assert markers.count() >= 5
    loaded = markers.evaluate_all("imgs => imgs.map(img => img.complete && img.naturalWidth > 0)")
    assert all(loaded), "marker images did not load"
    expect(page.locator(".leaflet-tooltip", has_text="E8 1DY")).to_be_visible()
    tiles = page.locator("img.leaflet-tile")
    assert all(
        "127.0.0.1:9" in (tiles.nth(i).get_attribute("src") or "") for i in range(tiles.count())
    )
    assert errors == []


def test_the_map_has_a_text_equivalent_on_the_page(live_url, page):
    page.goto(live_url + "/neighbourhoods/map/")
    expect(page.get_by_role("heading", name="Neighbourhoods and their practices")).to_be_visible()
    expect(page.locator("main h3")).to_have_count(8)
    expect(page.get_by_text("The Neaman Practice, EC1A 7HF")).to_be_visible()


@pytest.mark.parametrize("name, path", ALL_PAGES.items(), ids=list(ALL_PAGES))
def test_a_375_pixel_phone_never_scrolls_sideways(live_url, phone, name, path):
    phone.goto(live_url + path)
    widths = phone.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert widths[0] <= widths[1], f"{name} is {widths[0]} px wide on a {widths[1]} px screen"
