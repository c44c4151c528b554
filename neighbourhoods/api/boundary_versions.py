"""Boundary versions: every published state of the areas, and one version's areas."""

from ninja import Path, Query

from config import surrogates

from .. import maps
from ..models import BoundaryVersion
from . import as_on, errors
from .app import SAFE, answered, api, geojson, keyed
from .schemas import BoundaryVersionList, Error, VersionAreaCollection


@api.api_operation(
    SAFE,
    "/boundary-versions",
    response={200: BoundaryVersionList},
    summary="Every published state of the neighbourhood areas",
    description=(
        "The boundary versions, newest first: each published state of the areas, kept for "
        "good and dated. A new one is published whenever staff move an LSOA, rename a "
        "neighbourhood or import new areas."
    ),
    url_name="boundary_versions",
)
def boundary_versions(request):
    # A new version is listed first: every publish that keeps one purges the AS_ON key.
    return keyed(answered(as_on.versions_list()), [surrogates.AS_ON])


@api.api_operation(
    SAFE,
    "/boundary-versions/{version_id}/neighbourhoods",
    response={200: VersionAreaCollection, 400: Error, 404: Error},
    summary="The neighbourhood areas of one boundary version",
    description=(
        "A GeoJSON FeatureCollection of the areas as they were in that version, with each "
        "neighbourhood's name, slug and LSOA count then. 404: no such version "
        "(boundary_version_not_found)."
    ),
    url_name="boundary_version_areas",
)
def boundary_version_areas(
    request,
    version_id: int = Path(..., ge=1, le=2**31 - 1, examples=[1]),
    simplified: bool = Query(False, description="Boundaries simplified (about 2 m) for maps."),
):
    version = BoundaryVersion.objects.filter(pk=version_id).first()
    if version is None:
        return errors.error(
            404,
            "boundary_version_not_found",
            f"There is no boundary version {version_id}. See /api/v1/boundary-versions.",
        )
    return keyed(
        geojson(maps.version_collection(version, simplified=simplified)),
        [surrogates.areas(version.pk)],
    )
