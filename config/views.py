"""Answers Django gives on its own: CSRF failures, bad requests, refusals, sign-in lockout.
On /api/ they take the API's JSON error shape; elsewhere they stay HTML pages."""

from django.contrib import admin
from django.shortcuts import render
from django.views.csrf import csrf_failure as django_csrf_failure
from django.views.defaults import bad_request, permission_denied

from config.clients import is_api
from neighbourhoods.api.errors import generic_error as _api_error


def csrf_failure(request, reason=""):
    if is_api(request):
        return _api_error(403)
    return django_csrf_failure(request, reason=reason)


def handler400(request, exception=None):
    if is_api(request):
        return _api_error(400)
    return bad_request(request, exception)


def handler403(request, exception=None):
    if is_api(request):
        return _api_error(403)
    return permission_denied(request, exception)


def locked_out(request, original_response=None, credentials=None):
    """django-axes' answer once a username and address have failed too often: a plain page
    in the admin's style, 429 Too Many Requests, saying when to try again."""
    from django.conf import settings

    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    context = {
        **admin.site.each_context(request),
        "title": "Too many failed sign-in attempts",
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "address_failure_limit": settings.AXES_ADDRESS_FAILURE_LIMIT,
        "cooloff_minutes": minutes,
    }
    response = render(request, "admin/locked_out.html", context, status=429)
    response["Retry-After"] = str(int(settings.AXES_COOLOFF_TIME.total_seconds()))
    return response
