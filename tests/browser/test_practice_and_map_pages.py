"""A practice's own page, the links to it, and the map of all areas: named, numbered and
coloured areas with a key."""

import re

import pytest
from playwright.sync_api import expect

from .axe import axe_violations
from .conftest import PHONE, focused, new_page, tab_through
from .pages import ALL_PAGES, MAP_PAGES
from .test_content_security_policy import in_a_thread

NEAMAN = "/practices/F84640/"


def test_a_resident_finds_their_practice_and_its_page(live_url, any_page):
    page = any_page
    page.goto(live_url + "/practices/?q=neaman")
    page.get_by_role("link", name="The Neaman Practice").click()
    expect(page).to_have_url(live_url + NEAMAN)
    expect(page.get_by_role("heading", level=1)).to_have_text("The Neaman Practice")
    expect(page.get_by_role("link", name="020 7600 9740")).to_have_attribute(
        "href", "tel:02076009740"
    )
    expect(
        page.get_by_role("link", name="The Neaman Practice on the NHS website")
    ).to_have_attribute(
        "href", "https://www.nhs.uk/services/gp-surgery/the-neaman-practice/XF84640"
    )
    expect(page.locator("#list-size")).to_contain_text(re.compile(r"[\d,]+ on 1 April 2026"))
    expect(page.locator("#history")).to_contain_text(
        "In Shoreditch Park and City since 1 October 2019."
    )
    page.locator("main").get_by_role("link", name="Shoreditch Park and City").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Shoreditch Park and City")


def test_a_lookup_answer_links_each_practice_to_its_page(live_url, any_page):
    page = any_page
    page.goto(live_url + "/lookup/?postcode=EC1A+7HF")
    page.get_by_role("link", name="The Neaman Practice").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("The Neaman Practice")


def test_a_practice_that_closed_says_so_with_and_without_javascript(live_url, any_page):
    page = any_page
    page.goto(live_url + "/practices/F84041/")
    expect(page.get_by_role("heading", name="This practice has closed")).to_be_visible()
    expect(page.locator("main")).to_contain_text(
        "It left Shoreditch Park and City on 31 March 2022"
    )


def test_an_unknown_practice_is_a_plain_page_not_found(live_url, any_page):
    response = any_page.goto(live_url + "/practices/F00000/")
    assert response.status == 404
    expect(any_page.get_by_role("heading", level=1)).to_have_text("Page not found")


def test_without_javascript_the_practice_page_still_says_where_it_is(live_url, page_without_js):
    page = page_without_js
    page.goto(live_url + NEAMAN)
    expect(page.locator(".portal-map-wrapper")).to_be_hidden()
    where = page.get_by_role("heading", name="Where it is")
    expect(where).to_be_visible()
    expect(page.locator("h2:has-text('Where it is') + p")).to_contain_text("EC1A 7HF")


def test_the_practice_map_shows_the_practice_close_up(live_url, page):
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(live_url + NEAMAN)
    expect(page.locator("#portal-map path.leaflet-interactive")).to_have_count(8)
    marker = page.locator("#portal-map img.leaflet-marker-icon")
    expect(marker).to_have_count(1)
    assert marker.get_attribute("alt") == "The Neaman Practice"
    # Close up, and in the middle of the map.
    container, pin = page.locator("#portal-map").bounding_box(), marker.bounding_box()
    assert container["height"] < 350
    middle = container["x"] + container["width"] / 2
    assert abs(pin["x"] + pin["width"] / 2 - middle) < 20
    assert container["y"] < pin["y"] < container["y"] + container["height"]
    assert errors == []


def test_every_focusable_element_on_the_practice_page_shows_its_focus(live_url, page):
    page.goto(live_url + NEAMAN)
    seen = [now["text"] for now in tab_through(page)]
    assert "The Neaman Practice on the NHS website" in seen
    assert "020 7600 9740" in seen


NEAMAN_MARKERS = [
    ("/neighbourhoods/map/", "img.leaflet-marker-icon[alt='The Neaman Practice']"),
    ("/neighbourhoods/shoreditch-park-and-city/",
     ".portal-map-marker[title*='The Neaman Practice']"),
]  # fmt: skip


@pytest.mark.parametrize("path, marker", NEAMAN_MARKERS)
def test_a_practice_markers_box_links_to_its_page(live_url, page, path, marker):
    page.goto(live_url + path)
    expect(page.locator("#portal-map path.leaflet-interactive")).to_have_count(8)
    # Markers take no keyboard focus: the list on the page is the keyboard's way.
    expect(page.locator(f"#portal-map {marker}")).to_have_count(1)
    assert page.locator("#portal-map .leaflet-marker-icon[tabindex]").count() == 0
    page.locator(f"#portal-map {marker}").click()
    page.locator(".leaflet-popup").get_by_role("link", name="The Neaman Practice").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("The Neaman Practice")


FOR_WHOM = "For people who are homeless only."


@pytest.fixture
def neaman_for_particular_groups(django_db_blocker):
    """The Neaman Practice noted, for one test, as only for people who are homeless (as staff
    would set it in the admin), then put back. A plain update: no answer is worked out again,
    and the pages with maps read it as they are asked."""

    def note(serves):
        from django.db import connection

        from neighbourhoods.models import Practice

        Practice.objects.filter(ods_code=NEAMAN.split("/")[2]).update(serves=serves)
        connection.close()

    with django_db_blocker.unblock():
        in_a_thread(lambda: note("People who are homeless"))
    yield
    with django_db_blocker.unblock():
        in_a_thread(lambda: note(""))


@pytest.mark.parametrize("path, marker", NEAMAN_MARKERS)
def test_a_practice_markers_title_and_box_say_who_it_is_for(
    live_url, page, neaman_for_particular_groups, path, marker
):
    page.goto(live_url + path)
    expect(page.locator("#portal-map path.leaflet-interactive")).to_have_count(8)
    pin = page.locator(f"#portal-map {marker}")
    expect(pin).to_have_attribute("title", re.compile(f"The Neaman Practice – {FOR_WHOM}$"))
    pin.click()
    popup = page.locator(".leaflet-popup")
    expect(popup.get_by_role("link", name="The Neaman Practice")).to_be_visible()
    expect(popup).to_contain_text(FOR_WHOM)
    # and the list below the map, or the table of practices, says it too
    expect(page.locator("main")).to_contain_text(FOR_WHOM)
    page.wait_for_function(
        "() => getComputedStyle(document.querySelector('.leaflet-popup')).opacity === '1'"
    )
    assert axe_violations(page) == []


# -- The map of all areas ------------------------------------------------------------------

KEY = """() => [...document.querySelectorAll('#map-key li')].map(li => ({
  text: li.innerText.replace(/\\s+/g, ' ').trim(),
  colour: getComputedStyle(li.querySelector('.portal-area-badge')).backgroundColor,
}))"""
LABELS = """() => [...document.querySelectorAll('#portal-map .portal-area-label')].map(el => ({
  text: el.innerText.replace(/\\s+/g, ' ').trim(),
  colour: getComputedStyle(el.querySelector('.portal-area-badge')).backgroundColor,
}))"""
AREA_STROKES = """() => [...document.querySelectorAll('#portal-map path.leaflet-interactive')]
  .map(path => getComputedStyle(path).stroke)"""


def luminance(rgb: str) -> float:
    def channel(value):
        c = int(value) / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(v) for v in re.findall(r"\d+", rgb)[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    high, low = sorted([luminance(a), luminance(b)], reverse=True)
    return (high + 0.05) / (low + 0.05)


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_each_area_is_named_and_numbered_on_the_map_as_in_its_key(live_url, browser, viewport):
    page = new_page(browser, **({"viewport": PHONE} if viewport == "phone" else {}))
    page.goto(live_url + "/neighbourhoods/map/")
    expect(page.locator("#portal-map path.leaflet-interactive")).to_have_count(8)
    expect(page.locator("#portal-map .portal-area-label")).to_have_count(8)
    key, labels = page.evaluate(KEY), page.evaluate(LABELS)
    assert len(key) == 8
    assert sorted(labels, key=lambda e: e["text"]) == sorted(key, key=lambda e: e["text"])
    assert [e["text"].split(" ", 1)[0] for e in key] == [str(n) for n in range(1, 9)]
    # Every area's boundary has its own colour, the one its key entry shows.
    strokes = page.evaluate(AREA_STROKES)
    assert sorted(set(strokes)) == sorted({e["colour"] for e in key})
    for colour in strokes:
        # WCAG 1.4.11: 3:1 against the tiles' light land, and the grey shown without tiles.
        assert contrast(colour, "rgb(242, 239, 233)") >= 3, colour
        assert contrast(colour, "rgb(221, 221, 221)") >= 3, colour
        # The numbers on the badges are white text: 4.5:1.
        assert contrast(colour, "rgb(255, 255, 255)") >= 4.5, colour
    page.context.close()


LABEL_WIDTHS = """() => [...document.querySelectorAll('#portal-map .portal-area-label > span')]
  .map(el => el.getBoundingClientRect().width)"""


def test_a_phone_shows_the_numbers_until_zoomed_in_then_the_names(live_url, phone):
    phone.goto(live_url + "/neighbourhoods/map/")
    expect(phone.locator("#portal-map .portal-area-label")).to_have_count(8)
    assert max(phone.evaluate(LABEL_WIDTHS)) < 40  # the number alone
    expect(phone.locator("#map-key li")).to_have_count(8)  # and the key names them
    phone.locator(".leaflet-control-zoom-in").click()
    phone.wait_for_function(f"() => Math.min(...({LABEL_WIDTHS})()) > 60")


# Clicking or tapping each area and each label: test_maps.py.


def test_by_keyboard_the_list_beside_the_map_is_the_way_to_each_area(live_url, page):
    page.goto(live_url + "/neighbourhoods/map/")
    expect(page.locator("#portal-map path.leaflet-interactive")).to_have_count(8)
    # The areas are pictures, not fake links: none is in the tab order (test_maps.py tabs
    # through each page with a map).
    shapes = "#portal-map path[role], #portal-map path[tabindex]:not([tabindex='-1'])"
    assert page.locator(shapes).count() == 0
    page.locator("#portal-map").focus()
    for _ in range(30):
        page.keyboard.press("Tab")
        if focused(page)["text"] == "Hackney Downs":
            break
    assert focused(page)["visible"]
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Hackney Downs")


def test_without_javascript_the_key_takes_no_room_and_the_list_links_everything(
    live_url, page_without_js
):
    page = page_without_js
    page.goto(live_url + "/neighbourhoods/map/")
    expect(page.locator("#map-key")).to_be_hidden()
    expect(page.locator("main h3 a")).to_have_count(8)
    page.get_by_role("link", name="The Neaman Practice").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("The Neaman Practice")


# axe at a phone's width too, for the pages and controls this file covers.
PHONE_AXE = {
    name: ALL_PAGES[name]
    for name in ("map", "practice", "practice that closed", "neighbourhood", "in area",
                 "practice results")
}  # fmt: skip


@pytest.mark.parametrize("name, path", PHONE_AXE.items(), ids=list(PHONE_AXE))
def test_no_wcag_violations_on_a_phone(live_url, phone, name, path):
    phone.goto(live_url + path)
    if name in MAP_PAGES:
        expect(phone.locator("#portal-map path.leaflet-interactive").first).to_be_attached()
    assert axe_violations(phone) == []
