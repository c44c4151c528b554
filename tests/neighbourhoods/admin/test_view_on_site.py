""" "View on site" opens the record's page at the portal's own address (PORTAL_BASE_URL),
never at the Sites framework's example.com; and that one site names the portal."""

import os
import re
import subprocess
import sys

import pytest
from django.contrib import admin
from django.contrib.sites.models import Site
from django.urls import reverse

from tests import ROOT

from .test_admin import FACTORY_FOR

pytestmark = pytest.mark.django_db

BASE = "https://neighbourhoods.example.nhs.uk"

WITH_PAGES = [
    model
    for model in admin.site._registry
    if model._meta.app_label in {"partnership", "workstreams", "neighbourhoods"}
    and hasattr(model, "get_absolute_url")
]


def test_the_five_records_with_pages_are_these():
    assert {m._meta.model_name for m in WITH_PAGES} == {
        "place", "partnerorganisation", "workstream", "neighbourhood", "practice",
    }  # fmt: skip


@pytest.mark.parametrize("model", WITH_PAGES, ids=lambda m: m._meta.model_name)
@pytest.mark.parametrize("base", [BASE, "http://127.0.0.1:8123"])
def test_view_on_site_opens_the_page_at_the_portals_address(staff_client, settings, model, base):
    settings.PORTAL_BASE_URL = base
    obj = FACTORY_FOR[model._meta.model_name]()
    opts = model._meta

    html = staff_client.get(
        reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
    ).content.decode()

    link = re.search(r'<a href="([^"]*)" class="viewsitelink">View on site</a>', html)
    assert link, "no View on site link"
    assert link[1] == base + obj.get_absolute_url()
    assert "example.com" not in html


def test_the_address_defaults_to_make_runs():
    env = {k: v for k, v in os.environ.items() if k != "PORTAL_BASE_URL"}
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c",
         "from django.conf import settings; print(settings.PORTAL_BASE_URL)"],
        cwd=ROOT, env=env, capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert result.stdout.strip().splitlines()[-1] == "http://127.0.0.1:8000"


def test_the_one_site_names_the_portal(settings):
    from config.portal import site_in_step

    settings.PORTAL_BASE_URL = BASE
    site_in_step()
    site = Site.objects.get(pk=settings.SITE_ID)
    assert (site.domain, site.name) == (
        "neighbourhoods.example.nhs.uk",
        "City and Hackney Neighbourhoods",
    )


def test_migrating_puts_the_site_in_step(settings):
    """The test database was migrated with the configured address."""
    site = Site.objects.get(pk=settings.SITE_ID)
    assert site.domain == settings.PORTAL_BASE_URL.split("://", 1)[1]
    assert site.domain != "example.com"


@pytest.mark.parametrize(
    "value", ["neighbourhoods.example.nhs.uk", "ftp://x.example", "https://x.example/portal", ""]
)
def test_an_address_that_is_not_one_stops_the_start(value):
    env = {**os.environ, "PORTAL_BASE_URL": value}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode != 0
    assert "PORTAL_BASE_URL" in result.stderr
