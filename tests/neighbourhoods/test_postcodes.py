"""The postcode value object: normalised once, wherever a postcode enters."""

import pytest

from neighbourhoods.postcodes import ParsedPostcode


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("E8 1DY", "E8 1DY"),
        ("e81dy", "E8 1DY"),
        ("  E8 1DY  ", "E8 1DY"),
        ("E8\t1DY", "E8 1DY"),
        ("E8-1DY", "E8 1DY"),
        ("e8.1dy", "E8 1DY"),
        ("\tE8 1DY ", "E8 1DY"),
        ("EC1A 7HF", "EC1A 7HF"),
        ("ec1a7hf", "EC1A 7HF"),
        ("N16 9JT", "N16 9JT"),
        ("Ｅ８ １ＤＹ", "E8 1DY"),  # full-width characters typed on some phones
        ("E8", "E8"),
        ("n16", "N16"),
        ("EC1A", "EC1A"),
    ],
)
def test_case_and_spaces_never_matter(raw, expected):
    assert ParsedPostcode.parse(raw).with_space == expected


@pytest.mark.parametrize(
    "raw",
    ["", "   ", "hello", "E8 1D", "12345", "E8 1DYY", "<script>alert(1)</script>",
     "'; DROP TABLE postcodes; --", "E8\x001DY", "E8\u202e1DY", "E8é 1DY", "قسم", "x" * 10_000,
     # A character a postcode never has: once dropped, so the first became OR11.
     "' OR '1'='1' --", "E8--1DY", "-E8 1DY", "E8;1DY", "=E8 1DY", '"E8 1DY"', "E8 1DY\n"],
)  # fmt: skip
def test_things_that_are_not_postcodes_parse_to_none(raw):
    assert ParsedPostcode.parse(raw) is None


def test_full_postcode_and_district_are_told_apart():
    full, district = ParsedPostcode.parse("E8 1DY"), ParsedPostcode.parse("E8")
    assert full.is_full and not district.is_full
    assert full.outcode == district.outcode == "E8"
    assert full.without_space == "E81DY"
    assert str(full) == "E8 1DY"


@pytest.mark.parametrize(
    "metres, said", [(580, "580 metres"), (994, "990 metres"), (996, "1.0 km"), (1775, "1.8 km")]
)
def test_distances_are_said_as_people_say_them(metres, said):
    from neighbourhoods.templatetags.portal import distance

    assert distance(metres) == said


@pytest.mark.parametrize("raw", ["' OR '1'='1' --", "E8--1D", "E8 1D;", "E8 'D"])
def test_punctuation_is_not_read_as_a_postcode_typed_in_part(raw):
    assert ParsedPostcode.parse_partial(raw) is None
