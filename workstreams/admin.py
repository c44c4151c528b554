from django.contrib import admin

from config.portal import ViewOnPortal
from neighbourhoods.audit.admin import AuditedAdmin, AuditedInline, ReviewedAdmin

from .models import Workstream, WorkstreamPriority


class WorkstreamPriorityInline(AuditedInline):
    model = WorkstreamPriority
    extra = 0
    fields = ["order", "title", "description", "source"]
    ordering = ["order"]


@admin.register(Workstream)
class WorkstreamAdmin(ViewOnPortal, ReviewedAdmin, AuditedAdmin):
    list_display = ["name", "place", "priority_count", "order"]
    list_editable = ["order"]
    list_filter = ["place"]
    search_fields = ["name", "summary", "description"]
    prepopulated_fields = {"slug": ["name"]}
    filter_horizontal = ["partners"]
    inlines = [WorkstreamPriorityInline]

    @admin.display(description="Priorities")
    def priority_count(self, obj):
        return obj.priorities.count()

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("priorities")


@admin.register(WorkstreamPriority)
class WorkstreamPriorityAdmin(AuditedAdmin):
    list_display = ["title", "workstream", "order"]
    list_editable = ["order"]
    list_filter = ["workstream"]
    search_fields = ["title", "description"]
    ordering = ["workstream", "order"]
