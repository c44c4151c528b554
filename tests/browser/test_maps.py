"""The maps, as a resident meets them: every label and every area goes to its own
neighbourhood, at a desktop's width and a phone's (by mouse and by touch); the maps' data is
the pages' own, not the API's, and a map that cannot load it says so; practices at one
address share a marker that names and links each; the areas take no keyboard focus; and
without JavaScript no page speaks of a map it cannot show."""

import re

import pytest
from playwright.sync_api import expect

from .axe import axe_violations
from .conftest import DESKTOP, PHONE, PRACTICES_TABLE, focused, new_page, shot, tab_through

MAP = "/neighbourhoods/map/"
AREAS_FILE = re.compile(r"/neighbourhoods/map/areas-[0-9a-f]+\.geojson$")


def touch_page(browser):
    """A phone: 375 pixels wide, touched rather than clicked."""
    context = browser.new_context(viewport=PHONE, has_touch=True, is_mobile=True)
    page = context.new_page()
    page.set_default_timeout(10_000)
    return page


@pytest.fixture(params=["desktop", "phone"])
def device(request, browser):
    page = (
        new_page(browser, viewport=DESKTOP) if request.param == "desktop" else touch_page(browser)
    )
    page.touch = request.param == "phone"
    yield page
    page.context.close()


def press(page, x, y):
    """A click on a desktop, a tap on a phone, at a point of the page."""
    if page.touch:
        page.touchscreen.tap(x, y)
    else:
        page.mouse.click(x, y)


def the_list(page) -> dict[str, str]:
    """Each area's number, as the list below the map gives it, and its page's address."""
    out = {}
    for heading in page.locator("main h3").all():
        number = heading.locator(".portal-area-badge").inner_text().strip()
        out[number] = heading.locator("a").get_attribute("href")
    return out


def open_map(page, live_url):
    page.goto(live_url + MAP)
    expect(page.locator("#portal-map path.leaflet-interactive")).to_have_count(8)
    expect(page.locator("#portal-map .portal-area-label")).to_have_count(8)
    page.locator("#portal-map").scroll_into_view_if_needed()


# What the pointer meets at the centre of an element: the element itself, or what covers it.
ON_TOP = """el => {
  const box = el.getBoundingClientRect();
  const x = box.left + box.width / 2, y = box.top + box.height / 2;
  const top = document.elementFromPoint(x, y);
  return {x, y, mine: !!top && (top === el || el.contains(top)),
          over: top && (top.getAttribute('title') || top.innerText || top.tagName)};
}"""


def test_every_label_goes_to_its_own_neighbourhood(live_url, device):
    page = device
    open_map(page, live_url)
    pages = the_list(page)
    assert sorted(pages) == [str(n) for n in range(1, 9)]
    for number, href in pages.items():
        if page.url != live_url + MAP:
            open_map(page, live_url)
        badge = page.locator("#portal-map .portal-area-label .portal-area-badge", has_text=
                             re.compile(f"^{number}$"))  # fmt: skip
        where = badge.evaluate(ON_TOP)
        assert where["mine"], f"label {number} is covered by something else"
        press(page, where["x"], where["y"])
        expect(page).to_have_url(live_url + href)


# A point well inside the area itself, away from its edge, labels and markers: the area is
# all the pointer meets there and 5 pixels around it.
POINT_ON_AREA = """path => {
  const box = path.getBoundingClientRect();
  const inView = (x, y) => x > 0 && y > 0 && x < innerWidth && y < innerHeight;
  const on = (x, y) => inView(x, y) && document.elementFromPoint(x, y) === path;
  const around = (x, y) => [[0, 0], [5, 0], [-5, 0], [0, 5], [0, -5]]
    .every(([dx, dy]) => on(x + dx, y + dy));
  for (let i = 1; i < 24; i++) for (let j = 1; j < 24; j++) {
    const x = box.left + box.width * i / 24, y = box.top + box.height * j / 24;
    if (around(x, y)) return [x, y];
  }
  return null;
}"""


def test_every_area_goes_to_its_own_neighbourhood(live_url, device):
    page = device
    open_map(page, live_url)
    pages = the_list(page)
    for number, href in pages.items():
        if page.url != live_url + MAP:
            open_map(page, live_url)
        path = page.locator(f"#portal-map path.portal-area-{number}")
        point = path.evaluate(POINT_ON_AREA)
        assert point, f"no point of area {number} can be pressed"
        press(page, *point)
        expect(page).to_have_url(live_url + href)


# -- Practices that share an address ---------------------------------------------------------

MARKERS = """() => [...document.querySelectorAll('#portal-map .portal-map-marker')].map(m => ({
  text: m.innerText.trim(), title: m.getAttribute('title'),
}))"""


@pytest.mark.parametrize(
    "slug, shared",
    [("hackney-downs", {3, 5}), ("london-fields", {2, 6}),
     ("shoreditch-park-and-city", {2, 3}), ("woodberry-wetlands", {2, 3})],
)  # fmt: skip
def test_practices_at_one_address_share_a_marker_naming_each(live_url, page, slug, shared):
    page.goto(live_url + f"/neighbourhoods/{slug}/")
    expect(page.locator("#portal-map path.leaflet-interactive")).to_have_count(8)
    rows = page.get_by_role("table", name=PRACTICES_TABLE).locator("tbody tr")
    names = [row.locator("th > span").last.inner_text().strip() for row in rows.all()]
    markers = page.evaluate(MARKERS)
    # Every number in the table is on one marker, and only one.
    numbers = [int(n) for m in markers for n in m["text"].split(", ")]
    assert sorted(numbers) == list(range(1, len(names) + 1))
    together = next(m for m in markers if "," in m["text"])
    assert {int(n) for n in together["text"].split(", ")} == shared
    for n in sorted(shared):
        assert f"{n}. {names[n - 1]}" in together["title"]
    # Each marker shows: nothing covers its middle, so each can be pressed.
    page.locator("#portal-map").scroll_into_view_if_needed()
    for marker in page.locator("#portal-map .portal-map-marker span").all():
        where = marker.evaluate(ON_TOP)
        assert where["mine"], (marker.inner_text(), where)
    # Its box links each practice at the address.
    page.locator("#portal-map .portal-map-marker span", has_text=together["text"]).click()
    popup = page.locator(".leaflet-popup")
    for n in sorted(shared):
        expect(popup.get_by_role("link", name=names[n - 1], exact=True)).to_be_visible()
    # (once the box has faded in: axe would measure the contrast of its text half-shown)
    page.wait_for_function(
        "() => getComputedStyle(document.querySelector('.leaflet-popup')).opacity === '1'"
    )
    assert axe_violations(page) == []
    if slug == "hackney-downs":
        shot(page, "neighbourhood-shared-marker-desktop")
    popup.get_by_role("link", name=names[max(shared) - 1], exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(names[max(shared) - 1])


def test_on_the_map_of_all_areas_every_practice_shows(live_url, page):
    open_map(page, live_url)
    expected = page.locator("main h3 + ul a").count()
    pins = page.locator("#portal-map img.leaflet-marker-icon")
    named = [name for alt in pins.evaluate_all("els => els.map(e => e.alt)")
             for name in alt.split(" and ")]  # fmt: skip
    assert len(named) == expected
    shared = [alt for alt in pins.evaluate_all("els => els.map(e => e.alt)") if " and " in alt]
    assert shared, "practices that share an address share a pin"
    page.locator(f"#portal-map img.leaflet-marker-icon[alt='{shared[0]}']").click()
    popup = page.locator(".leaflet-popup")
    for name in shared[0].split(" and "):
        expect(popup.get_by_role("link", name=name, exact=True)).to_be_visible()


# -- The maps' data --------------------------------------------------------------------------

ANSWER = "/lookup/?postcode=E8+1DY"
WITH_MAPS = [MAP, "/neighbourhoods/hackney-downs/", ANSWER, "/practices/F84640/"]


@pytest.mark.parametrize("path", WITH_MAPS)
def test_the_maps_draw_their_areas_when_the_api_refuses_everything(live_url, page, path):
    asked = []
    page.on("request", lambda request: asked.append(request.url))
    # As when the address's shared rate limit is used up, by this resident or their network.
    page.route("**/api/**", lambda route: route.fulfill(status=429, body="{}"))
    page.goto(live_url + path)
    expect(page.locator("#portal-map path.leaflet-interactive")).to_have_count(8)
    assert not [url for url in asked if "/api/" in url]
    assert [url for url in asked if AREAS_FILE.search(url)]
    expect(page.locator("#portal-map-status")).to_be_empty()


@pytest.mark.parametrize("path", WITH_MAPS)
@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_a_map_that_cannot_load_its_areas_says_so(live_url, browser, path, viewport):
    page = new_page(browser, viewport=DESKTOP if viewport == "desktop" else PHONE)
    page.route(AREAS_FILE, lambda route: route.fulfill(status=503, body="Unavailable"))
    page.goto(live_url + path)
    message = page.locator("#portal-map-status")
    expect(message).to_contain_text("The map could not load the neighbourhood areas")
    expect(message).to_be_visible()
    assert page.locator("#portal-map path.leaflet-interactive").count() == 0
    assert axe_violations(page) == []
    if path == MAP:
        shot(page, f"map-areas-did-not-load-{viewport}")
    page.context.close()


# -- Keyboard --------------------------------------------------------------------------------


@pytest.mark.parametrize("path", WITH_MAPS)
def test_tab_never_lands_on_a_map_shape(live_url, page, path):
    page.goto(live_url + path)
    expect(page.locator("#portal-map path.leaflet-interactive")).to_have_count(8)
    stops = tab_through(page, presses=150)
    assert stops and stops[-1]["tag"] != "path", "Tab ran out before the end of the page"
    in_map = [stop for stop in stops if stop["tag"] in ("path", "svg", "g")]
    assert in_map == []
    # The map itself is one stop, named, and pans with the arrow keys.
    assert [s["id"] for s in stops].count("portal-map") == 1
    assert page.locator("#portal-map").get_attribute("aria-label")


def test_by_keyboard_a_neighbourhood_page_is_reached_from_the_list(live_url, page):
    page.goto(live_url + "/neighbourhoods/hackney-downs/")
    expect(page.locator("#portal-map path.leaflet-interactive")).to_have_count(8)
    page.locator("#portal-map").focus()
    stops = tab_through(page, presses=5)
    assert stops[0]["tag"] == "A"  # straight past the map's shapes to the page's links
    assert focused(page)["visible"]


# -- Without JavaScript ----------------------------------------------------------------------


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_without_javascript_no_page_speaks_of_a_missing_map(live_url, browser, viewport):
    page = new_page(browser, viewport=DESKTOP if viewport == "desktop" else PHONE,
                    javascript=False)  # fmt: skip
    page.goto(live_url + MAP)
    lede = page.locator(".nhsuk-lede-text")
    expect(lede).to_contain_text("The map needs JavaScript", use_inner_text=True)
    expect(lede).not_to_contain_text("below the map", use_inner_text=True)
    shot(page, f"map-without-javascript-{viewport}")
    for path, heading in [(ANSWER, "Map"), ("/neighbourhoods/hackney-downs/",
                                            "Map of Hackney Downs")]:  # fmt: skip
        page.goto(live_url + path)
        expect(page.get_by_role("heading", name=heading, exact=True)).to_have_count(0)
    page.context.close()


def test_with_javascript_the_maps_headings_and_words_are_there(live_url, page):
    page.goto(live_url + MAP)
    lede = page.locator(".nhsuk-lede-text")
    expect(lede).to_contain_text(
        "The list below the map gives the same information.", use_inner_text=True
    )
    expect(lede).not_to_contain_text("needs JavaScript", use_inner_text=True)
    page.goto(live_url + ANSWER)
    expect(page.get_by_role("heading", name="Map", exact=True)).to_be_visible()
    page.goto(live_url + "/neighbourhoods/hackney-downs/")
    expect(page.get_by_role("heading", name="Map of Hackney Downs", exact=True)).to_be_visible()


MENU_ROWS = """() => [...document.querySelectorAll('.nhsuk-header__navigation-item')]
  .map(li => li.getBoundingClientRect()).filter(box => box.height > 0)
  .map(box => ({top: box.top, height: box.height}))"""


def test_without_javascript_the_phones_menu_has_no_gap(live_url, browser):
    page = new_page(browser, viewport=PHONE, javascript=False)
    page.goto(live_url + MAP)
    items = page.evaluate(MENU_ROWS)
    rows = sorted({round(item["top"]) for item in items})
    assert len(rows) == 2  # the menu wraps onto a second row...
    for item in items:
        # ...of links close together, each still a target at least 24 px high (WCAG 2.5.8).
        assert 24 <= item["height"] <= 44, item
    assert rows[1] - rows[0] <= 44
    shot(page, "menu-without-javascript-phone")
    page.context.close()
