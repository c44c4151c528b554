"""The admin's Data freshness page: each source's release in use, its age, and a flag once
it is older than its publisher's cadence, with a way to load a newer one for those who may."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone

from neighbourhoods.models import ImportRun

pytestmark = pytest.mark.django_db


def member_of(group_name):
    user = get_user_model().objects.create_user(group_name.replace(" ", "-"), is_staff=True)
    user.groups.add(Group.objects.get(name=group_name))
    return user


@pytest.fixture
def an_old_practices_release():
    now = timezone.now()
    return ImportRun.objects.create(
        source="import_practices", outcome=ImportRun.Outcome.SUCCEEDED, run_by="test",
        started_at=now, finished_at=now, release_date=datetime.date(2020, 4, 1),
        files=[{"name": "ods_epcn_2020-01_core_partners.csv", "release_date": "2020-01-01"}],
    )  # fmt: skip


def test_staff_read_each_sources_release_and_see_an_old_one_flagged(
    client, an_old_practices_release
):
    client.force_login(member_of("Viewers"))
    page = client.get(reverse("data-freshness"))
    assert page.status_code == 200
    html = " ".join(page.content.decode().split())
    assert "NHS ODS ePCN" in html or "ePCN" in html
    assert "1 January 2020" in html
    assert "Out of date" in html
    from partnership.data_sources import DATA_SOURCES

    assert all(source.name in html for source in DATA_SOURCES)
    assert reverse("admin:neighbourhoods_datarelease_add") not in html  # a Viewer loads none


def test_a_data_manager_is_offered_the_upload(client, an_old_practices_release):
    client.force_login(member_of("Data managers"))
    html = client.get(reverse("data-freshness")).content.decode()
    assert reverse("admin:neighbourhoods_datarelease_add") in html
    index = client.get(reverse("admin:index")).content.decode()
    assert reverse("data-freshness") in index


def test_the_page_is_for_staff_only(client):
    response = client.get(reverse("data-freshness"))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
