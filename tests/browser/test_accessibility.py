"""axe-core finds no WCAG 2.2 A or AA violation on any public page or lookup outcome."""

import pytest
from playwright.sync_api import expect

from .axe import axe_violations
from .conftest import new_page
from .pages import ALL_PAGES
from .test_password_reset import link_in


@pytest.mark.parametrize("name", ALL_PAGES, ids=list(ALL_PAGES))
def test_no_wcag_violations(visits, name):
    """On the page as loaded, its map drawn (visits.py: test_page_weight.py weighs the same
    load)."""
    assert visits[name].violations == []


def test_the_current_section_is_marked_by_more_than_colour(live_url, page):
    page.goto(live_url + "/neighbourhoods/")
    current = page.get_by_role("navigation", name="Menu").locator("[aria-current]")
    expect(current).to_have_text("Neighbourhoods")
    expect(current.locator("strong")).to_have_count(1)


def test_the_answers_area_is_told_apart_by_line_style_not_colour_alone(live_url, page):
    page.goto(live_url + "/lookup/?postcode=E8+1DY")
    areas = page.locator("#portal-map path.leaflet-interactive")
    expect(areas).to_have_count(8)
    dashes = [areas.nth(i).get_attribute("stroke-dasharray") for i in range(8)]
    assert dashes.count(None) == 1  # the resident's area is solid, the others dashed


def test_the_password_reset_pages_a_member_of_staff_meets_have_no_wcag_violations(
    live_url, browser, staff_with_email, outbox
):
    """The admin's sign-in page with its new link, then each page of a password reset, with
    and without an error, as a member of staff meets them. axe-core is added to pages that
    carry no nonce with the Content-Security-Policy set aside (test_password_reset.py walks
    the same pages under it)."""
    _, address, _ = staff_with_email
    page = new_page(browser, bypass_csp=True)
    found = {}

    def check(name):
        found[name] = axe_violations(page)

    page.goto(live_url + "/admin/login/")
    check("sign in")
    page.get_by_role("link", name="Forgotten your password?").click()
    check("ask for a reset")
    page.get_by_label("Email address").fill("someone@nowhere")  # the browser lets it by
    page.get_by_role("button", name="Reset my password").click()
    expect(page.locator(".errorlist")).to_be_visible()
    check("ask for a reset, with an error")
    page.get_by_label("Email address").fill(address)
    page.get_by_role("button", name="Reset my password").click()
    expect(page).to_have_url(live_url + "/admin/password-reset/sent/")
    check("reset sent")
    [message] = outbox(address)
    link = link_in(message, live_url)
    page.goto(link)
    expect(page.get_by_label("New password")).to_be_visible()
    check("choose a new password")
    page.get_by_label("New password").fill("Two-different-1")
    page.get_by_label("Confirm password").fill("Two-different-2")
    page.get_by_role("button", name="Change my password").click()
    expect(page.locator(".errorlist")).to_be_visible()
    check("choose a new password, with an error")
    new_password = "A-new-one-for-axe-9"
    page.get_by_label("New password").fill(new_password)
    page.get_by_label("Confirm password").fill(new_password)
    page.get_by_role("button", name="Change my password").click()
    expect(page).to_have_url(live_url + "/admin/password-reset/done/")
    check("password set")
    page.goto(link)
    expect(page.get_by_text("The password reset link was invalid")).to_be_visible()
    check("a link already used")
    page.context.close()

    assert found == dict.fromkeys(found, [])
