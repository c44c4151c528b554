"""Headers every answer carries: Cache-Control and Cross-Origin-Resource-Policy."""

from django.utils.cache import patch_cache_control

API_PREFIX = "/api/"
# Pages change when staff edit them: a browser may keep one, but must ask again each time.
PAGE_CACHE = {"no_cache": True}
# Anything that carries a session, a CSRF token or a signed-in user is nobody else's.
PRIVATE_CACHE = {"private": True, "no_store": True}
# Data answers (the views set their own max-age); their errors are never kept.
API_ERROR_CACHE = {"no_store": True}
API_CACHE = {"public": True, "max_age": 60}


def _is_private(request, response) -> bool:
    user = getattr(request, "user", None)
    session = getattr(request, "session", None)
    return bool(
        request.path.startswith("/admin/")
        or response.cookies
        or request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
        or request.META.get("CSRF_COOKIE_USED")
        or (session is not None and session.accessed)
        or (user is not None and user.is_authenticated)
    )


class ResponseHeadersMiddleware:
    """Placed above WhiteNoise, so static files keep WhiteNoise's own Cache-Control (hashed
    names: a year, immutable) while everything Django answers gets one of the above."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        is_api = request.path.startswith(API_PREFIX)
        # The API is for other sites to read (CORS); nothing else is.
        corp = "cross-origin" if is_api else "same-origin"
        response.setdefault("Cross-Origin-Resource-Policy", corp)
        if is_api:
            # An API answer is the same for everyone, signed in or not.
            if response.status_code >= 400:
                del response["Cache-Control"]
                patch_cache_control(response, **API_ERROR_CACHE)
            elif not response.has_header("Cache-Control"):
                patch_cache_control(response, **API_CACHE)
        elif _is_private(request, response):
            if "no-store" not in response.get("Cache-Control", ""):
                del response["Cache-Control"]
                patch_cache_control(response, **PRIVATE_CACHE)
        elif not response.has_header("Cache-Control"):
            patch_cache_control(response, **PAGE_CACHE)
        return response
