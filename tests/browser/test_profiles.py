"""The neighbourhood profile and the comparison page, at a phone's and a desktop's width,
with and without JavaScript: axe-core finds nothing, nothing spills sideways out of the page,
every chart has its table, and sorting works by its links."""

import pytest
from playwright.sync_api import expect

from .axe import axe_violations
from .conftest import DESKTOP, PHONE, new_page

PROFILE = "/neighbourhoods/london-fields/"
COMPARE = "/neighbourhoods/compare/"


def overflows(page) -> bool:
    """Whether the page is wider than the screen (a table may scroll in its own region)."""
    return page.evaluate("document.documentElement.scrollWidth > window.innerWidth + 1")


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
@pytest.mark.parametrize("path", [PROFILE, COMPARE], ids=["profile", "compare"])
def test_no_wcag_violations_and_nothing_spills_sideways(live_url, browser, path, viewport):
    page = new_page(browser, viewport=viewport)
    try:
        page.goto(live_url + path, wait_until="networkidle")
        assert axe_violations(page) == []
        assert not overflows(page)
    finally:
        page.context.close()


def test_each_chart_has_its_table_and_the_map_its_list_without_javascript(live_url, browser):
    page = new_page(browser, javascript=False)
    try:
        page.goto(live_url + PROFILE)
        profile = page.locator("section.portal-profile")
        expect(profile.get_by_role("heading", name="Who lives here")).to_be_visible()
        charts = profile.locator(".portal-chart")
        expect(charts).to_have_count(6)  # age, ethnic groups, English, languages, deciles, domains
        expect(profile.locator("table caption")).to_have_count(8)
        expect(profile.get_by_role("img", name="shaded by IMD 2025 decile")).to_be_visible()
        profile.get_by_text("The map as a list").click()
        expect(profile.locator("details table tbody tr").first).to_be_visible()
        expect(profile.get_by_text("Open Government Licence v3.0").first).to_be_visible()
    finally:
        page.context.close()


def test_sorting_the_comparison_by_its_links_without_javascript(live_url, browser):
    page = new_page(browser, javascript=False)
    try:
        page.goto(live_url + COMPARE)
        page.get_by_role("link", name="Residents (Census 2021)").click()
        expect(page).to_have_url(live_url + COMPARE + "?sort=residents&order=asc")
        cells = page.locator("tbody tr td:nth-child(2)")
        first = [int(text.replace(",", "")) for text in cells.all_inner_texts()[:8]]
        assert first == sorted(first)
        page.get_by_role("link", name="Residents (Census 2021)").click()
        cells = page.locator("tbody tr td:nth-child(2)")
        again = [int(text.replace(",", "")) for text in cells.all_inner_texts()[:8]]
        assert again == sorted(first, reverse=True)
        header = page.get_by_role("columnheader", name="Residents (Census 2021)")
        expect(header).to_have_attribute("aria-sort", "descending")
    finally:
        page.context.close()
