from django import forms
from django.contrib import admin
from django.db.models import Prefetch
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from leaflet.admin import LeafletGeoAdmin
from leaflet.forms.widgets import LeafletWidget

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
from .postcodes import Postcode as PostcodeValue


class ReadOnlyMapWidget(LeafletWidget):
    """Shows a derived geometry on the map without letting anyone draw on it."""

    modifiable = False


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


@admin.register(Lsoa)
class LsoaAdmin(LeafletGeoAdmin):
    list_display = ["code", "name", "neighbourhood", "local_authority_code"]
    list_editable = ["neighbourhood"]
    list_filter = ["neighbourhood", "local_authority_code"]
    search_fields = ["code", "name"]
    list_select_related = ["neighbourhood"]
    list_per_page = 200

    def save_model(self, request, obj, form, change):
        """Moving an LSOA redraws both neighbourhoods and re-answers its postcodes at once."""
        previous = None
        if change:  # locked, so two people moving the same LSOA cannot miss a redraw
            previous = Lsoa.objects.select_for_update().values_list("neighbourhood_id", flat=True)
            previous = previous.get(pk=obj.pk)
        super().save_model(request, obj, form, change)
        services.lsoa_changed(
            lsoa=obj,
            previous_neighbourhood_id=previous,
            geography_changed=not change
            or bool({"boundary", "local_authority_code"} & set(form.changed_data)),
        )

    def delete_model(self, request, obj):
        self.delete_queryset(request, Lsoa.objects.filter(pk=obj.pk))

    def delete_queryset(self, request, queryset):
        """Deleting LSOAs shrinks their neighbourhoods and moves their postcodes elsewhere."""
        affected = set(queryset.values_list("neighbourhood_id", flat=True)) - {None}
        super().delete_queryset(request, queryset)
        services.rebuild_areas(neighbourhood_ids=affected)
        services.recompute_postcode_answers()


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
        parsed = PostcodeValue.parse(self.cleaned_data["postcode"])
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
        parsed = PostcodeValue.parse(search_term)
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
