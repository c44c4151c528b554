"""A postcode's stored answer: its shape, the SQL that writes it, and what reads it back.

Every postcode row holds its whole answer in `Postcode.answer` (JSON), and every district its
counts in a `DistrictAnswer` row, so answering a lookup is one indexed read (docs/performance.md).
This module is the one owner of that shape:

- the SQL that works the answers out (`answers_sql`, `districts_sql`, and the nearest
  practices' SQL the lookup by point shares), run by `services.answers`;
- the one read of a postcode's row (`STORED_ANSWER_SQL`, `ANSWER_COLUMNS`) and the functions
  that turn a row back into the objects an answer shows (`record_of`, `neighbourhood_of`,
  `local_authority_of`, `practices_of`, `point_of`, `district_of`).

The JSON: {"latitude", "longitude", "local_authority": {"name", "nhs_body"} | null,
"neighbourhood": {"id", "name", "slug"} | null, "practices": [{"ods_code", "name", "address",
"postcode", "phone", "latitude", "longitude", "distance_m"}, ...]}.
"""

from django.db import connection

from .answers import District, DistrictShare, Location, NearbyPractice
from .models import (
    DistrictAnswer,
    LocalAuthority,
    Membership,
    Neighbourhood,
    Postcode,
    Practice,
    current_membership_sql,
)

NEAREST_PRACTICES = 10


def degrees(expression: str) -> str:
    """SQL for a coordinate in degrees, rounded to 6 decimal places (about 0.1 m) in double
    precision: about 3 s less than round(numeric, 6) over a national load's 2.7 million
    points (docs/performance.md). Every stored answer rounds its points with it, so answers
    worked out in different places compare equal."""
    return f"(round({expression} * 1e6) / 1e6)"


# A neighbourhood's current members with a location, nearest a point first by the geodesic
# distance (on the spheroid), at most NEAREST_PRACTICES, as one JSON array (NULL for none).
# A practice deleted in the admin (removed) is in no answer, though the membership its
# removal ended is in force, by its dates, until the end of that day.
# `{point}` and `{neighbourhood_id}` are SQL expressions: the stored answers give a postcode's
# point and neighbourhood, the lookup by point (answers.lookup_point) the point asked about.
NEAREST_PRACTICES_SQL = """
        SELECT jsonb_agg(jsonb_build_object(
                   'ods_code', near.ods_code, 'name', near.name, 'address', near.address,
                   'postcode', near.postcode, 'phone', near.phone,
                   'latitude', {latitude}, 'longitude', {longitude},
                   'distance_m', round(near.distance::numeric, 1)
               ) ORDER BY near.distance, near.name) AS practices
        FROM (
            SELECT pr.ods_code, pr.name, pr.address, pr.postcode, pr.phone, pr.location,
                   ST_Distance(pr.location::geography, ({point})::geography) AS distance
            FROM {membership} AS m
            JOIN {practice} AS pr ON pr.id = m.practice_id
            WHERE m.neighbourhood_id = {neighbourhood_id}
              AND pr.location IS NOT NULL
              AND pr.removed_at IS NULL
              AND {current}
            ORDER BY distance, pr.name
            LIMIT {limit}
        ) AS near
"""


def nearest_practices_sql(*, point: str, neighbourhood_id: str) -> str:
    """NEAREST_PRACTICES_SQL for the point and neighbourhood expressions given."""
    return NEAREST_PRACTICES_SQL.format(
        point=point,
        neighbourhood_id=neighbourhood_id,
        membership=Membership._meta.db_table,
        practice=Practice._meta.db_table,
        limit=NEAREST_PRACTICES,
        current=current_membership_sql("m"),
        latitude=degrees("ST_Y(near.location)"),
        longitude=degrees("ST_X(near.location)"),
    )


# The whole answer a lookup shows, from the row's LSOA decision and the tables it names,
# with the neighbourhood's practices nearest the postcode (none for a terminated one).
ANSWER_SQL = """
WITH worked_out AS (
    SELECT p.id,
           jsonb_build_object(
               'latitude', {latitude}, 'longitude', {longitude},
               'local_authority', CASE WHEN la.id IS NULL THEN NULL
                   ELSE jsonb_build_object('name', la.name, 'nhs_body', la.nhs_body) END,
               'neighbourhood', CASE WHEN n.id IS NULL THEN NULL
                   ELSE jsonb_build_object('id', n.id, 'name', n.name, 'slug', n.slug) END,
               'practices', COALESCE(nearest.practices, '[]'::jsonb)
           ) AS answer
    FROM {postcode} AS p
    LEFT JOIN {authority} AS la ON la.gss_code = p.local_authority_code
    LEFT JOIN {neighbourhood} AS n ON n.id = p.neighbourhood_id AND n.removed_at IS NULL
    LEFT JOIN LATERAL ({nearest}) AS nearest ON NOT p.terminated
    WHERE (%(ids)s::bigint[] IS NULL OR p.id = ANY(%(ids)s::bigint[]))
      AND (%(neighbourhoods)s::bigint[] IS NULL
           OR p.neighbourhood_id = ANY(%(neighbourhoods)s::bigint[]))
      AND (%(authorities)s::varchar[] IS NULL
           OR p.local_authority_code = ANY(%(authorities)s::varchar[]))
)
UPDATE {postcode} AS p SET answer = worked_out.answer
FROM worked_out
WHERE p.id = worked_out.id AND p.answer IS DISTINCT FROM worked_out.answer
RETURNING p.id
"""


def answers_sql() -> str:
    """ANSWER_SQL for the tables and expressions it names: parameters ids, neighbourhoods
    and authorities (each a list, or None for no limit), and today (the date memberships
    are current on)."""
    return ANSWER_SQL.format(
        postcode=Postcode._meta.db_table,
        authority=LocalAuthority._meta.db_table,
        neighbourhood=Neighbourhood._meta.db_table,
        nearest=nearest_practices_sql(point="p.location", neighbourhood_id="p.neighbourhood_id"),
        latitude=degrees("ST_Y(p.location)"),
        longitude=degrees("ST_X(p.location)"),
    )


# Every district's live postcodes counted by neighbourhood: a few hundred districts, one
# GROUP BY over the postcodes, cheaper to redo whole than to work out which a change touched.
# Returns how many district rows it wrote or removed.
DISTRICTS_SQL = """
WITH counted AS (
    SELECT outcode, neighbourhood_id, count(*) AS n
    FROM {postcode} WHERE NOT terminated
    GROUP BY outcode, neighbourhood_id
), district AS (
    SELECT c.outcode, sum(c.n)::int AS postcodes,
           COALESCE(sum(c.n) FILTER (WHERE c.neighbourhood_id IS NULL), 0)::int
               AS outside,
           COALESCE(jsonb_agg(jsonb_build_object(
               'id', nb.id, 'name', nb.name, 'slug', nb.slug, 'postcodes', c.n
           ) ORDER BY c.n DESC, nb.name) FILTER (WHERE nb.id IS NOT NULL), '[]')
               AS shares
    FROM counted AS c LEFT JOIN {neighbourhood} AS nb
        ON nb.id = c.neighbourhood_id AND nb.removed_at IS NULL
    GROUP BY c.outcode
), gone AS (
    DELETE FROM {table} AS d
    WHERE NOT EXISTS (SELECT 1 FROM district WHERE district.outcode = d.outcode)
    RETURNING d.id
), stored AS (
    INSERT INTO {table} (outcode, postcodes, outside, shares)
    SELECT outcode, postcodes, outside, shares FROM district
    ON CONFLICT (outcode) DO UPDATE
    SET postcodes = EXCLUDED.postcodes, outside = EXCLUDED.outside,
        shares = EXCLUDED.shares
    WHERE ({table}.postcodes, {table}.outside, {table}.shares)
          IS DISTINCT FROM (EXCLUDED.postcodes, EXCLUDED.outside, EXCLUDED.shares)
    RETURNING id
)
SELECT (SELECT count(*) FROM gone) + (SELECT count(*) FROM stored)
"""


def districts_sql() -> str:
    return DISTRICTS_SQL.format(
        table=DistrictAnswer._meta.db_table,
        postcode=Postcode._meta.db_table,
        neighbourhood=Neighbourhood._meta.db_table,
    )


# Everything an answer reads from the postcode's row; the geometry is not among them.
ANSWER_FIELDS = ["postcode", "terminated", "terminated_on", "local_authority_code", "lsoa_id",
                 "answer"]  # fmt: skip

# The one read of a postcode lookup, written once rather than compiled by the ORM on every
# request (the compiling cost as much as the read itself).
# With the primary key, as .only() reads it, in the model's own order, as from_db expects.
ANSWER_COLUMNS = [
    f for f in Postcode._meta.concrete_fields if f.attname in ANSWER_FIELDS or f.primary_key
]
STORED_ANSWER_SQL = "SELECT {columns} FROM {table} WHERE postcode = %s".format(
    columns=", ".join(f.column for f in ANSWER_COLUMNS), table=Postcode._meta.db_table
)
_ANSWER_FIELD = Postcode._meta.get_field("answer")
# Where a row of STORED_ANSWER_SQL holds the postcode and whether it is terminated.
POSTCODE_COLUMN = next(i for i, f in enumerate(ANSWER_COLUMNS) if f.attname == "postcode")
TERMINATED_COLUMN = next(i for i, f in enumerate(ANSWER_COLUMNS) if f.attname == "terminated")


def record_of(row: tuple) -> Postcode:
    """A row of STORED_ANSWER_SQL as a Postcode, its fields outside the answer deferred (as
    Django builds a row read with .only())."""
    values = [
        _ANSWER_FIELD.from_db_value(value, None, connection) if f is _ANSWER_FIELD else value
        for f, value in zip(ANSWER_COLUMNS, row, strict=True)
    ]
    return Postcode.from_db(connection.alias, [f.attname for f in ANSWER_COLUMNS], values)


def local_authority_of(record: Postcode) -> LocalAuthority | None:
    stored = (record.answer or {}).get("local_authority")
    if not stored:
        return None
    return LocalAuthority(gss_code=record.local_authority_code, **stored)


def neighbourhood_of(record: Postcode) -> Neighbourhood | None:
    stored = (record.answer or {}).get("neighbourhood")
    return Neighbourhood(**stored) if stored else None


def practices_of(record: Postcode) -> list[NearbyPractice]:
    return [NearbyPractice(**p) for p in (record.answer or {}).get("practices", [])]


def point_of(record: Postcode) -> Location | None:
    answer = record.answer
    if answer and answer.get("latitude") is not None:
        return Location(answer["latitude"], answer["longitude"])
    return None


def district_of(outcode: str, row: DistrictAnswer | None) -> District:
    if row is None:
        return District(outcode=outcode, shares=[], outside=0)
    shares = [
        DistrictShare(Neighbourhood(id=s["id"], name=s["name"], slug=s["slug"]), s["postcodes"])
        for s in row.shares
    ]
    return District(outcode=outcode, shares=shares, outside=row.outside)
