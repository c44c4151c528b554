"""Saving a record in the admin without touching it changes nothing and records nothing.

Browsers send a textarea's lines ending in CRLF: every text field of every admin form in the
three apps keeps them as LF, so an untouched description is not rewritten; and a save whose
values are those of the record's latest version writes no history row."""

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.gis.geos import GEOSGeometry
from django.db import models
from django.forms import CheckboxInput, Textarea
from django.test import RequestFactory
from django.urls import reverse

from neighbourhoods.audit.trail import AUDITED
from partnership.models import HealthChallenge
from tests import factories
from workstreams.services import priorities_reorder

pytestmark = pytest.mark.django_db

APPS = {"partnership", "workstreams", "neighbourhoods"}
TEXT = "First line.\nSecond line.\n\nA new paragraph."


def text_fields(model):
    return [f.name for f in model._meta.get_fields() if isinstance(f, models.TextField)]


def forms_of(model_admin, request):
    """Every form an admin page shows: the record's, and each inline's."""
    yield model_admin.model, model_admin.get_form(request)
    for inline in model_admin.get_inline_instances(request):
        yield inline.model, inline.get_formset(request).form


ADMINS = [a for m, a in admin.site._registry.items() if m._meta.app_label in APPS]


@pytest.mark.parametrize("model_admin", ADMINS, ids=lambda a: a.model._meta.model_name)
def test_every_text_field_in_every_admin_form_keeps_lines_as_lf(model_admin, staff):
    request = RequestFactory().get("/")
    request.user = staff
    for model, form in forms_of(model_admin, request):
        for name in text_fields(model):
            field = form.base_fields.get(name)
            if field is None or field.disabled:  # read-only here
                continue
            assert field.clean("One\r\nTwo\rThree") == "One\nTwo\nThree", (model, name)
            assert not field.has_changed("One\nTwo", "One\r\nTwo"), (model, name)


def as_the_browser_sends_it(response) -> dict:
    """A change page's forms as a browser posts them back untouched: each value as shown, a
    textarea's lines ending in CRLF, a map's geometry as GeoJSON."""
    forms = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        forms += [inline.formset.management_form, *inline.formset.forms]
    data = {}
    for form in forms:
        for name, field in form.fields.items():
            value, key = form[name].value(), form.add_prefix(name)
            if field.disabled or value is None:
                continue
            if isinstance(field.widget, CheckboxInput):
                if value:
                    data[key] = "on"
            elif isinstance(value, list | tuple):
                data[key] = [str(v) for v in value]
            elif isinstance(value, GEOSGeometry):
                data[key] = value.geojson
            elif isinstance(field.widget, Textarea):
                data[key] = str(value).replace("\r\n", "\n").replace("\n", "\r\n")
            else:
                data[key] = str(value)
    return data


def history_rows() -> int:
    return sum(apps.get_model(app, name).history.count() for app, name in AUDITED)


def workstream():
    record = factories.WorkstreamFactory(summary=TEXT, description=TEXT)
    record.partners.add(factories.PartnerFactory())
    factories.WorkstreamPriorityFactory(workstream=record, description=TEXT)
    priorities_reorder(workstream=record)  # as adding it in the admin does
    return record


def workstream_priority():
    record = factories.WorkstreamPriorityFactory(description=TEXT)
    priorities_reorder(workstream=record.workstream)
    record.refresh_from_db()
    return record


def place():
    record = factories.PlaceFactory(summary=TEXT, description=TEXT)
    factories.PriorityFactory(place=record, description=TEXT)
    factories.WorkProgrammeFactory(place=record, description=TEXT)
    HealthChallenge.objects.create(place=record, title="Loneliness", description=TEXT)
    return record


RECORDS = {
    "workstream": workstream,
    "workstreampriority": workstream_priority,
    "place": place,
    "priority": lambda: factories.PriorityFactory(description=TEXT),
    "partnerorganisation": lambda: factories.PartnerFactory(summary=TEXT, role_in_partnership=TEXT),
    "neighbourhood": lambda: factories.NeighbourhoodFactory(summary=TEXT),
    "neighbourhoodaim": lambda: factories.NeighbourhoodAimFactory(text=TEXT),
    "practice": lambda: factories.MembershipFactory(practice__address="1 High St\nLondon").practice,
    "membership": factories.MembershipFactory,
    "source": lambda: factories.SourceFactory(notes=TEXT),
}


@pytest.mark.parametrize("name", RECORDS)
def test_saving_an_untouched_record_changes_nothing_and_records_nothing(staff_client, name):
    record = RECORDS[name]()
    opts = record._meta
    url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[record.pk])
    before = {f: getattr(record, f) for f in text_fields(type(record))}
    rows = history_rows()

    for _ in range(2):
        response = staff_client.post(url, as_the_browser_sends_it(staff_client.get(url)))
        assert response.status_code == 302, response.context and response.context.get("errors")

    record.refresh_from_db()
    assert {f: getattr(record, f) for f in before} == before
    assert history_rows() == rows


def test_a_changed_save_is_still_recorded(staff_client):
    record = workstream()
    url = reverse("admin:workstreams_workstream_change", args=[record.pk])
    data = as_the_browser_sends_it(staff_client.get(url))
    rows = record.history.count()

    staff_client.post(url, {**data, "summary": "A new summary.\r\nOn two lines."})

    record.refresh_from_db()
    assert record.summary == "A new summary.\nOn two lines."
    latest = record.history.latest()
    assert record.history.count() == rows + 1
    assert latest.diff_against(latest.prev_record).changed_fields == ["summary"]


def test_changing_only_the_partners_is_still_recorded(staff_client):
    record = workstream()
    url = reverse("admin:workstreams_workstream_change", args=[record.pk])
    data = as_the_browser_sends_it(staff_client.get(url))
    added = factories.PartnerFactory()

    staff_client.post(url, {**data, "partners": [*data["partners"], str(added.pk)]})

    latest = record.history.latest()
    assert latest.diff_against(latest.prev_record).changed_fields == ["partners"]
    assert added.pk in {link.partnerorganisation_id for link in latest.partners.all()}
