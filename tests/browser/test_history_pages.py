"""A Data manager reads the audit trail in Chromium, against the portal as `make run` serves
it: Recent changes narrowed by its filters (with and without JavaScript), a bad date refused
in words, a version compared with the one before it, and the version's own page. Each page
passes axe-core at WCAG 2.2 AA, under the site's Content-Security-Policy. Screenshots go to
artifacts/screenshots/.

The real data's LSOAs were put in their neighbourhoods by an import run
(load_neighbourhood_areas), so there are always changes made by an import to compare."""

import pytest
from playwright.sync_api import expect

from .conftest import shot, sign_in
from .test_content_security_policy import violations, watch
from .test_data_releases import axe_violations


def filter_changes(page, *, kind, action, since):
    page.select_option("#id_kind", label=kind)
    page.select_option("#id_action", label=action)
    page.fill("#id_date_from_0", str(since[0]))
    page.fill("#id_date_from_1", str(since[1]))
    page.fill("#id_date_from_2", str(since[2]))
    page.click("input[value='Show these changes']")


@pytest.mark.realdata
def test_a_data_manager_narrows_recent_changes_and_compares_a_version(live_url, page, data_manager):
    problems = watch(page)
    sign_in(page, live_url, *data_manager)
    page.goto(live_url + "/admin/recent-changes/")
    expect(page.locator("#changes-shown")).to_be_visible()
    assert axe_violations(page) == []

    filter_changes(page, kind="LSOAs", action="Made by an import", since=(1, 1, 2020))
    expect(page.locator("#changes-shown")).to_contain_text(
        "changes to LSOAs made by imports on or after 1 January 2020"
    )
    first = page.locator("#recent-changes tbody tr").first
    expect(first).to_contain_text("import run: load_neighbourhood_areas")
    expect(page.locator("#id_kind")).to_have_value("neighbourhoods.lsoa")  # kept
    shot(page, "admin-recent-changes-filtered")
    assert axe_violations(page) == []

    first.get_by_role("link", name="Compare with the version before").click()
    expect(page.locator("#changed-heading")).to_contain_text("What changed")
    expect(page.locator(".compare-fields").first).to_contain_text("[added:")
    shot(page, "admin-version-compared")
    assert axe_violations(page) == []

    page.get_by_role("link", name="View or restore this version").click()
    expect(page.locator("#version-words")).to_contain_text(
        "Restore this version shows the preview of moving this LSOA back to"
    )
    expect(page.locator("#content")).not_to_contain_text("Revert")
    shot(page, "admin-version-page")
    assert axe_violations(page) == []

    page.goto(live_url + "/admin/recent-changes/")
    page.fill("#id_date_from_0", "31")
    page.fill("#id_date_from_1", "2")
    page.fill("#id_date_from_2", "2026")
    page.click("input[value='Show these changes']")
    expect(page.locator("#filter-errors")).to_contain_text(
        "The ‘from’ date must be a real date: there is no 31/2/2026."
    )
    expect(page.locator("#recent-changes")).to_have_count(0)
    shot(page, "admin-recent-changes-bad-date")
    assert axe_violations(page) == []
    assert violations(page, problems) == []


@pytest.mark.realdata
def test_the_filters_work_without_javascript(live_url, page_without_js, data_manager):
    page = page_without_js
    sign_in(page, live_url, *data_manager)
    page.goto(live_url + "/admin/recent-changes/")

    filter_changes(page, kind="LSOAs", action="Made by an import", since=(1, 1, 2020))

    expect(page.locator("#changes-shown")).to_contain_text("changes to LSOAs made by imports")
    assert "kind=neighbourhoods.lsoa" in page.url and "action=imported" in page.url
    expect(page.locator("#id_date_from_2")).to_have_value("2020")
