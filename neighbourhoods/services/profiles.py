"""Neighbourhood profiles worked out again and stored: when a boundary version is taken (an
LSOA moved, areas loaded), inside the same transaction, and when the statistics are imported.

Each version keeps the profiles it had: a new version gets new rows, and only an import of
new statistics rewrites the profiles of the version in force.
"""

from django.db import connection, transaction
from django.utils import timezone

from .. import profiles
from ..models import (
    BoundaryVersion,
    LanguageStatistics,
    Lsoa,
    LsoaStatistics,
    Neighbourhood,
    NeighbourhoodProfile,
)

# How far (metres) the small map's LSOA outlines are simplified: the map is about 300 pixels
# across, so a 15 m step is finer than a pixel and keeps the page light.
MAP_SIMPLIFY_METRES = 15


def statistics_by_code() -> dict[str, profiles.Lsoa]:
    statistics = {
        row.code: profiles.Lsoa(
            code=row.code,
            residents=row.residents,
            ages=row.ages,
            ethnic_groups=row.ethnic_groups,
            imd2025=row.imd2025,
            imd2019=row.imd2019,
        )
        for row in LsoaStatistics.objects.all()
    }
    for msoa in LanguageStatistics.objects.filter(kind=LanguageStatistics.Kind.MSOA):
        for code in msoa.lsoa_codes:
            if code in statistics:
                statistics[code].msoa = msoa.code
    return statistics


def language_figures(statistics: dict) -> tuple[dict, list]:
    """The MSOAs' proficiency in English (with their residents summed from the LSOAs'), and
    the boroughs' main languages, as profiles.profile_of takes them."""
    msoas = {}
    boroughs = []
    for row in LanguageStatistics.objects.order_by("kind", "code"):
        if row.kind == LanguageStatistics.Kind.MSOA:
            msoas[row.code] = profiles.Msoa(
                code=row.code,
                name=row.name,
                residents=sum(
                    statistics[code].residents for code in row.lsoa_codes if code in statistics
                ),
                counts=row.counts,
            )
        else:
            boroughs.append({"name": row.name, "counts": row.counts, "total": row.total})
    return msoas, boroughs


def profiles_for(assignments: dict[str, int | None], statistics: dict, neighbourhoods) -> list:
    """(neighbourhood or None for City and Hackney, figures) for an assignment of LSOA codes to
    neighbourhood ids: City and Hackney's is every LSOA with statistics."""
    names = dict(Lsoa.objects.filter(code__in=list(statistics)).values_list("code", "name"))
    for code, lsoa in statistics.items():
        lsoa.name = names.get(code, code)
    msoas, boroughs = language_figures(statistics)
    result = [
        (
            None,
            profiles.profile_of(
                list(statistics.values()), name=profiles.CITY_AND_HACKNEY, msoas=msoas,
                boroughs=boroughs,
            ),
        )
    ]  # fmt: skip
    for neighbourhood in neighbourhoods:
        own = [
            statistics[code]
            for code, pk in sorted(assignments.items())
            if pk == neighbourhood.pk and code in statistics
        ]
        result.append(
            (
                neighbourhood,
                profiles.profile_of(
                    own, name=neighbourhood.name, slug=neighbourhood.slug, msoas=msoas
                ),
            )
        )
    return result


def lsoa_map_shapes(codes: list[str]) -> dict:
    """The LSOAs' outlines as SVG paths on the British National Grid (metres, y flipped as SVG
    draws), simplified for a small map, and the box around them."""
    if not codes:
        return {}
    geometry = f"ST_SimplifyPreserveTopology(ST_Transform(boundary, 27700), {MAP_SIMPLIFY_METRES})"
    with connection.cursor() as cursor:
        cursor.execute(
            f"""SELECT code, ST_AsSVG({geometry}, 0, 0) FROM {Lsoa._meta.db_table}
                WHERE code = ANY(%s) ORDER BY code""",
            [codes],
        )
        paths = dict(cursor.fetchall())
        cursor.execute(
            f"""SELECT ST_XMin(b), ST_YMin(b), ST_XMax(b), ST_YMax(b) FROM (
                    SELECT ST_Extent(ST_Transform(boundary, 27700)) AS b
                    FROM {Lsoa._meta.db_table} WHERE code = ANY(%s)) AS extent""",
            [codes],
        )
        xmin, ymin, xmax, ymax = cursor.fetchone()
    margin = 50
    return {
        "view_box": f"{xmin - margin:.0f} {-ymax - margin:.0f} "
        f"{xmax - xmin + 2 * margin:.0f} {ymax - ymin + 2 * margin:.0f}",
        "paths": paths,
    }


@transaction.atomic
def profiles_recompute(*, version: BoundaryVersion | None = None) -> int:
    """Work out and store the profiles of `version` (default: the version in force, or none if
    no version has been kept) from the statistics and the LSOAs' neighbourhoods now. Returns
    how many stored profiles changed; nothing is stored while no statistics are imported."""
    statistics = statistics_by_code()
    if not statistics:
        return 0
    if version is None:
        version = BoundaryVersion.objects.order_by("-published_at", "-pk").first()
    assignments = dict(Lsoa.objects.values_list("code", "neighbourhood_id"))
    neighbourhoods = list(Neighbourhood.objects.not_removed().order_by("order", "pk"))
    computed = profiles_for(assignments, statistics, neighbourhoods)
    for neighbourhood, figures in computed:
        if neighbourhood is not None:
            figures["map"] = lsoa_map_shapes(figures["lsoa_codes"])
            figures["map"]["deciles"] = {
                code: statistics[code].decile() for code in figures["lsoa_codes"]
            }
            figures["map"]["names"] = {
                code: statistics[code].name for code in figures["lsoa_codes"]
            }
    kept = {p.neighbourhood_id: p for p in NeighbourhoodProfile.objects.filter(version=version)}
    now = timezone.now()
    changed = 0
    for neighbourhood, figures in computed:
        key = getattr(neighbourhood, "pk", None)
        old = kept.pop(key, None)
        if old is not None and old.figures == figures:
            continue
        changed += 1
        if old is None:
            NeighbourhoodProfile.objects.create(
                version=version, neighbourhood=neighbourhood, figures=figures, computed_at=now
            )
        else:
            old.figures, old.computed_at = figures, now
            old.save(update_fields=["figures", "computed_at"])
    for stale in kept.values():  # a neighbourhood deleted since
        stale.delete()
        changed += 1
    return changed


def assignments_after_move(lsoa_ids, target_id) -> dict[str, int | None]:
    """LSOA code -> neighbourhood id as it would be once the LSOAs moved."""
    moving = set(lsoa_ids)
    return {
        code: (target_id if pk in moving else neighbourhood_id)
        for pk, code, neighbourhood_id in Lsoa.objects.values_list("pk", "code", "neighbourhood_id")
    }


def move_profiles(*, lsoa_ids, target_id, neighbourhood_ids) -> list[dict]:
    """What moving the LSOAs does to each affected neighbourhood's profile: its headline figures
    before and after (residents, share in England's most deprived fifth, ages), or [] while no
    statistics are imported."""
    statistics = statistics_by_code()
    if not statistics:
        return []
    neighbourhoods = list(
        Neighbourhood.objects.filter(pk__in=list(neighbourhood_ids)).order_by("name")
    )
    before = dict(Lsoa.objects.values_list("code", "neighbourhood_id"))
    after = assignments_after_move(lsoa_ids, target_id)
    rows = []
    pairs = zip(
        profiles_for(before, statistics, neighbourhoods)[1:],
        profiles_for(after, statistics, neighbourhoods)[1:],
        strict=True,
    )
    for (neighbourhood, then), (_, now) in pairs:
        rows.append(
            {
                "neighbourhood": neighbourhood,
                "before": profiles.headline(then),
                "after": profiles.headline(now),
            }
        )
    return rows
