"""The JSON API: the same answers as the pages, for partner organisations and developers."""

import re

from django.http import JsonResponse
from django.views.decorators.http import require_safe

from .. import maps
from ..answers import Outcome, district_answer, lookup_postcode
from ..openapi import schema
from ..postcodes import ParsedPostcode

# Answers change the moment staff move an area, so browsers and proxies hold them briefly.
CACHE_HEADER = "public, max-age=60"
SLUG_RE = re.compile(r"^[-a-z0-9]{1,50}$")


def error(status: int, code: str, message: str) -> JsonResponse:
    return JsonResponse({"error": {"code": code, "message": message}}, status=status)


def neighbourhood_ref(neighbourhood):
    """Name, slug and the page's address, relative to the API's own host."""
    if neighbourhood is None:
        return None
    return {
        "name": neighbourhood.name,
        "slug": neighbourhood.slug,
        "url": neighbourhood.get_absolute_url(),
    }


@require_safe
def postcode(request, postcode):
    result = lookup_postcode(postcode)
    parsed = result.postcode
    if parsed is not None and not parsed.is_full:
        return error(
            400,
            "invalid_postcode",
            f"{parsed.outcode} is a postcode district, not a full postcode. "
            f"Ask /api/outcodes/{parsed.outcode} for the neighbourhoods it falls in.",
        )
    if result.is_error:
        return error(result.status_code, result.error_code, result.message)
    if result.outcome == Outcome.DISTRICT:  # typed in part, like "E8 1D"
        return error(
            400,
            "invalid_postcode",
            f"{result.query} is only part of a postcode. Ask /api/outcodes/"
            f"{result.postcode.outcode} for the neighbourhoods its district falls in.",
        )
    record, authority = result.record, result.local_authority
    answer = (record.answer or {}) if record else {}
    body = {
        "postcode": str(result.postcode),
        "status": result.outcome.value,
        "message": result.message,
        "neighbourhood": neighbourhood_ref(result.neighbourhood),
        # Null for a postcode outside the postcode areas City and Hackney lies in: we hold
        # no record of it, only that it is elsewhere.
        "local_authority": {
            "code": record.local_authority_code,
            "name": authority.name if authority else None,
            "nhs_body": (authority.nhs_body or None) if authority else None,
        }
        if record
        else None,
        "location": {"latitude": answer.get("latitude"), "longitude": answer.get("longitude")}
        if record
        else None,
        "practices": [
            {
                "ods_code": p.ods_code,
                "name": p.name,
                "postcode": p.postcode,
                "phone": p.phone,
                "distance_m": round(p.distance_m),
            }
            for p in result.practices
        ],
        "indicative": True,
    }
    response = JsonResponse(body)
    response["Cache-Control"] = CACHE_HEADER
    return response


@require_safe
def outcode(request, outcode):
    parsed = ParsedPostcode.parse(outcode)
    if parsed is None or parsed.is_full:
        return error(
            400,
            "invalid_outcode",
            "Enter a postcode district: the first half of a postcode, like E8.",
        )
    district = district_answer(parsed.outcode)
    if district.total == 0:
        return error(404, "outcode_not_found", f"We have no postcodes in {parsed.outcode}.")
    return JsonResponse(
        {
            "outcode": parsed.outcode,
            "status": Outcome.DISTRICT.value,
            "postcodes": district.total,
            "outside_area": district.outside,
            "neighbourhoods": [
                {**neighbourhood_ref(s.neighbourhood), "postcodes": s.postcodes}
                for s in district.shares
            ],
        }
    )


def geojson_response(collection):
    response = JsonResponse(collection, content_type="application/geo+json")
    response["Cache-Control"] = CACHE_HEADER
    return response


@require_safe
def neighbourhoods(request):
    simplified = request.GET.get("simplified") in {"1", "true"}
    return geojson_response(maps.neighbourhoods_collection(simplified=simplified))


@require_safe
def neighbourhood(request, slug):
    simplified = request.GET.get("simplified") in {"1", "true"}
    collection = None
    if SLUG_RE.match(slug):
        collection = maps.neighbourhoods_collection(simplified=simplified, slug=slug)
    if not collection or not collection["features"]:
        return error(
            404,
            "neighbourhood_not_found",
            "No neighbourhood has that name. See /api/neighbourhoods.",
        )
    return geojson_response(collection["features"][0])


@require_safe
def practices(request):
    return geojson_response(maps.practices_collection())


@require_safe
def openapi(request):
    return JsonResponse(schema(request.build_absolute_uri("/")), json_dumps_params={"indent": 2})


def not_found(request, exception=None):
    return error(404, "not_found", "There is nothing at this address in the API.")
