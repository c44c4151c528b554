"""The staff roles (neighbourhoods/roles.py, created by a migration): each group can do what
its people need in the admin, and nothing more."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.urls import reverse

from neighbourhoods.models import ImportRun, Lsoa, Neighbourhood, Practice
from partnership.models import PartnerOrganisation

pytestmark = pytest.mark.django_db


def member_of(group_name):
    user = get_user_model().objects.create_user(
        f"{group_name.lower().replace(' ', '-')}", password="pw", is_staff=True
    )
    user.groups.add(Group.objects.get(name=group_name))
    return user


@pytest.fixture
def as_role(client):
    def sign_in(group_name):
        client.force_login(member_of(group_name))
        return client

    return sign_in


def status(client, name, *args):
    return client.get(reverse(f"admin:{name}", args=args)).status_code


def test_the_migration_made_the_three_groups(db):
    assert set(Group.objects.values_list("name", flat=True)) >= {
        "Editors", "Data managers", "Viewers",
    }  # fmt: skip


@pytest.mark.realdata
def test_editors_edit_content_and_only_read_data(as_role):
    client = as_role("Editors")
    partner = PartnerOrganisation.objects.first()
    lsoa, practice = Lsoa.objects.first(), Practice.objects.first()
    user = get_user_model().objects.get(username="editors")

    assert status(client, "partnership_partnerorganisation_add") == 200
    assert user.has_perm("partnership.change_partnerorganisation")
    assert user.has_perm("partnership.change_historicalpartnerorganisation")  # may restore
    assert user.has_perm("neighbourhoods.change_neighbourhood")  # its text
    assert status(client, "neighbourhoods_practice_change", practice.pk) == 200  # to read
    assert not user.has_perm("neighbourhoods.change_practice")
    assert not user.has_perm("neighbourhoods.change_lsoa")
    assert status(client, "neighbourhoods_lsoa_move") == 403
    assert not user.has_perm("neighbourhoods.change_historicallsoa")
    assert not user.has_perm("auth.change_user")
    assert status(client, "auth_user_changelist") == 403
    assert status(client, "neighbourhoods_lsoa_history", lsoa.pk) == 200
    assert status(client, "partnership_partnerorganisation_history", partner.pk) == 200


@pytest.mark.realdata
def test_data_managers_move_areas_and_keep_practices_but_not_content(as_role):
    client = as_role("Data managers")
    user = get_user_model().objects.get(username="data-managers")
    lsoa = Lsoa.objects.first()
    target = Neighbourhood.objects.exclude(pk=lsoa.neighbourhood_id).first()

    preview = client.get(
        reverse("admin:neighbourhoods_lsoa_move") + f"?ids={lsoa.pk}&neighbourhood={target.pk}"
    )

    assert preview.status_code == 200
    for perm in ("change_lsoa", "add_practice", "change_practice", "change_membership",
                 "change_historicallsoa", "view_importrun", "view_boundaryversion"):  # fmt: skip
        assert user.has_perm(f"neighbourhoods.{perm}"), perm
    assert not user.has_perm("partnership.change_partnerorganisation")
    assert not user.has_perm("neighbourhoods.change_neighbourhood")
    assert not user.has_perm("neighbourhoods.change_importrun")
    assert status(client, "partnership_partnerorganisation_add") == 403
    assert status(client, "neighbourhoods_importrun_changelist") == 200


@pytest.mark.realdata
def test_viewers_read_everything_and_change_nothing(as_role):
    client = as_role("Viewers")
    user = get_user_model().objects.get(username="viewers")
    partner, lsoa = PartnerOrganisation.objects.first(), Lsoa.objects.first()
    run = ImportRun.objects.first()

    assert status(client, "partnership_partnerorganisation_change", partner.pk) == 200
    assert status(client, "neighbourhoods_lsoa_change", lsoa.pk) == 200
    assert status(client, "neighbourhoods_importrun_change", run.pk) == 200
    assert status(client, "neighbourhoods_lsoa_history", lsoa.pk) == 200
    assert client.get(reverse("recent-changes")).status_code == 200
    changing = [p for p in user.get_all_permissions() if not p.split(".")[1].startswith("view_")]
    assert changing == []
    assert status(client, "neighbourhoods_lsoa_move") == 403
    posted = client.post(
        reverse("admin:partnership_partnerorganisation_change", args=[partner.pk]),
        {"name": "Renamed"},
    )
    assert posted.status_code == 403
    partner.refresh_from_db()
    assert partner.name != "Renamed"


@pytest.mark.realdata
def test_a_viewer_cannot_restore_a_version(as_role):
    client = as_role("Viewers")
    partner = PartnerOrganisation.objects.first()
    version = partner.history.latest()
    url = reverse(
        "admin:partnership_partnerorganisation_simple_history",
        args=[partner.pk, version.history_id],
    )
    page = client.get(url)
    posted = client.post(url, {"name": "Renamed"})

    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    assert posted.status_code == 403
    assert partner.history.latest() == version
    lsoa = Lsoa.objects.first()
    lsoa_version = lsoa.history.latest()
    restore = client.post(
        reverse(
            "admin:neighbourhoods_lsoa_simple_history", args=[lsoa.pk, lsoa_version.history_id]
        ),
        {"neighbourhood": lsoa.neighbourhood_id},
    )
    assert restore.status_code == 403


def test_staff_in_no_group_see_nothing(client):
    user = get_user_model().objects.create_user("nobody", password="pw", is_staff=True)
    client.force_login(user)
    assert status(client, "partnership_partnerorganisation_changelist") == 403
    assert status(client, "neighbourhoods_lsoa_changelist") == 403
    html = client.get(reverse("recent-changes")).content.decode()
    assert "No changes recorded yet." in html
