"""A resident's journeys in a real browser, with JavaScript and without it."""

import re

import pytest
from playwright.sync_api import expect

from .conftest import PRACTICES_TABLE

# query, the page's heading, whether the title starts "Error:"
OUTCOMES = [
    ("e8 1dy", "E8 1DY is in the London Fields neighbourhood", False),
    ("EC1A 7HF", "EC1A 7HF is in the Shoreditch Park and City neighbourhood", False),
    ("E1 0AA", "E1 0AA is in Tower Hamlets, outside City and Hackney", False),
    ("E8 9ZZ", "We could not find E8 9ZZ", False),
    ("E8 9ZY", "E8 9ZY is no longer in use", False),
    ("N16", "Neighbourhoods in the N16 postcode district", False),
    ("not a postcode", "Find your neighbourhood", True),
    ("", "Find your neighbourhood", True),
]


def test_a_resident_types_a_postcode_on_the_home_page(live_url, any_page):
    page = any_page
    page.goto(live_url + "/")
    page.get_by_label("Enter your postcode").fill("e8 1dy")
    page.get_by_role("button", name="Find my neighbourhood").click()
    expect(page).to_have_url(re.compile(r"/lookup/\?postcode=e8\+1dy$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "E8 1DY is in the London Fields neighbourhood"
    )
    expect(page.get_by_role("heading", name="GP practices nearest E8 1DY")).to_be_visible()
    page.get_by_role("link", name="About London Fields").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("London Fields")


@pytest.mark.parametrize("query, heading, is_error", OUTCOMES)
def test_every_lookup_outcome(live_url, any_page, query, heading, is_error):
    page = any_page
    page.goto(live_url + "/lookup/")
    page.get_by_label("Enter your postcode").fill(query)
    page.get_by_role("button", name="Find my neighbourhood").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    if is_error:
        expect(page).to_have_title(re.compile(r"^Error: "))
        summary = page.locator(".nhsuk-error-summary")
        expect(summary).to_be_visible()
        expect(page.locator("#postcode-error")).to_be_visible()
        expect(page.get_by_label("Enter your postcode")).to_have_value(query)
        summary.get_by_role("link").click()
        expect(page.get_by_label("Enter your postcode")).to_be_focused()
    else:
        expect(page).not_to_have_title(re.compile(r"^Error"))


def test_find_by_gp_practice(live_url, any_page):
    page = any_page
    page.goto(live_url + "/lookup/")
    page.get_by_role("link", name="find your neighbourhood by your GP practice").first.click()
    page.get_by_label("Enter the name of your GP practice").fill("bartn house")
    page.get_by_role("button", name="Find my practice").click()
    result = page.locator("li", has=page.get_by_role("heading", name="Barton House Group Practice"))
    result.get_by_role("link", name="Clissold Park").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Clissold Park")
    practices = page.get_by_role("table", name=PRACTICES_TABLE)
    expect(practices.get_by_role("rowheader", name=re.compile("Barton House"))).to_be_visible()


def test_browse_a_workstream(live_url, any_page):
    page = any_page
    page.goto(live_url + "/")
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Care workstreams").click()
    page.get_by_role("link", name="Prevention").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Prevention")
    priorities = page.locator("ol.nhsuk-list--number > li")
    expect(priorities).to_have_count(3)
    expect(priorities.first).to_contain_text("Making Every Contact Count")
    page.get_by_role("navigation", name="Breadcrumb").get_by_role(
        "link", name="Care workstreams"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Care workstreams")


def test_browse_a_neighbourhood(live_url, any_page):
    page = any_page
    page.goto(live_url + "/")
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Neighbourhoods").click()
    page.get_by_role("link", name="Shoreditch Park and City").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Shoreditch Park and City")
    practices = page.get_by_role("table", name=PRACTICES_TABLE)
    expect(
        practices.get_by_role("rowheader", name=re.compile("The Neaman Practice"))
    ).to_be_visible()
    expect(page.get_by_text("Southgate Road Medical Centre left on 31 March 2022")).to_be_visible()


def test_without_javascript_the_map_takes_no_room_and_the_answer_is_whole(
    live_url, page_without_js
):
    page = page_without_js
    page.goto(live_url + "/lookup/?postcode=E8+1DY")
    expect(page.locator(".portal-map-wrapper")).to_be_hidden()
    expect(page.locator("ol.nhsuk-list > li").first).to_contain_text("metres from E8 1DY")
