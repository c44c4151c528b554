"""The admin's "Due for review": the pages with a review date (places, partners, workstreams,
neighbourhoods) that nobody has reviewed, or that were last reviewed longer ago than the
PORTAL_REVIEW_AFTER_MONTHS setting, oldest first, each linked to its record and its page.
Staff see the records they may view; marking one reviewed is done on its own page."""

from dataclasses import dataclass

from django.conf import settings
from django.contrib import admin
from django.contrib.auth import get_permission_codename
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.text import capfirst

from config.portal import portal_url
from partnership.reviews import pages_due_for_review, reviewed_models


@dataclass
class DuePage:
    record: object

    @property
    def kind(self):
        return capfirst(self.record._meta.verbose_name)

    @property
    def admin_url(self):
        opts = self.record._meta
        return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[self.record.pk])

    @property
    def public_path(self):
        return self.record.get_absolute_url()

    @property
    def public_url(self):
        return portal_url(self.public_path)


def may_view(user, model) -> bool:
    opts = model._meta
    return any(
        user.has_perm(f"{opts.app_label}.{get_permission_codename(action, opts)}")
        for action in ("view", "change")
    )


def due_for_review_view(request):
    models = [model for model in reviewed_models() if may_view(request.user, model)]
    if not models:
        raise PermissionDenied
    context = {
        **admin.site.each_context(request),
        "title": "Due for review",
        "months": settings.PORTAL_REVIEW_AFTER_MONTHS,
        "pages": [DuePage(record) for record in pages_due_for_review(models)],
        "kinds": [capfirst(model._meta.verbose_name_plural) for model in models],
    }
    return TemplateResponse(request, "admin/due_for_review.html", context)


due_for_review = admin.site.admin_view(due_for_review_view)
