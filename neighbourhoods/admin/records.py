"""Records staff read and never edit: import runs and boundary versions."""

import datetime

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from .. import maps
from ..audit.admin import PermissionFirst
from ..models import (
    BoundaryVersion,
    BoundaryVersionArea,
    ImportRun,
    day_text,
)


class RecordAdmin(PermissionFirst, admin.ModelAdmin):
    """For records of what happened (import runs, boundary versions): read, never edited."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ImportRun)
class ImportRunAdmin(RecordAdmin):
    """Every import run, for staff to read: records of what happened are never edited."""

    list_display = [
        "started_at", "source", "outcome", "release_date", "added", "changed", "removed",
        "refused", "run_by",
    ]  # fmt: skip
    list_filter = ["source", "outcome"]
    search_fields = ["source", "message", "run_by"]
    date_hierarchy = "started_at"
    readonly_fields = [
        "source", "outcome", "message", "file_list", "release_date", "added", "changed",
        "removed", "refused", "counts_by_kind", "run_by", "started_at", "finished_at",
    ]  # fmt: skip
    fields = readonly_fields

    @admin.display(description="Counts")
    def counts_by_kind(self, run):
        return format_html_join(mark_safe("<br>"), "{}", ((line,) for line in run.counts_in_words))

    @admin.display(description="Files")
    def file_list(self, run):
        return format_html_join(
            "\n",
            "<p>{} ({} bytes)<br>SHA-256 {}{}</p>",
            (
                (
                    f.get("name", ""),
                    f"{f.get('bytes', 0):,}",
                    f.get("sha256", ""),
                    format_html("<br>released {}", _day(f["release_date"]))
                    if f.get("release_date")
                    else "",
                )
                for f in run.files
            ),
        )


def _day(iso_date: str) -> str:
    """A date a run's record keeps as text ("2024-10-01"), as staff read it."""
    try:
        return day_text(datetime.date.fromisoformat(iso_date))
    except (TypeError, ValueError):
        return iso_date


class BoundaryVersionAreaInline(admin.TabularInline):
    model = BoundaryVersionArea
    fields = ["name", "slug", "lsoas"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(BoundaryVersion)
class BoundaryVersionAdmin(RecordAdmin):
    """Every published state of the areas, kept for good: read, never edited."""

    list_display = ["__str__", "published_at", "made_by", "reason", "geojson_link"]
    list_select_related = ["changed_by", "import_run"]
    date_hierarchy = "published_at"
    search_fields = ["reason"]
    fields = ["published_at", "made_by", "reason", "geojson_link"]
    readonly_fields = fields
    inlines = [BoundaryVersionAreaInline]

    def get_queryset(self, request):
        return super().get_queryset(request).defer("assignments")

    @admin.display(description="Made by")
    def made_by(self, version):
        if version.changed_by_id:
            return version.changed_by.get_username()
        if version.import_run_id:
            return f"import run: {version.import_run.source}"
        return "the system"

    @admin.display(description="Areas as GeoJSON")
    def geojson_link(self, version):
        url = reverse("admin:neighbourhoods_boundaryversion_geojson", args=[version.pk])
        return format_html('<a href="{}">GeoJSON of version {}</a>', url, version.pk)

    def get_urls(self):
        geojson = path(
            "<int:pk>/geojson/",
            self.admin_site.admin_view(self.geojson_view),
            name="neighbourhoods_boundaryversion_geojson",
        )
        return [geojson, *super().get_urls()]

    def geojson_view(self, request, pk):
        from django.http import Http404, JsonResponse

        if not self.has_view_permission(request):
            raise PermissionDenied
        version = BoundaryVersion.objects.filter(pk=pk).first()
        if version is None:
            raise Http404("No boundary version has that number.")
        return JsonResponse(
            maps.version_collection(version, simplified="simplified" in request.GET)
        )
