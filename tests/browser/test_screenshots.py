"""Screenshots for review (artifacts/screenshots/, not committed): desktop and phone."""

import pytest
from playwright.sync_api import expect

from .conftest import ARTIFACTS, DESKTOP, PHONE, new_page

SHOTS = {
    "home": "/",
    "lookup-answer": "/lookup/?postcode=E8+1DY",
    "neighbourhood-map": "/neighbourhoods/map/",
    "practice": "/practices/F84640/",
}


@pytest.mark.parametrize("device, viewport", [("desktop", DESKTOP), ("phone", PHONE)])
@pytest.mark.parametrize("name, path", SHOTS.items())
def test_screenshot(live_url, browser, name, path, device, viewport):
    page = new_page(browser, viewport=viewport)
    page.goto(live_url + path, wait_until="networkidle")
    if "map" in path or "lookup" in path or "practices" in path:
        expect(page.locator("#portal-map path.leaflet-interactive")).to_have_count(8)
    target = ARTIFACTS / "screenshots" / f"{name}-{device}.png"
    target.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(target), full_page=True)
    page.context.close()
    assert target.stat().st_size > 10_000
