"""The pages' maps draw their areas from a file of the pages' own, at an address naming its
version, kept for good by browsers and outside the API and its per-address rate limit."""

import json

import pytest
from django.core.cache import cache
from django.test import override_settings

from neighbourhoods import maps
from tests.config.test_security import fresh_ip

pytestmark = pytest.mark.django_db

MAP_PAGES = ["/neighbourhoods/map/", "/neighbourhoods/london-fields/", "/lookup/?postcode=E8+1DY"]


def map_config(response) -> dict:
    html = response.content.decode()
    start = html.index('<script id="portal-map-config" type="application/json">')
    body = html[start:].split(">", 1)[1].split("</script>", 1)[0]
    return json.loads(body)


@pytest.mark.parametrize("path", MAP_PAGES)
def test_a_pages_map_data_is_its_own_not_the_apis(client, borough, path):
    config = map_config(client.get(path))
    assert config["areasUrl"].startswith("/neighbourhoods/map/areas-")
    assert not any(str(value).startswith("/api/") for value in config.values())


def test_the_areas_file_is_the_simplified_areas_kept_for_a_year(client, borough):
    url = map_config(client.get("/neighbourhoods/map/"))["areasUrl"]
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/geo+json"
    assert response["Cache-Control"] == "public, max-age=31536000, immutable"
    assert json.loads(response.content) == json.loads(
        json.dumps(maps.neighbourhoods_collection(simplified=True))
    )


def test_the_map_page_carries_its_practices(client, borough):
    config = map_config(client.get("/neighbourhoods/map/"))
    names = [practice["name"] for practice in config["practices"]]
    assert names == sorted(names) and names
    assert all(p["url"].startswith("/practices/") for p in config["practices"])


@override_settings(PORTAL_API_RATE_LIMIT="2/h")
def test_a_client_past_the_apis_limit_still_gets_its_pages_maps(client, borough):
    ip = fresh_ip()
    for _ in range(2):
        client.get("/api/v1/neighbourhoods", {"simplified": "1"}, REMOTE_ADDR=ip)
    limited = client.get("/api/v1/neighbourhoods", {"simplified": "1"}, REMOTE_ADDR=ip)
    assert limited.status_code == 429
    for path in MAP_PAGES:
        page = client.get(path, REMOTE_ADDR=ip)
        assert page.status_code == 200
        areas = client.get(map_config(page)["areasUrl"], REMOTE_ADDR=ip)
        assert areas.status_code == 200
        assert len(json.loads(areas.content)["features"]) == len(borough.neighbourhoods)


def test_a_change_gives_the_areas_a_new_address_and_an_old_one_leads_to_it(client, borough):
    before = maps.areas_url()
    neighbourhood = borough.london_fields
    neighbourhood.name = "London Fields and Broadway Market"
    neighbourhood.save()
    cache.clear()  # as every publish does
    after = maps.areas_url()
    assert after != before
    stale = client.get(before)
    assert stale.status_code == 302
    assert stale["Location"] == after
    assert "max-age=31536000" not in stale.get("Cache-Control", "")
    assert "London Fields and Broadway Market" in client.get(after).content.decode()


def test_the_same_areas_keep_their_address(borough):
    first = maps.areas_url()
    cache.clear()
    assert maps.areas_url() == first


@pytest.mark.parametrize("path", MAP_PAGES)
def test_a_map_says_in_words_where_it_would_say_its_areas_did_not_load(client, borough, path):
    html = client.get(path).content.decode()
    assert '<div id="portal-map-status" role="status"></div>' in html  # map.js writes there
    assert "{#" not in html  # no template comment shows on the page
