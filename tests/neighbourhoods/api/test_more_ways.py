"""The API's other ways in: by point, in bulk, the downloads, and the versioned paths."""

import csv
import io

import pytest
from django.core.cache import cache
from django.test import Client

from neighbourhoods.answers import Outcome
from neighbourhoods.models import Postcode
from neighbourhoods.selectors import lookup_point, lookup_postcode
from neighbourhoods.services.publishing import boundaries_publish

pytestmark = pytest.mark.django_db

LONDON_FIELDS = ("51.5420", "-0.0610")  # the park, in Hackney
ISLINGTON = ("51.5455", "-0.1040")
MANCHESTER = ("53.4800", "-2.2400")
PARIS = ("48.8566", "2.3522")

# lat, lon, outcome, status, error code, what the message must say
POINTS = [
    (*LONDON_FIELDS, Outcome.IN_AREA, 200, None, "London Fields neighbourhood"),
    ("51.5155", "-0.0922", Outcome.IN_AREA, 200, None, "Shoreditch Park and City"),
    (*ISLINGTON, Outcome.OUT_OF_AREA, 200, None, "in Islington, outside City and Hackney"),
    (*MANCHESTER, Outcome.OUT_OF_AREA, 200, None, "not in any London borough"),
    (*PARIS, Outcome.OUTSIDE_GREAT_BRITAIN, 404, "outside_great_britain", "outside Great Britain"),
    ("-0.0610", "51.5420", Outcome.OUTSIDE_GREAT_BRITAIN, 404, "outside_great_britain",
     "latitude comes first"),
    ("abc", "-0.06", Outcome.INVALID_POINT, 400, "invalid_point", "decimal degrees"),
    ("91", "0", Outcome.INVALID_POINT, 400, "invalid_point", "from -90 to 90"),
    ("nan", "0", Outcome.INVALID_POINT, 400, "invalid_point", "decimal degrees"),
    ("51.5", "", Outcome.INVALID_POINT, 400, "invalid_point", "decimal degrees"),
]  # fmt: skip


@pytest.mark.realdata
@pytest.mark.parametrize("lat, lon, outcome, status, code, says", POINTS)
def test_each_point_outcome_is_decided_once_and_answered_alike(
    client, lat, lon, outcome, status, code, says
):
    result = lookup_point(lat, lon)
    assert result.outcome == outcome
    assert says in result.message
    response = client.get("/api/v1/points", {"lat": lat, "lon": lon})
    assert response.status_code == status
    body = response.json()
    if code:
        assert body["error"] == {"code": code, "message": result.message}
    else:
        assert body["status"] == outcome.value
        assert body["message"] == result.message


@pytest.mark.realdata
def test_a_point_in_a_neighbourhood_lists_its_practices_nearest_the_point(client):
    body = client.get("/api/points", {"lat": LONDON_FIELDS[0], "lon": LONDON_FIELDS[1]}).json()
    assert body["neighbourhood"] == {
        "name": "London Fields",
        "slug": "london-fields",
        "url": "/neighbourhoods/london-fields/",
    }
    assert body["local_authority"]["name"] == "Hackney"
    assert body["location"] == {"latitude": 51.542, "longitude": -0.061}
    distances = [p["distance_m"] for p in body["practices"]]
    assert len(distances) >= 5 and distances == sorted(distances)


@pytest.mark.realdata
def test_a_postcodes_point_gets_the_postcodes_stored_answer():
    """The point decision and the stored answers share the practices' SQL."""
    stored = lookup_postcode("E8 1DY")
    point = stored.point
    at_point = lookup_point(point.latitude, point.longitude)
    assert at_point.neighbourhood.slug == stored.neighbourhood.slug
    assert at_point.local_authority.name == stored.local_authority.name
    assert [p.ods_code for p in at_point.practices] == [p.ods_code for p in stored.practices]
    assert [round(p.distance_m) for p in at_point.practices] == [
        round(p.distance_m) for p in stored.practices
    ]


@pytest.mark.realdata
def test_a_point_is_one_query_on_the_spatial_indexes(django_assert_num_queries):
    from django.db import connection

    lookup_point(*LONDON_FIELDS)
    with django_assert_num_queries(1) as queries:
        lookup_point(*LONDON_FIELDS)
    sql = queries.captured_queries[0]["sql"]
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")
        cursor.execute("EXPLAIN " + sql)
        plan = " ".join(row[0] for row in cursor.fetchall())
        cursor.execute("RESET enable_seqscan")
    # Both areas are found by their boundaries' spatial (GiST) indexes, nothing by a scan.
    assert "Index Scan using neighbourhoods_neighbourhood_boundary" in plan, plan
    assert "Index Scan using neighbourhoods_localauthority_boundary" in plan, plan
    assert "Seq Scan" not in plan, plan


def test_bulk_answers_in_order_each_with_its_own_outcome(client):
    asked = ["E8 1DY", "E1 0AA", "hello", "E8 9ZZ", "E8 9ZY", "SW1A 1AA", "E8", ""]
    response = Client(enforce_csrf_checks=True).post(
        "/api/v1/postcodes", {"postcodes": asked}, content_type="application/json"
    )
    assert response.status_code == 200
    results = response.json()["results"]
    assert [r["query"] for r in results] == asked
    for query, item in zip(asked, results, strict=True):
        single = client.get(f"/api/v1/postcodes/{query}") if query else None
        if single is None:
            assert item["http_status"] == 400
            assert item["error"]["code"] == "empty_postcode"
            continue
        assert item["http_status"] == single.status_code
        if single.status_code == 200:
            assert item["result"] == single.json() and item["error"] is None
        else:
            assert item["error"] == single.json()["error"] and item["result"] is None


@pytest.mark.parametrize(
    "asked, reads",
    [
        (["E8 1DY", "E1 0AA", "N16 9JT", "EC1A 7HF"] * 25, 1),
        (["E8 1DY", "E8 9ZZ", "E8 9ZY", "N16", "hello", ""], 2),
    ],
    ids=["found", "with districts"],
)
@pytest.mark.realdata
def test_bulk_reads_every_row_it_answers_in_one_indexed_read(
    client, asked, reads, django_assert_num_queries
):
    """All the postcodes' rows in one read by their unique index, and the districts an answer
    shows in one more: never one query per postcode."""
    from django.db import connection

    client.post("/api/postcodes", {"postcodes": asked}, content_type="application/json")
    with django_assert_num_queries(reads) as queries:
        response = client.post(
            "/api/postcodes", {"postcodes": asked}, content_type="application/json"
        )
    assert response.status_code == 200
    assert len(response.json()["results"]) == len(asked)
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")  # as on a full national table
        for sql in (q["sql"] for q in queries.captured_queries):
            assert " JOIN " not in sql and "ST_" not in sql
            cursor.execute("EXPLAIN " + sql)
            plan = " ".join(row[0] for row in cursor.fetchall())
            assert "Index" in plan and "Seq Scan" not in plan, plan
        cursor.execute("RESET enable_seqscan")


@pytest.mark.parametrize(
    "body, code, says",
    [
        ({"postcodes": ["E8 1DY"] * 101}, "too_many_postcodes", "at most 100"),
        ({"postcodes": []}, "no_postcodes", "at least one"),
        ({"postcodes": "E8 1DY"}, "malformed_body", "a list of 1 to 100 strings"),
        ({"postcodes": [1, 2]}, "malformed_body", "a list of 1 to 100 strings"),
        ({"postcode": ["E8 1DY"]}, "malformed_body", "one key"),
        ("not json", "malformed_body", "JSON"),
        ("", "malformed_body", "JSON"),
    ],
)
def test_bulk_refuses_a_limit_or_a_malformed_body_with_a_clear_400(client, body, code, says):
    data = body if isinstance(body, str) else __import__("json").dumps(body)
    response = client.post("/api/postcodes", data, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == code
    assert says in response.json()["error"]["message"]


@pytest.mark.parametrize(
    "body",
    [
        b'{"postcodes": ' + b"[" * 1_000 + b"]" * 1_000 + b"}",  # 2 kB, RecursionError
        b"[" * 100_000 + b"]" * 100_000,
        b'{"a": ' * 1_000 + b"1" + b"}" * 1_000,
        b'{"postcodes": ' + b'{"a": ' * 1_000 + b"1" + b"}" * 1_001,
        b'{"postcodes": [' + b"9" * 5_000 + b"]}",  # past Python's limit on an int's digits
        b'{"postcodes": [1e999, -1e999]}',
        b'{"postcodes": [NaN, Infinity]}',
        b'{"postcodes": ["E8 1DY\xff\xfe"]}',  # not UTF-8
        b"\xef\xbb\xbf" + b'{"postcodes": ["E8 1DY"]',  # a byte-order mark, cut short
        b'{"postcodes": ["E8 1DY"]} trailing',
        b"[]",
        b"null",
        b'"postcodes"',
    ],
)
def test_any_body_that_is_not_the_bulk_json_is_a_400_never_a_500(client, body):
    response = client.post("/api/v1/postcodes", body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "malformed_body"


@pytest.mark.realdata
def test_the_postcode_csv_has_every_live_postcode_in_the_area(client):
    response = client.get("/api/v1/postcodes.csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    text = response.content.decode()
    comments = [line for line in text.splitlines() if line.startswith("#")]
    assert any("Ordnance Survey data © Crown copyright" in line for line in comments)
    assert any("OS Code-Point Open" in line and "release date 20" in line for line in comments)
    rows = list(csv.DictReader(line for line in io.StringIO(text) if not line.startswith("#")))
    live = Postcode.objects.live().filter(lsoa__isnull=False)
    assert len(rows) == live.count()
    row = next(r for r in rows if r["postcode"] == "E8 1DY")
    assert row["neighbourhood"] == "London Fields"
    assert row["neighbourhood_slug"] == "london-fields"
    assert row["lsoa_code"].startswith("E01")
    assert row["local_authority"] == "Hackney"
    assert "E1 0AA" not in {r["postcode"] for r in rows}  # Tower Hamlets
    assert "E8 9ZY" not in {r["postcode"] for r in rows}  # terminated


def test_the_downloads_are_cached_until_the_next_publish(client, django_assert_num_queries):
    from django.db import transaction

    client.get("/api/postcodes.csv")
    client.get("/api/neighbourhoods.geojson")
    with django_assert_num_queries(0):
        assert client.get("/api/postcodes.csv").status_code == 200
        assert client.get("/api/neighbourhoods.geojson").status_code == 200
    with transaction.atomic():
        boundaries_publish()
    # the test's transaction never commits: run what the commit would
    for _, callback, _ in transaction.get_connection().run_on_commit:
        callback()
    assert cache.get("download:postcodes.csv") is None


@pytest.mark.realdata
def test_the_areas_download_carries_attribution_and_release(client):
    response = client.get("/api/neighbourhoods.geojson")
    assert response["Content-Type"] == "application/geo+json"
    collection = response.json()
    assert collection["type"] == "FeatureCollection"
    assert len(collection["features"]) == 8
    assert any("Office for National Statistics" in line for line in collection["attribution"])
    (release,) = collection["releases"]
    assert release["source"] == "ons-boundaries"
    assert "indicative" in collection["description"]


@pytest.mark.parametrize("value, status", [("1", 200), ("true", 200), ("false", 200),
                                           ("AAA", 400), ("2", 400)])  # fmt: skip
def test_simplified_takes_only_what_the_schema_says(client, value, status):
    response = client.get("/api/v1/neighbourhoods", {"simplified": value})
    assert response.status_code == status
    if status == 400:
        assert "simplified" in response.json()["error"]["message"]


def test_the_current_version_and_its_alias_answer_alike(client):
    for path in ["postcodes/E81DY", "outcodes/E8", "neighbourhoods/london-fields", "practices"]:
        assert client.get(f"/api/v1/{path}").content == client.get(f"/api/{path}").content
    schema = client.get("/api/openapi.json").json()
    assert all(path.startswith("/api/v1/") for path in schema["paths"])


@pytest.mark.realdata
def test_neighbourhood_urls_are_relative_everywhere(client):
    urls = [
        client.get("/api/postcodes/E81DY").json()["neighbourhood"]["url"],
        client.get("/api/points", {"lat": "51.542", "lon": "-0.061"}).json()["neighbourhood"][
            "url"
        ],
        client.get("/api/outcodes/E8").json()["neighbourhoods"][0]["url"],
        client.get("/api/neighbourhoods/london-fields").json()["properties"]["url"],
        client.get("/api/practices").json()["features"][0]["properties"]["neighbourhood"]["url"],
    ]
    assert all(url.startswith("/neighbourhoods/") for url in urls), urls


def test_a_body_past_the_upload_limit_is_a_400_in_json():
    body = '{"postcodes": ["' + "E" * 3_000_000 + '"]}'
    response = Client(raise_request_exception=False).post(
        "/api/postcodes", body, content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] in {"bad_request", "malformed_body"}


@pytest.mark.realdata
def test_a_postcode_typed_in_part_is_named_as_such_not_as_a_district(client):
    response = client.get("/api/v1/postcodes/E8 1D")
    assert response.status_code == 400
    assert response.json()["error"]["message"].startswith("E8 1D is only part of a postcode.")
    district = client.get("/api/v1/postcodes/E8").json()["error"]["message"]
    assert district.startswith("E8 is a postcode district, not a full postcode.")


@pytest.mark.realdata
def test_bulk_answers_are_kept_nowhere_and_point_answers_only_by_the_browser(client):
    bulk = client.post(
        "/api/v1/postcodes", {"postcodes": ["E8 1DY"]}, content_type="application/json"
    )
    assert bulk.status_code == 200 and bulk["Cache-Control"] == "no-store"
    point = client.get("/api/v1/points", {"lat": "51.542", "lon": "-0.061"})
    assert point.status_code == 200 and point["Cache-Control"] == "private, max-age=60"
