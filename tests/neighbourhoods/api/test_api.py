"""The JSON API's GeoJSON and OpenAPI, and bad input anywhere: a clear answer, never a 500."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

BAD_INPUT = [
    "x" * 5000,
    "<script>alert(1)</script>",
    "'; DROP TABLE neighbourhoods_postcode; --",
    "E8 1DY' OR '1'='1",
    "E8\x001DY",
    "%00",
    "郵便番号",
    "قسم",
    "E8 1DY" * 30,
    "../../etc/passwd",
    "{{ 7*7 }}",
    "\u202eYD1 8E",
]


@pytest.mark.parametrize("value", BAD_INPUT)
def test_bad_input_to_the_lookup_page_is_a_400_with_a_message(client, value):
    response = client.get("/lookup/", {"postcode": value})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Enter a real postcode" in html
    assert "<script>alert(1)</script>" not in html


@pytest.mark.parametrize("value", BAD_INPUT)
def test_bad_input_to_the_api_is_a_400_with_a_code(client, value):
    response = client.get("/api/postcodes/" + value.replace("/", "%2F").replace("?", "%3F"))
    assert response.status_code in (400, 404)
    assert response["Content-Type"] == "application/json"
    assert response.json()["error"]["code"] in {"invalid_postcode", "not_found"}


# Letters and digits among characters a postcode never has: once stripped down to them
# ("' OR '1'='1' --" was answered "OR11 is outside City and Hackney").
NOT_POSTCODES = ["' OR '1'='1' --", "E8--1DY", "E8-.1DY", "E8;1DY", "=E8 1DY", '"E8 1DY"']


@pytest.mark.parametrize("value", NOT_POSTCODES)
def test_punctuation_makes_input_not_a_postcode_on_the_page_and_api_alike(client, value):
    page = client.get("/lookup/", {"postcode": value})
    api = client.get("/api/v1/postcodes/" + value)
    bulk = client.post("/api/v1/postcodes", {"postcodes": [value]},
                       content_type="application/json")  # fmt: skip
    assert page.status_code == 400
    assert "Enter a real postcode" in page.content.decode()
    assert api.status_code == 400
    assert api.json()["error"]["code"] == "invalid_postcode"
    assert bulk.json()["results"][0]["error"]["code"] == "invalid_postcode"


@pytest.mark.parametrize("value", BAD_INPUT + [""])
def test_bad_input_to_the_practice_search_never_fails(client, value):
    response = client.get("/practices/", {"q": value})
    assert response.status_code in (200, 400)
    assert "<script>alert(1)</script>" not in response.content.decode()


@pytest.mark.parametrize("value", ["x" * 300, "<b>", "E8 1DY", "%00"])
def test_bad_outcodes_and_slugs_in_the_api(client, value):
    assert client.get("/api/outcodes/" + value).status_code in (400, 404)
    response = client.get("/api/neighbourhoods/" + value)
    assert response.status_code == 404
    assert response.json()["error"]["code"] in {"neighbourhood_not_found", "not_found"}


def test_unknown_api_paths_answer_in_json(client):
    response = client.get("/api/no-such-thing")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


@pytest.mark.realdata
def test_neighbourhoods_geojson_has_eight_areas(client):
    response = client.get(reverse("api:neighbourhoods"))
    assert response["Content-Type"] == "application/geo+json"
    collection = response.json()
    assert collection["type"] == "FeatureCollection"
    assert len(collection["features"]) == 8
    feature = next(f for f in collection["features"] if f["id"] == "shoreditch-park-and-city")
    assert feature["geometry"]["type"] == "MultiPolygon"
    assert feature["properties"]["pcn_code"] == "U07169"
    assert feature["properties"]["practices"] == 5
    simplified = client.get(reverse("api:neighbourhoods"), {"simplified": "1"})
    assert len(simplified.content) < len(response.content)


def test_unknown_slugs_take_no_room_in_the_cache(client):
    from django.core.cache import cache

    assert client.get("/api/neighbourhoods/no-such-area").status_code == 404
    assert cache.get("geojson:neighbourhoods:0:no-such-area") is None


@pytest.mark.realdata
def test_one_neighbourhood_geojson(client):
    feature = client.get("/api/neighbourhoods/london-fields").json()
    assert feature["type"] == "Feature"
    assert feature["properties"]["name"] == "London Fields"


@pytest.mark.realdata
def test_practices_geojson_gives_each_its_neighbourhood(client):
    collection = client.get(reverse("api:practices")).json()
    assert len(collection["features"]) == 37
    neaman = next(f for f in collection["features"] if f["id"] == "F84640")
    assert neaman["properties"]["neighbourhood"]["slug"] == "shoreditch-park-and-city"
    lon, lat = neaman["geometry"]["coordinates"]
    assert 51.5 < lat < 51.53 and -0.11 < lon < -0.09


def test_the_openapi_schema_describes_every_endpoint(client):
    schema = client.get("/api/openapi.json").json()
    assert schema["openapi"].startswith("3.1")
    assert set(schema["paths"]) == {
        "/api/v1/postcodes/{postcode}",
        "/api/v1/postcodes",
        "/api/v1/postcodes.csv",
        "/api/v1/points",
        "/api/v1/outcodes/{outcode}",
        "/api/v1/neighbourhoods",
        "/api/v1/neighbourhoods.geojson",
        "/api/v1/neighbourhoods/{slug}",
        "/api/v1/neighbourhoods/{slug}/profile",
        "/api/v1/neighbourhoods/{slug}/profile.csv",
        "/api/v1/practices",
        "/api/v1/boundary-versions",
        "/api/v1/boundary-versions/{version_id}/neighbourhoods",
    }
    responses = schema["paths"]["/api/v1/postcodes/{postcode}"]["get"]["responses"]
    assert set(responses) == {"200", "400", "404", "429"}
    assert client.get("/api/v1/openapi.json").json() == schema


@pytest.mark.realdata
def test_answers_match_the_schema(client):
    schema = client.get("/api/openapi.json").json()
    components = schema["components"]["schemas"]
    required = set(components["PostcodeAnswer"]["required"])
    assert required <= set(client.get("/api/postcodes/E81DY").json())
    assert required <= set(client.get("/api/postcodes/E10AA").json())
    district = set(components["DistrictAnswer"]["required"])
    assert district == {
        "outcode", "status", "postcodes", "outside_area", "no_neighbourhood", "neighbourhoods",
        "message",
    }  # fmt: skip
    assert district == set(client.get("/api/outcodes/E8").json())


@pytest.mark.realdata
def test_the_map_page_lists_every_area_and_practice_in_text(client):
    html = client.get(reverse("neighbourhoods:map")).content.decode()
    assert html.count("<h3>") == 8
    assert "The Neaman Practice" in html
    assert "portal-map-config" in html


@pytest.mark.parametrize("query, found", [
    ("barton house", "Barton House Group Practice"),
    ("Bartn House", "Barton House Group Practice"),
    ("F84640", "The Neaman Practice"),
    ("f84640", "The Neaman Practice"),
    ("EC1A 7HF", "The Neaman Practice"),
    ("ec1a7hf", "The Neaman Practice"),
])  # fmt: skip
@pytest.mark.realdata
def test_find_by_gp_practice(client, query, found):
    response = client.get("/practices/", {"q": query})
    html = response.content.decode()
    assert response.status_code == 200
    first = html.index('<h3 class="nhsuk-heading-s')
    assert found in html[first : first + 200]
    assert "neighbourhood." in html


@pytest.mark.realdata
def test_a_practice_that_left_says_so(client):
    html = client.get("/practices/", {"q": "Abney House"}).content.decode()
    assert "left Clissold Park on 30 November 2020" in html


def test_practice_search_with_no_match_offers_other_ways(client):
    response = client.get("/practices/", {"q": "Nowhere Surgery Zzz"})
    html = response.content.decode()
    assert "No practices found" in html
    assert "/lookup/" in html


def test_empty_practice_search_is_an_error_with_the_summary(client):
    response = client.get("/practices/", {"q": ""})
    assert response.status_code == 400
    html = response.content.decode()
    assert "<title>Error: " in html
    assert 'href="#q"' in html
