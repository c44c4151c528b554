"""Writes that change many rows at once: neighbourhood areas and the postcode answers they decide.

A lookup never computes anything. Whenever an LSOA's neighbourhood, an LSOA boundary, a
postcode, a practice, a membership, a neighbourhood or a local authority changes, these
functions redraw the affected areas and store each postcode's whole answer on its row (and
each district's answer on its own row), so a request reads one row.
"""

import hashlib
import json
import threading
from contextlib import contextmanager

from django.core.cache import cache
from django.db import connection, transaction
from django.utils import timezone
from simple_history.models import HistoricalRecords

from partnership.models import Place

from . import history
from .models import (
    BoundaryVersion,
    BoundaryVersionArea,
    DistrictAnswer,
    LocalAuthority,
    Lsoa,
    Membership,
    Neighbourhood,
    Postcode,
    Practice,
)

NEAREST_PRACTICES = 10

# The key of the transaction-level advisory lock that snapshot_boundaries takes, so two
# publishes at once cannot both see the areas differ from the latest version and both keep one.
BOUNDARY_VERSION_LOCK = 4_173_250_981

_pending = threading.local()


@contextmanager
def answers_deferred():
    """Within it, a saved practice, membership, neighbourhood or local authority only notes
    which answers it touches; on the way out they are all worked out once. Imports save
    dozens of such rows, and each would otherwise work out its neighbourhood's answers
    again. Nothing is worked out if the block raises: its transaction is rolled back."""
    if getattr(_pending, "work", None) is not None:  # already deferring
        yield
        return
    _pending.work = {"everything": False, "neighbourhood_ids": set(), "authority_codes": set()}
    try:
        yield
        work = _pending.work
    finally:
        _pending.work = None
    if work["everything"]:
        recompute_postcode_answers()
        return
    if work["neighbourhood_ids"]:
        store_answers(neighbourhood_ids=work["neighbourhood_ids"])
    if work["authority_codes"]:
        store_answers(authority_codes=work["authority_codes"])


def answers_touched(*, neighbourhood_ids=(), authority_codes=(), everything=False):
    """Work out again the answers a change touches, now or, within answers_deferred, once
    at its end."""
    work = getattr(_pending, "work", None)
    if work is not None:
        work["everything"] |= everything
        work["neighbourhood_ids"].update(neighbourhood_ids)
        work["authority_codes"].update(authority_codes)
    elif everything:
        recompute_postcode_answers()
    else:
        if neighbourhood_ids:
            store_answers(neighbourhood_ids=set(neighbourhood_ids))
        if authority_codes:
            store_answers(authority_codes=set(authority_codes))


def area_authority_codes() -> list[str]:
    """The local authorities the portal's place covers (City of London and Hackney)."""
    place = Place.objects.main()
    return list(place.local_authority_codes) if place else []


@transaction.atomic
def rebuild_areas(*, neighbourhood_ids=None) -> int:
    """Redraw each neighbourhood's boundary as the union of its LSOAs. Returns how many changed."""
    ids = list(neighbourhood_ids) if neighbourhood_ids is not None else None
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            UPDATE {Neighbourhood._meta.db_table} AS n
            SET boundary = area.boundary
            FROM (
                SELECT n2.id,
                       (SELECT ST_Multi(ST_CollectionExtract(ST_Union(l.boundary), 3))
                        FROM {Lsoa._meta.db_table} AS l
                        WHERE l.neighbourhood_id = n2.id) AS boundary
                FROM {Neighbourhood._meta.db_table} AS n2
                WHERE %(ids)s::bigint[] IS NULL OR n2.id = ANY(%(ids)s::bigint[])
            ) AS area
            WHERE n.id = area.id
              AND NOT (n.boundary IS NOT DISTINCT FROM area.boundary)
            """,
            {"ids": ids},
        )
        changed = cursor.rowcount
    published()
    return changed


@transaction.atomic
def recompute_postcode_answers(*, lsoa_ids=None, postcode_ids=None) -> int:
    """Work out again the answers of the postcodes given (all by default); returns how many
    changed.

    A postcode is in the area when its own local-authority code says so. Its point then
    decides the LSOA: the one that covers it (a point on an edge still counts), or, for the
    few points that generalised boundaries leave just outside, the nearest LSOA in the area.
    The LSOA decides the neighbourhood, and then the rest of the answer is stored
    (store_answers). Postcodes outside the area have no LSOA and no neighbourhood.
    """
    codes = area_authority_codes()
    lsoa_table, postcode_table = Lsoa._meta.db_table, Postcode._meta.db_table
    with connection.cursor() as cursor:
        if lsoa_ids is not None:  # the postcodes in these LSOAs now, wherever they go next
            cursor.execute(
                f"SELECT id FROM {postcode_table} WHERE lsoa_id = ANY(%s::bigint[])",
                [list(lsoa_ids)],
            )
            in_lsoas = [row[0] for row in cursor.fetchall()]
            if postcode_ids is not None:
                in_lsoas = sorted(set(in_lsoas) & set(postcode_ids))
            postcode_ids = in_lsoas
        ids = list(postcode_ids) if postcode_ids is not None else None
        cursor.execute(
            f"""
            WITH decided AS (
                SELECT p.id,
                       CASE WHEN p.local_authority_code = ANY(%(codes)s) THEN COALESCE(
                           (SELECT l.id FROM {lsoa_table} AS l
                            WHERE l.local_authority_code = ANY(%(codes)s)
                              AND ST_Covers(l.boundary, p.location)
                            ORDER BY l.id LIMIT 1),
                           (SELECT l.id FROM {lsoa_table} AS l
                            WHERE l.local_authority_code = ANY(%(codes)s)
                            ORDER BY l.boundary::geography <-> p.location::geography
                            LIMIT 1)
                       ) END AS lsoa_id
                FROM {postcode_table} AS p
                WHERE %(ids)s::bigint[] IS NULL OR p.id = ANY(%(ids)s::bigint[])
            )
            UPDATE {postcode_table} AS p
            SET lsoa_id = decided.lsoa_id, neighbourhood_id = l.neighbourhood_id
            FROM decided LEFT JOIN {lsoa_table} AS l ON l.id = decided.lsoa_id
            WHERE p.id = decided.id
              AND (p.lsoa_id IS DISTINCT FROM decided.lsoa_id
                   OR p.neighbourhood_id IS DISTINCT FROM l.neighbourhood_id)
            RETURNING p.id
            """,
            {"codes": codes, "ids": ids},
        )
        moved = {row[0] for row in cursor.fetchall()}
    if ids is not None and not ids:
        return 0
    changed = moved | store_answers(postcode_ids=ids)
    return len(changed)


def degrees(expression: str) -> str:
    """SQL for a coordinate in degrees, rounded to 6 decimal places (about 0.1 m) in double
    precision: about 3 s less than round(numeric, 6) over a national load's 2.7 million
    points (docs/performance.md). Every stored answer rounds its points with it, so answers
    worked out in different places compare equal."""
    return f"(round({expression} * 1e6) / 1e6)"


# A neighbourhood's current members with a location, nearest a point first by the geodesic
# distance (on the spheroid), at most NEAREST_PRACTICES, as one JSON array (NULL for none).
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
              AND (m.started_on IS NULL OR m.started_on <= CURRENT_DATE)
              AND (m.ended_on IS NULL OR m.ended_on >= CURRENT_DATE)
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
    LEFT JOIN {neighbourhood} AS n ON n.id = p.neighbourhood_id
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


@transaction.atomic
def store_answers(*, postcode_ids=None, neighbourhood_ids=None, authority_codes=None) -> set:
    """Store the whole answer of the postcodes chosen (all by default, or those given, or those
    in the neighbourhoods or local authorities given), then the district answers.

    One set-based UPDATE: it only writes rows whose answer differs, and returns their ids.
    """
    sql = ANSWER_SQL.format(
        postcode=Postcode._meta.db_table,
        authority=LocalAuthority._meta.db_table,
        neighbourhood=Neighbourhood._meta.db_table,
        nearest=nearest_practices_sql(point="p.location", neighbourhood_id="p.neighbourhood_id"),
        latitude=degrees("ST_Y(p.location)"),
        longitude=degrees("ST_X(p.location)"),
    )
    listed = {
        "ids": postcode_ids,
        "neighbourhoods": neighbourhood_ids,
        "authorities": authority_codes,
    }
    params = {k: list(v) if v is not None else None for k, v in listed.items()}
    if any(v == [] for v in params.values()):
        return set()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        changed = {row[0] for row in cursor.fetchall()}
    store_district_answers()
    # Answers for chosen postcodes: a postcode save or import, or after an LSOA move, whose
    # rebuild_areas has already published the areas.
    published(areas_may_have_changed=postcode_ids is None)
    return changed


@transaction.atomic
def store_district_answers() -> int:
    """Count every district's live postcodes by neighbourhood again; returns rows changed.

    A few hundred districts, one GROUP BY over the postcodes: cheaper to redo whole than to
    work out which districts a change touched.
    """
    table, postcode_table = DistrictAnswer._meta.db_table, Postcode._meta.db_table
    neighbourhood_table = Neighbourhood._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            WITH counted AS (
                SELECT outcode, neighbourhood_id, count(*) AS n
                FROM {postcode_table} WHERE NOT terminated
                GROUP BY outcode, neighbourhood_id
            ), district AS (
                SELECT c.outcode, sum(c.n)::int AS postcodes,
                       COALESCE(sum(c.n) FILTER (WHERE c.neighbourhood_id IS NULL), 0)::int
                           AS outside,
                       COALESCE(jsonb_agg(jsonb_build_object(
                           'id', nb.id, 'name', nb.name, 'slug', nb.slug, 'postcodes', c.n
                       ) ORDER BY c.n DESC, nb.name) FILTER (WHERE nb.id IS NOT NULL), '[]')
                           AS shares
                FROM counted AS c LEFT JOIN {neighbourhood_table} AS nb
                    ON nb.id = c.neighbourhood_id
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
        )
        return cursor.fetchone()[0]


@transaction.atomic
def lsoa_changed(*, lsoa: Lsoa, previous_neighbourhood_id: int | None, geography_changed=False):
    """After an LSOA is saved: redraw the neighbourhoods it left and joined, re-answer postcodes.

    A new boundary or local authority can move postcodes between LSOAs, so every answer is
    worked out again; a new neighbourhood only changes the LSOA's own postcodes' answers.
    """
    affected = {previous_neighbourhood_id, lsoa.neighbourhood_id} - {None}
    rebuild_areas(neighbourhood_ids=affected)
    if geography_changed:
        return recompute_postcode_answers()
    return recompute_postcode_answers(lsoa_ids=[lsoa.pk])


@transaction.atomic
def lsoa_assign(*, lsoa: Lsoa, neighbourhood: Neighbourhood | None) -> int:
    """Move one LSOA to a neighbourhood. Returns how many postcode answers changed."""
    previous = Lsoa.objects.select_for_update().values_list("neighbourhood_id", flat=True)
    previous_id = previous.get(pk=lsoa.pk)
    lsoa.neighbourhood = neighbourhood
    lsoa.save(update_fields=["neighbourhood"])
    return lsoa_changed(lsoa=lsoa, previous_neighbourhood_id=previous_id)


def published(*, areas_may_have_changed=True):
    """Content that answers lookups changed: keep the areas as published now as a boundary
    version (if they differ from the last one), and drop every cached answer. A change to
    postcodes alone cannot change what a version holds (LSOA assignments, and neighbourhoods'
    names, slugs and areas), so it skips comparing them all again."""
    if areas_may_have_changed:
        snapshot_boundaries()
    transaction.on_commit(cache.clear)


def _published_state():
    """The LSOA assignments and each neighbourhood's name, slug and area, and a fingerprint of
    them all."""
    assignments = dict(Lsoa.objects.order_by("code").values_list("code", "neighbourhood_id"))
    with connection.cursor() as cursor:
        cursor.execute(
            f"""SELECT id, name, slug, md5(COALESCE(ST_AsEWKB(boundary), ''::bytea))
                FROM {Neighbourhood._meta.db_table} ORDER BY id"""
        )
        areas = cursor.fetchall()
    digest = hashlib.sha256(json.dumps([assignments, areas]).encode()).hexdigest()
    return assignments, digest


@transaction.atomic
def snapshot_boundaries(*, reason: str = "") -> BoundaryVersion | None:
    """Keep the areas as they are now as a new boundary version, dated now, naming who or
    which import made the change; None when they are the same as the latest version's.
    Publishes at once wait for each other here (an advisory lock held until the transaction
    ends), so the second sees the version the first kept."""
    with connection.cursor() as cursor:  # one publish at a time compares and keeps a version
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [BOUNDARY_VERSION_LOCK])
    assignments, fingerprint = _published_state()
    latest = BoundaryVersion.objects.order_by("-published_at", "-pk").first()
    if latest is not None and latest.fingerprint == fingerprint:
        return None
    request = getattr(HistoricalRecords.context, "request", None)
    user = getattr(request, "user", None)
    version = BoundaryVersion.objects.create(
        published_at=timezone.now(),
        changed_by=user if user is not None and user.is_authenticated else None,
        import_run=history.current_import_run(),
        reason=reason or history.current_reason() or "",
        assignments=assignments,
        fingerprint=fingerprint,
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {BoundaryVersionArea._meta.db_table}
                (version_id, neighbourhood_id, name, slug, lsoas, boundary)
            SELECT %s, n.id, n.name, n.slug,
                   (SELECT count(*) FROM {Lsoa._meta.db_table} AS l
                    WHERE l.neighbourhood_id = n.id),
                   n.boundary
            FROM {Neighbourhood._meta.db_table} AS n
            """,
            [version.pk],
        )
    return version


@transaction.atomic
def lsoas_move(*, lsoa_ids, neighbourhood: Neighbourhood | None, reason: str = "") -> int:
    """Move LSOAs to a neighbourhood (or to none), as one change: redraw every area they left
    or joined and re-answer their postcodes. Each LSOA's history row, and the boundary version
    the move publishes, record the reason given. Returns how many postcode answers changed."""
    lsoas = list(Lsoa.objects.select_for_update().defer("boundary").filter(pk__in=list(lsoa_ids)))
    previous = {lsoa.neighbourhood_id for lsoa in lsoas}
    moving = [lsoa for lsoa in lsoas if lsoa.neighbourhood_id != getattr(neighbourhood, "pk", None)]
    if not moving:
        return 0
    for lsoa in moving:
        lsoa.neighbourhood = neighbourhood
    with history.recording(reason=reason):
        Lsoa.objects.bulk_update(moving, ["neighbourhood"])
        history.record_bulk(moving, Lsoa)
        rebuild_areas(neighbourhood_ids=(previous | {getattr(neighbourhood, "pk", None)}) - {None})
        return recompute_postcode_answers(lsoa_ids=[lsoa.pk for lsoa in moving])
