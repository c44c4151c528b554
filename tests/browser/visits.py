"""One visit to each public page on a desktop, shared by the tests that look at the same
page: what it costs to download (test_page_weight.py) and what axe-core finds in it
(test_accessibility.py). Loading a page is most of what either test costs, so it is loaded
once, in a context of its own (nothing cached), and both are measured from that load."""

from dataclasses import dataclass

from playwright.sync_api import expect

from .axe import axe_violations
from .conftest import new_page
from .pages import ALL_PAGES, MAP_PAGES


@dataclass(frozen=True)
class Visit:
    weight: dict[str, int]  # bytes transferred, by kind of resource, and the total
    violations: list[str]  # axe-core's, once the page (and its map) had loaded


def is_tile(url: str) -> bool:
    return "/{z}/" in url or url.endswith(".png") and "tile" in url


def visit(browser, url: str, *, has_map: bool) -> Visit:
    """Loads `url` until the network is idle, counting every response as transferred
    (compressed, headers included; map tiles left out), then runs axe-core on the page."""
    page = new_page(browser)
    try:
        responses = []
        page.on("requestfinished", lambda request: responses.append(request))
        page.goto(url, wait_until="networkidle")
        totals: dict[str, int] = {}
        for request in responses:
            if is_tile(request.url):
                continue
            sizes = request.sizes()
            kind = request.resource_type
            totals[kind] = (
                totals.get(kind, 0) + sizes["responseBodySize"] + sizes["responseHeadersSize"]
            )
        weight = {"total": sum(totals.values()), **totals}
        if has_map:
            expect(page.locator("#portal-map path.leaflet-interactive").first).to_be_attached()
        return Visit(weight=weight, violations=axe_violations(page))
    finally:
        page.context.close()


class Visits:
    """The public pages (pages.ALL_PAGES) by name, each visited the first time it is asked
    for."""

    def __init__(self, browser, live_url: str):
        self.browser, self.live_url = browser, live_url
        self.done: dict[str, Visit] = {}

    def __getitem__(self, name: str) -> Visit:
        if name not in self.done:
            self.done[name] = visit(
                self.browser, self.live_url + ALL_PAGES[name], has_map=name in MAP_PAGES
            )
        return self.done[name]
