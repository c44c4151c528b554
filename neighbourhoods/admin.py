from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.gis.db import models as gis_models
from django.db.models import Count, Prefetch, Q
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from leaflet.admin import LeafletAdminWidget, LeafletGeoAdmin

from . import services
from .models import (
    ImportRun,
    LocalAuthority,
    Lsoa,
    Membership,
    Neighbourhood,
    NeighbourhoodAim,
    Postcode,
    Practice,
)
from .postcodes import ParsedPostcode


class ReadOnlyMapWidget(LeafletAdminWidget):
    """Shows a derived geometry on the map without letting anyone draw on it. (The admin's
    widget brings Leaflet's scripts with it; the plain widget left the map blank.)"""

    modifiable = False


class LineEndingsField(forms.CharField):
    """Browsers send a textarea's lines ending in CRLF: compare and save them as LF, so a form
    saved without touching the text neither changes it nor logs a change."""

    def to_python(self, value):
        value = super().to_python(value)
        return value.replace("\r\n", "\n").replace("\r", "\n") if value else value


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
    readonly_fields = ["area_note"]

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "boundary":
            kwargs["widget"] = ReadOnlyMapWidget
            field = super().formfield_for_dbfield(db_field, request, **kwargs)
            field.disabled = True
            field.help_text = "Drawn from this neighbourhood's LSOAs; it cannot be edited here."
            return field
        return super().formfield_for_dbfield(db_field, request, **kwargs)

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
        """Refuse while LSOAs are assigned: their postcodes would lose their answer."""
        neighbourhood = self.get_object(request, object_id)
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


class MoveLsoasForm(forms.Form):
    neighbourhood = forms.ModelChoiceField(
        queryset=Neighbourhood.objects.defer("boundary"),
        label="Move them to",
        empty_label="Choose a neighbourhood",
        error_messages={"required": "Choose the neighbourhood to move them to."},
    )


@admin.register(Lsoa)
class LsoaAdmin(LeafletGeoAdmin):
    """LSOAs come from ONS: their codes, names, boundaries and local authorities are read-only,
    and only the imports add or remove them. Staff change only which neighbourhood one is in:
    on its own page, or for several at once with the "Move to a neighbourhood" action."""

    list_display = ["code", "name", "neighbourhood", "local_authority_code"]
    list_filter = ["neighbourhood", "local_authority_code"]
    search_fields = ["code", "name"]
    list_select_related = ["neighbourhood"]
    list_per_page = 200
    fields = ["code", "name", "local_authority_code", "neighbourhood", "boundary"]
    readonly_fields = ["code", "name", "local_authority_code"]
    actions = ["move_to_neighbourhood"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "boundary":
            kwargs["widget"] = ReadOnlyMapWidget
            field = super().formfield_for_dbfield(db_field, request, **kwargs)
            field.disabled = True
            field.help_text = "From ONS; it cannot be edited here."
            return field
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        """Moving an LSOA redraws both neighbourhoods and re-answers its postcodes at once."""
        previous = Lsoa.objects.select_for_update().values_list("neighbourhood_id", flat=True)
        previous = previous.get(pk=obj.pk)  # locked, so two people cannot miss a redraw
        super().save_model(request, obj, form, change)
        services.lsoa_changed(lsoa=obj, previous_neighbourhood_id=previous)

    @admin.action(description="Move to a neighbourhood…", permissions=["change"])
    def move_to_neighbourhood(self, request, queryset):
        """First a page listing what would move and the postcodes affected; then the move."""
        lsoas = (
            queryset.select_related("neighbourhood")
            .defer("boundary")
            .annotate(postcodes=Count("postcode", filter=Q(postcode__terminated=False)))
        )
        form = MoveLsoasForm(request.POST if "confirm" in request.POST else None)
        if form.is_valid():
            target = form.cleaned_data["neighbourhood"]
            moving = [lsoa for lsoa in lsoas if lsoa.neighbourhood_id != target.pk]
            changed = services.lsoas_move(
                lsoa_ids=[lsoa.pk for lsoa in moving], neighbourhood=target
            )
            for lsoa in moving:
                was = lsoa.neighbourhood.name if lsoa.neighbourhood else "no neighbourhood"
                self.log_change(request, lsoa, f"Moved from {was} to {target.name}.")
            self.message_user(
                request,
                f"Moved {len(moving)} LSOA{'s' if len(moving) != 1 else ''} to {target.name}: "
                f"{changed:,} postcode answer{'s' if changed != 1 else ''} changed, and the "
                "areas were redrawn.",
                messages.SUCCESS,
            )
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": "Move LSOAs to a neighbourhood",
            "opts": self.model._meta,
            "lsoas": lsoas,
            "postcodes": sum(lsoa.postcodes for lsoa in lsoas),
            "form": form,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/neighbourhoods/lsoa/move.html", context)


@admin.register(LocalAuthority)
class LocalAuthorityAdmin(LeafletGeoAdmin):
    list_display = ["name", "gss_code", "nhs_body"]
    list_filter = ["nhs_body"]
    search_fields = ["name", "gss_code"]


class PostcodeForm(forms.ModelForm):
    class Meta:
        model = Postcode
        fields = [
            "postcode", "location", "positional_quality", "local_authority_code", "ward_code",
            "terminated", "terminated_on", "source",
        ]  # fmt: skip

    def clean_postcode(self):
        """Stored as lookups expect it ("E8 1DY"), however it was typed."""
        parsed = ParsedPostcode.parse(self.cleaned_data["postcode"])
        if parsed is None or not parsed.is_full:
            raise forms.ValidationError("Enter a full postcode, like E8 1DY.")
        return parsed.with_space

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("postcode"):
            cleaned["outcode"] = cleaned["postcode"].split()[0]
            self.instance.outcode = cleaned["outcode"]
        return cleaned


@admin.register(Postcode)
class PostcodeAdmin(LeafletGeoAdmin):
    form = PostcodeForm
    list_display = ["postcode", "neighbourhood", "local_authority_code", "terminated", "source"]
    list_filter = ["terminated", "source", "neighbourhood"]
    search_fields = ["postcode"]
    list_select_related = ["neighbourhood"]
    readonly_fields = ["outcode", "lsoa", "neighbourhood"]
    show_full_result_count = False

    def get_search_results(self, request, queryset, search_term):
        """Find a postcode however it was typed ("e81dy" finds "E8 1DY")."""
        parsed = ParsedPostcode.parse(search_term)
        if parsed and parsed.is_full:
            return queryset.filter(postcode=parsed.with_space), False
        if parsed:
            return queryset.filter(outcode=parsed.outcode), False
        return super().get_search_results(request, queryset, search_term)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        services.recompute_postcode_answers(postcode_ids=[obj.pk])


@admin.register(ImportRun)
class ImportRunAdmin(admin.ModelAdmin):
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
        "removed", "refused", "counts", "run_by", "started_at", "finished_at",
    ]  # fmt: skip
    fields = readonly_fields

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
                    format_html("<br>released {}", f["release_date"])
                    if f.get("release_date")
                    else "",
                )
                for f in run.files
            ),
        )

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
