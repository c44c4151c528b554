"""One serialiser for each thing an answer names: a neighbourhood, a local authority, a
practice, a point; and the bodies of the lookup answers built from them. The page and the
API render the same `LookupResult`; these say how the API writes it."""

from ..answers import Outcome
from ..postcodes import ParsedPostcode


def location_ref(location) -> dict | None:
    return {"latitude": location.latitude, "longitude": location.longitude} if location else None


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
            "neighbourhood": (
                {**p.neighbourhood, "url": p.neighbourhood_url} if p.neighbourhood else None
            ),
            "outside_area": p.outside_area,
            "borough": p.borough,
            "serves": p.serves or None,
            "registers_everyone": p.registers_everyone,
        }
        for p in result.practices
    ]


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
        "ward": ({"code": result.ward.gss_code, "name": result.ward.name} if result.ward else None),
        "location": location_ref(point),
        "practices": practices_of(result),
        "indicative": True,
    }


def point_body(result) -> dict:
    """The body of a point's answer (not an error)."""
    return {
        "status": result.outcome.value,
        "message": result.message,
        "location": location_ref(result.location),
        "neighbourhood": neighbourhood_ref(result.neighbourhood),
        "local_authority": (
            authority_ref(result.local_authority.gss_code, result.local_authority)
            if result.local_authority
            else None
        ),
        "practices": practices_of(result),
        "indicative": True,
    }


def district_body(outcode: str, district) -> dict:
    return {
        "outcode": outcode,
        "status": Outcome.DISTRICT.value,
        "postcodes": district.total,
        "outside_area": district.outside,
        "no_neighbourhood": district.no_neighbourhood,
        "message": district.counted + ".",
        "neighbourhoods": [
            {**neighbourhood_ref(s.neighbourhood), "postcodes": s.postcodes}
            for s in district.shares
        ],
    }
