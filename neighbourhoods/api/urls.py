"""The API's addresses: the current version under /api/v1/, and /api/ as its alias.

Both serve the same operations; the description (/api/openapi.json, /api/v1/openapi.json)
names the versioned paths, and reverse("api:...") gives them. The resources are imported in
the order their operations appear in the description.
"""

from django.urls import include, path

from .app import api

# isort: off
# Each registers its operations, in the order the description lists them.
from . import postcodes, points, districts, neighbourhoods  # noqa: F401, E402
from . import profiles, practices, downloads, boundary_versions, handlers  # noqa: F401, E402

# isort: on

patterns, _, _ = api.urls

urlpatterns = [
    path("v1/", include((patterns, "api"), namespace="api")),
    path("", include((patterns, "api"), namespace="api-alias")),
]
