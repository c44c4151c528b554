"""The neighbourhood areas, today's or as on a date, as GeoJSON."""

import re

from ninja import Path, Query

from .. import maps, versions
from . import as_on, errors
from .app import ON_DATE, SAFE, DateText, api, geojson
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
        return geojson(maps.version_collection(version, simplified=simplified))
    return geojson(maps.neighbourhoods_collection(simplified=simplified))


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
    return geojson(collection["features"][0])
