"""The API's operations. Each renders a result of neighbourhoods.answers, the decision the
pages render too, so the page and the API never disagree.

The answers on the hot path (a postcode, a point) are built as JSON responses here rather
than validated again by ninja on the way out: their declared response schemas still
describe them in the OpenAPI description, and tests/test_api_schema.py checks every
documented answer against that description (docs/api.md).
"""

import datetime
import json
import re
from functools import cached_property, lru_cache

from django.http import HttpResponse, JsonResponse
from ninja import NinjaAPI, Path, Query
from ninja.errors import HttpError, ValidationError

from partnership.data_sources import DATA_SOURCES

from .. import maps, selectors
from ..answers import (
    ANSWER_COLUMNS,
    Outcome,
    district_answer,
    lookup_point,
    lookup_postcode,
    lookup_postcodes,
    parse_query,
    record_of,
    stored_row,
)
from ..models import BoundaryVersion
from ..postcodes import ParsedPostcode
from . import as_on, downloads, errors
from .schemas import (
    MAX_BULK_POSTCODES,
    AreaCollection,
    AreaDownload,
    AreaFeature,
    BoundaryVersionList,
    BulkAnswer,
    BulkRequest,
    DistrictAnswer,
    Error,
    PointAnswer,
    PostcodeAnswer,
    PracticeCollection,
    VersionAreaCollection,
)

# Answers change the moment staff move an area, so browsers and proxies hold them briefly.
CACHE_HEADER = "public, max-age=60"
# The downloads change only when staff publish a change or an import runs.
DOWNLOAD_CACHE_HEADER = "public, max-age=3600"
SLUG_RE = re.compile(r"^[-a-z0-9]{1,50}$")
AREAS_FILE = "city-and-hackney-neighbourhoods.geojson"
SAFE = ["GET", "HEAD"]  # HEAD answers as GET does, without the body
# ?on=YYYY-MM-DD: described by ninja; read strictly by as_on.date_asked.
ON_DATE = Query(None, description=as_on.ON_DESCRIPTION, examples=["2026-03-01"])

RATE_LIMITED = {
    "description": (
        "Too many requests from one client address (rate_limited). Every API address counts "
        "towards one limit per client; wait for the seconds in Retry-After."
    ),
    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    "headers": {
        "Retry-After": {
            "description": "Seconds until the client may ask again.",
            "schema": {"type": "integer", "minimum": 1},
        }
    },
}
ATTRIBUTION = " ".join(
    dict.fromkeys(
        line for key in ("codepoint-open", "ons-boundaries", "ods-epraccur")
        for source in DATA_SOURCES if source.key == key for line in source.attribution
    )
)  # fmt: skip
DESCRIPTION = (
    "Which City and Hackney neighbourhood a postcode or a point is in, and the neighbourhoods' "
    "areas and GP practices. The areas are indicative: a resident's GP practice decides their "
    "neighbourhood. Coverage: every postcode in the City of London and Hackney lies in the E, "
    "EC, N or WC postcode areas, and we hold those areas' postcodes around City and Hackney. "
    "A well-formed postcode in any other area (SW1A 1AA, for example) is answered as outside "
    "City and Hackney (200, status out_of_area, with a null neighbourhood, local_authority and "
    "location). Paths are versioned under /api/v1/; /api/ is an alias of the current version. "
    'Every error has the shape {"error": {"code", "message"}}. ' + ATTRIBUTION
)


class PortalAPI(NinjaAPI):
    """Adds what ninja's generated description cannot know: the shared rate limit's 429 on
    every operation, the media types of GeoJSON and CSV answers, and no HEAD operations
    (HEAD is answered as GET is). Worked out once per process."""

    media_types: dict[str, str] = {}

    @cached_property
    def _schema(self):
        schema = super().get_openapi_schema(path_prefix=self.get_root_path({}).lstrip("/"))
        for path in schema["paths"].values():
            path.pop("head", None)
            for operation in path.values():
                responses = {str(code): answer for code, answer in operation["responses"].items()}
                operation["responses"] = {**responses, "429": RATE_LIMITED}
                media_type = self.media_types.get(operation["operationId"])
                if media_type:
                    ok = operation["responses"]["200"]
                    ok["content"] = {media_type: next(iter(ok["content"].values()))}
        return schema

    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        return self._schema

    def get_openapi_operation_id(self, operation) -> str:
        return operation.view_func.__name__


api = PortalAPI(
    title="City and Hackney Neighbourhoods API",
    version="1.0.0",
    description=DESCRIPTION,
    urls_namespace="api",
    docs_url=None,  # the docs page would load scripts from elsewhere, against our CSP
    openapi_extra={
        "info": {
            "license": {
                "name": "Open Government Licence v3.0",
                "url": "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/",
            }
        }
    },
)


# A point is often where someone is: their browser may keep the answer, a shared proxy not.
POINT_CACHE_HEADER = "private, max-age=60"


def answered(body: dict, status: int = 200, cache: str | None = CACHE_HEADER) -> JsonResponse:
    response = JsonResponse(body, status=status)
    if cache and status < 400:
        response["Cache-Control"] = cache
    return response


def neighbourhood_ref(neighbourhood) -> dict | None:
    """Name, slug and the page's address, relative to the API's own host."""
    if neighbourhood is None:
        return None
    return {
        "name": neighbourhood.name,
        "slug": neighbourhood.slug,
        "url": neighbourhood.get_absolute_url(),
    }


def authority_ref(code, authority) -> dict:
    return {
        "code": code,
        "name": authority.name if authority else None,
        "nhs_body": (authority.nhs_body or None) if authority else None,
    }


def practices_of(result) -> list[dict]:
    return [
        {
            "ods_code": p.ods_code,
            "name": p.name,
            "postcode": p.postcode,
            "phone": p.phone,
            "distance_m": round(p.distance_m),
        }
        for p in result.practices
    ]


def postcode_answer(raw: str) -> tuple[int, dict]:
    """The status and body GET /postcodes/{postcode} answers: an answer, or an error."""
    return postcode_body(lookup_postcode(raw))


def postcode_body(result) -> tuple[int, dict]:
    parsed = result.postcode
    if parsed is not None and not parsed.is_full and ParsedPostcode.parse(result.query) is None:
        return 400, {"error": {"code": "invalid_postcode", "message": (  # typed in part: "E8 1D"
            f"{result.query} is only part of a postcode. Ask /api/outcodes/"
            f"{parsed.outcode} for the neighbourhoods its district falls in."
        )}}  # fmt: skip
    if parsed is not None and not parsed.is_full:
        return 400, {"error": {"code": "invalid_postcode", "message": (
            f"{parsed.outcode} is a postcode district, not a full postcode. "
            f"Ask /api/outcodes/{parsed.outcode} for the neighbourhoods it falls in."
        )}}  # fmt: skip
    if result.is_error:
        return result.status_code, {"error": {"code": result.error_code, "message": result.message}}
    record = result.record
    point = result.point
    return 200, {
        "postcode": str(result.postcode),
        "status": result.outcome.value,
        "message": result.message,
        "neighbourhood": neighbourhood_ref(result.neighbourhood),
        # Null for a postcode outside the postcode areas City and Hackney lies in: we hold
        # no record of it, only that it is elsewhere.
        "local_authority": (
            authority_ref(record.local_authority_code, result.local_authority) if record else None
        ),
        "location": {"latitude": point.latitude, "longitude": point.longitude} if point else None,
        "practices": practices_of(result),
        "indicative": True,
    }


@api.api_operation(
    SAFE,
    "/postcodes/{postcode}",
    response={200: PostcodeAnswer, 400: Error, 404: Error},
    summary="The neighbourhood a postcode is in",
    description=(
        "Case, spaces and punctuation in the postcode do not matter. A postcode outside the E, "
        "EC, N and WC postcode areas is out_of_area; a postcode typed in part (E8 1D) is a 400 "
        "pointing to its district. 400: not a postcode (invalid_postcode) or nothing "
        "(empty_postcode). 404: well formed but not in our data (postcode_not_found), or no "
        "longer in use (postcode_terminated)."
    ),
    url_name="postcode",
)
def postcode(
    request,
    postcode: str = Path(..., examples=["E8 1DY"]),
    on: datetime.date = ON_DATE,
):
    on = as_on.date_asked(request)
    if on is not None:
        status, body = postcode_answer(postcode)
        if status == 200:
            body = as_on.postcode_on(body, postcode, on)
        return answered(body, status)
    parsed, _ = parse_query(postcode.strip())
    row = stored_row(parsed.with_space) if parsed is not None and parsed.is_full else None
    if row is not None and not row[TERMINATED]:
        response = HttpResponse(live_answer_body(row), content_type="application/json")
        response["Cache-Control"] = CACHE_HEADER
        return response
    # Everything else (not a postcode, a district, unknown, terminated) as lookup_postcode
    # decides, from the row already read.
    rows = {row[POSTCODE]: record_of(row)} if row is not None else {}
    status, body = postcode_body(lookup_postcode(postcode, rows=rows))
    return answered(body, status)


# A live postcode's answer is the same bytes for as long as its row is the same, so each
# process keeps the bytes of the answers it has given, keyed by the row itself (every column
# the answer is made from, the stored answer's JSON text included): a row that changes in any
# way is a new key, so nothing is ever stale and nothing needs clearing. About 2.5 kB an
# answer with its key: at most ~20 MB a process. The row is still read on every request.
ANSWER_BODIES = 8_000
POSTCODE = next(i for i, f in enumerate(ANSWER_COLUMNS) if f.attname == "postcode")
TERMINATED = next(i for i, f in enumerate(ANSWER_COLUMNS) if f.attname == "terminated")


@lru_cache(maxsize=ANSWER_BODIES)
def live_answer_body(row: tuple) -> bytes:
    record = record_of(row)
    status, body = postcode_body(lookup_postcode(record.postcode, rows={record.postcode: record}))
    return answered(body, status).content


def _bulk_item(raw: str, result) -> dict:
    status, body = postcode_body(result)
    if status < 400:
        return {"query": raw, "http_status": status, "result": body, "error": None}
    return {"query": raw, "http_status": status, "result": None, "error": body["error"]}


@api.post(
    "/postcodes",
    response={200: BulkAnswer, 400: Error},
    summary="Up to 100 postcodes at once",
    description=(
        f'A JSON body {{"postcodes": [...]}} of 1 to {MAX_BULK_POSTCODES} postcodes. The answers '
        "come in the order asked, each with the status and the answer or error GET "
        "/api/v1/postcodes/{postcode} would give. 400: more than the limit, none, or a body "
        "that is not that JSON (too_many_postcodes, no_postcodes, malformed_body). The API "
        "uses no cookies, so this needs no CSRF token."
    ),
    url_name="bulk_postcodes",
)
def bulk_postcodes(request, body: BulkRequest):
    results = lookup_postcodes(body.postcodes)
    items = [_bulk_item(raw, result) for raw, result in zip(body.postcodes, results, strict=True)]
    # Each body asks something different: nothing should keep the answer.
    return answered({"results": items}, cache="no-store")


def refused_bulk(request, exc: ValidationError) -> HttpResponse:
    try:
        sent = json.loads(request.body).get("postcodes")
    except (ValueError, AttributeError):
        sent = None
    if isinstance(sent, list) and len(sent) > MAX_BULK_POSTCODES:
        return errors.error(400, "too_many_postcodes", (
            f"Send at most {MAX_BULK_POSTCODES} postcodes in one request: this one has "
            f"{len(sent)}. Split them into requests of {MAX_BULK_POSTCODES} or fewer."
        ))  # fmt: skip
    if isinstance(sent, list) and not sent:
        return errors.error(400, "no_postcodes", "Send at least one postcode in the list.")
    return errors.error(400, "malformed_body", (
        'The body must be JSON like {"postcodes": ["E8 1DY", "N16 9JT"]}: one key, '
        f"postcodes, a list of 1 to {MAX_BULK_POSTCODES} strings."
    ))  # fmt: skip


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
    on: datetime.date = ON_DATE,
):
    on = as_on.date_asked(request)
    response = point_response(lookup_point(lat, lon))
    if on is not None and response.status_code == 200:
        response = answered(as_on.point_on(json.loads(response.content), on))
    return response


def point_response(result) -> JsonResponse:
    if result.is_error:
        return errors.error(result.status_code, result.error_code, result.message)
    location = result.location
    return answered({
        "status": result.outcome.value,
        "message": result.message,
        "location": {"latitude": location.latitude, "longitude": location.longitude},
        "neighbourhood": neighbourhood_ref(result.neighbourhood),
        "local_authority": (
            authority_ref(result.local_authority.gss_code, result.local_authority)
            if result.local_authority else None
        ),
        "practices": practices_of(result),
        "indicative": True,
    }, cache=POINT_CACHE_HEADER)  # fmt: skip


def refused_point(request, exc: ValidationError) -> HttpResponse:
    """A point ninja could not read as two numbers in range: the decision words why."""
    return point_response(lookup_point(request.GET.get("lat"), request.GET.get("lon")))


@api.api_operation(
    SAFE,
    "/outcodes/{outcode}",
    response={200: DistrictAnswer, 400: Error, 404: Error},
    summary="The neighbourhoods a postcode district's postcodes fall in",
    description=(
        "Counts of live postcodes by neighbourhood. 400: not a postcode district "
        "(invalid_outcode). 404: no postcodes in that district (outcode_not_found)."
    ),
    url_name="outcode",
)
def outcode(request, outcode: str = Path(..., examples=["E8"])):
    parsed = ParsedPostcode.parse(outcode)
    if parsed is None or parsed.is_full:
        return errors.error(
            400,
            "invalid_outcode",
            "Enter a postcode district: the first half of a postcode, like E8.",
        )
    district = district_answer(parsed.outcode)
    if district.total == 0:
        return errors.error(404, "outcode_not_found", f"We have no postcodes in {parsed.outcode}.")
    return answered({
        "outcode": parsed.outcode,
        "status": Outcome.DISTRICT.value,
        "postcodes": district.total,
        "outside_area": district.outside,
        "neighbourhoods": [
            {**neighbourhood_ref(s.neighbourhood), "postcodes": s.postcodes}
            for s in district.shares
        ],
    })  # fmt: skip


def geojson(collection) -> JsonResponse:
    response = JsonResponse(collection, content_type="application/geo+json")
    response["Cache-Control"] = CACHE_HEADER
    return response


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
    on: datetime.date = ON_DATE,
):
    on = as_on.date_asked(request)
    if on is not None:
        version = selectors.version_on(as_on.in_force(on))
        return geojson(selectors.areas_geojson(version, simplified=simplified))
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


def download(body, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = DOWNLOAD_CACHE_HEADER
    return response


@api.api_operation(
    SAFE,
    "/postcodes.csv",
    response={200: str},
    summary="Every live City and Hackney postcode, as CSV",
    description=(
        "Columns: " + ", ".join(downloads.CSV_COLUMNS) + ". The lines before the header begin "
        "with # and give the attribution the data's licences require and each source's release "
        "date. Changes only when the areas or the postcodes do."
    ),
    url_name="postcodes_csv",
)
def postcodes_csv(request):
    return download(
        downloads.postcodes_csv(), "text/csv; charset=utf-8", "city-and-hackney-postcodes.csv"
    )


@api.api_operation(
    SAFE,
    "/neighbourhoods.geojson",
    response={200: AreaDownload},
    summary="The eight neighbourhood areas at full detail, as a download",
    description=(
        "A GeoJSON FeatureCollection with the attribution the data's licences require and each "
        "source's release date as foreign members."
    ),
    url_name="neighbourhoods_geojson",
)
def neighbourhoods_geojson(request):
    return download(
        downloads.areas_geojson(), "application/geo+json", "city-and-hackney-neighbourhoods.geojson"
    )


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
    return answered(as_on.versions_list())


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
    return geojson(selectors.areas_geojson(version, simplified=simplified))


PortalAPI.media_types = {
    "boundary_version_areas": "application/geo+json",
    "neighbourhoods": "application/geo+json",
    "neighbourhood": "application/geo+json",
    "practices": "application/geo+json",
    "neighbourhoods_geojson": "application/geo+json",
    "postcodes_csv": "text/csv",
}

REFUSED = {"point": refused_point, "bulk_postcodes": refused_bulk}


def refused(request, exc: ValidationError) -> HttpResponse:
    try:
        as_on.date_asked(request)  # a bad ?on= is worded the same for every operation
    except as_on.DateRefused as refusal:
        return as_on.refused_date(request, refusal)
    match = getattr(request, "resolver_match", None)
    handler = REFUSED.get(match.url_name if match else None)
    if handler is not None:
        return handler(request, exc)
    return errors.validation_error(request, exc)


def http_error(request, exc: HttpError) -> HttpResponse:
    match = getattr(request, "resolver_match", None)
    if match and match.url_name == "bulk_postcodes" and exc.status_code == 400:
        return refused_bulk(request, exc)
    return errors.http_error(request, exc)


api.add_exception_handler(ValidationError, refused)
api.add_exception_handler(HttpError, http_error)
api.add_exception_handler(as_on.DateRefused, as_on.refused_date)
api.add_exception_handler(selectors.NoVersionOnDate, as_on.no_version)
