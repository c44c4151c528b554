"""The API as on a date (?on=YYYY-MM-DD) and the areas of any boundary version, on the real
data: a second version is made by moving E8 1DY's LSOA today, the first dated yesterday."""

import datetime

import pytest
from django.utils import timezone

from neighbourhoods.models import BoundaryVersion, Neighbourhood, Postcode
from neighbourhoods.services.moves import lsoas_move

pytestmark = [pytest.mark.django_db, pytest.mark.realdata]

TODAY = timezone.localdate()
YESTERDAY = TODAY - datetime.timedelta(days=1)


@pytest.fixture
def moved():
    """E8 1DY's LSOA moved today to Well Street Common; every earlier version yesterday's."""
    BoundaryVersion.objects.update(published_at=timezone.now() - datetime.timedelta(days=1))
    before = BoundaryVersion.objects.latest()
    postcode = Postcode.objects.get(postcode="E8 1DY")
    home = postcode.neighbourhood
    target = Neighbourhood.objects.get(name="Well Street Common")
    assert home != target
    lsoas_move(lsoa_ids=[postcode.lsoa_id], neighbourhood=target, reason="API test")
    after = BoundaryVersion.objects.latest()
    assert after != before
    return {"postcode": postcode, "home": home, "target": target, "before": before, "after": after}


def version_ref(version):
    return {"id": version.pk, "published_at": timezone.localtime(version.published_at).isoformat()}


@pytest.mark.parametrize("prefix", ["/api/v1", "/api"])
def test_a_postcode_before_and_after_a_move(client, moved, prefix):
    then = client.get(f"{prefix}/postcodes/e81dy", {"on": YESTERDAY.isoformat()})
    now = client.get(f"{prefix}/postcodes/E8 1DY", {"on": TODAY.isoformat()})
    today = client.get(f"{prefix}/postcodes/E8 1DY").json()

    assert then.status_code == 200 and now.status_code == 200
    then, now = then.json(), now.json()
    home, target = moved["home"], moved["target"]
    assert then["neighbourhood"] == {
        "name": home.name,
        "slug": home.slug,
        "url": home.get_absolute_url(),
    }
    assert then["as_on"] == {
        "date": YESTERDAY.isoformat(),
        "boundary_version": version_ref(moved["before"]),
    }
    assert then["message"].startswith(f"On {YESTERDAY.day} {YESTERDAY:%B %Y}, E8 1DY was in the")
    assert f"boundary version {moved['before'].pk}" in then["message"]
    assert now["neighbourhood"]["name"] == target.name
    assert now["as_on"]["boundary_version"] == version_ref(moved["after"])
    # The rest is today's answer.
    for key in ("postcode", "local_authority", "location", "practices", "indicative"):
        assert then[key] == today[key]
    # Without ?on= nothing changes: no as_on, today's neighbourhood.
    assert "as_on" not in today
    assert today["neighbourhood"]["name"] == target.name


def test_a_point_before_and_after_a_move(client, moved):
    location = moved["postcode"].location
    asked = {"lat": location.y, "lon": location.x}

    then = client.get("/api/v1/points", {**asked, "on": YESTERDAY.isoformat()})
    now = client.get("/api/points", {**asked, "on": TODAY.isoformat()})
    today = client.get("/api/v1/points", asked).json()

    assert then.status_code == 200 and now.status_code == 200
    then, now = then.json(), now.json()
    assert then["neighbourhood"]["name"] == moved["home"].name
    assert then["as_on"]["boundary_version"]["id"] == moved["before"].pk
    assert "was in the area of the" in then["message"]
    assert now["neighbourhood"]["name"] == moved["target"].name
    assert now["as_on"]["boundary_version"]["id"] == moved["after"].pk
    assert then["local_authority"] == today["local_authority"]
    assert then["practices"] == today["practices"]
    assert "as_on" not in today


def test_a_future_date_answers_from_todays_version(client, moved):
    future = client.get("/api/v1/postcodes/E8 1DY", {"on": "9999-12-31"})
    assert future.status_code == 200
    body = future.json()
    assert body["neighbourhood"]["name"] == moved["target"].name
    assert body["as_on"] == {"date": "9999-12-31", "boundary_version": version_ref(moved["after"])}
    assert body["message"].startswith("On 31 December 9999, E8 1DY is in the")


POINT = {"lat": 51.5465, "lon": -0.0553}
ASKED = [
    ("/api/v1/postcodes/E8 1DY", {}),
    ("/api/postcodes/E8 1DY", {}),
    ("/api/v1/points", POINT),
    ("/api/v1/neighbourhoods", {}),
]


@pytest.mark.parametrize(("path", "params"), ASKED)
def test_a_date_before_the_first_version_is_a_404_saying_when_it_was(client, path, params):
    first = BoundaryVersion.objects.order_by("published_at").first()
    first = timezone.localdate(first.published_at)
    response = client.get(path, {**params, "on": "1999-12-31"})
    assert response.status_code == 404
    error = response.json()["error"]
    assert error["code"] == "no_boundary_version"
    assert error["message"] == (
        "No neighbourhood boundaries had been published by 31 December 1999. The first version "
        f"was published on {first.day} {first:%B %Y}."
    )


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("2026-02-30", "2026-02-30 is not a real date. Give a date that exists, like 2026-03-01."),
        ("2026-13-01", "2026-13-01 is not a real date. Give a date that exists, like 2026-03-01."),
        ("yesterday", "Give the date as YYYY-MM-DD, like 2026-03-01, not “yesterday”."),
        ("1700000000", "Give the date as YYYY-MM-DD, like 2026-03-01, not “1700000000”."),
        ("01/03/2026", "Give the date as YYYY-MM-DD, like 2026-03-01, not “01/03/2026”."),
        ("", "Give the date as YYYY-MM-DD, like 2026-03-01, not “”."),
    ],
)
@pytest.mark.parametrize(("path", "params"), ASKED)
def test_a_malformed_or_impossible_date_is_a_400_in_plain_english(
    client, path, params, value, message
):
    response = client.get(path, {**params, "on": value})
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"error": {"code": "invalid_date", "message": message}}


def test_a_postcode_outside_every_area_as_on_a_date(client):
    response = client.get("/api/v1/postcodes/SW1A 1AA", {"on": TODAY.isoformat()})
    body = response.json()
    assert response.status_code == 200
    assert body["status"] == "out_of_area" and body["neighbourhood"] is None
    assert body["message"].startswith(f"On {TODAY.day} {TODAY:%B %Y}, SW1A 1AA is in no ")
    assert "Today's answer: SW1A 1AA is outside City and Hackney" in body["message"]


def test_a_bad_point_and_a_bad_date_still_answer_400(client):
    response = client.get("/api/v1/points", {"lat": "x", "lon": "y", "on": "2026-01-01"})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_point"


def test_the_list_of_boundary_versions(client, moved):
    response = client.get("/api/v1/boundary-versions")
    assert response.status_code == 200
    versions = response.json()["versions"]
    assert len(versions) == BoundaryVersion.objects.count()
    newest = versions[0]
    assert newest == {
        **version_ref(moved["after"]),
        "note": "API test",
        "neighbourhoods": 8,
        "api_url": f"/api/v1/boundary-versions/{moved['after'].pk}/neighbourhoods",
    }
    assert versions[1]["id"] == moved["before"].pk
    assert client.get("/api/boundary-versions").json() == response.json()


def lsoas(collection, name):
    [feature] = [f for f in collection["features"] if f["properties"]["name"] == name]
    assert feature["geometry"]["type"] == "MultiPolygon"
    return feature["properties"]["lsoas"]


def test_each_versions_areas_as_geojson(client, moved):
    home, target = moved["home"].name, moved["target"].name
    before = client.get(f"/api/v1/boundary-versions/{moved['before'].pk}/neighbourhoods")
    after = client.get(
        f"/api/boundary-versions/{moved['after'].pk}/neighbourhoods", {"simplified": "true"}
    )

    assert before.status_code == 200 and before["Content-Type"] == "application/geo+json"
    before, after = before.json(), after.json()
    assert before["version"] == version_ref(moved["before"])
    assert len(before["features"]) == 8
    assert lsoas(after, target) == lsoas(before, target) + 1
    assert lsoas(after, home) == lsoas(before, home) - 1


def test_the_areas_as_on_a_date(client, moved):
    then = client.get("/api/v1/neighbourhoods", {"on": YESTERDAY.isoformat()}).json()
    now = client.get("/api/v1/neighbourhoods", {"on": TODAY.isoformat(), "simplified": "1"}).json()
    today = client.get("/api/v1/neighbourhoods").json()

    assert then["version"]["id"] == moved["before"].pk
    assert now["version"]["id"] == moved["after"].pk
    assert lsoas(now, moved["target"].name) == lsoas(then, moved["target"].name) + 1
    assert "version" not in today and "api_url" in today["features"][0]["properties"]


@pytest.mark.parametrize("version_id", ["999999", "2147483647"])
def test_an_unknown_version_is_a_404(client, version_id):
    response = client.get(f"/api/v1/boundary-versions/{version_id}/neighbourhoods")
    assert response.status_code == 404
    assert response.json()["error"] == {
        "code": "boundary_version_not_found",
        "message": f"There is no boundary version {version_id}. See /api/v1/boundary-versions.",
    }


@pytest.mark.parametrize("version_id", ["0", "-1", "abc", "99999999999999999999"])
def test_a_version_id_that_is_not_one_is_a_400(client, version_id):
    response = client.get(f"/api/v1/boundary-versions/{version_id}/neighbourhoods")
    assert response.status_code in (400, 404)
    assert response.json()["error"]["code"] in {"bad_request", "not_found"}
