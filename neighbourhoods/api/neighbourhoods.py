"""The neighbourhood areas, today's or as on a date, as GeoJSON."""

import re

from ninja import Path, Query

from config import generation, surrogates

from .. import maps, versions
from . import as_on, errors
from .app import ON_DATE, SAFE, DateText, api, geojson, keyed
from .schemas import AreaCollection, AreaFeature, Error, VersionAreaCollection

SLUG_RE = re.compile(r"^[-a-z0-9]{1,50}$")


@api.api_operation(
    SAFE,
    "/neighbourhoods",
    response={200: AreaCollection | VersionAreaCollection, 400: Error, 404: Error},
    summary="The eight neighbourhood areas",
    description=(
        "A GeoJSON FeatureCollection of MultiPolygons. With ?on=YYYY-MM-DD, the areas of the "
        "boundary version in force on that date, as GET /api/v1/boundary-versions/{id}/"
        "neighbourhoods gives them (400 invalid_date, 404 no_boundary_version)."
    ),
    url_name="neighbourhoods",
)
def neighbourhoods(
    request,
    simplified: bool = Query(False, description="Boundaries simplified (about 2 m) for maps."),
    on: DateText = ON_DATE,
):
    on = as_on.date_asked(request)
    if on is not None:
        version = versions.version_on(as_on.in_force(on))
        return keyed(
            geojson(maps.version_collection(version, simplified=simplified)),
            [surrogates.AS_ON, surrogates.areas(version.pk)],
        )
    return keyed(geojson(maps.neighbourhoods_collection(simplified=simplified)), areas_keys())


def areas_keys(slug=None) -> list[str]:
    """Today's areas: the neighbourhoods shown (their names, areas and practice counts), and
    the boundary version they are. Kept in Django's cache as the areas are (every publish
    clears both)."""
    cache_key = f"geojson:keys:{slug or '*'}"
    token, keys = generation.kept(cache_key)
    if keys is None:
        keys = [
            surrogates.NEIGHBOURHOODS,
            surrogates.areas(versions.latest_version_id()),
            *(surrogates.neighbourhood(pk) for pk in maps.neighbourhood_ids(slug=slug)),
        ]
        generation.keep(cache_key, token, keys, maps.CACHE_SECONDS)
    return keys


@api.api_operation(
    SAFE,
    "/neighbourhoods/{slug}",
    response={200: AreaFeature, 400: Error, 404: Error},
    summary="One neighbourhood area",
    description="A GeoJSON Feature. 404: no such neighbourhood (neighbourhood_not_found).",
    url_name="neighbourhood",
)
def neighbourhood(
    request,
    slug: str = Path(..., examples=["london-fields"]),
    simplified: bool = Query(False, description="Boundaries simplified (about 2 m) for maps."),
):
    collection = None
    if SLUG_RE.match(slug):
        collection = maps.neighbourhoods_collection(simplified=simplified, slug=slug)
    if not collection or not collection["features"]:
        return errors.error(
            404,
            "neighbourhood_not_found",
            "No neighbourhood has that name. See /api/neighbourhoods.",
        )
    return keyed(geojson(collection["features"][0]), areas_keys(slug))
