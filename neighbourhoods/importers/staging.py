"""Loading postcodes from any source: staged in a temporary table, then only what differs changes.

Both Code-Point Open and the ONS Postcode Directory give British National Grid eastings and
northings; PostGIS turns them into WGS84 points, so the two sources agree to the millimetre.
"""

import datetime
import io
from contextlib import contextmanager
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, connection, transaction

from ..models import LocalAuthority, Postcode, Ward
from ..postcodes import ParsedPostcode
from ..selectors import area_authority_codes
from ..stored_answer import degrees
from .base import SourceFileError, Summary, quote
from .geography import ICB_FOR_AUTHORITY

COLUMNS = [
    "postcode", "outcode", "easting", "northing", "positional_quality",
    "local_authority_code", "ward_code", "terminated", "terminated_on", "file", "line",
]  # fmt: skip
STAGING_TABLE = "incoming_postcode"
BATCH_ROWS = 50_000
# Where a postcode's point comes from: its grid reference, transformed to WGS84 by PostGIS.
LOCATION = "ST_Transform(ST_SetSRID(ST_MakePoint(i.easting, i.northing), 27700), 4326)"


class Staging:
    """Streams postcode rows into a temporary table through COPY, BATCH_ROWS at a time, so a
    national file is never held in memory; refuses a malformed postcode with where it was
    found (a repeated one is found by save_postcodes, in the table).

    Postcodes with no grid reference (easting and northing 0, as for PO boxes) cannot be
    placed on the map: they are counted and left out. Make it inside the import's
    transaction: the table is dropped at its end.
    """

    def __init__(self, name=""):
        self.name = name  # the file or folder the rows came from, for messages
        self.count = 0
        self.without_location = 0
        self.authority_codes: set[str] = set()
        self.ward_codes: set[str] = set()
        self.files: list[str] = []  # the files rows came from, by number, for messages
        self.buffer: list[str] = []  # rows not yet copied, as lines of COPY's text format
        with connection.cursor() as cursor:
            cursor.execute(
                f"""
                DROP TABLE IF EXISTS {STAGING_TABLE};
                CREATE TEMPORARY TABLE {STAGING_TABLE} (
                    postcode varchar(8), outcode varchar(4), easting integer, northing integer,
                    positional_quality smallint, local_authority_code varchar(9),
                    ward_code varchar(9), terminated boolean, terminated_on date,
                    file smallint, line integer
                ) ON COMMIT DROP
                """
            )

    def file_number(self, name: str) -> int:
        """The number rows from this file are staged with (for add_checked)."""
        if not self.files or self.files[-1] != name:
            self.files.append(name)
        return len(self.files) - 1

    def add(self, raw_postcode: str, *, file: str, line: int, easting: int, northing: int,
            positional_quality: int | None, local_authority_code: str, ward_code: str,
            terminated_on: datetime.date | None = None, terminated: bool = False):  # fmt: skip
        if not easting and not northing:
            self.without_location += 1
            return
        postcode = ParsedPostcode.parse(raw_postcode)
        if postcode is None or not postcode.is_full:
            raise SourceFileError(
                f"{file}, line {line}: {quote(raw_postcode)} is not a postcode. Correct the "
                "file, or download it again."
            )
        self.add_checked(
            postcode.with_space, postcode.outcode, self.file_number(file), line, easting,
            northing, positional_quality, local_authority_code, ward_code, terminated,
            terminated_on.isoformat() if terminated_on else None,
        )  # fmt: skip

    def add_checked(self, postcode, outcode, file, line, easting, northing, quality,
                    authority, ward, terminated, terminated_on):  # fmt: skip
        """Stage a row whose values are already checked: the postcode with its space, its
        outcode, GSS codes as in the file (never a tab or backslash), terminated_on as
        YYYY-MM-DD or None."""
        self.authority_codes.add(authority)
        self.ward_codes.add(ward)
        self.buffer.append(
            f"{postcode}\t{outcode}\t{easting}\t{northing}\t"
            f"{NULL if quality is None else quality}\t{authority}\t{ward}\t"
            f"{'t' if terminated else 'f'}\t{terminated_on or NULL}\t{file}\t{line}\n"
        )
        if len(self.buffer) >= BATCH_ROWS:
            self.flush()

    def flush(self, *, when_full=False):
        """COPY the rows staged so far; with when_full, only once there are BATCH_ROWS."""
        if not self.buffer or (when_full and len(self.buffer) < BATCH_ROWS):
            return
        data = io.StringIO("".join(self.buffer))
        self.count += len(self.buffer)
        self.buffer.clear()
        with connection.cursor() as cursor:
            cursor.copy_expert(f"COPY {STAGING_TABLE} ({', '.join(COLUMNS)}) FROM STDIN", data)

    def __len__(self):
        return self.count + len(self.buffer)


NULL = "\\N"


def _refuse_repeats(cursor, staging: Staging):
    """Index the staged postcodes, refusing the first line that repeats an earlier one."""
    try:
        with transaction.atomic():
            cursor.execute(f"CREATE UNIQUE INDEX ON {STAGING_TABLE} (postcode)")
    except IntegrityError:
        cursor.execute(
            f"""
            SELECT postcode, file, line FROM (
                SELECT postcode, file, line,
                       row_number() OVER (PARTITION BY postcode ORDER BY file, line) AS n
                FROM {STAGING_TABLE}
            ) AS listed
            WHERE n = 2 ORDER BY file, line LIMIT 1
            """
        )
        postcode, file, line = cursor.fetchone()
        raise SourceFileError(
            f"{staging.files[file]}, line {line}: {postcode} appears more than once. Correct "
            "the file, or download it again."
        ) from None
    cursor.execute(f"ANALYZE {STAGING_TABLE}")


# A point in British National Grid metres, as staged.
GRID_POINT = "ST_SetSRID(ST_MakePoint(i.easting, i.northing), 27700)"


@dataclass(frozen=True)
class Misplaced:
    """A staged postcode whose point moves far from where the portal has it, or lies outside
    its own local authority's boundary."""

    file: str
    line: int
    postcode: str
    moved: float | None  # metres from the point held, None for a new postcode
    outside_by: float | None  # metres outside its authority's boundary, None if within
    authority: str  # "Hackney (E09000012)"

    def __str__(self):
        what = []
        if self.moved is not None and self.moved > settings.PORTAL_IMPORT_MAX_MOVE_METRES:
            what.append(f"would move {_distance(self.moved)} from where the portal has it")
        if self.outside_by is not None:
            what.append(f"lies {_distance(self.outside_by)} outside {self.authority}, its own "
                        "local authority")  # fmt: skip
        return f"{self.file}, line {self.line}: {self.postcode} {' and '.join(what)}"


def _distance(metres: float) -> str:
    return f"{metres / 1000:,.1f} km" if metres >= 10_000 else f"{metres:,.0f} m"


def _misplaced(cursor, staging: Staging) -> list[Misplaced]:
    """The staged postcodes whose point is not to be believed without asking: one that moves
    more than PORTAL_IMPORT_MAX_MOVE_METRES from the point held, or, new or moved, that lies
    more than PORTAL_IMPORT_BOUNDARY_TOLERANCE_METRES outside its own local authority's
    boundary, where the portal holds that boundary (the place's boroughs and their
    neighbours; a national file's other postcodes can be checked only by how far they move).
    The grid's box alone lets through Dublin, Calais and the Strait of Dover."""
    table = Postcode._meta.db_table
    authority_table = LocalAuthority._meta.db_table
    cursor.execute(
        f"""
        WITH bounds AS MATERIALIZED (
            SELECT gss_code, ST_Subdivide(ST_Transform(boundary, 27700), 255) AS part
            FROM {authority_table}
            WHERE boundary IS NOT NULL
              AND gss_code IN (SELECT DISTINCT local_authority_code FROM {STAGING_TABLE})
        ),
        bounded AS MATERIALIZED (SELECT DISTINCT gss_code FROM bounds),
        candidates AS (
            SELECT i.postcode, i.file, i.line, i.local_authority_code AS authority,
                   {GRID_POINT} AS point,
                   CASE WHEN p.id IS NOT NULL
                        THEN ST_Distance(ST_Transform(p.location, 27700), {GRID_POINT}) END
                       AS moved
            FROM {STAGING_TABLE} AS i LEFT JOIN {table} AS p ON p.postcode = i.postcode
            WHERE (p.id IS NULL AND i.local_authority_code IN (SELECT gss_code FROM bounded))
               OR (p.id IS NOT NULL AND p.location IS DISTINCT FROM {LOCATION})
        ),
        checked AS (
            SELECT c.*, CASE WHEN c.authority IN (SELECT gss_code FROM bounded)
                             AND NOT EXISTS (
                                 SELECT 1 FROM bounds AS b
                                 WHERE b.gss_code = c.authority
                                   AND ST_DWithin(b.part, c.point, %(tolerance)s))
                        THEN (SELECT min(ST_Distance(b.part, c.point)) FROM bounds AS b
                              WHERE b.gss_code = c.authority) END AS outside_by
            FROM candidates AS c
        )
        SELECT c.file, c.line, c.postcode, c.moved, c.outside_by,
               COALESCE(a.name || ' (' || c.authority || ')', c.authority)
        FROM checked AS c LEFT JOIN {authority_table} AS a ON a.gss_code = c.authority
        WHERE c.moved > %(max_move)s OR c.outside_by IS NOT NULL
        ORDER BY c.file, c.line
        """,
        {
            "tolerance": settings.PORTAL_IMPORT_BOUNDARY_TOLERANCE_METRES,
            "max_move": settings.PORTAL_IMPORT_MAX_MOVE_METRES,
        },
    )
    return [
        Misplaced(staging.files[file], line, postcode, moved, outside_by, authority)
        for file, line, postcode, moved, outside_by, authority in cursor.fetchall()
    ]


# The answer of a postcode outside City and Hackney, exactly as services.ANSWER_SQL stores it
# for a postcode with no neighbourhood: its point, its local authority, no practices. New
# postcodes outside the area are inserted with it, so that a national load writes each row
# once; tests/test_national_import.py proves services would store the same. It is written as
# JSON text and read once as jsonb, with everything after the point worked out once per local
# authority (AUTHORITY_PART): about a third of the cost of building each answer with
# jsonb_build_object, over millions of rows (docs/performance.md).
OUTSIDE_ANSWER = f"""
('{{"latitude": ' || {degrees("ST_Y(i.location)")}
 || ', "longitude": ' || {degrees("ST_X(i.location)")}
 || COALESCE(la.local_authority, ', "local_authority": null')
 || ', "neighbourhood": null'
 || COALESCE(wd.ward, ', "ward": null')
 || ', "practices": []}}'
)::jsonb
"""
AUTHORITY_PART = """
SELECT gss_code, ', "local_authority": '
       || jsonb_build_object('name', name, 'nhs_body', nhs_body)::text AS local_authority
FROM {authority_table}
"""
WARD_PART = """
SELECT gss_code, ', "ward": '
       || jsonb_build_object('gss_code', gss_code, 'name', name)::text AS ward
FROM {ward_table}
"""


@contextmanager
def _indexes_rebuilt_after(cursor, table, *, when: bool):
    """When a load more than doubles the table (a first national load), its secondary
    indexes, unique constraints and foreign keys are dropped while the rows go in, and made
    again afterwards from their own definitions: building an index from all the rows at once,
    and checking a foreign key with one query, are several times faster than doing either row
    by row (docs/performance.md has the figures). The primary key stays, and so does a unique
    key another table's foreign key relies on. The rows put in are already known to be unique
    (no postcode repeats in the staging table, none is held already), so every constraint
    comes back as it was. In the import's transaction, so a refusal or failure puts them back
    as they were; lookups wait for the import to commit meanwhile."""
    if not when:
        yield
        return
    cursor.execute(
        """
        SELECT c.conname, pg_get_constraintdef(c.oid) FROM pg_constraint AS c
        WHERE c.conrelid = %(table)s::regclass AND c.contype IN ('u', 'f')
          AND NOT EXISTS (SELECT 1 FROM pg_constraint AS r
                          WHERE r.contype = 'f' AND r.conindid = c.conindid
                            AND r.confrelid = %(table)s::regclass)
        ORDER BY c.contype DESC, c.conname
        """,
        {"table": table},
    )
    constraints = cursor.fetchall()  # unique keys first: made again in this order
    cursor.execute(
        """
        SELECT c.relname, pg_get_indexdef(c.oid)
        FROM pg_index AS x JOIN pg_class AS c ON c.oid = x.indexrelid
        WHERE x.indrelid = %s::regclass AND NOT x.indisunique AND NOT x.indisprimary
        ORDER BY c.relname
        """,
        [table],
    )
    indexes = cursor.fetchall()
    # Foreign-key checks still pending on the table (Django's foreign keys are all INITIALLY
    # DEFERRED) run now: a table with pending checks cannot be altered.
    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    for name, _ in constraints:
        cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
    for name, _ in indexes:
        cursor.execute(f'DROP INDEX "{name}"')
    yield
    cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
    for _, definition in indexes:
        cursor.execute(definition)
    for name, definition in constraints:
        cursor.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
    cursor.execute(f"ANALYZE {table}")


def save_postcodes(staging: Staging, *, source: str, summary: Summary, guard, moves,
                   retire_areas=None):  # fmt: skip
    """Insert new postcodes, update changed ones. With retire_areas (postcode areas such as
    "E" or "EC", each with the name of the file read whole for it), a postcode of this source
    in those areas that the files no longer list is marked terminated: kept, so it still gets
    an answer.

    `guard(file=, verb=, lost=, total=, what=)` is asked before live postcodes are terminated,
    and refuses (raises) when too many would be. `moves(misplaced)` is asked, before anything
    is saved, about the postcodes whose points move far or lie outside their own local
    authority (_misplaced), and refuses (raises) unless they are allowed.

    Returns the ids of the postcodes added or changed whose answers need working out: new
    postcodes outside City and Hackney are inserted with their answer.
    Call inside a transaction.
    """
    staging.flush()
    table = Postcode._meta.db_table
    authority_table = LocalAuthority._meta.db_table
    authority_part = AUTHORITY_PART.format(authority_table=authority_table)
    ward_part = WARD_PART.format(ward_table=Ward._meta.db_table)
    area_codes = area_authority_codes()
    with connection.cursor() as cursor:
        _refuse_repeats(cursor, staging)
        # A few postcodes carry no local-authority code; the borough their point is in does.
        cursor.execute(
            f"""
            UPDATE {STAGING_TABLE} AS i SET local_authority_code = a.gss_code
            FROM {authority_table} AS a
            WHERE i.local_authority_code = '' AND ST_Covers(a.boundary, {LOCATION})
            """
        )
        if cursor.rowcount:
            summary.note(
                f"{cursor.rowcount:,} postcode(s) without a local-authority code "
                f"{summary.would('were', 'would be')} given the borough their point falls in."
            )
        if misplaced := _misplaced(cursor, staging):
            moves(misplaced)
        cursor.execute(f"SELECT count(*) FILTER (WHERE NOT terminated), count(*) FROM {table}")
        live, held = cursor.fetchone()
        # One pass over the staged postcodes already held: how many there are, how many live
        # ones they would terminate, and which differ from what is held (geometry's `=` is
        # exact: the same coordinates, to the last bit).
        cursor.execute(
            f"""
            SELECT count(*), count(*) FILTER (WHERE i.terminated AND NOT p.terminated),
                   COALESCE(array_agg(p.id) FILTER (WHERE
                       (p.location, p.positional_quality, p.local_authority_code, p.ward_code,
                        p.terminated, p.terminated_on, p.source, p.outcode)
                       IS DISTINCT FROM
                       ({LOCATION}, i.positional_quality, i.local_authority_code, i.ward_code,
                        i.terminated, i.terminated_on, %(source)s::varchar, i.outcode)
                   ), '{{}}')
            FROM {table} AS p JOIN {STAGING_TABLE} AS i ON i.postcode = p.postcode
            """,
            {"source": source},
        )
        matched, newly_terminated, differing = cursor.fetchone()
        incoming = len(staging)
        guard(file=staging.name, verb="terminate", lost=newly_terminated, total=live,
              what="live postcodes")  # fmt: skip
        changed = []
        if differing:
            cursor.execute(
                f"""
                UPDATE {table} AS p
                SET outcode = i.outcode, location = {LOCATION},
                    positional_quality = i.positional_quality,
                    local_authority_code = i.local_authority_code, ward_code = i.ward_code,
                    terminated = i.terminated, terminated_on = i.terminated_on,
                    source = %(source)s
                FROM {STAGING_TABLE} AS i
                WHERE p.id = ANY(%(ids)s::bigint[]) AND i.postcode = p.postcode
                RETURNING p.id
                """,
                {"source": source, "ids": differing},
            )
            changed = [r[0] for r in cursor.fetchall()]
        added, unanswered = 0, []
        with _indexes_rebuilt_after(cursor, table, when=incoming - matched > held):
            if incoming > matched:  # else every staged postcode is held: nothing to insert
                cursor.execute(
                    f"""
                WITH inserted AS (
                    INSERT INTO {table} (postcode, outcode, location, positional_quality,
                        local_authority_code, ward_code, terminated, terminated_on, source,
                        answer)
                    SELECT i.postcode, i.outcode, i.location, i.positional_quality,
                           i.local_authority_code, i.ward_code, i.terminated, i.terminated_on,
                           %(source)s,
                           CASE WHEN i.local_authority_code = ANY(%(area_codes)s) THEN NULL
                                ELSE {OUTSIDE_ANSWER} END
                    FROM (
                        -- each point transformed once (OFFSET 0 keeps the subquery whole)
                        SELECT i.*, {LOCATION} AS location FROM {STAGING_TABLE} AS i
                        WHERE NOT EXISTS (
                            SELECT 1 FROM {table} AS p WHERE p.postcode = i.postcode
                        )
                        OFFSET 0
                    ) AS i
                    LEFT JOIN ({authority_part}) AS la ON la.gss_code = i.local_authority_code
                    LEFT JOIN ({ward_part}) AS wd ON wd.gss_code = i.ward_code
                    RETURNING id, answer IS NULL AS unanswered
                )
                SELECT count(*), COALESCE(array_agg(id) FILTER (WHERE unanswered), '{{}}')
                FROM inserted
                """,
                    {"source": source, "area_codes": area_codes},
                )
                added, unanswered = cursor.fetchone()
        to_answer = changed + unanswered
        retired = 0
        if retire_areas:
            cursor.execute(
                f"""
                SELECT substring(p.outcode from '^[A-Z]+') AS area, count(*),
                       count(*) FILTER (WHERE NOT EXISTS (
                           SELECT 1 FROM {STAGING_TABLE} AS i WHERE i.postcode = p.postcode))
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
                      SELECT 1 FROM {STAGING_TABLE} AS i WHERE i.postcode = p.postcode
                  )
                RETURNING p.id
                """,
                {"source": source, "areas": [a.upper() for a in retire_areas]},
            )
            retired_ids = [r[0] for r in cursor.fetchall()]
            retired = len(retired_ids)
            to_answer += retired_ids
        cursor.execute(f"DROP TABLE {STAGING_TABLE}")

    summary.count("Postcodes", "added", added)
    summary.count("Postcodes", "changed", len(changed))
    summary.count("Postcodes", "unchanged", len(staging) - added - len(changed))
    summary.left_out += staging.without_location
    if staging.without_location:
        summary.note(
            f"{staging.without_location:,} postcode(s) with no grid reference "
            f"{summary.would('left out', 'would be left out')}."
        )
    if retired:
        summary.count("Postcodes", "removed", retired)
        summary.note(
            f"{retired:,} postcode(s) no longer listed "
            f"{summary.would('were', 'would be')} marked terminated, not deleted."
        )
    return to_answer


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


def save_ward_names(names: dict[str, str], summary: Summary) -> bool:
    """Create or rename wards from a code list (GSS code -> name); whether any was added or
    renamed (the answers that name them are then out of date)."""
    existing = {w.gss_code: w for w in Ward.objects.filter(gss_code__in=names)}
    new = [Ward(gss_code=code, name=name) for code, name in names.items() if code not in existing]
    Ward.objects.bulk_create(new)
    summary.count("Wards", "added", len(new))
    renamed = False
    for code, ward in existing.items():
        if ward.name != names[code]:
            ward.name = names[code]
            ward.save(update_fields=["name"])
            summary.count("Wards", "changed")
            renamed = True
    return renamed or bool(new)
