"""Postcode districts: the neighbourhoods a district's postcodes fall in."""

from ninja import Path

from config import surrogates

from ..postcodes import ParsedPostcode
from ..selectors import district_answer
from . import errors
from .app import SAFE, answered, api, keyed
from .schemas import DistrictAnswer, Error
from .serialisers import district_body


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
    keys = [surrogates.district(parsed.outcode)]
    keys += [surrogates.neighbourhood(s.neighbourhood.pk) for s in district.shares]
    return keyed(answered(district_body(parsed.outcode, district)), keys)
