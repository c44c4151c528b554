"""axe-core finds no WCAG 2.2 A or AA violation on any public page or lookup outcome."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from .pages import ALL_PAGES, MAP_PAGES

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]


# The page's Content-Security-Policy runs no inline script without its nonce, so axe-core
# is added as the page's own scripts are: with the nonce they carry.
INJECT_WITH_NONCE = """([source, selector]) => {
  const script = document.createElement("script");
  script.nonce = document.querySelector(selector).nonce;
  script.textContent = source;
  document.head.appendChild(script);
}"""


def axe_violations(page):
    page.evaluate(INJECT_WITH_NONCE, [AXE.read_text(), "script[nonce]"])
    results = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_22_AA
    )
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at "
        + ", ".join(" ".join(node["target"]) for node in v["nodes"][:3])
        for v in results["violations"]
    ]


@pytest.mark.parametrize("name, path", ALL_PAGES.items(), ids=list(ALL_PAGES))
def test_no_wcag_violations(live_url, page, name, path):
    page.goto(live_url + path)
    if name in MAP_PAGES:
        expect(page.locator("#portal-map path.leaflet-interactive").first).to_be_attached()
    assert axe_violations(page) == []


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
