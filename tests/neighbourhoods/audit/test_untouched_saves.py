"""Browsers send a textarea's lines ending in CRLF: every text field of every admin form in the
three apps keeps them as LF, so an untouched description is not rewritten."""

import pytest
from django.contrib import admin
from django.db import models
from django.test import RequestFactory

pytestmark = pytest.mark.django_db

APPS = {"partnership", "workstreams", "neighbourhoods"}


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
