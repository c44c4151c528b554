"""Every lookup outcome, with real postcodes, decided once and answered the same by page and API."""

import io

import pytest
from django.core.management import call_command
from django.db import connection

from neighbourhoods.answers import Outcome
from neighbourhoods.models import Postcode
from neighbourhoods.selectors import lookup_postcode
from tests import TEST_DATA
from tests.neighbourhoods.services.test_answers import request_time_answer

pytestmark = [pytest.mark.django_db, pytest.mark.realdata]

SAMPLE_ONSPD = TEST_DATA / "onspd_sample.csv"

# query, outcome, HTTP status, what the headline must name
CASES = [
    ("E8 1DY", Outcome.IN_AREA, 200, "London Fields"),
    ("N16 9JT", Outcome.IN_AREA, 200, "neighbourhood"),
    ("EC1A 7HF", Outcome.IN_AREA, 200, "Shoreditch Park and City"),
    ("EC2Y 5DE", Outcome.IN_AREA, 200, "Shoreditch Park and City"),
    # Points the generalised LSOA boundaries leave just outside City and Hackney.
    ("EC4Y 9AH", Outcome.IN_AREA, 200, "Shoreditch Park and City"),
    ("WC1V 7BN", Outcome.IN_AREA, 200, "Shoreditch Park and City"),
    ("E1 0AA", Outcome.OUT_OF_AREA, 200, "Tower Hamlets"),
    ("N16 8HU", Outcome.OUT_OF_AREA, 200, "Islington"),
    ("E8 9ZZ", Outcome.NOT_FOUND, 404, "We could not find E8 9ZZ"),
    ("E8", Outcome.DISTRICT, 200, "E8"),
    ("n16", Outcome.DISTRICT, 200, "N16"),
    ("hello", Outcome.INVALID, 400, "Enter a real postcode"),
    ("", Outcome.EMPTY, 400, "Enter a postcode"),
    ("   ", Outcome.EMPTY, 400, "Enter a postcode"),
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


@pytest.mark.parametrize("query, outcome, status, named", CASES)
def test_each_outcome_is_decided_once(query, outcome, status, named):
    result = lookup_postcode(query)
    assert result.outcome == outcome
    assert result.status_code == status
    assert named in result.headline


@pytest.mark.parametrize("query, outcome, status, named", CASES)
def test_the_page_gives_the_same_answer(client, query, outcome, status, named):
    response = client.get("/lookup/", {"postcode": query})
    html = response.content.decode()
    assert response.status_code == status
    assert named in html
    result = lookup_postcode(query)
    assert f"<h1>{result.headline}" in html or result.is_input_error
    if result.is_input_error:
        assert "<title>Error: " in html
        assert 'class="nhsuk-error-summary"' in html
        assert 'href="#postcode"' in html
        assert f'value="{query.strip()}"' in html


@pytest.mark.parametrize("query, outcome, status, named", [c for c in CASES if c[0].strip()])
def test_the_api_gives_the_same_answer(client, query, outcome, status, named):
    response = client.get(f"/api/postcodes/{query}")
    body = response.json()
    result = lookup_postcode(query)
    if outcome == Outcome.DISTRICT:
        assert response.status_code == 400
        assert f"/api/outcodes/{result.postcode.outcode}" in body["error"]["message"]
        return
    assert response.status_code == status
    if result.is_error:
        assert body["error"] == {"code": result.error_code, "message": result.message}
    else:
        assert body["status"] == outcome.value
        assert body["message"] == result.message
        assert body["postcode"] == str(result.postcode)


@pytest.mark.parametrize("query", SAME_POSTCODE)
def test_case_and_spaces_never_matter(client, query):
    assert lookup_postcode(query).headline == "E8 1DY is in the London Fields neighbourhood"
    assert client.get("/lookup/", {"postcode": query}).status_code == 200


def test_in_area_answer_lists_the_nearest_practices_nearest_first(client):
    result = lookup_postcode("E8 1DY")
    distances = [p.distance.m for p in result.practices]
    assert len(distances) == 10
    assert distances == sorted(distances)
    expected = request_time_answer(Postcode.objects.get(postcode="E8 1DY"))
    assert [p.ods_code for p in result.practices] == [p.ods_code for p, _, _ in expected]
    # London Fields' own practices, and others' near it, each named with its neighbourhood.
    slugs = {p.neighbourhood["slug"] for p in result.practices if p.neighbourhood}
    assert "london-fields" in slugs and len(slugs) > 1

    body = client.get("/api/postcodes/E81DY").json()
    assert body["neighbourhood"]["slug"] == "london-fields"
    assert body["neighbourhood"]["url"] == "/neighbourhoods/london-fields/"
    assert body["local_authority"] == {
        "code": "E09000012",
        "name": "Hackney",
        "nhs_body": "NHS North East London",
    }
    assert 51.5 < body["location"]["latitude"] < 51.6
    assert [p["distance_m"] for p in body["practices"]] == sorted(round(d) for d in distances)

    html = client.get("/lookup/", {"postcode": "E8 1DY"}).content.decode()
    assert html.index("E8 1DY is in the London Fields") < html.index('id="portal-map"')
    assert result.practices[0].name in html
    assert "/neighbourhoods/london-fields/" in html


def test_out_of_area_names_the_borough_and_where_to_go(client):
    body = client.get("/api/postcodes/E1 0AA").json()
    assert body["status"] == "out_of_area"
    assert body["neighbourhood"] is None
    assert body["local_authority"]["name"] == "Tower Hamlets"
    assert body["practices"] == []
    html = client.get("/lookup/", {"postcode": "E1 0AA"}).content.decode()
    assert "https://www.nhs.uk/service-search/find-a-gp" in html
    assert "NHS North East London" in html


def test_not_found_offers_the_district_and_the_practice_search(client):
    result = lookup_postcode("E8 9ZZ")
    assert result.district.shares
    assert result.district.shares[0].neighbourhood.name == "London Fields"
    html = client.get("/lookup/", {"postcode": "E8 9ZZ"}).content.decode()
    assert "Neighbourhoods in E8" in html
    # Once, under Search again: the page offered the same link twice.
    assert html.count("by your GP practice</a>") == 1
    assert "invalid" not in html.lower()


def test_district_answer_counts_postcodes_in_each_neighbourhood(client):
    body = client.get("/api/outcodes/e8").json()
    assert body["outcode"] == "E8"
    counts = {n["slug"]: n["postcodes"] for n in body["neighbourhoods"]}
    assert counts["london-fields"] == max(counts.values())
    assert sum(counts.values()) + body["outside_area"] == body["postcodes"]
    assert client.get("/api/outcodes/ZZ9").status_code == 404
    assert client.get("/api/outcodes/E8 1DY").status_code == 400


@pytest.mark.parametrize(
    "outcode, counted",
    [
        ("E1", "Of the 1,517 postcodes in E1, 49 are in Shoreditch Park and City and 1,468 are "
               "outside City and Hackney"),
        ("N15", "Of the 710 postcodes in N15, 5 are in Springfield Park and 705 are outside "
                "City and Hackney"),
    ],
)  # fmt: skip
def test_a_district_says_how_many_postcodes_are_in_each_neighbourhood_and_outside(
    client, outcode, counted
):
    """Code-Point Open October 2025: most of E1 is Tower Hamlets', most of N15 Haringey's."""
    html = client.get("/lookup/", {"postcode": outcode}).content.decode()
    body = client.get(f"/api/v1/outcodes/{outcode}").json()
    assert counted in html
    assert body["message"] == counted + "."
    assert (
        sum(n["postcodes"] for n in body["neighbourhoods"])
        + body["outside_area"]
        + body["no_neighbourhood"]
        == body["postcodes"]
    )


def test_an_unknown_postcode_in_a_district_outside_shows_its_table(client):
    """E17 is Waltham Forest's: the answer says none of its postcodes are ours, in words and
    in the table it speaks of."""
    result = lookup_postcode("E17 7NT")
    html = client.get("/lookup/", {"postcode": "E17 7NT"}).content.decode()
    assert result.outcome == Outcome.NOT_FOUND
    assert result.detail.endswith("None of the 1,525 postcodes in E17 are in City and Hackney.")
    assert "Neighbourhoods in E17</caption>" in html
    assert "Outside City and Hackney</td>" in html


def test_terminated_postcodes_have_their_own_answer(client):
    result = lookup_postcode("E8 9ZY")
    assert result.outcome == Outcome.TERMINATED
    assert "March 2018" in result.message
    response = client.get("/api/postcodes/E89ZY")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "postcode_terminated"
    page = client.get("/lookup/", {"postcode": "E8 9ZY"})
    assert page.status_code == 404
    assert "no longer in use" in page.content.decode()


def test_a_new_onspd_postcode_gets_its_neighbourhood(client):
    Postcode.objects.filter(source="onspd").delete()
    assert lookup_postcode("E9 9ZX").outcome == Outcome.NOT_FOUND
    call_command("import_onspd", str(SAMPLE_ONSPD), stdout=io.StringIO(), stderr=io.StringIO())
    result = lookup_postcode("E9 9ZX")
    assert result.outcome == Outcome.IN_AREA
    assert result.neighbourhood is not None


@pytest.mark.parametrize(
    "query, reads",
    [("E8 1DY", 1), ("E1 0AA", 1), ("E8", 1), ("E8 9ZY", 2), ("E8 9ZZ", 2)],
    ids=["in area", "out of area", "district", "terminated", "not found"],
)
def test_an_answer_is_one_indexed_read_per_row_it_shows(query, reads, django_assert_num_queries):
    """The postcode's row holds its whole answer; a terminated or unknown postcode also shows
    its district, which is one more row. Nothing is joined or worked out during the request."""
    lookup_postcode(query)  # warm up content types and the like
    with django_assert_num_queries(reads) as queries:
        lookup_postcode(query)
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")  # as on a full national table
        for query_sql in (q["sql"] for q in queries.captured_queries):
            assert " JOIN " not in query_sql
            assert "ST_" not in query_sql  # no geometry is read or worked out
            cursor.execute("EXPLAIN " + query_sql)
            plan = " ".join(row[0] for row in cursor.fetchall())
            assert "Index Scan" in plan, plan
            assert "Seq Scan" not in plan, plan
        cursor.execute("RESET enable_seqscan")


def test_the_pages_and_the_api_answer_with_one_read(client, django_assert_num_queries):
    client.get("/api/postcodes/E81DY")
    client.get("/lookup/", {"postcode": "E8 1DY"})
    with django_assert_num_queries(1):
        assert client.get("/api/postcodes/E81DY").status_code == 200
    with django_assert_num_queries(1):
        assert client.get("/lookup/", {"postcode": "E8 1DY"}).status_code == 200
