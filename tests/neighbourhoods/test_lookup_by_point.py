"""The lookup page answers a point (?lat=&lon=, as "Use my location" sends it) with the same
decision as /api/points: each outcome has its own page."""

import pytest

from neighbourhoods.selectors import lookup_point

pytestmark = pytest.mark.django_db

# lat, lon, HTTP status, what the page must say, whether it has a map
PAGES = [
    ("51.5420", "-0.0610", 200, "This location is in the London Fields neighbourhood", True),
    ("51.5455", "-0.1040", 200, "This location is in Islington, outside City and Hackney", True),
    ("53.4800", "-2.2400", 200, "This location is outside City and Hackney", True),
    ("48.8566", "2.3522", 404, "This location is outside Great Britain", False),
    ("abc", "-0.06", 400, "We could not read that location", False),
    ("", "", 400, "We could not read that location", False),
]


@pytest.mark.realdata
@pytest.mark.parametrize("lat, lon, status, says, has_map", PAGES)
def test_each_point_outcome_has_its_page(client, lat, lon, status, says, has_map):
    response = client.get("/lookup/", {"lat": lat, "lon": lon})
    html = response.content.decode()
    assert response.status_code == status
    result = lookup_point(lat, lon)
    assert f"<h1>{result.headline}</h1>" in html
    assert says in html
    assert result.detail.split(".")[0] in html.replace("&#x27;", "'")
    assert ('id="portal-map"' in html) == has_map
    assert "is_point" not in html and "None" not in html
    # A postcode form to go on with, never filled with the coordinates.
    assert 'id="postcode"' in html
    assert f'value="{lat}' not in html or not lat


@pytest.mark.realdata
def test_a_point_in_the_area_shows_its_neighbourhood_borough_and_practices(client):
    html = client.get("/lookup/", {"lat": "51.5420", "lon": "-0.0610"}).content.decode()
    result = lookup_point("51.5420", "-0.0610")
    assert "latitude 51.54200, longitude -0.06100, in Hackney" in html
    assert "/neighbourhoods/london-fields/" in html
    first = result.practices[0]
    assert f'<a href="/practices/{first.ods_code}/">{first.name}</a>' in html
    assert "from your location" in html
    assert "GP practices nearest your location" in html
    assert "your location and nearby practices" in html
    assert '"postcode": "Your location"' in html  # the map's label for the point


@pytest.mark.realdata
def test_a_point_outside_names_its_borough_and_where_to_go(client):
    html = client.get("/lookup/", {"lat": "51.5455", "lon": "-0.1040"}).content.decode()
    assert "NHS North Central London" in html
    assert "https://www.nhs.uk/service-search/find-a-gp" in html


def test_the_page_offers_use_my_location_only_as_an_enhancement(client):
    html = client.get("/lookup/").content.decode()
    # Hidden until the script finds the browser can give a location.
    assert "data-portal-locate " in html and "hidden>" in html
    assert "Use my location</button>" in html
    assert "js/locate.js" in html and 'nonce="' in html.split("js/locate.js")[1][:80]
    again = client.get("/lookup/", {"postcode": "E8 1DY"}).content.decode()
    assert again.count("Use my location</button>") == 1


@pytest.mark.realdata  # a point in Hackney, in London Fields' area
def test_a_point_page_is_one_query(client, django_assert_num_queries):
    client.get("/lookup/", {"lat": "51.5420", "lon": "-0.0610"})
    with django_assert_num_queries(1):
        client.get("/lookup/", {"lat": "51.5420", "lon": "-0.0610"})


# What float() or pydantic would read as a number, but no one writes as decimal degrees:
# the API once took "5_1.542" as 51.542 while the page refused it.
NOT_DECIMAL_DEGREES = ["5_1.542", "1_0", "inf", "-inf", "nan", "infinity", "0x33", "1e999",
                       "５１.５４２", "٥١.٥٤٢", "51.542.1", "--51.542", "-", "5.1542e", "e1",
                       "5.1542e1.0", "5.1542e١"]  # fmt: skip


@pytest.mark.parametrize("value", NOT_DECIMAL_DEGREES)
@pytest.mark.parametrize("where", ["lat", "lon"])
def test_a_coordinate_that_is_not_decimal_degrees_is_refused_by_page_and_api_alike(
    client, value, where
):
    asked = {"lat": "51.542", "lon": "-0.061", where: value}
    page = client.get("/lookup/", asked)
    api = client.get("/api/v1/points", asked)
    assert page.status_code == 400
    assert "We could not read that location" in page.content.decode()
    assert api.status_code == 400
    assert api.json()["error"]["code"] == "invalid_point"


@pytest.mark.parametrize("lat, lon", [(" 51.542 ", "-0.061"), ("+51.542", "-.061"), ("51.", "0")])
def test_plain_decimals_with_spaces_or_a_sign_are_read(client, lat, lon):
    assert client.get("/api/v1/points", {"lat": lat, "lon": lon}).status_code != 400
    assert client.get("/lookup/", {"lat": lat, "lon": lon}).status_code != 400


# Numbers as JSON, JavaScript and Python write them: String(-0.0000005) is "-5e-7" and str(1e-05)
# is "1e-05". The API's description says a coordinate is a number, and schemathesis sends
# such numbers (`make fuzz`): each is the same point as its plain decimal.
@pytest.mark.parametrize(
    "lat, lon, plain_lat, plain_lon",
    [
        ("5.1542e1", "-6.1E-2", "51.542", "-0.061"),
        ("51542e-3", "-61.0e-3", "51.542", "-0.061"),
        ("51.542", "-5e-7", "51.542", "-0.0000005"),
        ("-2.8493423924421814e-305", "-1.2088786944049446", "-0.0", "-1.2088786944049446"),
    ],
)
def test_a_number_with_an_exponent_is_the_same_point(client, lat, lon, plain_lat, plain_lon):
    for path in ("/api/v1/points", "/lookup/"):
        exponent = client.get(path, {"lat": lat, "lon": lon})
        plain = client.get(path, {"lat": plain_lat, "lon": plain_lon})
        assert exponent.status_code == plain.status_code != 400
        if path.startswith("/api/"):
            assert exponent.json() == plain.json()
