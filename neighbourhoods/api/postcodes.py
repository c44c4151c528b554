"""Postcodes: one (GET /postcodes/{postcode}) or up to 100 at once (POST /postcodes)."""

import json
from functools import lru_cache

from django.http import HttpResponse
from ninja import Path
from ninja.errors import ValidationError

from config import surrogates

from .. import stored_answer
from ..selectors import lookup_postcode, lookup_postcodes, parse_query, postcode_row
from . import as_on, errors
from .app import CACHE_HEADER, ON_DATE, SAFE, DateText, answered, api, keyed
from .schemas import MAX_BULK_POSTCODES, BulkAnswer, BulkRequest, Error, PostcodeAnswer
from .serialisers import postcode_body


def postcode_answer(raw: str) -> tuple[int, dict]:
    """The status and body GET /postcodes/{postcode} answers: an answer, or an error."""
    return postcode_body(lookup_postcode(raw))


def answer_keys(result) -> list[str]:
    """What a postcode's answer shows: the postcode and its district, its neighbourhood, and
    each practice it lists with the neighbourhood beside it."""
    keys = []
    if result.postcode is not None and result.postcode.is_full:
        keys += [surrogates.postcode(result.postcode.with_space),
                 surrogates.district(result.postcode.outcode)]  # fmt: skip
    if result.neighbourhood is not None and result.neighbourhood.pk is not None:
        keys.append(surrogates.neighbourhood(result.neighbourhood.pk))
    for practice in result.practices:
        keys.append(surrogates.practice(practice.ods_code))
    return keys


@api.api_operation(
    SAFE,
    "/postcodes/{postcode}",
    response={200: PostcodeAnswer, 400: Error, 404: Error},
    summary="The neighbourhood a postcode is in",
    description=(
        "Case and spaces in the postcode do not matter, nor one hyphen or full stop in "
        "place of its space (E8-1DY); any other character (a quote, =, ;) makes it not a "
        "postcode. A postcode outside the E, EC, N and WC postcode areas is out_of_area; a "
        "postcode typed in part (E8 1D) is a 400 pointing to its district. 400: not a "
        "postcode (invalid_postcode) or nothing (empty_postcode). 404: well formed but not "
        "in our data (postcode_not_found), or no longer in use (postcode_terminated)."
    ),
    url_name="postcode",
)
def postcode(
    request,
    postcode: str = Path(..., examples=["E8 1DY"]),
    on: DateText = ON_DATE,
):
    on = as_on.date_asked(request)
    if on is not None:
        result = lookup_postcode(postcode)
        status, body = postcode_body(result)
        if status == 200:
            body = as_on.postcode_on(body, postcode, on)
        return keyed(answered(body, status), [surrogates.AS_ON, *answer_keys(result)])
    parsed, _ = parse_query(postcode.strip())
    row = postcode_row(parsed.with_space) if parsed is not None and parsed.is_full else None
    if row is not None and not row[stored_answer.TERMINATED_COLUMN]:
        body, keys = live_answer(row)
        response = HttpResponse(body, content_type="application/json")
        response["Cache-Control"] = CACHE_HEADER
        response[surrogates.HEADER] = keys
        return response
    # Everything else (not a postcode, a district, unknown, terminated) as lookup_postcode
    # decides, from the row already read.
    rows = {}
    if row is not None:
        rows = {row[stored_answer.POSTCODE_COLUMN]: stored_answer.record_of(row)}
    result = lookup_postcode(postcode, rows=rows)
    status, body = postcode_body(result)
    return keyed(answered(body, status), answer_keys(result))


# A live postcode's answer is the same bytes for as long as its row is the same, so each
# process keeps the bytes of the answers it has given, keyed by the row itself (every column
# the answer is made from, the stored answer's JSON text included): a row that changes in any
# way is a new key, so nothing is ever stale and nothing needs clearing. About 2.5 kB an
# answer with its key: at most ~20 MB a process. The row is still read on every request.
ANSWER_BODIES = 8_000


@lru_cache(maxsize=ANSWER_BODIES)
def live_answer(row: tuple) -> tuple[bytes, str]:
    """A live postcode's answer: its bytes, and its surrogate keys (what it shows)."""
    record = stored_answer.record_of(row)
    result = lookup_postcode(record.postcode, rows={record.postcode: record})
    status, body = postcode_body(result)
    return answered(body, status).content, " ".join(dict.fromkeys(answer_keys(result)))


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


def sent_postcodes(request):
    """What the body sent as "postcodes", to word a refusal; None if the body cannot be read
    as a JSON object. Any body, however nested or malformed, ends here rather than in a 500
    (a thousand nested lists raise RecursionError, invalid UTF-8 a UnicodeDecodeError)."""
    try:
        body = json.loads(request.body)
    except (ValueError, RecursionError):
        return None
    return body.get("postcodes") if isinstance(body, dict) else None


def refused_bulk(request, exc: ValidationError) -> HttpResponse:
    sent = sent_postcodes(request)
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
