from django.conf import settings
from django.contrib import admin
from django.shortcuts import render
from django.urls import include, path

from config import password_reset, second_factor
from config.clients import is_api
from config.views import handler400, handler403  # noqa: F401 (Django finds them here)
from neighbourhoods.admin.freshness import data_freshness_page
from neighbourhoods.admin.removals import deleted_records
from neighbourhoods.api import errors as api_errors
from neighbourhoods.audit.bin_admin import content_restore
from neighbourhoods.audit.due_for_review import due_for_review
from neighbourhoods.audit.recent_changes import recent_changes
from neighbourhoods.views.lookup import PostcodeLookupView, PracticeSearchView
from neighbourhoods.views.pages import PracticeDetailView

admin.site.site_header = "City and Hackney Neighbourhoods: staff admin"
admin.site.site_title = "Neighbourhoods admin"
admin.site.index_title = "Keep the portal's content true"

urlpatterns = [
    path("admin/recent-changes/", recent_changes, name="recent-changes"),
    path("admin/due-for-review/", due_for_review, name="due-for-review"),
    path("admin/data-freshness/", data_freshness_page, name="data-freshness"),
    path("admin/deleted-records/", deleted_records, name="deleted-records"),
    path(
        "admin/deleted-records/<str:app_label>/<str:model_name>/<int:pk>/restore/",
        content_restore,
        name="deleted-content-restore",
    ),
    *password_reset.urlpatterns,
    *second_factor.urlpatterns,
    path("admin/", admin.site.urls),
    path(settings.API_PREFIX.lstrip("/"), include("neighbourhoods.api.urls")),
    path("lookup/", PostcodeLookupView.as_view(), name="lookup"),
    path("practices/", PracticeSearchView.as_view(), name="practice-search"),
    path("practices/<str:ods_code>/", PracticeDetailView.as_view(), name="practice-detail"),
    path("neighbourhoods/", include("neighbourhoods.urls")),
    path("workstreams/", include("workstreams.urls")),
    path("", include("partnership.urls")),
]


def handler404(request, exception=None):
    if is_api(request):
        return api_errors.not_found(request, exception)
    return render(request, "404.html", status=404)


def handler500(request):
    if is_api(request):
        return api_errors.server_error(request)
    return render(request, "500.html", status=500)
