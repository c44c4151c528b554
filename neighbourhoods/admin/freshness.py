"""The admin's "Data freshness": each open data source's release in use, its date and age,
flagged when older than its publisher's cadence, with a way to load a newer one."""

from django.contrib import admin
from django.template.response import TemplateResponse

from partnership.data_sources import DATA_SOURCES

from ..models import DataRelease
from ..selectors import data_freshness

# The sources a Data manager can load as a release from the admin (DataRelease.Source).
LOADABLE = {choice.value for choice in DataRelease.Source}


def data_freshness_view(request):
    freshness = data_freshness()
    rows = [(source, freshness[source.key], source.key in LOADABLE) for source in DATA_SOURCES]
    context = {
        **admin.site.each_context(request),
        "title": "Data freshness",
        "rows": rows,
        "may_upload": request.user.has_perm("neighbourhoods.add_datarelease"),
    }
    return TemplateResponse(request, "admin/data_freshness.html", context)


data_freshness_page = admin.site.admin_view(data_freshness_view)
