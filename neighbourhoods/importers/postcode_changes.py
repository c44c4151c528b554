"""What an import of postcodes or boundaries does to each neighbourhood's postcodes, in words.

A Data manager reading the preview of a new ONSPD, Code-Point Open or boundary release wants
to know, before anything changes, which neighbourhoods gain or lose postcodes: so many added,
so many moved in from another neighbourhood (or from none) or out to one, so many moved within
it (a new point, the same neighbourhood), so many terminated. `PostcodeChanges` notes the
postcodes of City and Hackney before the import (in a temporary table dropped with the
transaction) and compares their stored answers after it, inside the same transaction, so the
preview, which rolls everything back, and the applied import both report it.

City and Hackney hold about 6,000 live postcodes: the note and the comparison read those by the
authority index, whatever the size of the file (a national ONSPD has 2.7 million).
"""

from collections import Counter, defaultdict

from django.db import connection

from ..models import Postcode
from ..selectors import area_authority_codes

BEFORE = "postcode_changes_before"
# A postcode whose point moves less than this has not moved for anyone: a grid reference
# given to the metre, as ONSPD and Code-Point Open give it, lands up to 0.7 m from the point
# held when that point came from elsewhere.
MOVED_METRES = 1.0
NO_NEIGHBOURHOOD = "In City and Hackney but in no neighbourhood"

# The kinds of change, in the order a line gives them.
KINDS = ["added", "moved in", "moved out", "moved within", "terminated"]
WORDS = {
    "added": ("{n} added", "{n} would be added"),
    "moved in": ("{n} moved in", "{n} would move in"),
    "moved out": ("{n} moved out", "{n} would move out"),
    "moved within": ("{n} moved within it", "{n} would move within it"),
    "terminated": ("{n} terminated", "{n} would be terminated"),
}


class PostcodeChanges:
    def __init__(self):
        self.area_codes = area_authority_codes()

    def note_before(self):
        """Keep each area postcode's neighbourhood, point and status; call in the import's
        transaction, before it changes anything."""
        table = Postcode._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {BEFORE}")
            cursor.execute(
                f"""
                CREATE TEMPORARY TABLE {BEFORE} ON COMMIT DROP AS
                SELECT id, answer -> 'neighbourhood' ->> 'name' AS neighbourhood, location,
                       terminated
                FROM {table} WHERE local_authority_code = ANY(%s)
                """,
                [self.area_codes],
            )
            cursor.execute(f"ALTER TABLE {BEFORE} ADD PRIMARY KEY (id)")

    def counts(self) -> dict[str, Counter]:
        """{neighbourhood name: Counter(kind: postcodes)} of what changed since note_before;
        call after the import's answers have been worked out."""
        table = Postcode._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(
                f"""
                SELECT b.id IS NOT NULL, b.neighbourhood,
                       p.answer -> 'neighbourhood' ->> 'name',
                       NOT ST_DWithin(b.location::geography, p.location::geography, %(metre)s),
                       COALESCE(b.terminated, false), p.terminated
                FROM {table} AS p LEFT JOIN {BEFORE} AS b ON b.id = p.id
                WHERE p.local_authority_code = ANY(%(areas)s)
                   OR p.id IN (SELECT id FROM {BEFORE})
                """,
                {"areas": self.area_codes, "metre": MOVED_METRES},
            )
            rows = cursor.fetchall()
        counts: dict[str, Counter] = defaultdict(Counter)
        for held, was_in, now_in, moved_point, was_terminated, terminated in rows:
            if not held:
                if not terminated:
                    counts[now_in or NO_NEIGHBOURHOOD]["added"] += 1
                continue
            if was_terminated and not terminated:  # in use again
                counts[now_in or NO_NEIGHBOURHOOD]["added"] += 1
            elif terminated and not was_terminated:
                counts[was_in or NO_NEIGHBOURHOOD]["terminated"] += 1
            elif terminated:
                continue
            elif was_in != now_in:
                counts[now_in or NO_NEIGHBOURHOOD]["moved in"] += 1
                counts[was_in or NO_NEIGHBOURHOOD]["moved out"] += 1
            elif moved_point and now_in:
                counts[now_in]["moved within"] += 1
        return {name: counts[name] for name in sorted(counts, key=_order)}

    def lines(self, *, preview: bool) -> list[str]:
        """One line a neighbourhood whose postcodes change, or one line saying none do."""
        counts = self.counts()
        if not counts:
            return ["Postcodes in the neighbourhoods: none would change." if preview
                    else "Postcodes in the neighbourhoods: none changed."]  # fmt: skip
        heading = "Postcodes in each neighbourhood" + (" (would change):" if preview else ":")
        return [heading] + [
            f"{name}: "
            + ", ".join(
                WORDS[kind][preview].format(n=f"{count[kind]:,}") for kind in KINDS if count[kind]
            )
            for name, count in counts.items()
        ]


def _order(name: str):
    return (name == NO_NEIGHBOURHOOD, name)
