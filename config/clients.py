"""Who is asking, and for what: the client address the API's rate limit and the sign-in
lockout key on, and whether a request is for the API (settings.API_PREFIX, its one home)."""

import ipaddress

from django.conf import settings


def client_ip(request) -> str:
    """The address in settings.CLIENT_IP_HEADER when it is configured and holds one (our own
    proxy sets it, overwriting what the client sent), else the socket's peer address."""
    if settings.CLIENT_IP_HEADER:
        value = request.META.get(settings.CLIENT_IP_HEADER, "").split(",")[0].strip()
        try:
            return str(ipaddress.ip_address(value))
        except ValueError:
            pass
    return request.META.get("REMOTE_ADDR", "")


def ratelimit_key(group, request) -> str:
    """django-ratelimit's key function: one counter per client address."""
    return client_ip(request)


def is_api(request) -> bool:
    """Whether the request is for the JSON API, whose answers and errors are JSON."""
    return request.path.startswith(settings.API_PREFIX)
