from django.contrib import admin
from django.db import models

from config.portal import ViewOnPortal
from neighbourhoods.audit.admin import (
    AuditedAdmin,
    AuditedInline,
    PermissionFirst,
    PlainLineEndings,
    ReviewedAdmin,
)

from .models import HealthChallenge, PartnerOrganisation, Place, Priority, Source, WorkProgramme


class PlaceItemInline(AuditedInline):
    extra = 0
    fields = ["order", "title", "description", "source"]
    ordering = ["order"]


class PriorityInline(PlaceItemInline):
    model = Priority


class WorkProgrammeInline(PlaceItemInline):
    model = WorkProgramme


class HealthChallengeInline(PlaceItemInline):
    model = HealthChallenge


@admin.register(Place)
class PlaceAdmin(ViewOnPortal, ReviewedAdmin, AuditedAdmin):
    list_display = ["name", "nhs_body", "sub_icb_location_code", "residents", "order"]
    list_editable = ["order"]
    search_fields = ["name", "summary", "nhs_body"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [PriorityInline, WorkProgrammeInline, HealthChallengeInline]


class PlaceItemAdmin(AuditedAdmin):
    list_display = ["title", "place", "order", "source"]
    list_editable = ["order"]
    list_filter = ["place", "source"]
    search_fields = ["title", "description"]
    ordering = ["place", "order"]


admin.site.register(Priority, PlaceItemAdmin)
admin.site.register(WorkProgramme, PlaceItemAdmin)
admin.site.register(HealthChallenge, PlaceItemAdmin)


@admin.register(PartnerOrganisation)
class PartnerOrganisationAdmin(ViewOnPortal, ReviewedAdmin, AuditedAdmin):
    list_display = ["name", "kind", "is_core_partner", "website", "order"]
    list_editable = ["order"]
    list_filter = ["kind", "is_core_partner", "places"]
    search_fields = ["name", "summary", "role_in_partnership"]
    prepopulated_fields = {"slug": ["name"]}
    filter_horizontal = ["places"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


@admin.register(Source)
class SourceAdmin(PermissionFirst, PlainLineEndings, admin.ModelAdmin):
    list_display = ["title", "publisher", "published", "key"]
    search_fields = ["title", "publisher", "notes", "key"]
    prepopulated_fields = {"key": ["title"]}
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
