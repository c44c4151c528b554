from django import forms
from django.contrib import admin
from django.contrib.redirects.admin import RedirectAdmin
from django.contrib.redirects.models import Redirect
from django.db import models
from django.urls import reverse
from django.utils.html import format_html
from django.utils.text import capfirst

from config.portal import ViewOnPortal
from neighbourhoods.audit.admin import (
    AuditedAdmin,
    AuditedInline,
    PermissionFirst,
    PlainLineEndings,
    ReviewedAdmin,
)
from neighbourhoods.audit.drafting import DraftedAdmin, LiveAsSavedAdmin

from . import redirects
from .models import (
    ContactMessage,
    Draft,
    HealthChallenge,
    PartnerOrganisation,
    Place,
    Priority,
    Source,
    WorkProgramme,
)
from .services import contact_messages_set_status


class PlaceItemInline(AuditedInline):
    extra = 0
    # Whether it is taken down is shown here, and changed on its own page (Take down, Publish).
    fields = ["order", "title", "description", "source", "published"]
    readonly_fields = ["published"]
    ordering = ["order"]

    @admin.display(description="published")
    def published(self, obj):
        return "Yes" if obj.live else "No: taken down"


class PriorityInline(PlaceItemInline):
    model = Priority


class WorkProgrammeInline(PlaceItemInline):
    model = WorkProgramme


class HealthChallengeInline(PlaceItemInline):
    model = HealthChallenge


def place_page(place) -> str:
    """The page residents read a place's content on: the home page for the portal's own place
    (its page of its own lists only the priorities), the place's page for another place."""
    main = Place.objects.main()
    if main is not None and main.pk == place.pk:
        return reverse("partnership:home")
    return place.get_absolute_url()


@admin.register(Place)
class PlaceAdmin(ViewOnPortal, DraftedAdmin, ReviewedAdmin, AuditedAdmin):
    list_display = ["name", "nhs_body", "sub_icb_location_code", "residents", "order"]
    list_editable = ["order"]
    search_fields = ["name", "summary", "nhs_body"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [PriorityInline, WorkProgrammeInline, HealthChallengeInline]

    def preview_of(self, obj):
        return place_page(obj)


class PlaceItemAdmin(DraftedAdmin, AuditedAdmin):
    list_display = ["title", "place", "live", "order", "source"]
    list_editable = ["order"]
    list_filter = ["live", "place", "source"]
    search_fields = ["title", "description"]
    ordering = ["place", "order"]
    seen_as = "it on its place's page"

    def preview_of(self, obj):
        return place_page(obj.place)


admin.site.register(Priority, PlaceItemAdmin)
admin.site.register(WorkProgramme, PlaceItemAdmin)
admin.site.register(HealthChallenge, PlaceItemAdmin)


@admin.register(PartnerOrganisation)
class PartnerOrganisationAdmin(ViewOnPortal, DraftedAdmin, ReviewedAdmin, AuditedAdmin):
    list_display = ["name", "kind", "is_core_partner", "website", "live", "order"]
    list_editable = ["order"]
    list_filter = ["live", "kind", "is_core_partner", "places"]
    search_fields = ["name", "summary", "role_in_partnership"]
    prepopulated_fields = {"slug": ["name"]}
    filter_horizontal = ["places"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


@admin.register(Source)
class SourceAdmin(LiveAsSavedAdmin, PermissionFirst, PlainLineEndings, admin.ModelAdmin):
    list_display = ["title", "publisher", "published", "key"]
    search_fields = ["title", "publisher", "notes", "key"]
    prepopulated_fields = {"key": ["title"]}
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


@admin.register(Draft)
class DraftAdmin(PermissionFirst, PlainLineEndings, admin.ModelAdmin):
    """Every draft, newest first: what it is of, who saved it, when it is to be published
    and why a scheduled publish did not happen. Each opens in its record's own page, where
    it is changed, previewed, published or discarded."""

    list_display = ["record", "kind", "saved_by", "saved_at", "go_live_at", "problem"]
    list_filter = [("go_live_at", admin.EmptyFieldListFilter), "content_type"]
    search_fields = ["name"]
    list_display_links = None

    @admin.display(description="Draft of", ordering="name")
    def record(self, draft):
        opts = draft.model._meta
        if draft.object_id:
            url = reverse(
                f"admin:{opts.app_label}_{opts.model_name}_change", args=[draft.object_id]
            )
            said = draft.name
        else:
            url = reverse(f"admin:{opts.app_label}_{opts.model_name}_add") + f"?draft={draft.pk}"
            said = f"{draft.name} (new, not yet published)"
        return format_html('<a href="{}">{}</a>', url, said)

    @admin.display(description="Kind of record", ordering="content_type")
    def kind(self, draft):
        return capfirst(draft.model._meta.verbose_name)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class RedirectForm(forms.ModelForm):
    """Keeps the redirect rule (partnership.redirects): to the portal's own addresses or an
    allowed site, never from the API's."""

    class Meta:
        model = Redirect
        fields = ["site", "old_path", "new_path"]

    def clean_old_path(self):
        old_path = self.cleaned_data["old_path"]
        if refusal := redirects.source_refusal(old_path):
            raise forms.ValidationError(refusal)
        return old_path

    def clean_new_path(self):
        new_path = self.cleaned_data["new_path"]
        if refusal := redirects.destination_refusal(new_path):
            raise forms.ValidationError(refusal)
        return new_path


admin.site.unregister(Redirect)


@admin.register(Redirect)
class PortalRedirectAdmin(RedirectAdmin):
    form = RedirectForm


@admin.register(ContactMessage)
class ContactMessageAdmin(PermissionFirst, admin.ModelAdmin):
    """The contact form's queue: staff read a message, mark it in hand and close it. What the
    resident sent cannot be changed here, and messages come only from the form. Closed messages
    are deleted by the scheduler when the privacy notice says (partnership.tasks)."""

    list_display = ["sent_at", "status", "excerpt", "page_link", "has_reply_to"]
    list_filter = ["status"]
    date_hierarchy = "sent_at"
    search_fields = ["message", "page"]
    fields = ["sent_at", "page_link", "reply_to_link", "message_text", "status", "closed_at"]
    readonly_fields = ["sent_at", "page_link", "reply_to_link", "message_text", "closed_at"]
    actions = ["mark_in_hand", "mark_closed", "mark_new"]

    def has_add_permission(self, request):
        return False

    @admin.display(description="message")
    def excerpt(self, obj):
        return str(obj)

    @admin.display(description="message")
    def message_text(self, obj):
        return format_html('<div class="portal-admin-message">{}</div>', obj.message)

    @admin.display(description="page it came from")
    def page_link(self, obj):
        return format_html('<a href="{}">{}</a>', obj.page, obj.page) if obj.page else "Not given"

    @admin.display(description="reply-to email")
    def reply_to_link(self, obj):
        if not obj.reply_to:
            return "None given: the resident asked for no reply"
        return format_html('<a href="mailto:{}">{}</a>', obj.reply_to, obj.reply_to)

    @admin.display(description="can reply", boolean=True)
    def has_reply_to(self, obj):
        return bool(obj.reply_to)

    def _mark(self, request, queryset, status):
        changed = contact_messages_set_status(messages=queryset, status=status)
        label = ContactMessage.Status(status).label.lower()
        self.message_user(
            request, f"Marked {changed} message{'s' if changed != 1 else ''} {label}."
        )

    @admin.action(description="Mark the selected messages in hand", permissions=["change"])
    def mark_in_hand(self, request, queryset):
        self._mark(request, queryset, ContactMessage.Status.IN_HAND)

    @admin.action(description="Close the selected messages", permissions=["change"])
    def mark_closed(self, request, queryset):
        self._mark(request, queryset, ContactMessage.Status.CLOSED)

    @admin.action(description="Mark the selected messages new again", permissions=["change"])
    def mark_new(self, request, queryset):
        self._mark(request, queryset, ContactMessage.Status.NEW)
