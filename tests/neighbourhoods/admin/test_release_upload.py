"""The admin's upload of a release says what each source's file must be: a CSV file, OS's
Code-Point Open zip as it is, or LSOA boundaries as GeoJSON."""

import html
import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.urls import reverse

from neighbourhoods.importers.releases import IMPORTS
from neighbourhoods.models import DataRelease

pytestmark = pytest.mark.django_db


def text_of(response) -> str:
    assert response.status_code == 200
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


@pytest.fixture
def data_manager(client):
    user = get_user_model().objects.create_user("data-manager", is_staff=True)
    user.groups.add(Group.objects.get(name="Data managers"))
    client.force_login(user)
    return client


def test_the_upload_offers_every_source_and_says_what_its_file_must_be(data_manager):
    text = text_of(data_manager.get(reverse("admin:neighbourhoods_datarelease_add")))

    for source in DataRelease.Source:
        assert source.label in text
    assert "OS Code-Point Open: postcodes (the zip, codepo_gb.zip)" in text
    assert "ONS LSOA 2021 boundaries (GeoJSON)" in text
    assert "a CSV file for NHS ODS, NHS England and the ONS Postcode Directory" in text
    assert "the zip as Ordnance Survey gives it (codepo_gb.zip, not unzipped)" in text
    assert "a GeoJSON file for LSOA boundaries" in text


def test_every_source_is_read_by_an_import_from_a_kind_of_file_the_upload_knows():
    assert set(IMPORTS) == set(DataRelease.Source)
    assert {kind for _importer, _option, kind in IMPORTS.values()} == {"csv", "zip", "geojson"}
