"""The API's addresses: the current version under /api/v1/, and /api/ as its alias.

Both serve the same operations; the description (/api/openapi.json, /api/v1/openapi.json)
names the versioned paths, and reverse("api:...") gives them.
"""

from django.urls import include, path

from .endpoints import api

patterns, _, _ = api.urls

urlpatterns = [
    path("v1/", include((patterns, "api"), namespace="api")),
    path("", include((patterns, "api"), namespace="api-alias")),
]
