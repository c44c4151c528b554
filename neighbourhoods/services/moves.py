"""What moving LSOAs to another neighbourhood would do, worked out before anything moves.

The admin shows this preview before staff confirm a move (of one LSOA or of several): the
postcodes and residents that change neighbourhood, from which to which; whether an area
stops being one piece; whether a practice ends up outside its own neighbourhood's area;
and a map of the areas before and after. The move itself is lsoas_move, below.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.utils import timezone

from .. import population
from ..audit import trail
from ..models import Lsoa, Membership, Neighbourhood, Postcode, Practice, current_membership_sql
from .answers import answers_recompute
from .areas import area_union_sql, areas_rebuild
from .profiles import move_profiles

# A piece of an area smaller than this (square metres) is a sliver left between generalised
# LSOA boundaries, not a piece anyone would see on the map.
MIN_PIECE_M2 = 5_000
# The colours of the map, in the neighbourhoods' order (NHS.UK palette, distinguishable).
PALETTE = ["#005eb8", "#007f3b", "#ffb81c", "#8a1538", "#00a499", "#330072", "#ed8b00", "#425563"]


@dataclass
class Flow:
    """LSOAs leaving one neighbourhood for another."""

    source: str
    target: str
    lsoas: list = field(default_factory=list)
    postcodes: int = 0
    residents: int = 0
    residents_unknown: int = 0  # LSOAs with no estimate


@dataclass
class AreaChange:
    neighbourhood: Neighbourhood
    colour: str
    pieces_before: int
    pieces_after: int
    lsoas_before: int
    lsoas_after: int

    @property
    def splits(self) -> bool:
        return self.pieces_after > max(self.pieces_before, 1)

    @property
    def disappears(self) -> bool:
        return self.lsoas_after == 0 and self.lsoas_before > 0


@dataclass
class Stranded:
    practice: Practice
    neighbourhood: Neighbourhood


@dataclass
class MapView:
    view_box: str
    before: list  # (colour, name, svg path)
    after: list
    moving: list  # svg paths of the LSOAs that move
    practices: list  # (x, y, name, stranded)


@dataclass
class MovePreview:
    target: Neighbourhood | None
    lsoas: list
    moving: list
    flows: list
    areas: list
    stranded: list
    map: MapView | None
    # Each affected neighbourhood's profile before and after (services.profiles.move_profiles).
    profiles: list = field(default_factory=list)

    @property
    def postcodes(self) -> int:
        return sum(f.postcodes for f in self.flows)

    @property
    def residents(self) -> int:
        return sum(f.residents for f in self.flows)

    @property
    def residents_unknown(self) -> int:
        return sum(f.residents_unknown for f in self.flows)

    @property
    def splits(self) -> list:
        return [a for a in self.areas if a.splits]

    @property
    def needs_reason(self) -> bool:
        """A move that splits an area, empties one or strands a practice must be confirmed
        with a reason."""
        return bool(self.splits or self.stranded or any(a.disappears for a in self.areas))


def lsoas_move_preview(*, lsoa_ids, target: Neighbourhood | None) -> MovePreview:
    lsoas = list(
        Lsoa.objects.filter(pk__in=list(lsoa_ids))
        .select_related("neighbourhood")
        .defer("boundary", "neighbourhood__boundary")
    )
    target_id = target.pk if target else None
    moving = [lsoa for lsoa in lsoas if lsoa.neighbourhood_id != target_id]
    moving_ids = [lsoa.pk for lsoa in moving]
    residents = population.residents_by_lsoa()
    live = defaultdict(int)
    for lsoa_id in (
        Postcode.objects.live().filter(lsoa_id__in=moving_ids).values_list("lsoa_id", flat=True)
    ):
        live[lsoa_id] += 1

    flows: dict[tuple, Flow] = {}
    for lsoa in moving:
        source = lsoa.neighbourhood.name if lsoa.neighbourhood else "No neighbourhood"
        key = (source, target.name if target else "No neighbourhood")
        flow = flows.setdefault(key, Flow(*key))
        flow.lsoas.append(lsoa)
        lsoa.live_postcodes = live[lsoa.pk]
        lsoa.residents = residents.get(lsoa.code)
        flow.postcodes += live[lsoa.pk]
        if lsoa.residents is None:
            flow.residents_unknown += 1
        else:
            flow.residents += lsoa.residents

    affected = sorted(({lsoa.neighbourhood_id for lsoa in moving} | {target_id}) - {None})
    if not moving:
        affected = []
    neighbourhoods = {n.pk: n for n in Neighbourhood.objects.defer("boundary")}
    colours = {pk: PALETTE[i % len(PALETTE)] for i, pk in enumerate(sorted(neighbourhoods))}
    params = {"moving": moving_ids, "target": target_id, "affected": affected,
              "today": timezone.localdate(),
              "min_piece": MIN_PIECE_M2}  # fmt: skip
    areas, stranded, map_view, profile_changes = [], [], None, []
    if affected:
        areas = _area_changes(params, neighbourhoods, colours)
        stranded = _stranded(params, neighbourhoods)
        map_view = _map(params, neighbourhoods, colours, stranded)
        profile_changes = move_profiles(
            lsoa_ids=moving_ids, target_id=target_id, neighbourhood_ids=affected
        )
    return MovePreview(
        target=target,
        lsoas=lsoas,
        moving=moving,
        flows=list(flows.values()),
        areas=areas,
        stranded=stranded,
        map=map_view,
        profiles=profile_changes,
    )


# Each affected neighbourhood's area as it would be after the move, from its LSOAs.
AFTER_SQL = f"""
after_lsoas AS (
    SELECT l.id, l.boundary,
           CASE WHEN l.id = ANY(%(moving)s::bigint[]) THEN %(target)s::bigint
                ELSE l.neighbourhood_id END AS neighbourhood_id
    FROM {Lsoa._meta.db_table} AS l
), after_areas AS (
    SELECT n.id, {area_union_sql("n.id", lsoas="after_lsoas")} AS boundary,
           (SELECT count(*) FROM after_lsoas AS a WHERE a.neighbourhood_id = n.id) AS lsoas
    FROM {Neighbourhood._meta.db_table} AS n
    WHERE n.id = ANY(%(affected)s::bigint[])
)
"""

PIECES = """(SELECT count(*) FROM ST_Dump({geom}) AS d
             WHERE ST_Area(d.geom::geography) >= %(min_piece)s)"""


def _area_changes(params, neighbourhoods, colours):
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            WITH {AFTER_SQL}
            SELECT a.id, {PIECES.format(geom="n.boundary")}, {PIECES.format(geom="a.boundary")},
                   (SELECT count(*) FROM {Lsoa._meta.db_table} AS l
                    WHERE l.neighbourhood_id = a.id), a.lsoas
            FROM after_areas AS a JOIN {Neighbourhood._meta.db_table} AS n ON n.id = a.id
            ORDER BY n.name
            """,
            params,
        )
        return [
            AreaChange(neighbourhoods[pk], colours[pk], before or 0, after or 0, lb, la)
            for pk, before, after, lb, la in cursor.fetchall()
        ]


def _stranded(params, neighbourhoods):
    """Current members of an affected neighbourhood whose point its area covers now and would
    not cover after the move."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            WITH {AFTER_SQL}
            SELECT DISTINCT pr.id, m.neighbourhood_id
            FROM {Membership._meta.db_table} AS m
            JOIN {Practice._meta.db_table} AS pr ON pr.id = m.practice_id
            JOIN after_areas AS a ON a.id = m.neighbourhood_id
            JOIN {Neighbourhood._meta.db_table} AS n ON n.id = m.neighbourhood_id
            WHERE pr.location IS NOT NULL AND pr.removed_at IS NULL
              AND {current_membership_sql("m")}
              AND n.boundary IS NOT NULL AND ST_Covers(n.boundary, pr.location)
              AND (a.boundary IS NULL OR NOT ST_Covers(a.boundary, pr.location))
            """,
            params,
        )
        rows = cursor.fetchall()
    practices = Practice.objects.in_bulk([pk for pk, _ in rows])
    return sorted(
        (Stranded(practices[pk], neighbourhoods[nid]) for pk, nid in rows),
        key=lambda s: s.practice.name,
    )


def _map(params, neighbourhoods, colours, stranded):
    """SVG paths on the British National Grid (metres, so the map keeps its shape): each
    affected area before and after, the LSOAs that move, and the affected practices."""
    grid = "ST_Transform({}, 27700)"
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            WITH {AFTER_SQL}
            SELECT a.id, ST_AsSVG({grid.format("n.boundary")}, 0, 0),
                   ST_AsSVG({grid.format("a.boundary")}, 0, 0)
            FROM after_areas AS a JOIN {Neighbourhood._meta.db_table} AS n ON n.id = a.id
            ORDER BY n.name
            """,
            params,
        )
        areas = cursor.fetchall()
        cursor.execute(
            f"""
            WITH {AFTER_SQL}
            SELECT ST_AsSVG({grid.format("l.boundary")}, 0, 0)
            FROM {Lsoa._meta.db_table} AS l WHERE l.id = ANY(%(moving)s::bigint[])
            """,
            params,
        )
        moving = [row[0] for row in cursor.fetchall() if row[0]]
        cursor.execute(
            f"""
            WITH {AFTER_SQL}, extent AS (
                SELECT ST_Extent({grid.format("g")}) AS box FROM (
                    SELECT n.boundary AS g FROM {Neighbourhood._meta.db_table} AS n
                    WHERE n.id = ANY(%(affected)s::bigint[])
                    UNION ALL SELECT boundary FROM after_areas
                ) AS all_areas
            )
            SELECT ST_XMin(box), ST_YMin(box), ST_XMax(box), ST_YMax(box) FROM extent
            """,
            params,
        )
        box = cursor.fetchone()
        cursor.execute(
            f"""
            SELECT DISTINCT pr.id, pr.name, ST_X({grid.format("pr.location")}),
                   ST_Y({grid.format("pr.location")})
            FROM {Membership._meta.db_table} AS m
            JOIN {Practice._meta.db_table} AS pr ON pr.id = m.practice_id
            WHERE m.neighbourhood_id = ANY(%(affected)s::bigint[]) AND pr.location IS NOT NULL
              AND pr.removed_at IS NULL AND {current_membership_sql("m")}
            """,
            params,
        )
        practices = cursor.fetchall()
    if box is None or box[0] is None:
        return None
    margin = 200
    xmin, ymin, xmax, ymax = box
    view_box = (
        f"{xmin - margin:.0f} {-ymax - margin:.0f} "
        f"{xmax - xmin + 2 * margin:.0f} {ymax - ymin + 2 * margin:.0f}"
    )
    stranded_ids = {s.practice.pk for s in stranded}
    return MapView(
        view_box=view_box,
        before=[(colours[pk], neighbourhoods[pk].name, b) for pk, b, _ in areas if b],
        after=[(colours[pk], neighbourhoods[pk].name, a) for pk, _, a in areas if a],
        moving=moving,
        practices=[(round(x), round(-y), name, pk in stranded_ids) for pk, name, x, y in practices],
    )


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
    with trail.recording(reason=reason):
        Lsoa.objects.bulk_update(moving, ["neighbourhood"])
        trail.record_bulk(moving, Lsoa)
        areas_rebuild(neighbourhood_ids=(previous | {getattr(neighbourhood, "pk", None)}) - {None})
        return answers_recompute(lsoa_ids=[lsoa.pk for lsoa in moving], now=True)
