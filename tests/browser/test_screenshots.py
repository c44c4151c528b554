"""Screenshots for review (artifacts/screenshots/, not committed): desktop and phone."""

import pytest
from playwright.sync_api import expect

from .conftest import DESKTOP, PHONE, new_page, shot

SHOTS = {
    "home": "/",
    "lookup-answer": "/lookup/?postcode=E8+1DY",
    "neighbourhood-map": "/neighbourhoods/map/",
    "practice": "/practices/F84640/",
    "neighbourhood-profile": "/neighbourhoods/london-fields/",
    "compare": "/neighbourhoods/compare/?sort=residents&order=desc",
}


@pytest.mark.parametrize("device, viewport", [("desktop", DESKTOP), ("phone", PHONE)])
@pytest.mark.parametrize("name, path", SHOTS.items())
def test_screenshot(live_url, browser, name, path, device, viewport):
    page = new_page(browser, viewport=viewport)
    page.goto(live_url + path, wait_until="networkidle")
    if "map" in path or "lookup" in path or "practices" in path or name == "neighbourhood-profile":
        expect(page.locator("#portal-map path.leaflet-interactive")).to_have_count(8)
    shot(page, f"{name}-{device}")
    page.context.close()
