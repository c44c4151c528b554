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
"neighbourhood": {"id", "name", "slug"} | null, "ward": {"gss_code", "name"} | null,
"practices": [{"ods_code", "name", "address", "postcode", "phone", "latitude", "longitude",
"distance_m"}, ...]}.
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
    Ward,
    current_membership_sql,
)

NEAREST_PRACTICES = 10


def degrees(expression: str) -> str:
    """SQL for a coordinate in degrees, rounded to 6 decimal places (about 0.1 m) in double
    precision: about 3 s less than round(numeric, 6) over a national load's 2.7 million
    points (docs/performance.md). Every stored answer rounds its points with it, so answers
    worked out in different places compare equal."""
    return f"(round({expression} * 1e6) / 1e6)"


# The practices an answer may list, each with what the answer says of it: a current member
# of a neighbourhood (with its name and slug), or an open practice that is in no
# neighbourhood and never was (a practice elsewhere in London, from the ODS file), each with
# the borough its postcode is in. A practice only for particular groups (`serves`) is left
# out unless it also registers everyone; one whose membership has ended or not begun is left
# out, and so is one deleted in the admin (removed), though the membership its removal ended
# is in force, by its dates, until the end of that day.
LISTABLE_PRACTICES_SQL = """
                SELECT pr.ods_code, pr.name, pr.address, pr.postcode, pr.phone, pr.location,
                       pr.serves, pr.registers_everyone, cur.neighbourhood,
                       (SELECT la.name FROM {postcode} AS ppc
                        JOIN {authority} AS la ON la.gss_code = ppc.local_authority_code
                        WHERE ppc.postcode = pr.postcode) AS borough
                FROM {practice} AS pr
                LEFT JOIN LATERAL (
                    SELECT jsonb_build_object('name', nb.name, 'slug', nb.slug) AS neighbourhood
                    FROM {membership} AS m
                    JOIN {neighbourhood} AS nb ON nb.id = m.neighbourhood_id
                    WHERE m.practice_id = pr.id AND nb.removed_at IS NULL AND {current}
                    ORDER BY m.id LIMIT 1
                ) AS cur ON true
                WHERE pr.location IS NOT NULL
                  AND pr.removed_at IS NULL
                  AND (pr.serves = '' OR pr.registers_everyone)
                  AND (cur.neighbourhood IS NOT NULL
                       OR (pr.status = 'A' AND NOT EXISTS (
                           SELECT 1 FROM {membership} AS any_m WHERE any_m.practice_id = pr.id)))
"""

# The listable practices nearest a point, whatever their neighbourhood or borough, by the
# geodesic distance (on the spheroid), at most NEAREST_PRACTICES, as one JSON array (NULL for
# none). The nearest NEAREST_CANDIDATES by planar distance are measured on the spheroid: a
# degree of longitude here is about 0.62 of a degree of latitude, so the ten nearest on the
# ground are always among them.
# `{point}` is an SQL expression: a postcode's point in the stored answers, the point asked
# about in the lookup by point. `{candidates}` is the nearest NEAREST_CANDIDATES listable
# practices by planar distance: for one point, LISTABLE_PRACTICES_SQL in the order of the
# practices' spatial index; for thousands of postcodes at once, a CTE that worked the listable
# practices out once, which each postcode orders in memory (a hundred or so rows), where the
# index would decide each practice's membership and borough again for every postcode: the
# answers of City and Hackney's 6,153 postcodes in 5 s, not 54 s (docs/performance.md).
NEAREST_PRACTICES_SQL = """
        SELECT jsonb_agg(jsonb_build_object(
                   'ods_code', near.ods_code, 'name', near.name, 'address', near.address,
                   'postcode', near.postcode, 'phone', near.phone,
                   'latitude', {latitude}, 'longitude', {longitude},
                   'distance_m', round(near.distance::numeric, 1),
                   'neighbourhood', near.neighbourhood, 'borough', near.borough,
                   'serves', near.serves, 'registers_everyone', near.registers_everyone
               ) ORDER BY near.distance, near.name) AS practices
        FROM (
            SELECT candidate.*,
                   ST_Distance(candidate.location::geography, ({point})::geography) AS distance
            FROM ({candidates}) AS candidate
            ORDER BY distance, candidate.name
            LIMIT {limit}
        ) AS near
"""
NEAREST_CANDIDATES = 40


def listable_practices_sql() -> str:
    """LISTABLE_PRACTICES_SQL for the tables it names, on the date %(today)s."""
    return LISTABLE_PRACTICES_SQL.format(
        membership=Membership._meta.db_table,
        practice=Practice._meta.db_table,
        neighbourhood=Neighbourhood._meta.db_table,
        postcode=Postcode._meta.db_table,
        authority=LocalAuthority._meta.db_table,
        current=current_membership_sql("m"),
    )


def nearest_practices_sql(*, point: str, listable: str | None = None) -> str:
    """NEAREST_PRACTICES_SQL for the point expression given, choosing among the listable
    practices: LISTABLE_PRACTICES_SQL in the practices' index order, unless `listable` names a
    CTE that holds them."""
    if listable is None:
        candidates = f"{listable_practices_sql()} ORDER BY pr.location <-> ({point}), pr.name"
    else:
        candidates = (
            f"SELECT * FROM {listable} ORDER BY {listable}.location <-> ({point}), {listable}.name"
        )
    return NEAREST_PRACTICES_SQL.format(
        point=point,
        candidates=f"{candidates} LIMIT {NEAREST_CANDIDATES}",
        limit=NEAREST_PRACTICES,
        latitude=degrees("ST_Y(near.location)"),
        longitude=degrees("ST_X(near.location)"),
    )


# The whole answer a lookup shows, from the row's LSOA decision and the tables it names,
# with the practices nearest the postcode when it is in a neighbourhood's area (none for a
# terminated one, or one elsewhere).
ANSWER_SQL = """
WITH listable AS MATERIALIZED ({listable}),
worked_out AS (
    SELECT p.id,
           jsonb_build_object(
               'latitude', {latitude}, 'longitude', {longitude},
               'local_authority', CASE WHEN la.id IS NULL THEN NULL
                   ELSE jsonb_build_object('name', la.name, 'nhs_body', la.nhs_body) END,
               'neighbourhood', CASE WHEN n.id IS NULL THEN NULL
                   ELSE jsonb_build_object('id', n.id, 'name', n.name, 'slug', n.slug) END,
               'ward', CASE WHEN w.id IS NULL THEN NULL
                   ELSE jsonb_build_object('gss_code', w.gss_code, 'name', w.name) END,
               'practices', COALESCE(nearest.practices, '[]'::jsonb)
           ) AS answer
    FROM {postcode} AS p
    LEFT JOIN {authority} AS la ON la.gss_code = p.local_authority_code
    LEFT JOIN {neighbourhood} AS n ON n.id = p.neighbourhood_id AND n.removed_at IS NULL
    LEFT JOIN {ward} AS w ON w.gss_code = p.ward_code
    -- Only for a live postcode in a neighbourhood: the CASE runs the subquery for those
    -- alone, where a join condition would work out every postcode's before dropping most.
    LEFT JOIN LATERAL (
        SELECT CASE WHEN NOT p.terminated AND n.id IS NOT NULL THEN ({nearest}) END
            AS practices
    ) AS nearest ON true
    WHERE (%(ids)s::bigint[] IS NULL AND %(neighbourhoods)s::bigint[] IS NULL
           AND %(authorities)s::varchar[] IS NULL)
       OR p.id = ANY(%(ids)s::bigint[])
       OR p.neighbourhood_id = ANY(%(neighbourhoods)s::bigint[])
       OR p.local_authority_code = ANY(%(authorities)s::varchar[])
)
UPDATE {postcode} AS p SET answer = worked_out.answer
FROM worked_out
WHERE p.id = worked_out.id AND p.answer IS DISTINCT FROM worked_out.answer
RETURNING p.id
"""


def answers_sql() -> str:
    """ANSWER_SQL for the tables and expressions it names: parameters ids (a list, or None
    for no limit), neighbourhoods and authorities (the postcodes in either list; both None
    for no limit), and today (the date memberships
    are current on)."""
    return ANSWER_SQL.format(
        postcode=Postcode._meta.db_table,
        authority=LocalAuthority._meta.db_table,
        neighbourhood=Neighbourhood._meta.db_table,
        ward=Ward._meta.db_table,
        listable=listable_practices_sql(),
        nearest=nearest_practices_sql(point="p.location", listable="listable"),
        latitude=degrees("ST_Y(p.location)"),
        longitude=degrees("ST_X(p.location)"),
    )


# Every district's live postcodes counted by neighbourhood: a few hundred districts, one
# GROUP BY over the postcodes, cheaper to redo whole than to work out which a change touched.
# A postcode is outside City and Hackney when it has no LSOA (the rule the lookup itself
# keeps); one with an LSOA but no neighbourhood (or a removed one) is in the area, in none.
# Returns how many district rows it wrote or removed.
DISTRICTS_SQL = """
WITH counted AS (
    SELECT outcode, lsoa_id IS NOT NULL AS in_area, neighbourhood_id, count(*) AS n
    FROM {postcode} WHERE NOT terminated
    GROUP BY outcode, lsoa_id IS NOT NULL, neighbourhood_id
), district AS (
    SELECT c.outcode, sum(c.n)::int AS postcodes,
           COALESCE(sum(c.n) FILTER (WHERE NOT c.in_area), 0)::int AS outside,
           COALESCE(sum(c.n) FILTER (WHERE c.in_area AND nb.id IS NULL), 0)::int
               AS no_neighbourhood,
           COALESCE(jsonb_agg(jsonb_build_object(
               'id', nb.id, 'name', nb.name, 'slug', nb.slug, 'postcodes', c.n
           ) ORDER BY c.n DESC, nb.name) FILTER (WHERE nb.id IS NOT NULL), '[]')
               AS shares
    FROM counted AS c LEFT JOIN {neighbourhood} AS nb
        ON nb.id = c.neighbourhood_id AND nb.removed_at IS NULL AND c.in_area
    GROUP BY c.outcode
), gone AS (
    DELETE FROM {table} AS d
    WHERE NOT EXISTS (SELECT 1 FROM district WHERE district.outcode = d.outcode)
    RETURNING d.id
), stored AS (
    INSERT INTO {table} (outcode, postcodes, outside, no_neighbourhood, shares)
    SELECT outcode, postcodes, outside, no_neighbourhood, shares FROM district
    ON CONFLICT (outcode) DO UPDATE
    SET postcodes = EXCLUDED.postcodes, outside = EXCLUDED.outside,
        no_neighbourhood = EXCLUDED.no_neighbourhood, shares = EXCLUDED.shares
    WHERE ({table}.postcodes, {table}.outside, {table}.no_neighbourhood, {table}.shares)
          IS DISTINCT FROM (EXCLUDED.postcodes, EXCLUDED.outside, EXCLUDED.no_neighbourhood,
                            EXCLUDED.shares)
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


def ward_of(record: Postcode) -> Ward | None:
    stored = (record.answer or {}).get("ward")
    return Ward(**stored) if stored else None


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
    return District(
        outcode=outcode, shares=shares, outside=row.outside, no_neighbourhood=row.no_neighbourhood
    )
