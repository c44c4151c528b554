"""GP practices and their neighbourhoods, as GeoJSON."""

from config import surrogates

from .. import maps
from .app import SAFE, api, geojson, keyed
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
    collection = maps.practices_collection()
    keys = [surrogates.PRACTICES, surrogates.NEIGHBOURHOODS]
    keys += [surrogates.practice(f["id"]) for f in collection["features"]]
    keys += [surrogates.release(source) for source in PRACTICE_SOURCES]
    return keyed(geojson(collection), keys)


# The releases the practices' details and registered patients come from.
PRACTICE_SOURCES = ("ods-epraccur", "ods-epcn", "gp-registered-patients")
