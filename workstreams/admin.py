from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Max
from django.forms.models import BaseInlineFormSet

from config.portal import ViewOnPortal
from neighbourhoods.audit.admin import AuditedAdmin, AuditedInline, ReviewedAdmin
from neighbourhoods.audit.drafting import DraftedAdmin

from .models import Workstream, WorkstreamPriority, order_in_words
from .services import priorities_reorder


class PriorityOrderFormSet(BaseInlineFormSet):
    """The numbers staff give the priorities say their order; two the same is refused in
    words, since the page would not know which comes first."""

    def clean(self):
        self.numbers_differ()  # before Django's own check, which says it less plainly
        super().clean()

    def numbers_differ(self):
        taken = {}
        for form in self.forms:
            if not hasattr(form, "cleaned_data") or not form.cleaned_data:
                continue
            if self.can_delete and self._should_delete_form(form):
                continue
            number, title = form.cleaned_data.get("order"), form.cleaned_data.get("title")
            if number is None:
                continue
            if number in taken:
                raise ValidationError(
                    f"“{taken[number]}” and “{title}” are both number {number}. Give each "
                    "priority its own number: they are listed in that order, and numbered "
                    "1, 2, 3… when saved."
                )
            taken[number] = title

    def wanted_order(self):
        """The priorities kept, in the order of the numbers given (the order they had, for
        numbers not given)."""
        kept = [
            form
            for form in self.forms
            if form.instance.pk is not None
            and not (self.can_delete and self._should_delete_form(form))
        ]
        return [
            form.instance for form in sorted(kept, key=lambda f: f.cleaned_data.get("order") or 0)
        ]


class WorkstreamPriorityInline(AuditedInline):
    model = WorkstreamPriority
    formset = PriorityOrderFormSet
    extra = 0
    fields = ["order", "title", "description", "source"]
    ordering = ["order"]


@admin.register(Workstream)
class WorkstreamAdmin(ViewOnPortal, DraftedAdmin, ReviewedAdmin, AuditedAdmin):
    list_display = ["name", "place", "priority_count", "live", "order"]
    list_editable = ["order"]
    list_filter = ["live", "place"]
    search_fields = ["name", "summary", "description"]
    prepopulated_fields = {"slug": ["name"]}
    filter_horizontal = ["partners"]
    inlines = [WorkstreamPriorityInline]

    @admin.display(description="Priorities")
    def priority_count(self, obj):
        return obj.priorities.count()

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("priorities")

    def save_formset(self, request, form, formset, change):
        """The priorities' text is saved as each priority's change; their order is the
        workstream's, set by priorities_reorder (one new version of the workstream). A
        priority whose number alone changed is not saved: its own history has no order."""
        if not isinstance(formset, PriorityOrderFormSet):
            return super().save_formset(request, form, formset, change)
        for saved in formset.save(commit=False):
            edited = next(f for f in formset.forms if f.instance is saved)
            if saved.pk is None or set(edited.changed_data) - {"order"}:
                saved.save()
        for deleted in formset.deleted_objects:
            deleted.delete()
        formset.save_m2m()
        priorities_reorder(workstream=form.instance, priorities=formset.wanted_order())

    def save_model(self, request, obj, form, change):
        """Restoring a version puts the priorities back in the order it kept, before the
        workstream is saved, so its one new version keeps that order."""
        version = getattr(obj, "_history", None)
        if version is not None and version.priority_order is not None:
            kept = [pk for pk, _ in version.priority_order]
            priorities_reorder(workstream=obj, priorities=kept, record=False)
            self.message_user(
                request,
                "Its priorities are in the order this version had: "
                f"{order_in_words(version.priority_order)}. Priorities added since follow; "
                "priorities deleted since are not brought back.",
                messages.INFO,
            )
        super().save_model(request, obj, form, change)


@admin.register(WorkstreamPriority)
class WorkstreamPriorityAdmin(DraftedAdmin, AuditedAdmin):
    """A priority's text. Its number is changed on its workstream's page, where the order of
    them all is one change of the workstream."""

    list_display = ["title", "workstream", "order"]
    list_filter = ["workstream"]
    search_fields = ["title", "description"]
    ordering = ["workstream", "order"]
    readonly_fields = ["order"]

    def preview_of(self, obj):
        return obj.workstream.get_absolute_url()

    def save_model(self, request, obj, form, change):
        moved_from = None
        if change:
            moved_from = WorkstreamPriority.objects.get(pk=obj.pk).workstream
        if not change or moved_from != obj.workstream:  # it goes last in its workstream
            last = obj.workstream.priorities.exclude(pk=obj.pk).aggregate(Max("order"))
            obj.order = (last["order__max"] or 0) + 1
        super().save_model(request, obj, form, change)
        priorities_reorder(workstream=obj.workstream)
        if moved_from is not None and moved_from != obj.workstream:
            priorities_reorder(workstream=moved_from)

    def delete_model(self, request, obj):
        workstream = obj.workstream
        super().delete_model(request, obj)
        priorities_reorder(workstream=workstream)

    def delete_queryset(self, request, queryset):
        workstreams = list(Workstream.objects.filter(priorities__in=queryset).distinct())
        super().delete_queryset(request, queryset)
        for workstream in workstreams:
            priorities_reorder(workstream=workstream)
