"""The admin's site-wide "Recent changes": the changes to every audited model the signed-in
member of staff may see, newest first, narrowed by a form that works without JavaScript (a
GET form, so a filtered page can be bookmarked or sent to a colleague): who, from and to
which day, what kind of record, what was done, and words in the record's name or the
reason. It parses the form and calls changes.changes_page."""

import datetime

from django import forms
from django.contrib import admin
from django.contrib.admin.exceptions import NotRegistered
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.text import capfirst

from .changes import ACTIONS, Filters, changes_page, kind_key, people, person_name, visible_models


class DayMonthYear(forms.MultiWidget):
    """Three boxes, day, month and year, as GOV.UK asks for a date: date_from_day,
    date_from_month and date_from_year. Drawn, with a label for each, by
    admin/audit/day_month_year.html."""

    def __init__(self):
        super().__init__(
            {"day": forms.TextInput, "month": forms.TextInput, "year": forms.TextInput}
        )

    def decompress(self, value):
        return [value.day, value.month, value.year] if value else [None, None, None]


class DayMonthYearField(forms.MultiValueField):
    """A day as three boxes, with GOV.UK's messages: "…must include a month", "…must be a
    real date". `described` names the date in them ("The ‘from’ date")."""

    widget = DayMonthYear

    def __init__(self, *, described, **kwargs):
        self.described = described
        box = forms.CharField(required=False)
        super().__init__(fields=[box, box, box], require_all_fields=False, required=False, **kwargs)

    def compress(self, data_list):
        parts = [(part or "").strip() for part in data_list] if data_list else []
        if not any(parts):
            return None
        day, month, year = parts
        missing = [
            name for name, part in zip(("day", "month", "year"), parts, strict=True) if not part
        ]
        if missing:
            raise forms.ValidationError(
                f"{self.described} must include a {' and a '.join(missing)}."
            )
        if not all(part.isdigit() for part in parts):
            raise forms.ValidationError(
                f"{self.described} must be a real date, in numbers, like 4 12 2026."
            )
        if len(year) != 4:
            raise forms.ValidationError(
                f"The year in {self.described.lower()} must have 4 numbers."
            )
        try:
            return datetime.date(int(year), int(month), int(day))
        except ValueError as error:
            raise forms.ValidationError(
                f"{self.described} must be a real date: there is no {day}/{month}/{year}."
            ) from error


class PersonField(forms.ModelChoiceField):
    def label_from_instance(self, user):
        name = person_name(user)
        return name if name == user.get_username() else f"{name} ({user.get_username()})"


class RecentChangesForm(forms.Form):
    person = PersonField(
        queryset=None,
        required=False,
        empty_label="Anyone",
        error_messages={
            "invalid_choice": "Choose a person from the list: no one you can see changes by "
            "has that id."
        },
    )
    date_from = DayMonthYearField(described="The ‘from’ date", label="From")
    date_to = DayMonthYearField(described="The ‘to’ date", label="To")
    kind = forms.ChoiceField(
        label="Kind of record",
        required=False,
        error_messages={
            "invalid_choice": "Choose a kind of record from the list: “%(value)s” is not one "
            "whose changes you can see."
        },
    )
    action = forms.ChoiceField(
        label="What was done",
        required=False,
        choices=[("", "Anything"), *ACTIONS.items()],
        error_messages={"invalid_choice": "Choose what was done from the list."},
    )
    q = forms.CharField(
        label="Name or reason contains",
        required=False,
        max_length=200,
        error_messages={"max_length": "Search for at most 200 characters."},
    )

    def __init__(self, data, *, models):
        super().__init__(data)
        self.models = {kind_key(model): model for model in models}
        self.fields["person"].queryset = people(models)
        kinds = sorted(
            self.models.items(), key=lambda item: item[1]._meta.verbose_name_plural.casefold()
        )
        self.fields["kind"].choices = [("", "Any kind")] + [
            (key, capfirst(model._meta.verbose_name_plural)) for key, model in kinds
        ]

    def clean(self):
        cleaned = super().clean()
        date_from, date_to = cleaned.get("date_from"), cleaned.get("date_to")
        if date_from and date_to and date_from > date_to:
            self.add_error("date_to", "The ‘to’ date must be the same as or after the ‘from’ date.")
        return cleaned

    def filters(self) -> Filters:
        data = self.cleaned_data
        return Filters(
            person=data["person"],
            date_from=data["date_from"],
            date_to=data["date_to"],
            kind=self.models.get(data["kind"]),
            action=data["action"],
            search=data["q"].strip(),
        )


def records_in_the_admin(request):
    """The records each model's admin can open now: a line links to its record only if so."""

    def current(model):
        try:
            return admin.site.get_model_admin(model).get_queryset(request)
        except NotRegistered:
            return model._default_manager.all()

    return current


def recent_changes_view(request):
    models = visible_models(request.user)
    form = RecentChangesForm(request.GET, models=models)
    page_obj = said = None
    if form.is_valid():
        filters = form.filters()
        page_obj = changes_page(
            request.user, filters, request.GET.get("p") or 1, current=records_in_the_admin(request)
        )
        said = filters.in_words(page_obj.paginator.count)
    context = {
        **admin.site.each_context(request),
        "title": "Recent changes",
        "form": form,
        "page_obj": page_obj,
        "changes": page_obj.object_list if page_obj else [],
        "page_range": page_obj.paginator.get_elided_page_range(page_obj.number) if page_obj else [],
        "said": said,
        "filtered": any(value for key, value in request.GET.items() if key != "p"),
        "yesterday": timezone.localdate() - datetime.timedelta(days=1),
    }
    return TemplateResponse(request, "admin/recent_changes.html", context)


recent_changes = admin.site.admin_view(recent_changes_view)
