from django.contrib import admin
from django.db.models import Prefetch
from leaflet.admin import LeafletGeoAdmin

from .models import Membership, Neighbourhood, NeighbourhoodAim, Practice


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    fields = ["practice", "neighbourhood", "started_on", "ended_on"]
    autocomplete_fields = ["practice", "neighbourhood"]


@admin.register(Neighbourhood)
class NeighbourhoodAdmin(LeafletGeoAdmin):
    list_display = ["name", "park_name", "pcn_code", "current_practices", "order"]
    list_editable = ["order"]
    list_filter = ["place"]
    search_fields = ["name", "park_name", "pcn_code", "pcn_name"]
    prepopulated_fields = {"slug": ["name"]}
    filter_horizontal = ["partners"]
    inlines = [MembershipInline]

    @admin.display(description="Current practices")
    def current_practices(self, obj):
        return obj.current_memberships().count()


@admin.register(Practice)
class PracticeAdmin(LeafletGeoAdmin):
    list_display = [
        "name",
        "ods_code",
        "postcode",
        "status",
        "registered_patients",
        "neighbourhood",
    ]
    list_filter = ["status", "memberships__neighbourhood"]
    search_fields = ["name", "ods_name", "ods_code", "postcode"]
    readonly_fields = ["ods_name"]
    inlines = [MembershipInline]

    @admin.display(description="Neighbourhood (current)")
    def neighbourhood(self, obj):
        return ", ".join(m.neighbourhood.name for m in obj.current_memberships)

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .prefetch_related(
                Prefetch(
                    "memberships",
                    queryset=Membership.objects.current().select_related("neighbourhood"),
                    to_attr="current_memberships",
                )
            )
        )


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["practice", "neighbourhood", "started_on", "ended_on"]
    list_filter = ["neighbourhood", ("ended_on", admin.EmptyFieldListFilter)]
    search_fields = ["practice__name", "practice__ods_code", "neighbourhood__name"]
    autocomplete_fields = ["practice", "neighbourhood"]
    list_select_related = ["practice", "neighbourhood"]
    date_hierarchy = "started_on"


@admin.register(NeighbourhoodAim)
class NeighbourhoodAimAdmin(admin.ModelAdmin):
    list_display = ["__str__", "order"]
    list_editable = ["order"]
    search_fields = ["text"]
