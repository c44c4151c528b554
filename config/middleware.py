"""Headers every answer carries: Cache-Control and Cross-Origin-Resource-Policy, and the
Content-Security-Policy (django-csp's, written once per process)."""

import functools

import csp.constants
import csp.middleware
import csp.utils
import django.contrib.auth.middleware
import django.contrib.messages.middleware
import django.contrib.sessions.middleware
import django_otp.middleware
from django.conf import settings
from django.utils.cache import patch_cache_control

from config import surrogates
from config.clients import is_api

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


def shared(response) -> None:
    """A public API answer may be kept by the shared cache in front: for SHARED_MAX_AGE at
    most, and until a publish purges its keys (config/surrogates.py). A private one (an
    answer by point) is kept by the client's browser alone."""
    cache_control = response.get("Cache-Control", "")
    if "public" not in cache_control or "s-maxage" in cache_control:
        response.headers.pop(surrogates.HEADER, None)  # nothing else keeps keys
        return
    if response.get("Content-Type", "").startswith("application/geo+json"):
        kind = surrogates.GEOJSON
    elif response.has_header("Content-Disposition"):
        kind = surrogates.DOWNLOAD
    else:
        kind = surrogates.API
    response["Cache-Control"] = _with_s_maxage(cache_control)
    # The coarse keys first, then those the view named (what the answer shows).
    named = response.get(surrogates.HEADER)
    response[surrogates.HEADER] = (
        surrogates.keys_header(kind, *named.split()) if named else _KEYS[kind]
    )


@functools.cache
def _with_s_maxage(cache_control: str) -> str:
    return f"{cache_control}, s-maxage={surrogates.SHARED_MAX_AGE}"


_KEYS = {
    kind: surrogates.keys_header(kind)
    for kind in (surrogates.API, surrogates.GEOJSON, surrogates.DOWNLOAD)
}


class ResponseHeadersMiddleware:
    """Placed above WhiteNoise, so static files keep WhiteNoise's own Cache-Control (hashed
    names: a year, immutable) while everything Django answers gets one of the above."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        for_api = is_api(request)
        # The API is for other sites to read (CORS); nothing else is.
        corp = "cross-origin" if for_api else "same-origin"
        response.setdefault("Cross-Origin-Resource-Policy", corp)
        if for_api:
            # An API answer is the same for everyone, signed in or not.
            if response.status_code >= 400:
                del response["Cache-Control"]
                response.headers.pop(surrogates.HEADER, None)
                patch_cache_control(response, **API_ERROR_CACHE)
            else:
                if not response.has_header("Cache-Control"):
                    patch_cache_control(response, **API_CACHE)
                shared(response)
        elif _is_private(request, response):
            if "no-store" not in response.get("Cache-Control", ""):
                del response["Cache-Control"]
                patch_cache_control(response, **PRIVATE_CACHE)
        elif not response.has_header("Cache-Control"):
            patch_cache_control(response, **PAGE_CACHE)
        return response


class CSPMiddleware(csp.middleware.CSPMiddleware):
    """django-csp's middleware, with the policy written once per process rather than built
    again from the settings for every answer (building it cost about 0.1 ms of CPU an
    answer, pages and API alike: docs/performance.md). The policy is the same for every
    answer but for its nonce, which is put into the policy built once with a placeholder.
    An answer with a policy of its own (django-csp's decorators), any report-only policy,
    excluded prefixes or DEBUG's error pages go through django-csp's own code, unchanged."""

    _PLACEHOLDER = "csp-nonce-placeholder"
    _policies: dict = {}  # id of the settings' policy -> (it, with the placeholder, with no nonce)

    def process_response(self, request, response):
        policy = getattr(settings, "CONTENT_SECURITY_POLICY", None)
        if (
            not policy
            or settings.DEBUG
            or policy.get("EXCLUDE_URL_PREFIXES")
            or getattr(settings, "CONTENT_SECURITY_POLICY_REPORT_ONLY", None)
            or any(hasattr(response, attr) for attr in _CSP_RESPONSE_ATTRIBUTES)
        ):
            return super().process_response(request, response)
        key = id(policy)
        built = self._policies.get(key)
        if built is None or built[0] is not policy:
            with_nonce = csp.utils.build_policy(nonce=self._PLACEHOLDER)
            built = self._policies[key] = (policy, with_nonce, csp.utils.build_policy())
        nonce = getattr(request, "_csp_nonce", None)
        if csp.constants.HEADER not in response and not getattr(response, "_csp_exempt", False):
            response[csp.constants.HEADER] = (
                built[1].replace(self._PLACEHOLDER, nonce) if nonce else built[2]
            )
        if nonce is None:  # as django-csp: a nonce asked for after this would not be sent
            request.csp_nonce = csp.middleware.CheckableLazyObject(self._csp_nonce_post_response)
        return response


# What django-csp's decorators set on an answer to change its policy.
_CSP_RESPONSE_ATTRIBUTES = (
    "_csp_config", "_csp_update", "_csp_replace",
    "_csp_config_ro", "_csp_update_ro", "_csp_replace_ro", "_csp_exempt_ro",
)  # fmt: skip


class SiteOnly:
    """For the middleware of the site's pages and the admin that the API has no use for: the
    API sets and reads no cookie and has no session, sign-in or messages, so for /api/ these
    pass the request straight on rather than building a session, a lazy user and a message
    store for each answer (about 0.05 ms of CPU an answer: docs/performance.md). Subclasses of
    Django's own, so the admin's checks still find them in MIDDLEWARE."""

    def __call__(self, request):
        if is_api(request):
            return self.get_response(request)
        return super().__call__(request)


class SessionMiddleware(SiteOnly, django.contrib.sessions.middleware.SessionMiddleware):
    pass


class AuthenticationMiddleware(SiteOnly, django.contrib.auth.middleware.AuthenticationMiddleware):
    pass


class MessageMiddleware(SiteOnly, django.contrib.messages.middleware.MessageMiddleware):
    pass


class OTPMiddleware(SiteOnly, django_otp.middleware.OTPMiddleware):
    pass
