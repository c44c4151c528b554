"""The API object (django-ninja) and what every operation shares: the generated OpenAPI
description with what ninja cannot know, the ?on= parameter, and answers as JSON, GeoJSON or
a download with their cache headers."""

from functools import cached_property
from typing import Annotated

from django.http import HttpResponse, JsonResponse
from ninja import NinjaAPI, Query
from pydantic import WithJsonSchema

from config import surrogates
from partnership.data_sources import DATA_SOURCES

from . import as_on

# Answers change the moment staff move an area, so browsers and proxies hold them briefly.
CACHE_HEADER = "public, max-age=60"
# The downloads change only when staff publish a change or an import runs.
DOWNLOAD_CACHE_HEADER = "public, max-age=3600"
# A point is often where someone is: their browser may keep the answer, a shared proxy not.
POINT_CACHE_HEADER = "private, max-age=60"
SAFE = ["GET", "HEAD"]  # HEAD answers as GET does, without the body
# ?on=YYYY-MM-DD: described by ninja as a date, but taken as text, so that as_on.date_asked
# alone reads it and every operation refuses a bad date alike (pydantic would refuse some
# itself, in its own words, and take others it should not, such as a timestamp).
DateText = Annotated[str, WithJsonSchema({"type": "string", "format": "date"})]
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

    media_types = {
        "boundary_version_areas": "application/geo+json",
        "neighbourhoods": "application/geo+json",
        "neighbourhood": "application/geo+json",
        "practices": "application/geo+json",
        "neighbourhoods_geojson": "application/geo+json",
        "postcodes_csv": "text/csv",
        "neighbourhood_profile_csv": "text/csv",
    }

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


def answered(body: dict, status: int = 200, cache: str | None = CACHE_HEADER) -> JsonResponse:
    response = JsonResponse(body, status=status)
    if cache and status < 400:
        response["Cache-Control"] = cache
    return response


def geojson(collection) -> JsonResponse:
    response = JsonResponse(collection, content_type="application/geo+json")
    response["Cache-Control"] = CACHE_HEADER
    return response


def download(body, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = DOWNLOAD_CACHE_HEADER
    return response


def keyed(response: HttpResponse, keys) -> HttpResponse:
    """Name what a public answer shows in its surrogate keys (config/surrogates.py), so the
    publish that changes one of them purges it from the shared cache; the middleware adds
    the coarse keys, and drops them all from an answer the cache may not keep."""
    response[surrogates.HEADER] = " ".join(dict.fromkeys(keys))
    return response
