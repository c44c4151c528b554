"""The areas file the pages' maps draw, at an address that names its version. It is served
as a page is, outside the API, so a map never shares the API's per-address rate limit with
other clients on the resident's network (a surgery's, a library's)."""

from django.http import HttpResponse
from django.shortcuts import redirect
from django.views import View

from .. import maps

# An address names one version's bytes and never changes: a browser may keep it for a year.
FOREVER = "public, max-age=31536000, immutable"


class MapAreasView(View):
    def get(self, request, version):
        current, body = maps.areas_file()
        if version != current:
            # A page from before the areas changed: send it today's (and keep nothing).
            return redirect("neighbourhoods:map-areas", version=current)
        response = HttpResponse(body, content_type="application/geo+json")
        response["Cache-Control"] = FOREVER
        return response
