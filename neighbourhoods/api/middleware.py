"""The API's rate limit per client, and its JSON error shape for every error status.

The limit is django-ratelimit's fixed-window counter (settings.PORTAL_API_RATE_LIMIT),
kept in the shared "ratelimit" cache (Redis). If that cache cannot be reached, the API
answers without a limit and says so in the log: an outage of the counter must never
become an outage of the API.
"""

import logging
import time

from django.conf import settings
from django.http import JsonResponse
from django_ratelimit.core import get_usage

from config.clients import is_api, ratelimit_key

from .errors import as_json_error, error, is_json

logger = logging.getLogger(__name__)

# While the counter's cache is down, say so in the log once a minute per process, not
# once a request.
_LOG_EVERY_S = 60.0
_last_logged = 0.0


def _usage(request):
    global _last_logged
    try:
        return get_usage(
            request,
            group="api",
            key=ratelimit_key,
            rate=settings.PORTAL_API_RATE_LIMIT,
            increment=True,
        )
    except Exception:  # noqa: BLE001 (any cache failure: fail open)
        now = time.monotonic()
        if now - _last_logged >= _LOG_EVERY_S:
            _last_logged = now
            logger.exception(
                "The API's rate-limit cache cannot be reached: answering without a limit."
            )
        return None


def rate_limited(usage) -> JsonResponse:
    retry_after = max(1, int(usage["time_left"]))
    response = error(
        429,
        "rate_limited",
        f"Too many requests from your address: the limit is {usage['limit']} in each "
        f"period. Try again in {retry_after} seconds.",
    )
    response["Retry-After"] = str(retry_after)
    return response


class ApiMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not is_api(request):
            return self.get_response(request)
        usage = _usage(request) if settings.PORTAL_API_RATE_LIMIT else None
        if usage is not None and usage["should_limit"]:
            return rate_limited(usage)
        response = self.get_response(request)
        if response.status_code >= 400 and not is_json(response):
            response = as_json_error(response)
        return response
