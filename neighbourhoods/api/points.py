"""Points: the neighbourhood, borough and nearest practices for a latitude and longitude."""

import json

from django.http import HttpResponse, JsonResponse
from ninja import Query
from ninja.errors import ValidationError

from ..selectors import lookup_point
from . import as_on, errors
from .app import ON_DATE, POINT_CACHE_HEADER, SAFE, DateText, answered, api
from .schemas import Error, PointAnswer
from .serialisers import point_body


@api.api_operation(
    SAFE,
    "/points",
    response={200: PointAnswer, 400: Error, 404: Error},
    summary="The neighbourhood, borough and nearest practices for a point",
    description=(
        "Latitude and longitude in decimal degrees (WGS84). The neighbourhood and borough are "
        "the ones whose areas cover the point (a point on a boundary counts). A point outside "
        "City and Hackney is out_of_area and names its borough (null outside every London "
        "borough). 404: outside Great Britain (outside_great_britain). 400: not a latitude "
        "and longitude (invalid_point)."
    ),
    url_name="point",
)
def point(
    request,
    lat: float = Query(..., ge=-90, le=90, examples=[51.5465], description="Latitude"),
    lon: float = Query(..., ge=-180, le=180, examples=[-0.0553], description="Longitude"),
    on: DateText = ON_DATE,
):
    on = as_on.date_asked(request)
    # The coordinates as sent, read by the same Location.parse as the page: ninja's floats
    # only describe them (pydantic would take "5_1" as 51).
    response = point_response(lookup_point(request.GET.get("lat"), request.GET.get("lon")))
    if on is not None and response.status_code == 200:
        # Still where someone may be: kept by their browser alone, never by a shared cache.
        response = answered(
            as_on.point_on(json.loads(response.content), on), cache=POINT_CACHE_HEADER
        )
    return response


def point_response(result) -> JsonResponse:
    if result.is_error:
        return errors.error(result.status_code, result.error_code, result.message)
    return answered(point_body(result), cache=POINT_CACHE_HEADER)


def refused_point(request, exc: ValidationError) -> HttpResponse:
    """A point ninja could not read as two numbers in range: the decision words why."""
    return point_response(lookup_point(request.GET.get("lat"), request.GET.get("lon")))
