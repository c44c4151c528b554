"""Neighbourhoods, their aims, practices and memberships."""

from django.contrib import admin, messages
from django.contrib.gis.db import models as gis_models
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html

from config.portal import ViewOnPortal

from ..audit.admin import AuditedAdmin
from ..models import (
    Membership,
    Neighbourhood,
    NeighbourhoodAim,
    Practice,
)
from .widgets import LineEndingsField, MapAdmin, ReadOnlyBoundary


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    fields = ["practice", "neighbourhood", "started_on", "ended_on"]
    autocomplete_fields = ["practice", "neighbourhood"]


@admin.register(Neighbourhood)
class NeighbourhoodAdmin(ViewOnPortal, ReadOnlyBoundary, AuditedAdmin, MapAdmin):
    boundary_help = "Drawn from this neighbourhood's LSOAs; it cannot be edited here."
    list_display = ["name", "park_name", "pcn_code", "current_practices", "order"]
    list_editable = ["order"]
    list_filter = ["place"]
    search_fields = ["name", "park_name", "pcn_code", "pcn_name"]
    prepopulated_fields = {"slug": ["name"]}
    filter_horizontal = ["partners"]
    inlines = [MembershipInline]
    readonly_fields = ["area_note"]

    @admin.display(description="How the area is drawn")
    def area_note(self, obj):
        if not obj.pk:
            return "Assign LSOAs to the neighbourhood once it is saved."
        url = (
            reverse("admin:neighbourhoods_lsoa_changelist") + f"?neighbourhood__id__exact={obj.pk}"
        )
        return format_html(
            'The area is the union of its <a href="{}">{} LSOAs</a>. Change an LSOA\'s '
            "neighbourhood to redraw it. The area is indicative: a resident's GP practice "
            "decides their neighbourhood.",
            url,
            obj.lsoas.count(),
        )

    @admin.display(description="Current practices")
    def current_practices(self, obj):
        return obj.current_memberships().count()

    def get_actions(self, request):
        """No bulk delete: each deletion is checked on its own (see delete_view)."""
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def delete_view(self, request, object_id, extra_context=None):
        """Refuse while LSOAs are assigned: their postcodes would lose their answer. Staff who
        may not delete it are refused first, the same for every id, and told nothing."""
        neighbourhood = self.get_object(request, object_id)
        if not self.has_delete_permission(request, neighbourhood):
            raise PermissionDenied
        if neighbourhood is not None:
            lsoas = neighbourhood.lsoas.count()
            if lsoas:
                postcodes = neighbourhood.postcodes.filter(terminated=False).count()
                messages.error(
                    request,
                    f"{neighbourhood.name} cannot be deleted: {lsoas} LSOA"
                    f"{'s are' if lsoas != 1 else ' is'} assigned to it, and {postcodes:,} "
                    f"postcode{'s' if postcodes != 1 else ''} would lose their answer. Move "
                    'its LSOAs to other neighbourhoods first (LSOAs, action "Move to a '
                    'neighbourhood").',
                )
                return HttpResponseRedirect(
                    reverse("admin:neighbourhoods_neighbourhood_change", args=[neighbourhood.pk])
                )
        return super().delete_view(request, object_id, extra_context)


@admin.register(Practice)
class PracticeAdmin(ViewOnPortal, AuditedAdmin, MapAdmin):
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
    formfield_overrides = {gis_models.TextField: {"form_class": LineEndingsField}}

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
class MembershipAdmin(AuditedAdmin):
    list_display = ["practice", "neighbourhood", "started_on", "ended_on"]
    list_filter = ["neighbourhood", ("ended_on", admin.EmptyFieldListFilter)]
    search_fields = ["practice__name", "practice__ods_code", "neighbourhood__name"]
    autocomplete_fields = ["practice", "neighbourhood"]
    list_select_related = ["practice", "neighbourhood"]
    date_hierarchy = "started_on"


@admin.register(NeighbourhoodAim)
class NeighbourhoodAimAdmin(AuditedAdmin):
    list_display = ["__str__", "order"]
    list_editable = ["order"]
    search_fields = ["text"]
