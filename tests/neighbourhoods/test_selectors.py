"""Every lookup outcome on the small borough (tests/neighbourhoods/conftest.py), through the
page and the API alike: the status, the outcome and the same words."""

import html as html_lib
import math
import re

import pytest
from django.db import connection
from django.test import Client

from neighbourhoods.answers import Outcome
from neighbourhoods.selectors import lookup_point, lookup_postcode
from tests.neighbourhoods.views.test_map_data import map_config

# query, page status, API status, the API's status or error code, the page's headline
POSTCODES = [
    ("E8 1DY", 200, 200, "in_area", "E8 1DY is in the London Fields neighbourhood"),
    ("N16 9JT", 200, 200, "in_area", "N16 9JT is in the Clissold Park neighbourhood"),
    ("EC2Y 5DE", 200, 200, "in_area", "EC2Y 5DE is in the London Fields neighbourhood"),
    # The City's by its code, its point just outside every LSOA: the nearest LSOA's.
    ("EC4Y 9AH", 200, 200, "in_area", "EC4Y 9AH is in the London Fields neighbourhood"),
    ("E9 5AA", 200, 200, "in_area", "E9 5AA is in City and Hackney"),  # LSOA in none
    ("N1 1AA", 200, 200, "out_of_area", "N1 1AA is in Islington, outside City and Hackney"),
    # Its point is in a Hackney LSOA, but its local authority is Islington's.
    ("N16 8HU", 200, 200, "out_of_area", "N16 8HU is in Islington, outside City and Hackney"),
    ("SW1A 1AA", 200, 200, "out_of_area", "SW1A 1AA is outside City and Hackney"),
    ("E8 9ZZ", 404, 404, "postcode_not_found", "We could not find E8 9ZZ"),
    ("E8 9ZY", 404, 404, "postcode_terminated", "E8 9ZY is no longer in use"),
    ("hello", 400, 400, "invalid_postcode", "Enter a real postcode, like E8 1DY"),
    ("E8 1DDD", 400, 400, "invalid_postcode", "Enter a real postcode, like E8 1DY"),
    ("   ", 400, 400, "empty_postcode", "Enter a postcode"),
]

# A district, or a postcode typed in part: the page answers for the district, the API
# points to /outcodes/.
DISTRICTS = [
    ("E8", 200, "Neighbourhoods in the E8 postcode district", "E8 is a postcode district"),
    ("n16", 200, "Neighbourhoods in the N16 postcode district", "N16 is a postcode district"),
    ("E8 1D", 200, "Neighbourhoods in the E8 postcode district", "E8 1D is only part of a"),
    ("SW1A", 200, "SW1A is outside City and Hackney", "SW1A is a postcode district"),
    ("E1", 404, "We could not find E1", "E1 is a postcode district"),
]

SAME_POSTCODE = [
    "E8 1DY",
    "e81dy",
    " E8 1DY ",
    "E8-1DY",
    "e8.1dy",
    "E8\t1DY",
    "E8  1DY",
    "Ｅ８ １ＤＹ",
]

H1 = re.compile(r"<h1>(.*?)</h1>", re.S)
LEDE = re.compile(r'<p class="nhsuk-lede-text">(.*?)</p>', re.S)
ERROR = re.compile(r'<li><a href="#postcode">(.*?)</a></li>')
DISTRICT_ROW = re.compile(r'<a href="(/neighbourhoods/[-a-z]+/)">([^<]+)</a></td>\s*<td[^>]*>(\d+)')


def text(fragment: str) -> str:
    return html_lib.unescape(re.sub(r"<[^>]+>", "", fragment)).strip()


def page_answer(page) -> dict:
    """The headline and the message a lookup page shows (an input error shows its headline
    alone, by the box)."""
    html = page.content.decode()
    error = ERROR.search(html)
    if error:
        return {"headline": text(error.group(1)), "message": None, "html": html}
    headline = text(H1.search(html).group(1))
    lede = LEDE.search(html)
    message = f"{headline}. {text(lede.group(1))}" if lede else None
    return {"headline": headline, "message": message, "html": html}


def api_message(response) -> str:
    body = response.json()
    return body["error"]["message"] if "error" in body else body["message"]


def api_code(response) -> str:
    body = response.json()
    return body["error"]["code"] if "error" in body else body["status"]


@pytest.mark.parametrize("query, page_status, api_status, code, headline", POSTCODES)
def test_each_postcode_outcome_is_answered_alike_by_page_and_api(
    borough, client, query, page_status, api_status, code, headline
):
    page = client.get("/lookup/", {"postcode": query})
    api = client.get(f"/api/v1/postcodes/{query}")

    shown = page_answer(page)
    assert page.status_code == page_status
    assert shown["headline"] == headline
    assert api.status_code == api_status
    assert api["Content-Type"] == "application/json"
    assert api_code(api) == code
    if shown["message"] is None:  # an input error: the message goes on from the headline
        assert api_message(api).startswith(headline + ". ")
        assert f'value="{query.strip()}"' in shown["html"]
    else:
        assert api_message(api) == shown["message"]


def test_nothing_typed_is_asked_again_with_the_error_summary(borough, client):
    page = client.get("/lookup/", {"postcode": ""})
    html = page.content.decode()
    assert page.status_code == 400
    assert page_answer(page)["headline"] == "Enter a postcode"
    assert "<title>Error: " in html and 'class="nhsuk-error-summary"' in html
    assert lookup_postcode("").outcome == Outcome.EMPTY


@pytest.mark.parametrize("query, page_status, headline, api_says", DISTRICTS)
def test_a_district_or_a_part_postcode_gets_the_districts_answer(
    borough, client, query, page_status, headline, api_says
):
    page = client.get("/lookup/", {"postcode": query})
    api = client.get(f"/api/v1/postcodes/{query}")

    assert page.status_code == page_status
    shown = page_answer(page)
    assert shown["headline"] == headline
    assert shown["message"] == lookup_postcode(query).message
    assert api.status_code == 400
    assert api.json()["error"]["code"] == "invalid_postcode"
    assert api.json()["error"]["message"].startswith(api_says)
    assert "/api/outcodes/" in api.json()["error"]["message"]


def test_the_district_table_and_the_outcodes_api_count_alike(borough, client):
    html = client.get("/lookup/", {"postcode": "E8 1D"}).content.decode()
    body = client.get("/api/v1/outcodes/e8").json()

    assert "E8 1D is only part of a postcode." in html
    rows = re.findall(DISTRICT_ROW, html)
    # E8: three live postcodes in London Fields (the terminated one not counted), one in
    # Clissold Park, most first.
    assert rows == [
        ("/neighbourhoods/london-fields/", "London Fields", "3"),
        ("/neighbourhoods/clissold-park/", "Clissold Park", "1"),
    ]
    assert body == {
        "outcode": "E8",
        "status": "district",
        "postcodes": 4,
        "outside_area": 0,
        "no_neighbourhood": 0,
        "message": "Of the 4 postcodes in E8, 3 are in London Fields and 1 is in Clissold Park.",
        "neighbourhoods": [
            {"name": "London Fields", "slug": "london-fields",
             "url": "/neighbourhoods/london-fields/", "postcodes": 3},
            {"name": "Clissold Park", "slug": "clissold-park",
             "url": "/neighbourhoods/clissold-park/", "postcodes": 1},
        ],
    }  # fmt: skip
    n16 = client.get("/api/v1/outcodes/N16").json()
    assert (n16["postcodes"], n16["outside_area"]) == (2, 1)  # N16 8HU is Islington's
    assert client.get("/api/v1/outcodes/E1").json()["error"]["code"] == "outcode_not_found"
    assert client.get("/api/v1/outcodes/E8 1DY").json()["error"]["code"] == "invalid_outcode"


def test_a_district_counts_a_postcode_in_an_lsoa_without_a_neighbourhood_as_in_the_area(
    borough, client
):
    assert lookup_postcode("E9 5AA").headline == "E9 5AA is in City and Hackney"
    body = client.get("/api/v1/outcodes/E9").json()
    assert body["postcodes"] == 1
    assert body["outside_area"] == 0
    assert body["no_neighbourhood"] == 1
    assert lookup_postcode("E9").detail == (
        "Of the 1 postcode in E9, 1 is in City and Hackney but in no neighbourhood yet. Enter "
        "your full postcode for your own answer."
    )
    html = client.get("/lookup/", {"postcode": "E9"}).content.decode()
    assert re.search(r"In City and Hackney, in no neighbourhood yet</td>\s*<td[^>]*>1<", html)


def test_a_district_says_how_many_of_its_postcodes_are_in_each_neighbourhood_and_outside(
    borough, client
):
    """N16 has one postcode in Clissold Park and one in Islington: both counted, in words, in
    the page, its table and the API alike."""
    said = "Of the 2 postcodes in N16, 1 is in Clissold Park and 1 is outside City and Hackney"
    html = client.get("/lookup/", {"postcode": "N16"}).content.decode()
    body = client.get("/api/v1/outcodes/N16").json()

    assert lookup_postcode("N16").detail.startswith(said + ".")
    assert said in html
    assert re.search(r"Outside City and Hackney</td>\s*<td[^>]*>1<", html)
    assert body["message"] == said + "."


@pytest.mark.parametrize("query", SAME_POSTCODE)
def test_case_and_spaces_never_matter(borough, client, query):
    page = client.get("/lookup/", {"postcode": query})
    api = client.get(f"/api/v1/postcodes/{query}")

    assert page.status_code == 200
    assert page_answer(page)["headline"] == "E8 1DY is in the London Fields neighbourhood"
    assert api.status_code == 200
    assert api.json() == client.get("/api/v1/postcodes/E8 1DY").json()


def parallel_metres(degrees_of_longitude: float, latitude: float) -> float:
    """The length of a short east-west line on the WGS84 spheroid."""
    a, e2 = 6378137.0, 0.00669437999014
    phi = math.radians(latitude)
    return (
        math.radians(degrees_of_longitude)
        * a
        * math.cos(phi)
        / math.sqrt(1 - e2 * math.sin(phi) ** 2)
    )


def test_in_area_lists_the_current_practices_with_a_location_nearest_first(borough, client):
    """E8 1DY is 0.01 degrees east of Dalston Practice and 0.02 east of City Practice, and
    Clissold Park's Stoke Newington Practice is between them: the nearest are offered
    whatever their neighbourhood, each with it. The practices whose membership ended or has
    not begun are nearer, and one has no location: none of them is listed."""
    result = lookup_postcode("E8 1DY")
    api = client.get("/api/v1/postcodes/E81DY").json()
    html = client.get("/lookup/", {"postcode": "E8 1DY"}).content.decode()

    assert [p.ods_code for p in result.practices] == ["F90001", "F90005", "F90002"]
    one, _, two = (p.distance_m for p in result.practices)
    assert one == pytest.approx(parallel_metres(0.01, 51.545), rel=1e-3)
    assert two == pytest.approx(parallel_metres(0.02, 51.545), rel=1e-3)
    assert [(p["ods_code"], p["distance_m"]) for p in api["practices"]][::2] == [
        ("F90001", round(one)),
        ("F90002", round(two)),
    ]
    assert api["practices"][1]["neighbourhood"] == {
        "name": "Clissold Park", "slug": "clissold-park", "url": "/neighbourhoods/clissold-park/"
    }  # fmt: skip
    assert [p["outside_area"] for p in api["practices"]] == [False, False, False]
    assert (
        'In the <a href="/neighbourhoods/clissold-park/">Clissold Park</a> neighbourhood.' in html
    )
    assert api["neighbourhood"] == {
        "name": "London Fields",
        "slug": "london-fields",
        "url": "/neighbourhoods/london-fields/",
    }
    assert api["local_authority"] == {
        "code": "E09000012",
        "name": "Hackney",
        "nhs_body": "NHS North East London",
    }
    assert api["location"] == {"latitude": 51.545, "longitude": -0.065}
    assert html.index("Dalston Practice</a></strong>: 690 metres from E8 1DY") < html.index(
        "City Practice</a></strong>: 1.4 km from E8 1DY"
    )
    for absent in ("Ended Surgery", "Future Surgery", "No Location Surgery"):
        assert absent not in html
    assert "/neighbourhoods/london-fields/" in html and 'id="portal-map"' in html


def test_the_city_and_an_edge_postcode_are_answered_from_their_lsoa(borough, client):
    city = client.get("/api/v1/postcodes/EC2Y 5DE").json()
    edge = client.get("/api/v1/postcodes/EC4Y 9AH").json()
    assert city["local_authority"]["name"] == edge["local_authority"]["name"] == "City of London"
    assert [p["ods_code"] for p in city["practices"]] == ["F90002", "F90001", "F90005"]
    assert [p["ods_code"] for p in edge["practices"]] == ["F90002", "F90001", "F90005"]


def test_in_area_without_a_neighbourhood_says_so_and_lists_no_practices(borough, client):
    body = client.get("/api/v1/postcodes/E9 5AA").json()
    assert body["status"] == "in_area"
    assert body["neighbourhood"] is None and body["practices"] == []
    assert body["local_authority"]["name"] == "Hackney"
    assert "has not been given a neighbourhood yet" in body["message"]


def test_out_of_area_held_names_the_borough_and_its_nhs_body(borough, client):
    body = client.get("/api/v1/postcodes/N1 1AA").json()
    html = client.get("/lookup/", {"postcode": "N1 1AA"}).content.decode()
    assert body["neighbourhood"] is None and body["practices"] == []
    assert body["local_authority"] == {
        "code": "E09000019",
        "name": "Islington",
        "nhs_body": "NHS North Central London",
    }
    assert body["location"] == {"latitude": 51.545, "longitude": -0.1}
    assert "NHS North Central London" in html
    assert "https://www.nhs.uk/service-search/find-a-gp" in html


def test_out_of_area_not_held_has_no_borough_or_location(borough, client):
    body = client.get("/api/v1/postcodes/SW1A1AA").json()
    assert body["status"] == "out_of_area"
    assert body["local_authority"] is None and body["location"] is None
    assert "E, EC, N or WC" in body["message"]


def test_not_found_and_terminated_offer_the_district(borough, client):
    not_found = client.get("/lookup/", {"postcode": "E8 9ZZ"}).content.decode()
    terminated = lookup_postcode("E8 9ZY")
    assert "Neighbourhoods in E8" in not_found and "/practices/" in not_found
    assert "It was terminated in March 2018" in terminated.message
    assert [s.neighbourhood.slug for s in terminated.district.shares] == [
        "london-fields",
        "clissold-park",
    ]
    assert terminated.practices == []


def test_an_unknown_postcode_in_a_district_wholly_outside_shows_the_table_it_promises(
    borough, client
):
    """N1's one postcode we hold is Islington's (as E17's are Waltham Forest's): the answer
    says so, and the table it speaks of is there, with the one row it has."""
    result = lookup_postcode("N1 9ZZ")
    html = client.get("/lookup/", {"postcode": "N1 9ZZ"}).content.decode()

    assert result.outcome == Outcome.NOT_FOUND
    assert result.detail.endswith("The one postcode in N1 is outside City and Hackney.")
    assert "see the neighbourhoods its district falls in" not in result.message
    assert "Neighbourhoods in N1</caption>" in html
    assert re.search(r"Outside City and Hackney</td>\s*<td[^>]*>1<", html)


# lat, lon, page and API status, the API's status or error code, the page's headline
POINTS = [
    ("51.545", "-0.065", 200, "in_area", "This location is in the London Fields neighbourhood"),
    ("51.5450", "-0.0550", 200, "in_area", "This location is in the Clissold Park neighbourhood"),
    ("51.545", "-0.045", 200, "in_area", "This location is in City and Hackney"),
    ("51.545", "-0.100", 200, "out_of_area",
     "This location is in Islington, outside City and Hackney"),
    ("53.48", "-2.24", 200, "out_of_area", "This location is outside City and Hackney"),
    ("48.8566", "2.3522", 404, "outside_great_britain", "This location is outside Great Britain"),
    ("-0.065", "51.545", 404, "outside_great_britain", "This location is outside Great Britain"),
    ("abc", "-0.06", 400, "invalid_point", "We could not read that location"),
    ("91", "0", 400, "invalid_point", "We could not read that location"),
    ("nan", "0", 400, "invalid_point", "We could not read that location"),
    ("51.5", "", 400, "invalid_point", "We could not read that location"),
]  # fmt: skip


@pytest.mark.parametrize("lat, lon, status, code, headline", POINTS)
def test_each_point_outcome_is_answered_alike_by_page_and_api(
    borough, client, lat, lon, status, code, headline
):
    page = client.get("/lookup/", {"lat": lat, "lon": lon})
    api = client.get("/api/v1/points", {"lat": lat, "lon": lon})

    shown = page_answer(page)
    assert page.status_code == status == api.status_code
    assert shown["headline"] == headline
    assert api_code(api) == code
    assert api_message(api) == shown["message"] == lookup_point(lat, lon).message


def test_a_point_gets_the_same_practices_as_the_postcode_there(borough, client):
    """The point decision and the stored answers share the practices' SQL."""
    stored = client.get("/api/v1/postcodes/E8 1DY").json()
    point = client.get("/api/v1/points", {"lat": "51.545", "lon": "-0.065"}).json()
    assert point["neighbourhood"] == stored["neighbourhood"]
    assert point["local_authority"] == stored["local_authority"]
    assert point["practices"] == stored["practices"]
    assert [p["ods_code"] for p in point["practices"]] == ["F90001", "F90005", "F90002"]


def test_a_point_on_the_border_of_two_areas_still_has_an_answer(borough):
    """x = -0.06 is the edge London Fields (H2) and Clissold Park (H3) share."""
    result = lookup_point("51.545", "-0.06")
    assert result.outcome == Outcome.IN_AREA
    assert result.neighbourhood.slug in {"london-fields", "clissold-park"}


def test_bulk_answers_in_order_each_as_its_own_lookup_would(borough, client):
    asked = ["E8 1DY", "N1 1AA", "hello", "E8 9ZZ", "E8 9ZY", "SW1A 1AA", "E8", "", " e8 1dy",
             "E9 5AA", "E8 1D"]  # fmt: skip
    response = Client(enforce_csrf_checks=True).post(
        "/api/v1/postcodes", {"postcodes": asked}, content_type="application/json"
    )

    assert response.status_code == 200
    results = response.json()["results"]
    assert [r["query"] for r in results] == asked
    assert [r["http_status"] for r in results] == [200, 200, 400, 404, 404, 200, 400, 400, 200,
                                                   200, 400]  # fmt: skip
    for query, item in zip(asked, results, strict=True):
        if not query:
            assert item["error"]["code"] == "empty_postcode" and item["result"] is None
            continue
        single = client.get(f"/api/v1/postcodes/{query}")
        assert item["http_status"] == single.status_code
        if single.status_code == 200:
            assert item["result"] == single.json() and item["error"] is None
        else:
            assert item["error"] == single.json()["error"] and item["result"] is None


# -- What a lookup costs: counted as on the real data (test_lookup.py) ---------------------


def plan(cursor, sql: str) -> str:
    cursor.execute("EXPLAIN " + sql)
    return " ".join(row[0] for row in cursor.fetchall())


@pytest.mark.parametrize(
    "query, reads",
    [("E8 1DY", 1), ("N1 1AA", 1), ("E8", 1), ("E8 9ZY", 2), ("E8 9ZZ", 2)],
    ids=["in area", "out of area", "district", "terminated", "not found"],
)
def test_an_answer_is_one_indexed_read_per_row_it_shows(
    borough, query, reads, django_assert_num_queries
):
    lookup_postcode(query)  # prepares the statement on this connection
    with django_assert_num_queries(reads) as queries:
        lookup_postcode(query)
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # as on a full national table
        for sql in (q["sql"] for q in queries.captured_queries):
            assert " JOIN " not in sql and "ST_" not in sql
            shown = plan(cursor, sql)
            assert "Index Scan" in shown and "Seq Scan" not in shown, shown


def test_the_page_and_the_api_answer_with_one_read(borough, client, django_assert_num_queries):
    client.get("/api/v1/postcodes/E81DY")
    client.get("/lookup/", {"postcode": "E8 1DY"})
    with django_assert_num_queries(1):
        assert client.get("/api/v1/postcodes/E81DY").status_code == 200
    with django_assert_num_queries(1):
        assert client.get("/lookup/", {"postcode": "E8 1DY"}).status_code == 200


@pytest.mark.parametrize(
    "asked, reads",
    [(["E8 1DY", "N1 1AA", "N16 9JT", "EC2Y 5DE"] * 25, 1),
     (["E8 1DY", "E8 9ZZ", "E8 9ZY", "N16", "hello", ""], 2)],
    ids=["found", "with districts"],
)  # fmt: skip
def test_bulk_reads_its_rows_in_one_read_and_its_districts_in_one_more(
    borough, client, asked, reads, django_assert_num_queries
):
    client.post("/api/v1/postcodes", {"postcodes": asked}, content_type="application/json")
    with django_assert_num_queries(reads):
        response = client.post(
            "/api/v1/postcodes", {"postcodes": asked}, content_type="application/json"
        )
    assert len(response.json()["results"]) == len(asked)


def test_a_point_is_one_query(borough, client, django_assert_num_queries):
    lookup_point("51.545", "-0.065")
    with django_assert_num_queries(1):
        result = lookup_point("51.545", "-0.065")
    assert result.neighbourhood.slug == "london-fields" and len(result.practices) == 3
    client.get("/lookup/", {"lat": "51.545", "lon": "-0.065"})  # the release date, cached
    with django_assert_num_queries(1):
        assert client.get("/lookup/", {"lat": "51.545", "lon": "-0.065"}).status_code == 200


def test_an_answer_names_the_postcodes_ward(borough, client):
    from neighbourhoods.models import Ward
    from neighbourhoods.services.answers import answers_recompute

    postcode = borough.postcodes["E8 1DY"]
    postcode.ward_code = "E05009372"
    postcode.save(update_fields=["ward_code"])
    Ward.objects.create(gss_code="E05009372", name="Hackney Central")
    answers_recompute(postcode_ids=[postcode.pk])

    html = client.get("/lookup/", {"postcode": "E8 1DY"}).content.decode()
    api = client.get("/api/v1/postcodes/E8 1DY").json()
    assert lookup_postcode("E8 1DY").ward.name == "Hackney Central"
    assert "E8 1DY is in the Hackney Central ward of Hackney." in html
    assert api["ward"] == {"code": "E05009372", "name": "Hackney Central"}
    assert client.get("/api/v1/postcodes/E8 2AA").json()["ward"] is None


def test_the_answer_says_the_area_and_the_practice_decide_and_links_to_the_practice_search(
    borough, client
):
    """The headline names the area's neighbourhood; the next line says a resident's own is
    their practice's, and the page offers the way to find it."""
    result = lookup_postcode("E8 1DY")
    html = client.get("/lookup/", {"postcode": "E8 1DY"}).content.decode()

    assert result.headline == "E8 1DY is in the London Fields neighbourhood"
    assert result.detail == (
        "This postcode is in the area we show for London Fields. But if you are registered "
        "with a GP practice, your neighbourhood is your practice's, which may be another one: "
        "find your practice to see which."
    )
    lede = html.index(html_lib.escape(result.detail))
    link = html.index('<a href="/practices/">Find your GP practice and its neighbourhood</a>')
    assert lede < link < html.index("About London Fields")


def test_a_practice_outside_city_and_hackney_is_offered_with_its_borough(borough, client):
    """A practice in no neighbourhood (elsewhere in London, from the ODS file) just over the
    border is nearest: offered, saying it is outside City and Hackney and its borough."""
    from neighbourhoods.models import Postcode
    from tests.factories import PracticeFactory

    PracticeFactory(
        ods_code="F99999", name="Islington Border Practice", postcode="N1 1AA",
        location=Postcode.objects.get(postcode="E8 1AA").location,  # beside E8 1AA
    )  # fmt: skip
    practice = lookup_postcode("E8 1AA").practices[0]
    api = client.get("/api/v1/postcodes/E8 1AA").json()["practices"][0]
    html = client.get("/lookup/", {"postcode": "E8 1AA"}).content.decode()

    assert practice.ods_code == "F99999" and practice.outside_area
    assert (api["neighbourhood"], api["outside_area"], api["borough"]) == (None, True, "Islington")
    assert "Outside City and Hackney, in Islington." in html
    assert lookup_postcode("N1 1AA").practices == []  # none for a postcode elsewhere


def test_a_practice_for_particular_groups_is_not_offered_as_nearest_unless_it_takes_everyone(
    borough, client
):
    dalston = borough.practices["F90001"]
    dalston.serves = "People who are homeless"
    dalston.save()
    assert "F90001" not in [p.ods_code for p in lookup_postcode("E8 1DY").practices]

    dalston.registers_everyone = True
    dalston.save()
    practice = lookup_postcode("E8 1DY").practices[0]
    html = client.get("/lookup/", {"postcode": "E8 1DY"}).content.decode()
    api = client.get("/api/v1/postcodes/E8 1DY").json()["practices"][0]
    assert practice.ods_code == "F90001"
    note = "For people who are homeless. It also registers anyone living nearby."
    assert practice.for_whom == note and note in html
    assert (api["serves"], api["registers_everyone"]) == ("People who are homeless", True)
    marker = map_config(client.get("/lookup/", {"postcode": "E8 1DY"}))["practices"][0]
    assert (marker["name"], marker["forWhom"]) == (practice.name, note)


def test_who_a_practice_is_for_shows_wherever_it_is_listed(borough, client):
    dalston = borough.practices["F90001"]
    dalston.serves = "People who are homeless"
    dalston.save()
    note = "For people who are homeless only."
    for page in ("/practices/F90001/", "/practices/?q=dalston", "/neighbourhoods/london-fields/",
                 "/neighbourhoods/map/"):  # fmt: skip
        assert note in client.get(page).content.decode(), page
    # The maps' markers too: map.js puts the note in each marker's title and box.
    for page in ("/neighbourhoods/map/", "/neighbourhoods/london-fields/", "/practices/F90001/"):
        markers = {m["name"]: m for m in map_config(client.get(page))["practices"]}
        assert markers[dalston.name]["forWhom"] == note, page
        assert all(m["forWhom"] == "" for name, m in markers.items() if name != dalston.name)
