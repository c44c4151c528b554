"""The API as on a date (?on=YYYY-MM-DD) on the small borough, published four times
(tests/neighbourhoods/conftest.py dated_versions): as built ten days ago; E8 1DY's LSOA moved to
Clissold Park three days ago at 23:30; Clissold Park renamed Clissold and Stoke Newington
today; E9 5AA's LSOA, in no neighbourhood until then, moved to it today."""

import datetime

import pytest
from django.utils import timezone

from neighbourhoods.models import BoundaryVersion
from tests.neighbourhoods.conftest import london

DAY = datetime.timedelta(days=1)


def day(date) -> str:
    return f"{date.day} {date:%B %Y}"


def ref(version) -> dict:
    return {"id": version.pk, "published_at": timezone.localtime(version.published_at).isoformat()}


@pytest.mark.parametrize("prefix", ["/api/v1", "/api"])
def test_a_postcode_before_and_after_a_move(dated_versions, client, prefix):
    built, moved, _, latest = dated_versions["versions"]
    first, second, today = (dated_versions[k] for k in ("first", "second", "today"))

    then = client.get(f"{prefix}/postcodes/e81dy", {"on": (second - DAY).isoformat()})
    moved_day = client.get(f"{prefix}/postcodes/E8 1DY", {"on": second.isoformat()})
    now = client.get(f"{prefix}/postcodes/E8 1DY", {"on": today.isoformat()})
    plain = client.get(f"{prefix}/postcodes/E8 1DY").json()

    assert then.status_code == moved_day.status_code == now.status_code == 200
    then, moved_day, now = then.json(), moved_day.json(), now.json()
    assert then["neighbourhood"] == {
        "name": "London Fields",
        "slug": "london-fields",
        "url": "/neighbourhoods/london-fields/",
    }
    assert then["as_on"] == {"date": (second - DAY).isoformat(), "boundary_version": ref(built)}
    assert then["message"] == (
        f"On {day(second - DAY)}, E8 1DY was in the London Fields neighbourhood (boundary "
        f"version {built.pk}, published on {day(first)}). The local authority and practices "
        "here are today's."
    )
    # Its name and slug as they were then; its page's address today's.
    assert moved_day["neighbourhood"] == {
        "name": "Clissold Park",
        "slug": "clissold-park",
        "url": "/neighbourhoods/clissold-and-stoke-newington/",
    }
    assert moved_day["as_on"]["boundary_version"] == ref(moved)
    assert now["neighbourhood"]["name"] == "Clissold and Stoke Newington"
    assert now["as_on"]["boundary_version"] == ref(latest)
    assert now["message"].startswith(f"On {day(today)}, E8 1DY is in the Clissold and Stoke")
    # The rest is today's answer; without ?on= nothing changes.
    for key in ("postcode", "status", "local_authority", "location", "practices", "indicative"):
        assert then[key] == plain[key], key
    assert [p["ods_code"] for p in then["practices"]] == ["F90001", "F90005", "F90002"]
    assert "as_on" not in plain
    assert plain["neighbourhood"]["slug"] == "clissold-and-stoke-newington"


def test_a_point_before_and_after_a_move(dated_versions, client):
    built, moved = dated_versions["versions"][:2]
    second = dated_versions["second"]
    asked = {"lat": "51.545", "lon": "-0.065"}  # E8 1DY's point, in H2

    then = client.get("/api/v1/points", {**asked, "on": (second - DAY).isoformat()})
    now = client.get("/api/points", {**asked, "on": second.isoformat()})
    plain = client.get("/api/v1/points", asked).json()

    assert then.status_code == now.status_code == 200
    then, now = then.json(), now.json()
    assert then["neighbourhood"]["slug"] == "london-fields"
    assert then["as_on"]["boundary_version"]["id"] == built.pk
    assert then["message"].startswith(
        f"On {day(second - DAY)}, this location was in the area of the London Fields neighbourhood"
    )
    assert now["neighbourhood"]["slug"] == "clissold-park"
    assert now["as_on"]["boundary_version"]["id"] == moved.pk
    for key in ("local_authority", "practices", "location", "status"):
        assert then[key] == plain[key], key
    assert "as_on" not in plain


def test_a_future_date_is_answered_from_todays_version(dated_versions, client):
    latest = dated_versions["versions"][-1]
    body = client.get("/api/v1/postcodes/E8 1DY", {"on": "9999-12-31"}).json()
    assert body["as_on"] == {"date": "9999-12-31", "boundary_version": ref(latest)}
    assert body["message"].startswith("On 31 December 9999, E8 1DY is in the Clissold and Stoke")


def test_in_no_neighbourhood_then_says_so_with_todays_answer(dated_versions, client):
    first = dated_versions["first"]
    then = client.get("/api/v1/postcodes/E9 5AA", {"on": first.isoformat()}).json()
    now = client.get("/api/v1/postcodes/E9 5AA", {"on": dated_versions["today"].isoformat()})

    assert then["neighbourhood"] is None
    assert then["status"] == "in_area"  # today's status: E9 5AA is in City and Hackney
    assert then["message"].startswith(f"On {day(first)}, E9 5AA was in no neighbourhood (")
    assert "Today's answer: E9 5AA is in the Clissold and Stoke Newington" in then["message"]
    assert now.json()["neighbourhood"]["slug"] == "clissold-and-stoke-newington"
    point = client.get("/api/v1/points", {"lat": "51.545", "lon": "-0.045",
                                          "on": first.isoformat()}).json()  # fmt: skip
    assert point["neighbourhood"] is None
    assert point["message"].startswith(f"On {day(first)}, this location was in no neighbourhood")


def test_outside_the_area_on_a_date(dated_versions, client):
    today = dated_versions["today"]
    for postcode, says in [("N1 1AA", "N1 1AA is in Islington"),
                           ("SW1A 1AA", "SW1A 1AA is outside City and Hackney")]:  # fmt: skip
        body = client.get(f"/api/v1/postcodes/{postcode}", {"on": today.isoformat()}).json()
        assert body["status"] == "out_of_area" and body["neighbourhood"] is None
        assert body["message"].startswith(f"On {day(today)}, {postcode} is in no neighbourhood")
        assert f"Today's answer: {says}" in body["message"]


@pytest.mark.parametrize(
    "postcode, code", [("E8 9ZY", "postcode_terminated"), ("E8 9ZZ", "postcode_not_found")]
)
def test_a_postcode_with_no_answer_has_none_on_a_date_either(
    dated_versions, client, postcode, code
):
    response = client.get(f"/api/v1/postcodes/{postcode}", {"on": dated_versions["first"]})
    assert response.status_code == 404
    assert response.json()["error"]["code"] == code


def test_the_areas_as_on_a_date(dated_versions, client):
    built, moved, _, latest = dated_versions["versions"]
    second = dated_versions["second"]

    def lsoas(collection):
        return {f["properties"]["slug"]: f["properties"]["lsoas"] for f in collection["features"]}

    then = client.get("/api/v1/neighbourhoods", {"on": (second - DAY).isoformat()})
    moved_day = client.get("/api/v1/neighbourhoods", {"on": second.isoformat(), "simplified": "1"})
    plain = client.get("/api/v1/neighbourhoods").json()

    assert then["Content-Type"] == "application/geo+json"
    assert then.json()["version"]["id"] == built.pk
    assert lsoas(then.json()) == {"london-fields": 3, "clissold-park": 1}
    assert moved_day.json()["version"]["id"] == moved.pk
    assert lsoas(moved_day.json()) == {"london-fields": 2, "clissold-park": 2}
    assert "version" not in plain
    assert {f["id"] for f in plain["features"]} == {"london-fields", "clissold-and-stoke-newington"}
    assert "api_url" in plain["features"][0]["properties"]


ASKED = [
    ("/api/v1/postcodes/E8 1DY", {}),
    ("/api/postcodes/E8 1DY", {}),
    ("/api/v1/points", {"lat": "51.545", "lon": "-0.065"}),
    ("/api/v1/neighbourhoods", {}),
    ("/api/v1/neighbourhoods", {"simplified": "1"}),
]


@pytest.mark.parametrize(("path", "params"), ASKED)
def test_a_date_before_the_first_version_is_a_404_saying_when_it_was(
    dated_versions, client, path, params
):
    first = dated_versions["first"]
    response = client.get(path, {**params, "on": (first - DAY).isoformat()})
    assert response.status_code == 404
    assert response.json()["error"] == {
        "code": "no_boundary_version",
        "message": f"No neighbourhood boundaries had been published by {day(first - DAY)}. "
        f"The first version was published on {day(first)}.",
    }
    assert client.get(path, {**params, "on": first.isoformat()}).status_code == 200


def test_before_any_version_at_all_the_404_says_none_was_published(borough, client):
    BoundaryVersion.objects.all().delete()
    response = client.get("/api/v1/postcodes/E8 1DY", {"on": "2026-01-01"})
    assert response.status_code == 404
    assert response.json()["error"]["message"] == (
        "No neighbourhood boundaries had been published by 1 January 2026. "
        "No boundaries have been published yet."
    )


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("2026-02-30", "2026-02-30 is not a real date. Give a date that exists, like 2026-03-01."),
        ("2026-13-01", "2026-13-01 is not a real date. Give a date that exists, like 2026-03-01."),
        ("yesterday", "Give the date as YYYY-MM-DD, like 2026-03-01, not “yesterday”."),
        ("1700000000", "Give the date as YYYY-MM-DD, like 2026-03-01, not “1700000000”."),
        ("", "Give the date as YYYY-MM-DD, like 2026-03-01, not “”."),
        # Whitespace is not part of a date: once ignored by /points and worded by pydantic
        # elsewhere; now refused alike by the one reader, as_on.date_asked.
        ("2026-01-01 ", "Give the date as YYYY-MM-DD, like 2026-03-01, not “2026-01-01 ”."),
        (" 2026-01-01", "Give the date as YYYY-MM-DD, like 2026-03-01, not “ 2026-01-01”."),
        ("2026-01-01\t", "Give the date as YYYY-MM-DD, like 2026-03-01, not “2026-01-01\t”."),
        ("2026-01-01\n", "Give the date as YYYY-MM-DD, like 2026-03-01, not “2026-01-01\n”."),
        ("2026-1-1", "Give the date as YYYY-MM-DD, like 2026-03-01, not “2026-1-1”."),
        ("２０２６-01-01", "Give the date as YYYY-MM-DD, like 2026-03-01, not “２０２６-01-01”."),
        ("2026-01-01T00", "Give the date as YYYY-MM-DD, like 2026-03-01, not “2026-01-01T00”."),
        ("0000-01-01", "0000-01-01 is not a real date. Give a date that exists, like 2026-03-01."),
    ],
)
@pytest.mark.parametrize(("path", "params"), ASKED)
def test_a_malformed_or_impossible_date_is_a_400_in_plain_english(
    borough, client, path, params, value, message
):
    response = client.get(path, {**params, "on": value})
    assert response.status_code == 400
    assert response.json() == {"error": {"code": "invalid_date", "message": message}}


def test_the_dates_edge_is_the_end_of_the_day_in_london(dated_versions, client):
    """The move was published at 23:30 London time: in force that day, not the day before."""
    second = dated_versions["second"]
    moved = dated_versions["versions"][1]
    assert timezone.localtime(moved.published_at) == london(second, 23, 30)
    on_the_day = client.get("/api/v1/postcodes/E8 1DY", {"on": second.isoformat()}).json()
    day_before = client.get("/api/v1/postcodes/E8 1DY", {"on": (second - DAY).isoformat()}).json()
    assert on_the_day["as_on"]["boundary_version"]["id"] == moved.pk
    assert day_before["as_on"]["boundary_version"]["id"] != moved.pk
