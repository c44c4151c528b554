"""Loading postcodes from any source: staged in a temporary table, then only what differs changes.

Both Code-Point Open and the ONS Postcode Directory give British National Grid eastings and
northings; PostGIS turns them into WGS84 points, so the two sources agree to the millimetre.
"""

import csv
import datetime
import io
from dataclasses import dataclass

from django.db import connection

from neighbourhoods.geography import ICB_FOR_AUTHORITY
from neighbourhoods.models import LocalAuthority, Postcode
from neighbourhoods.postcodes import ParsedPostcode

from .base import SourceFileError, Summary, quote


@dataclass(frozen=True)
class PostcodeRow:
    postcode: ParsedPostcode
    easting: int
    northing: int
    positional_quality: int | None
    local_authority_code: str
    ward_code: str
    terminated_on: datetime.date | None = None
    terminated: bool = False


class Staging:
    """Collects rows, refusing a malformed or repeated postcode with where it was found.

    Postcodes with no grid reference (easting and northing 0, as for PO boxes) cannot be
    placed on the map: they are counted and left out.
    """

    def __init__(self, name=""):
        self.name = name  # the file or folder the rows came from, for messages
        self.rows: dict[str, PostcodeRow] = {}
        self.without_location = 0

    def add(self, raw_postcode: str, where: str, **fields):
        if not fields["easting"] and not fields["northing"]:
            self.without_location += 1
            return
        postcode = ParsedPostcode.parse(raw_postcode)
        if postcode is None or not postcode.is_full:
            raise SourceFileError(
                f"{where}: {quote(raw_postcode)} is not a postcode. Correct the file, or "
                "download it again."
            )
        if postcode.with_space in self.rows:
            raise SourceFileError(
                f"{where}: {postcode} appears more than once. Correct the file, or download it "
                "again."
            )
        self.rows[postcode.with_space] = PostcodeRow(postcode=postcode, **fields)

    def __len__(self):
        return len(self.rows)


COLUMNS = [
    "postcode", "outcode", "easting", "northing", "positional_quality",
    "local_authority_code", "ward_code", "terminated", "terminated_on",
]  # fmt: skip


def _as_csv(staging: Staging) -> io.StringIO:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in staging.rows.values():
        writer.writerow(
            [
                row.postcode.with_space,
                row.postcode.outcode,
                row.easting,
                row.northing,
                "" if row.positional_quality is None else row.positional_quality,
                row.local_authority_code,
                row.ward_code,
                "t" if row.terminated else "f",
                row.terminated_on.isoformat() if row.terminated_on else "",
            ]
        )
    buffer.seek(0)
    return buffer


def save_postcodes(staging: Staging, *, source: str, summary: Summary, guard, retire_areas=None):
    """Insert new postcodes, update changed ones. With retire_areas (postcode areas such as
    "E" or "EC", each with the name of the file read whole for it), a postcode of this source
    in those areas that the files no longer list is marked terminated: kept, so it still gets
    an answer.

    `guard(file=, verb=, lost=, total=, what=)` is asked before live postcodes are terminated,
    and refuses (raises) when too many would be.

    Returns the ids of the postcodes added or changed, whose answers need working out.
    Call inside a transaction.
    """
    table = Postcode._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            """
            CREATE TEMPORARY TABLE incoming_postcode (
                postcode varchar(8) PRIMARY KEY, outcode varchar(4), easting integer,
                northing integer, positional_quality smallint, local_authority_code varchar(9),
                ward_code varchar(9), terminated boolean, terminated_on date
            ) ON COMMIT DROP
            """
        )
        cursor.copy_expert(
            f"COPY incoming_postcode ({', '.join(COLUMNS)}) FROM STDIN WITH (FORMAT csv, "
            "FORCE_NOT_NULL (local_authority_code, ward_code))",
            _as_csv(staging),
        )
        cursor.execute(
            """
            ALTER TABLE incoming_postcode ADD COLUMN location geometry(Point, 4326);
            UPDATE incoming_postcode
            SET location = ST_Transform(ST_SetSRID(ST_MakePoint(easting, northing), 27700), 4326);
            """
        )
        # A few postcodes carry no local-authority code; the borough their point is in does.
        cursor.execute(
            f"""
            UPDATE incoming_postcode AS i SET local_authority_code = a.gss_code
            FROM {LocalAuthority._meta.db_table} AS a
            WHERE i.local_authority_code = '' AND ST_Covers(a.boundary, i.location)
            """
        )
        if cursor.rowcount:
            summary.note(
                f"{cursor.rowcount} postcode(s) without a local-authority code were given the "
                "borough their point falls in."
            )
        cursor.execute(
            f"""
            SELECT count(*) FILTER (WHERE i.terminated),
                   (SELECT count(*) FROM {table} WHERE NOT terminated)
            FROM {table} AS p JOIN incoming_postcode AS i ON i.postcode = p.postcode
            WHERE NOT p.terminated
            """
        )
        newly_terminated, live = cursor.fetchone()
        guard(file=staging.name, verb="terminate", lost=newly_terminated, total=live,
              what="live postcodes")  # fmt: skip
        cursor.execute(
            f"""
            UPDATE {table} AS p
            SET outcode = i.outcode, location = i.location,
                positional_quality = i.positional_quality,
                local_authority_code = i.local_authority_code, ward_code = i.ward_code,
                terminated = i.terminated, terminated_on = i.terminated_on, source = %(source)s
            FROM incoming_postcode AS i
            WHERE p.postcode = i.postcode
              AND (ST_AsEWKB(p.location), p.positional_quality, p.local_authority_code,
                   p.ward_code, p.terminated, p.terminated_on, p.source, p.outcode)
                  IS DISTINCT FROM
                  (ST_AsEWKB(i.location), i.positional_quality, i.local_authority_code,
                   i.ward_code, i.terminated, i.terminated_on, %(source)s::varchar, i.outcode)
            RETURNING p.id
            """,
            {"source": source},
        )
        changed = [r[0] for r in cursor.fetchall()]
        cursor.execute(
            f"""
            INSERT INTO {table} (postcode, outcode, location, positional_quality,
                local_authority_code, ward_code, terminated, terminated_on, source)
            SELECT i.postcode, i.outcode, i.location, i.positional_quality,
                   i.local_authority_code, i.ward_code, i.terminated, i.terminated_on, %(source)s
            FROM incoming_postcode AS i
            WHERE NOT EXISTS (SELECT 1 FROM {table} AS p WHERE p.postcode = i.postcode)
            RETURNING id
            """,
            {"source": source},
        )
        added = [r[0] for r in cursor.fetchall()]
        retired = 0
        if retire_areas:
            cursor.execute(
                f"""
                SELECT substring(p.outcode from '^[A-Z]+') AS area, count(*),
                       count(*) FILTER (WHERE NOT EXISTS (
                           SELECT 1 FROM incoming_postcode AS i WHERE i.postcode = p.postcode))
                FROM {table} AS p
                WHERE p.source = %(source)s AND NOT p.terminated
                  AND substring(p.outcode from '^[A-Z]+') = ANY(%(areas)s)
                GROUP BY area ORDER BY area
                """,
                {"source": source, "areas": [a.upper() for a in retire_areas]},
            )
            by_area = {a.upper(): f for a, f in retire_areas.items()}
            for area, live_in_area, leaving in cursor.fetchall():
                guard(file=by_area[area], verb="terminate", lost=leaving, total=live_in_area,
                      what="live postcodes")  # fmt: skip
            cursor.execute(
                f"""
                UPDATE {table} AS p SET terminated = true
                WHERE p.source = %(source)s AND NOT p.terminated
                  AND substring(p.outcode from '^[A-Z]+') = ANY(%(areas)s)
                  AND NOT EXISTS (
                      SELECT 1 FROM incoming_postcode AS i WHERE i.postcode = p.postcode
                  )
                """,
                {"source": source, "areas": [a.upper() for a in retire_areas]},
            )
            retired = cursor.rowcount
        cursor.execute("DROP TABLE incoming_postcode")

    summary.count("Postcodes", "added", len(added))
    summary.count("Postcodes", "changed", len(changed))
    summary.count("Postcodes", "unchanged", len(staging) - len(added) - len(changed))
    summary.left_out += staging.without_location
    if staging.without_location:
        summary.note(f"{staging.without_location} postcode(s) with no grid reference left out.")
    if retired:
        summary.count("Postcodes", "removed", retired)
        summary.note(f"{retired} postcode(s) no longer listed were marked terminated, not deleted.")
    return added + changed


def save_authority_names(names: dict[str, str], summary: Summary):
    """Create or rename local authorities from a code list (GSS code -> name)."""
    existing = {a.gss_code: a for a in LocalAuthority.objects.filter(gss_code__in=names)}
    for code, name in sorted(names.items()):
        authority = existing.get(code)
        if authority is None:
            LocalAuthority.objects.create(
                gss_code=code, name=name, nhs_body=ICB_FOR_AUTHORITY.get(code, "")
            )
            summary.count("Local authorities", "added")
        elif authority.name != name or (not authority.nhs_body and ICB_FOR_AUTHORITY.get(code)):
            authority.name = name
            authority.nhs_body = authority.nhs_body or ICB_FOR_AUTHORITY.get(code, "")
            authority.save(update_fields=["name", "nhs_body"])
            summary.count("Local authorities", "changed")
        else:
            summary.count("Local authorities", "unchanged")
