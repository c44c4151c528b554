"""How the API words a request it refuses: a bad ?on= the same for every operation, a
point or a bulk body as their own operations word it, anything else in the one error shape;
and a date before the first boundary version."""

from django.http import HttpResponse
from ninja.errors import HttpError, ValidationError

from .. import versions
from . import as_on, errors
from .app import api
from .points import refused_point
from .postcodes import refused_bulk

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
api.add_exception_handler(versions.NoVersionOnDate, as_on.no_version)
