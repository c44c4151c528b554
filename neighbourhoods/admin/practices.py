"""Neighbourhoods, their aims, practices and memberships."""

from django.contrib import admin
from django.db.models import Prefetch
from django.forms.models import BaseInlineFormSet
from django.urls import reverse
from django.utils.html import format_html

from config.portal import ViewOnPortal

from ..audit.admin import AuditedAdmin, AuditedInline, ReviewedAdmin
from ..audit.drafting import DraftedAdmin
from ..models import (
    Membership,
    Neighbourhood,
    NeighbourhoodAim,
    Practice,
)
from .removals import RemovableAdmin
from .widgets import MapAdmin, ReadOnlyBoundary


class MembershipFormSet(BaseInlineFormSet):
    """A page's memberships, checked together as they will be once saved: a practice is in
    one neighbourhood at a time. Each row is checked against the rows above it and against
    its practice's memberships that are not on the page, so ending one membership and
    starting the next is one save. (Django checks each row against the database alone, and
    leaves out the page's own practice or neighbourhood when it does.)"""

    def clean(self):
        super().clean()
        on_page = [form.instance.pk for form in self.initial_forms]
        rows = [
            form
            for form in self.forms
            if form.is_valid()
            and not form.cleaned_data.get("DELETE")
            and (form.instance.pk or form.has_changed())
        ]
        practices = {form.instance.practice_id for form in rows} - {None}
        elsewhere = list(
            Membership.objects.filter(practice_id__in=practices)
            .exclude(pk__in=on_page)
            .select_related("practice", "neighbourhood")
        )
        checked = []
        for form in rows:
            membership = form.instance
            clash = next(
                (
                    other
                    for other in [*elsewhere, *checked]
                    if other.practice_id == membership.practice_id and membership.overlaps(other)
                ),
                None,
            )
            if clash is not None:
                form.add_error(None, membership.overlap_message(clash))
            else:
                checked.append(membership)


class MembershipInline(AuditedInline):
    model = Membership
    formset = MembershipFormSet
    extra = 0
    fields = ["practice", "neighbourhood", "started_on", "ended_on"]
    autocomplete_fields = ["practice", "neighbourhood"]

    def get_queryset(self, request):
        """A practice's membership of a deleted neighbourhood is not shown on its page (nor
        offered to change): it comes back when the neighbourhood is restored."""
        return super().get_queryset(request).not_removed()


@admin.register(Neighbourhood)
class NeighbourhoodAdmin(
    ViewOnPortal,
    DraftedAdmin,
    ReadOnlyBoundary,
    RemovableAdmin,
    ReviewedAdmin,
    AuditedAdmin,
    MapAdmin,
):
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
        lsoas = obj.lsoas.count()
        return format_html(
            'The area is the union of its <a href="{}">{} LSOA{}</a>. Change an LSOA\'s '
            "neighbourhood to redraw it. The area is indicative: a resident's GP practice "
            "decides their neighbourhood.",
            url,
            lsoas,
            "" if lsoas == 1 else "s",
        )

    @admin.display(description="Current practices")
    def current_practices(self, obj):
        return obj.current_memberships().count()


@admin.register(Practice)
class PracticeAdmin(ViewOnPortal, DraftedAdmin, RemovableAdmin, AuditedAdmin, MapAdmin):
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
                    queryset=Membership.objects.current()
                    .not_removed()
                    .select_related("neighbourhood"),
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

    def get_queryset(self, request):
        """Memberships of a deleted practice or neighbourhood are left out, as the record is:
        they come back with it when it is restored."""
        return super().get_queryset(request).not_removed()


@admin.register(NeighbourhoodAim)
class NeighbourhoodAimAdmin(DraftedAdmin, AuditedAdmin):
    list_display = ["__str__", "order"]
    list_editable = ["order"]
    search_fields = ["text"]

    def preview_of(self, obj):
        return reverse("neighbourhoods:list")
