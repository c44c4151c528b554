"""What each public page costs to download, measured in the browser, against a budget.

Counts every response the page needs from this server (HTML, CSS, JavaScript, fonts,
images, map data), as transferred: compressed, headers included. Map tiles are left out,
and so are the NHS.UK fonts, which come from assets.nhs.uk (refused here, as every request
off this machine is) and are shared by every NHS.UK service. Each page is loaded once, in
a context of its own, for this and for axe-core (visits.py).
"""

import json

import pytest

from .conftest import ARTIFACTS
from .pages import ALL_PAGES

KB = 1000
BUDGET = dict.fromkeys(ALL_PAGES, 200 * KB)
# Pages with a map also load Leaflet and the areas' GeoJSON.
for name in ("map", "in area", "in the City", "outside the area", "practice",
             "practice that closed"):  # fmt: skip
    BUDGET[name] = 250 * KB
# A neighbourhood's page, with its profile, its charts and its small map (map tiles aside).
BUDGET["neighbourhood"] = 150 * KB

measured: dict[str, dict] = {}


@pytest.mark.parametrize("name", ALL_PAGES, ids=list(ALL_PAGES))
def test_page_stays_within_its_budget(visits, name):
    weight = visits[name].weight
    measured[name] = weight
    assert weight["document"] > 0
    assert weight["total"] <= BUDGET[name], (
        f"{name} transfers {weight['total'] / KB:.1f} KB, over its {BUDGET[name] / KB:.0f} KB "
        f"budget: {weight}"
    )


def test_the_lookup_answer_is_under_250_kb(visits):
    weight = visits["in area"].weight
    assert "script" in weight and "stylesheet" in weight and "fetch" in weight
    assert weight["total"] < 250 * KB


@pytest.fixture(scope="module", autouse=True)
def _report():
    yield
    if measured:
        ARTIFACTS.mkdir(exist_ok=True)
        (ARTIFACTS / "page-weight.json").write_text(json.dumps(measured, indent=2) + "\n")
