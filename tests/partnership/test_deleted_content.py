"""Deleted records holds deleted content too: a workstream comes back with its priorities in
their order and its partners; a partner with its places and the workstreams and
neighbourhoods it was a partner in; only staff who may delete that kind of record restore."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse

from partnership.models import PartnerOrganisation
from tests import factories
from tests.neighbourhoods.audit.test_untouched_saves import as_the_browser_sends_it
from tests.second_factor import StaffClient
from workstreams.models import Workstream

pytestmark = pytest.mark.django_db


def restore_url(obj_or_model, pk):
    opts = obj_or_model._meta
    return reverse("deleted-content-restore", args=[opts.app_label, opts.model_name, pk])


@pytest.fixture
def workstream():
    partner = factories.PartnerFactory(name="Homerton Healthcare")
    return factories.workstream_with_priorities(partners=[partner])


def reorder_and_delete(client, workstream):
    url = reverse("admin:workstreams_workstream_change", args=[workstream.pk])
    data = as_the_browser_sends_it(client.get(url))
    for key, value in list(data.items()):
        if key.endswith("-title"):
            data[key.removesuffix("-title") + "-order"] = {
                "Falls": "2", "Frailty": "3", "Loneliness": "1"
            }[value]  # fmt: skip
    client.post(url, data)
    delete = reverse("admin:workstreams_workstream_delete", args=[workstream.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 302


def test_a_deleted_workstream_comes_back_with_its_priorities_in_order(staff_client, workstream):
    pk = workstream.pk
    reorder_and_delete(staff_client, workstream)
    assert not Workstream.objects.filter(pk=pk).exists()

    listed = staff_client.get(reverse("deleted-records")).content.decode()
    assert 'id="deleted-workstream"' in listed and "Adults" in listed
    assert "Loneliness" in listed  # deleted with it
    confirm = staff_client.get(restore_url(Workstream, pk)).content.decode()
    assert "Its 3 parts deleted with it come back too" in confirm

    response = staff_client.post(restore_url(Workstream, pk), follow=True)

    assert "Restored “Adults” with its 3 workstream priorities" in response.content.decode()
    restored = Workstream.objects.get(pk=pk)
    titles = list(restored.priorities.order_by("order").values_list("title", flat=True))
    assert titles == ["Loneliness", "Falls", "Frailty"]
    assert [p.name for p in restored.partners.all()] == ["Homerton Healthcare"]
    assert restored.history.latest().history_change_reason == "Restored from Deleted records"
    page = Client().get(restored.get_absolute_url()).content.decode()
    assert page.index("Loneliness") < page.index("Falls") < page.index("Frailty")
    assert "Adults" not in staff_client.get(reverse("deleted-records")).content.decode()


def test_a_deleted_partner_comes_back_with_its_links(staff_client, workstream):
    place = factories.PlaceFactory()
    partner = workstream.partners.get()
    partner.places.set([place])
    neighbourhood = factories.NeighbourhoodFactory(place=place)
    neighbourhood.partners.set([partner])
    pk = partner.pk
    staff_client.post(
        reverse("admin:partnership_partnerorganisation_delete", args=[pk]), {"post": "yes"}
    )
    assert not workstream.partners.exists()

    staff_client.post(restore_url(PartnerOrganisation, pk))

    partner = PartnerOrganisation.objects.get(pk=pk)
    assert list(partner.places.all()) == [place]
    assert list(workstream.partners.all()) == [partner]
    assert list(neighbourhood.partners.all()) == [partner]


def test_only_staff_who_may_delete_restore(workstream):
    pk = workstream.pk
    workstream.delete()
    viewer = get_user_model().objects.create_user("viewer", password="pw", is_staff=True)
    viewer.groups.add(Group.objects.get(name="Viewers"))
    client = StaffClient()
    client.force_login(viewer)

    listed = client.get(reverse("deleted-records")).content.decode()
    assert "Adults" in listed and "Restore" not in listed.split('id="deleted-content"')[1]
    assert client.post(restore_url(Workstream, pk)).status_code == 403
    assert client.post(restore_url(Workstream, 987654)).status_code == 403
    assert not Workstream.objects.filter(pk=pk).exists()


def test_restoring_twice_or_a_kind_not_kept_is_answered_in_words(staff_client, workstream):
    pk = workstream.pk
    workstream.delete()
    staff_client.post(restore_url(Workstream, pk))
    again = staff_client.post(restore_url(Workstream, pk), follow=True)
    assert "it was restored already" in again.content.decode()
    url = reverse("deleted-content-restore", args=["neighbourhoods", "lsoa", 1])
    assert staff_client.get(url).status_code == 404


def test_a_deleted_priority_comes_back_last_in_its_workstream(staff_client, workstream):
    falls = workstream.priorities.get(title="Falls")
    pk = falls.pk
    delete = reverse("admin:workstreams_workstreampriority_delete", args=[pk])
    staff_client.post(delete, {"post": "yes"})
    # Its number 1 is given to another when the order closes up.
    assert list(workstream.priorities.values_list("order", flat=True)) == [1, 2]

    staff_client.post(restore_url(workstream.priorities.model, pk))

    titles = list(workstream.priorities.order_by("order").values_list("title", "order"))
    assert titles == [("Frailty", 1), ("Loneliness", 2), ("Falls", 3)]


def signed_in(group):
    user = get_user_model().objects.create_user(
        group.lower().replace(" ", "-"), password="pw", is_staff=True
    )
    user.groups.add(Group.objects.get(name=group))
    client = StaffClient()
    client.force_login(user)
    return client


CONTENT_KINDS = {
    "partner": factories.PartnerFactory,
    "workstreampriority": factories.WorkstreamPriorityFactory,
    "healthchallenge": factories.HealthChallengeFactory,
}


@pytest.mark.parametrize("kind", CONTENT_KINDS)
@pytest.mark.parametrize(
    ("group", "may"),
    [("Viewers", False), ("Editors", False), ("Publishers", True), ("Data managers", False)],
)
def test_only_staff_who_may_publish_delete_content_or_restore_it(staff_client, kind, group, may):
    """Deleting takes a page off the site and restoring puts it back: Publishers' power. An
    Editor, who may draft but not publish, can do neither."""
    record = CONTENT_KINDS[kind]()
    model, pk, opts = type(record), record.pk, record._meta
    delete = reverse(f"admin:{opts.app_label}_{opts.model_name}_delete", args=[pk])
    client = signed_in(group)

    page = client.get(delete)
    client.post(delete, {"post": "yes"})

    assert (page.status_code == 200) is may
    assert model.objects.filter(pk=pk).exists() is not may
    if not may:  # someone who may deletes it
        assert staff_client.post(delete, {"post": "yes"}).status_code == 302
    listed = client.get(reverse("deleted-records"))
    confirm = client.get(restore_url(model, pk))
    client.post(restore_url(model, pk))

    assert (confirm.status_code == 200) is may
    assert model.objects.filter(pk=pk).exists() is may
    if listed.status_code == 200 and str(record) in listed.content.decode():
        told = " ".join(listed.content.decode().split())
        refused = f"Your account may not restore {opts.verbose_name_plural}"
        assert (refused in told) is not may
        assert (f'Restore<span class="visually-hidden"> {record}' in told) is may


def test_every_kind_in_deleted_records_asks_for_permission_to_publish():
    """The rule above is DraftedAdmin's: every kind of content Deleted records restores has it."""
    from django.contrib import admin

    from neighbourhoods.audit import undelete
    from neighbourhoods.audit.drafting import DraftedAdmin

    for app, name in undelete.BIN:
        model_admin = admin.site.get_model_admin(undelete.model_of(app, name))
        assert isinstance(model_admin, DraftedAdmin), name
