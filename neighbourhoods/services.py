"""Writes that change many rows at once: neighbourhood areas and the postcode answers they decide.

A lookup never computes geometry. Whenever an LSOA's neighbourhood, an LSOA boundary or a
postcode changes, these functions redraw the affected areas and store each postcode's
LSOA and neighbourhood, so a request reads one row.
"""

from django.core.cache import cache
from django.db import connection, transaction

from partnership.models import Place

from .models import Lsoa, Neighbourhood, Postcode


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
    """Store the LSOA and neighbourhood of every postcode in the area; returns how many changed.

    A postcode is in the area when its own local-authority code says so. Its point then
    decides the neighbourhood: the LSOA that covers it (a point on an edge still counts),
    or, for the few points that generalised boundaries leave just outside, the nearest
    LSOA in the area. Postcodes outside the area have no neighbourhood.
    """
    codes = area_authority_codes()
    lsoa_table, postcode_table = Lsoa._meta.db_table, Postcode._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            WITH answer AS (
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
                WHERE (%(postcode_ids)s::bigint[] IS NULL OR p.id = ANY(%(postcode_ids)s::bigint[]))
                  AND (%(lsoa_ids)s::bigint[] IS NULL OR p.lsoa_id = ANY(%(lsoa_ids)s::bigint[]))
            )
            UPDATE {postcode_table} AS p
            SET lsoa_id = answer.lsoa_id, neighbourhood_id = l.neighbourhood_id
            FROM answer LEFT JOIN {lsoa_table} AS l ON l.id = answer.lsoa_id
            WHERE p.id = answer.id
              AND (p.lsoa_id IS DISTINCT FROM answer.lsoa_id
                   OR p.neighbourhood_id IS DISTINCT FROM l.neighbourhood_id)
            """,
            {
                "codes": codes,
                "lsoa_ids": list(lsoa_ids) if lsoa_ids is not None else None,
                "postcode_ids": list(postcode_ids) if postcode_ids is not None else None,
            },
        )
        changed = cursor.rowcount
    published()
    return changed


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


def published():
    """Content that answers lookups changed: drop every cached answer."""
    transaction.on_commit(cache.clear)


@transaction.atomic
def lsoas_move(*, lsoa_ids, neighbourhood: Neighbourhood) -> int:
    """Move LSOAs to a neighbourhood, as one change: redraw every area they left or joined and
    re-answer their postcodes. Returns how many postcode answers changed."""
    lsoas = Lsoa.objects.select_for_update().filter(pk__in=list(lsoa_ids))
    previous = set(lsoas.values_list("neighbourhood_id", flat=True))
    ids = list(lsoas.values_list("pk", flat=True))
    Lsoa.objects.filter(pk__in=ids).update(neighbourhood=neighbourhood)
    rebuild_areas(neighbourhood_ids=(previous | {neighbourhood.pk}) - {None})
    return recompute_postcode_answers(lsoa_ids=ids)
