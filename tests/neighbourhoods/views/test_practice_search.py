"""Practice search on factory-built practices: the start of a postcode finds the practices
there, and every word of a search must match."""

import pytest

from neighbourhoods.models import Practice
from tests.factories import PracticeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def practices():
    made = [
        ("Athena Medical Centre", "21 Atherden Road\nLondon", "E5 0QP"),
        ("Lower Clapton General Practice", "36 Lower Clapton Road\nLondon", "E5 0RD"),
        ("Healy Medical Centre", "175 Lower Clapton Road\nLondon", "E5 9DH"),
        ("Well Street Surgery", "28 Gore Road\nLondon", "E9 7TA"),
        ("Elsdale Street Surgery", "28 Elsdale Street\nLondon", "E9 6QY"),
        ("The Lea Surgery", "186 Homerton High Street\nLondon", "E9 6AG"),
        ("Latimer Health Centre", "4 Homerton Terrace\nLondon", "E9 6RT"),
        ("Barton House Group Practice", "233 Albion Road\nLondon", "N16 9JT"),
    ]
    return [
        PracticeFactory(name=n, ods_name=n.upper(), address=a, postcode=pc) for n, a, pc in made
    ]


def names(query):
    return [p.name for p in Practice.objects.search(query)]


@pytest.mark.parametrize("query", ["E5 0", "e5 0", " E5  0 "])
def test_the_start_of_a_postcode_finds_the_practices_there(practices, query):
    assert names(query) == ["Athena Medical Centre", "Lower Clapton General Practice"]


def test_a_district_finds_its_practices_and_a_full_postcode_its_own(practices):
    assert names("E5") == [
        "Athena Medical Centre", "Healy Medical Centre", "Lower Clapton General Practice"
    ]  # fmt: skip
    assert names("E5 0QP") == ["Athena Medical Centre"]


@pytest.mark.parametrize(
    "query, found",
    [
        ("well street surgery", ["Well Street Surgery"]),  # not Elsdale Street Surgery
        ("homerton high street", ["The Lea Surgery"]),  # not Latimer, in Homerton Terrace
        ("homerton road", []),  # no practice is in a Homerton Road
        ("lower clapton", ["Lower Clapton General Practice", "Healy Medical Centre"]),
        ("bartn", ["Barton House Group Practice"]),  # a typo still finds it
        ("bartn house", ["Barton House Group Practice"]),  # in a search of several words too
    ],
)
def test_every_word_of_a_search_must_match(practices, query, found):
    assert names(query) == found


def test_the_page_finds_practices_by_the_start_of_a_postcode(practices, client):
    html = client.get("/practices/", {"q": "E5 0"}).content.decode()
    assert "Athena Medical Centre" in html and "Lower Clapton General Practice" in html
    assert "Healy Medical Centre" not in html
