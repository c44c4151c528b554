"""The API's one error shape, {"error": {"code": ..., "message": ...}}, for every error status:
the answers' own errors, bad requests ninja refuses, and what Django answers itself."""

from django.http import HttpResponse, JsonResponse
from ninja.errors import HttpError, ValidationError

# Statuses the API can answer that its operations do not word themselves.
GENERIC_ERRORS = {
    400: ("bad_request", "The request could not be understood. See /api/openapi.json."),
    403: ("forbidden", "This request is not allowed."),
    404: ("not_found", "There is nothing at this address in the API."),
    405: (
        "method_not_allowed",
        "This address does not answer that method: see the Allow header and /api/openapi.json.",
    ),
    429: ("rate_limited", "Too many requests. Wait a moment and try again."),
    500: ("server_error", "Something went wrong on our side. Try again later."),
}


def error(status: int, code: str, message: str) -> JsonResponse:
    return JsonResponse({"error": {"code": code, "message": message}}, status=status)


def generic_error(status: int) -> JsonResponse:
    code, message = GENERIC_ERRORS.get(status, ("error", "The request could not be answered."))
    return error(status, code, message)


def not_found(request, exception=None) -> JsonResponse:
    return generic_error(404)


def server_error(request) -> JsonResponse:
    return generic_error(500)


def _where(location) -> str:
    """A parameter's name from a pydantic error location, such as ("query", "lat")."""
    names = [str(part) for part in location if part not in ("query", "path", "body")]
    return ".".join(names) or "the request"


def validation_error(request, exc: ValidationError) -> HttpResponse:
    """A parameter or body ninja refused. Operations whose answer decides malformed input
    itself (a point, a bulk request) word it their own way first (points.py, postcodes.py)."""
    refused = getattr(request, "refused_input", None)
    if refused is not None:
        return refused(request, exc)
    problems = "; ".join(f"{_where(e.get('loc', ()))}: {e.get('msg', 'invalid')}"
                         for e in exc.errors[:5])  # fmt: skip
    return error(
        400, "bad_request", f"The request was refused ({problems}). See /api/openapi.json."
    )


def http_error(request, exc: HttpError) -> HttpResponse:
    if exc.status_code == 400:  # a body that is not JSON
        return error(400, "malformed_body", "The request body must be JSON: " + str(exc))
    return generic_error(exc.status_code)


def as_json_error(response):
    """An error Django answered itself (a 405, a bad Host's 400...) in the API's shape,
    keeping its Allow header."""
    answer = generic_error(response.status_code)
    if response.has_header("Allow"):
        answer["Allow"] = response["Allow"]
    return answer


def is_json(response) -> bool:
    return "json" in response.get("Content-Type", "")
