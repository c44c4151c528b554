"""LSOAs (and moving them between neighbourhoods, with a preview), local authorities and
postcodes."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import urlencode
from simple_history.models import DeletedObject

from .. import population
from ..audit.admin import AuditedAdmin, PermissionFirst
from ..audit.compare import readable, related
from ..models import (
    LocalAuthority,
    Lsoa,
    Neighbourhood,
    Postcode,
)
from ..postcodes import ParsedPostcode
from ..services.answers import answers_recompute
from ..services.areas import lsoa_changed
from ..services.moves import lsoas_move, lsoas_move_preview
from .widgets import MapAdmin, ReadOnlyBoundary


class MoveLsoasForm(forms.Form):
    neighbourhood = forms.ModelChoiceField(
        queryset=Neighbourhood.objects.not_removed().defer("boundary"),
        label="Move them to",
        empty_label="Choose a neighbourhood",
        error_messages={"required": "Choose the neighbourhood to move them to."},
    )


class ConfirmMoveForm(forms.Form):
    """The confirmation under the preview. A move that splits an area, empties one or leaves
    a practice outside its own neighbourhood's area needs a reason and a tick."""

    reason = forms.CharField(
        label="Why this move?",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text="Kept in the audit trail with the move.",
    )
    understood = forms.BooleanField(
        label="I have read the warnings above and want to make this move anyway",
        required=False,
    )

    def __init__(self, *args, needs_reason=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.needs_reason = needs_reason

    def clean(self):
        cleaned = super().clean()
        if self.needs_reason:
            if not cleaned.get("reason", "").strip():
                self.add_error(
                    "reason",
                    "Give the reason for a move that splits an area or strands a practice.",
                )
            if not cleaned.get("understood"):
                self.add_error("understood", "Tick the box to confirm you want this move.")
        return cleaned


@admin.register(Lsoa)
class LsoaAdmin(ReadOnlyBoundary, AuditedAdmin, MapAdmin):
    boundary_help = "From ONS; it cannot be edited here."
    """LSOAs come from ONS: their codes, names, boundaries and local authorities are read-only,
    and only the imports add or remove them. Staff change only which neighbourhood one is in:
    on its own page, or for several at once with the "Move to a neighbourhood" action. Either
    way, and when an earlier version is restored, the move is previewed first (move_view)."""

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

    def get_urls(self):
        move = path(
            "move/", self.admin_site.admin_view(self.move_view), name="neighbourhoods_lsoa_move"
        )
        return [move, *super().get_urls()]

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        """A new neighbourhood chosen on the LSOA's own page goes to the move preview first;
        nothing is saved until staff confirm it there."""
        if request.method == "POST" and object_id:
            lsoa = self.get_object(request, object_id)
            if lsoa is not None and self.has_change_permission(request, lsoa):
                form = self.get_form(request, lsoa)(request.POST, instance=lsoa)
                if form.is_valid() and "neighbourhood" in form.changed_data:
                    target = form.cleaned_data["neighbourhood"]
                    if target is None:
                        # The preview moves LSOAs to a neighbourhood; "none" is not a move
                        # it can show, so it is refused rather than saved unpreviewed.
                        self.message_user(
                            request,
                            "An LSOA cannot be left without a neighbourhood here: every move "
                            "is previewed first, and the preview moves LSOAs to a "
                            "neighbourhood. Choose the neighbourhood to move it to.",
                            messages.ERROR,
                        )
                        return HttpResponseRedirect(request.get_full_path())
                    return self._to_preview([lsoa.pk], target)
        return super().changeform_view(request, object_id, form_url, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        """Restoring an earlier version moves the LSOA back through the same preview."""
        if request.method == "POST":
            if not self.may_restore(request):
                raise PermissionDenied
            version = self.model.history.filter(id=object_id, history_id=version_id).first()
            if version is None or version.neighbourhood_id is None:
                self.message_user(
                    request,
                    "That version has no neighbourhood to restore: choose one on the LSOA's page.",
                    messages.ERROR,
                )
                return HttpResponseRedirect(
                    reverse("admin:neighbourhoods_lsoa_history", args=[object_id])
                )
            neighbourhood = (
                Neighbourhood.objects.not_removed().filter(pk=version.neighbourhood_id).first()
            )
            if neighbourhood is None:
                self.message_user(
                    request,
                    "The neighbourhood that version was in has since been deleted, so it "
                    "cannot be restored: choose a neighbourhood on the LSOA's page.",
                    messages.ERROR,
                )
                return HttpResponseRedirect(
                    reverse("admin:neighbourhoods_lsoa_history", args=[object_id])
                )
            when = timezone.localtime(version.history_date)
            return self._to_preview(
                [version.id],
                neighbourhood,
                restore=version.history_id,
                reason=f"Restored the version of {when.day} {when:%B %Y, %H:%M}.",
            )
        return super().history_form_view(request, object_id, version_id, extra_context)

    def restore_words(self, version):
        """Restoring an LSOA's version is a move, previewed: say so, not that the form's
        values are saved (they are not). See history_form_view."""
        field = type(version)._meta.get_field("neighbourhood")
        neighbourhood = related(version, field)
        if neighbourhood is None:
            return (
                "This version has no neighbourhood, so it cannot be restored: choose a "
                "neighbourhood on the LSOA's page."
            )
        if isinstance(neighbourhood, DeletedObject) or neighbourhood.is_removed:
            name = readable(field, neighbourhood)
            if not isinstance(neighbourhood, DeletedObject):
                name = f"{name} (deleted)"
            return (
                f"The neighbourhood this version was in, {name}, "
                "has since been deleted, so it cannot be restored: choose a neighbourhood on "
                "the LSOA's page."
            )
        return (
            f"Restore this version shows the preview of moving this LSOA back to "
            f"{neighbourhood.name}: nothing changes until you confirm the move there. The "
            "history keeps every version, so the move can itself be undone."
        )

    def save_model(self, request, obj, form, change):
        """Moving an LSOA redraws both neighbourhoods and re-answers its postcodes at once."""
        previous = Lsoa.objects.select_for_update().values_list("neighbourhood_id", flat=True)
        previous = previous.get(pk=obj.pk)  # locked, so two people cannot miss a redraw
        super().save_model(request, obj, form, change)
        lsoa_changed(lsoa=obj, previous_neighbourhood_id=previous)

    def _to_preview(self, lsoa_ids, target, **extra):
        query = {"ids": ",".join(str(pk) for pk in lsoa_ids), **extra}
        if target is not None:
            query["neighbourhood"] = target.pk
        return HttpResponseRedirect(
            reverse("admin:neighbourhoods_lsoa_move") + "?" + urlencode(query)
        )

    @admin.action(description="Move to a neighbourhood…", permissions=["change"])
    def move_to_neighbourhood(self, request, queryset):
        """The move preview, for the LSOAs ticked."""
        return self._to_preview(list(queryset.values_list("pk", flat=True)), None)

    def move_view(self, request):
        """Choose where the LSOAs go; see what the move would do; confirm it, with a reason
        when it splits an area or strands a practice; then the move (services.lsoas_move)."""
        if not self.has_change_permission(request):
            raise PermissionDenied
        data = request.POST if request.method == "POST" else request.GET
        restore = data.get("restore", "")
        if restore and not self.has_change_history_permission(request):
            raise PermissionDenied
        ids = [int(pk) for pk in data.get("ids", "").split(",") if pk.strip().isdigit()]
        lsoas = list(Lsoa.objects.filter(pk__in=ids).defer("boundary"))
        changelist = reverse("admin:neighbourhoods_lsoa_changelist")
        if not lsoas:
            self.message_user(
                request, "Tick the LSOAs to move in the list first.", messages.WARNING
            )
            return HttpResponseRedirect(changelist)
        ids = [lsoa.pk for lsoa in lsoas]
        choose = MoveLsoasForm(data if "neighbourhood" in data else None)
        preview = confirm = None
        if choose.is_valid():
            target = choose.cleaned_data["neighbourhood"]
            preview = lsoas_move_preview(lsoa_ids=ids, target=target)
            initial = {"reason": data.get("reason", "")} if "confirm" not in data else None
            confirm = ConfirmMoveForm(
                data if "confirm" in data else None,
                initial=initial,
                needs_reason=preview.needs_reason,
            )
            if request.method == "POST" and "confirm" in data and confirm.is_valid():
                return self._move(request, preview, confirm.cleaned_data["reason"].strip())
        else:
            preview = lsoas_move_preview(lsoa_ids=ids, target=None)
        context = {
            **self.admin_site.each_context(request),
            "title": "Move LSOAs to a neighbourhood" if len(ids) > 1 else f"Move {lsoas[0]}",
            "opts": self.model._meta,
            "ids": ",".join(str(pk) for pk in ids),
            "restore": restore,
            "choose": choose,
            "chosen": choose.is_valid(),
            "preview": preview,
            "confirm": confirm,
            "residents_source": population.RELEASE,
        }
        return TemplateResponse(request, "admin/neighbourhoods/lsoa/move.html", context)

    def _move(self, request, preview, reason):
        target = preview.target
        moving = preview.moving
        changed = lsoas_move(
            lsoa_ids=[lsoa.pk for lsoa in moving], neighbourhood=target, reason=reason
        )
        for lsoa in moving:
            was = lsoa.neighbourhood.name if lsoa.neighbourhood else "no neighbourhood"
            note = f"Moved from {was} to {target.name}." + (f" Reason: {reason}" if reason else "")
            self.log_change(request, lsoa, note)
        self.message_user(
            request,
            f"Moved {len(moving)} LSOA{'s' if len(moving) != 1 else ''} to {target.name}: "
            f"{changed:,} postcode answer{'s' if changed != 1 else ''} changed, and the "
            "areas were redrawn.",
            messages.SUCCESS,
        )
        if len(preview.lsoas) == 1:
            return HttpResponseRedirect(
                reverse("admin:neighbourhoods_lsoa_change", args=[preview.lsoas[0].pk])
            )
        return HttpResponseRedirect(reverse("admin:neighbourhoods_lsoa_changelist"))


@admin.register(LocalAuthority)
class LocalAuthorityAdmin(PermissionFirst, MapAdmin):
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
        labels = {"lsoa": "LSOA"}  # its read-only field's label, which Django spells "Lsoa"

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
class PostcodeAdmin(AuditedAdmin, MapAdmin):
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
        answers_recompute(postcode_ids=[obj.pk])
