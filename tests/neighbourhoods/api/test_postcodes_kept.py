"""A live postcode's API answer is kept as bytes per process, keyed by its row: the same row
gives the same bytes without building them again, and a changed row is a new answer at once.
"""

import json

import pytest

from neighbourhoods.api import postcodes as api_postcodes
from neighbourhoods.models import Postcode
from neighbourhoods.services.answers import answers_recompute
from tests.factories import LsoaFactory, NeighbourhoodFactory, PostcodeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def kept():
    api_postcodes.live_answer.cache_clear()
    yield api_postcodes.live_answer
    api_postcodes.live_answer.cache_clear()


def answer(client, path):
    response = client.get(path)
    assert response.status_code == 200, response.content
    return response, json.loads(response.content)


def test_the_same_row_is_answered_from_the_kept_bytes_in_one_read(
    client, kept, django_assert_num_queries
):
    postcode = PostcodeFactory(postcode="ZZ97 1AB")
    answers_recompute(postcode_ids=[postcode.pk])
    first, body = answer(client, "/api/postcodes/ZZ971AB")
    assert kept.cache_info().misses == 1 and kept.cache_info().hits == 0
    with django_assert_num_queries(1):  # the row is still read every time
        again, _ = answer(client, "/api/v1/postcodes/zz97%201ab")
    assert kept.cache_info().hits == 1
    assert again.content == first.content
    assert body["postcode"] == postcode.postcode and body["status"] in ("in_area", "out_of_area")
    assert again["Content-Type"] == "application/json"
    assert again["Cache-Control"] == "public, max-age=60, s-maxage=600"


def test_a_changed_answer_is_given_at_once(client, kept):
    neighbourhood = NeighbourhoodFactory()
    lsoa = LsoaFactory(neighbourhood=neighbourhood)
    postcode = PostcodeFactory(postcode="ZZ98 2CD", lsoa=lsoa, neighbourhood=neighbourhood)
    answers_recompute(neighbourhood_ids=[neighbourhood.pk])  # stored as set here
    _, before = answer(client, "/api/postcodes/ZZ982CD")
    old_name = neighbourhood.name
    neighbourhood.name = f"{old_name} Renamed"
    neighbourhood.save()  # its postcodes' answers are worked out again, in the same change
    _, after = answer(client, "/api/postcodes/ZZ982CD")
    assert before["neighbourhood"]["name"] == old_name
    assert after["neighbourhood"]["name"] == f"{old_name} Renamed"
    Postcode.objects.filter(pk=postcode.pk).update(terminated=True)
    gone = client.get("/api/postcodes/ZZ982CD")
    assert gone.status_code == 404
    assert json.loads(gone.content)["error"]["code"] == "postcode_terminated"


def test_only_live_postcodes_rows_are_kept(client, kept):
    ended = PostcodeFactory(postcode="ZZ99 3EF", terminated=True)
    answers_recompute(postcode_ids=[ended.pk])
    assert client.get("/api/postcodes/ZZ993EF").status_code == 404
    assert client.get("/api/postcodes/WC99ZZ").status_code == 404  # not in our data
    assert client.get("/api/postcodes/E8").status_code == 400  # a district
    assert kept.cache_info().currsize == 0
