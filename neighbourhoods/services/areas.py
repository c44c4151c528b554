"""Neighbourhood areas: each the union of its LSOAs, redrawn whenever an LSOA moves or its
boundary changes (the one place that says how an area is made)."""

from django.db import connection, transaction

from ..models import Lsoa, Neighbourhood
from .answers import answers_recompute
from .publishing import boundaries_publish

# An area is the union of its LSOAs, as one MultiPolygon (NULL with none).
AREA_UNION_SQL = """(SELECT ST_Multi(ST_CollectionExtract(ST_Union(l.boundary), 3))
                        FROM {lsoas} AS l WHERE l.neighbourhood_id = {neighbourhood_id})"""


def area_union_sql(neighbourhood_id: str, *, lsoas: str = Lsoa._meta.db_table) -> str:
    """AREA_UNION_SQL for a neighbourhood (an SQL expression) over `lsoas`: the LSOA table,
    or any relation with its boundary and neighbourhood_id columns (the move preview's LSOAs
    as they would be after a move)."""
    return AREA_UNION_SQL.format(lsoas=lsoas, neighbourhood_id=neighbourhood_id)


@transaction.atomic
def areas_rebuild(*, neighbourhood_ids=None) -> int:
    """Redraw each neighbourhood's boundary as the union of its LSOAs. Returns how many changed."""
    ids = list(neighbourhood_ids) if neighbourhood_ids is not None else None
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            UPDATE {Neighbourhood._meta.db_table} AS n
            SET boundary = area.boundary
            FROM (
                SELECT n2.id, {area_union_sql("n2.id")} AS boundary
                FROM {Neighbourhood._meta.db_table} AS n2
                WHERE %(ids)s::bigint[] IS NULL OR n2.id = ANY(%(ids)s::bigint[])
            ) AS area
            WHERE n.id = area.id
              AND NOT (n.boundary IS NOT DISTINCT FROM area.boundary)
            """,
            {"ids": ids},
        )
        changed = cursor.rowcount
    boundaries_publish()
    return changed


@transaction.atomic
def lsoa_changed(*, lsoa: Lsoa, previous_neighbourhood_id: int | None, geography_changed=False):
    """After an LSOA is saved: redraw the neighbourhoods it left and joined, re-answer postcodes.

    A new boundary or local authority can move postcodes between LSOAs, so every answer is
    worked out again; a new neighbourhood only changes the LSOA's own postcodes' answers.
    """
    affected = {previous_neighbourhood_id, lsoa.neighbourhood_id} - {None}
    areas_rebuild(neighbourhood_ids=affected)
    if geography_changed:
        return answers_recompute(everything=True, now=True)
    return answers_recompute(lsoa_ids=[lsoa.pk], now=True)
