"""GP practices and their neighbourhoods, as GeoJSON."""

from .. import maps
from .app import SAFE, api, geojson
from .schemas import PracticeCollection


@api.api_operation(
    SAFE,
    "/practices",
    response={200: PracticeCollection},
    summary="GP practices and their neighbourhoods",
    description="A GeoJSON FeatureCollection of points: the practices with a current membership.",
    url_name="practices",
)
def practices(request):
    return geojson(maps.practices_collection())
