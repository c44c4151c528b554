"""Permission before rule: staff who may not do something get the same 403 for a record that
exists and for one that does not, before anything about the record is checked or said, so
nobody can learn from the admin which ids are in use, or what a record holds, without the
permission to see it."""

import datetime

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone

from neighbourhoods.models import BoundaryVersion, DataRelease, ImportRun, Neighbourhood, Practice
from tests import factories

from .test_admin import FACTORY_FOR

pytestmark = pytest.mark.django_db

MISSING = 987654321

PORTAL_ADMINS = [
    model
    for model in admin.site._registry
    if model._meta.app_label in {"partnership", "workstreams", "neighbourhoods"}
]


def make(model):
    name = model._meta.model_name
    if name == "importrun":
        now = timezone.now()
        return ImportRun.objects.create(
            source="import_postcodes", outcome=ImportRun.Outcome.SUCCEEDED, run_by="test",
            started_at=now, finished_at=now,
        )  # fmt: skip
    if name == "boundaryversion":
        return BoundaryVersion.objects.create(published_at=timezone.now(), fingerprint="x")
    if name == "contactmessage":  # messages come only from the contact form
        from partnership.models import ContactMessage

        return ContactMessage.objects.create(message="x")
    factory = FACTORY_FOR[name]
    if factory is None:
        return model.objects.create(place=factories.PlaceFactory(), title="x")
    return factory()


def staff_member(client, group=None):
    user = get_user_model().objects.create_user(
        f"staff-{group or 'none'}".lower().replace(" ", "-"), password="pw", is_staff=True
    )
    if group:
        user.groups.add(Group.objects.get(name=group))
    client.force_login(user)
    return client


def answers(client, method, url, data=None):
    response = getattr(client, method)(url, data or {})
    return response.status_code, response.content


def same_refusal(client, method, url_for, existing, data=None):
    """The answers for an id in use and for one that is not: both a 403, and the same."""
    found = answers(client, method, url_for(existing), data)
    missing = answers(client, method, url_for(MISSING), data)
    assert found[0] == 403, found
    assert found == missing


def url(model, view):
    opts = model._meta
    return lambda pk, *more: reverse(
        f"admin:{opts.app_label}_{opts.model_name}_{view}", args=[pk, *more]
    )


@pytest.mark.parametrize("model", PORTAL_ADMINS, ids=lambda m: m._meta.model_name)
@pytest.mark.parametrize("view", ["change", "delete", "history"])
@pytest.mark.parametrize("method", ["get", "post"])
def test_staff_without_permission_cannot_tell_which_ids_exist(client, model, view, method):
    obj = make(model)
    same_refusal(staff_member(client), method, url(model, view), obj.pk)


@pytest.mark.parametrize(
    "model", [m for m in PORTAL_ADMINS if hasattr(m, "history")], ids=lambda m: m._meta.model_name
)
@pytest.mark.parametrize("view", ["simple_history", "compare"])
@pytest.mark.parametrize("method", ["get", "post"])
def test_a_version_cannot_be_opened_without_permission_to_see_the_history(
    client, model, view, method
):
    obj = make(model)
    version = obj.history.latest().history_id
    opened = url(model, view)
    client = staff_member(client)

    found = answers(client, method, opened(obj.pk, version))
    for pk, history_id in [(MISSING, version), (obj.pk, MISSING), (MISSING, MISSING)]:
        assert answers(client, method, opened(pk, history_id)) == found
    assert found[0] == 403


@pytest.fixture
def neighbourhood_with_areas(db):
    neighbourhood = factories.NeighbourhoodFactory()
    lsoa = factories.LsoaFactory(neighbourhood=neighbourhood)
    factories.PostcodeFactory(lsoa=lsoa, neighbourhood=neighbourhood)
    return neighbourhood


@pytest.mark.parametrize("group", [None, "Viewers", "Editors", "Data managers"])
@pytest.mark.parametrize("method", ["get", "post"])
def test_deleting_a_neighbourhood_says_nothing_to_staff_who_may_not(
    client, neighbourhood_with_areas, group, method
):
    """Editors may change a neighbourhood's text, but not delete it: they learn neither that
    it exists nor how many LSOAs and postcodes it holds."""
    client = staff_member(client, group)
    delete = url(Neighbourhood, "delete")

    same_refusal(client, method, delete, neighbourhood_with_areas.pk, {"post": "yes"})

    # Nor is it said on the next page, as a message.
    assert "cannot be deleted" not in client.get(reverse("admin:index")).content.decode()
    assert Neighbourhood.objects.filter(pk=neighbourhood_with_areas.pk).exists()


def test_staff_who_may_delete_a_neighbourhood_are_told_why_it_cannot_be(
    staff_client, neighbourhood_with_areas
):
    response = staff_client.post(
        url(Neighbourhood, "delete")(neighbourhood_with_areas.pk), {"post": "yes"}, follow=True
    )
    assert f"{neighbourhood_with_areas.name} cannot be deleted: 1 LSOA is assigned to it" in (
        response.content.decode()
    )


@pytest.mark.parametrize("group", [None, "Viewers", "Editors"])
@pytest.mark.parametrize("method", ["get", "post"])
def test_moving_lsoas_is_refused_before_the_lsoas_are_looked_up(client, group, method):
    lsoa = factories.LsoaFactory()
    target = factories.NeighbourhoodFactory()
    client = staff_member(client, group)
    move = reverse("admin:neighbourhoods_lsoa_move")

    def move_of(pk):
        return move + f"?ids={pk}&neighbourhood={target.pk}&restore=1"

    data = {"confirm": "yes", "reason": "x", "understood": "on"}
    same_refusal(client, method, move_of, lsoa.pk, data)


def test_a_boundary_versions_geojson_is_refused_before_it_is_looked_up(client):
    version = BoundaryVersion.objects.create(
        published_at=timezone.now() - datetime.timedelta(days=1), fingerprint="x"
    )
    geojson = url(BoundaryVersion, "geojson")
    same_refusal(staff_member(client), "get", geojson, version.pk)


@pytest.mark.parametrize("view", ["apply", "undo"])
@pytest.mark.parametrize("group", [None, "Viewers", "Editors"])
@pytest.mark.parametrize("method", ["get", "post"])
def test_a_data_release_is_applied_or_undone_only_by_staff_who_may(client, view, group, method):
    release = make(DataRelease)
    same_refusal(
        staff_member(client, group), method, url(DataRelease, view), release.pk, {"reason": "x"}
    )


@pytest.fixture
def deleted(db):
    """A deleted practice and a deleted neighbourhood, each with a membership its deletion
    ended, for restoring."""
    from neighbourhoods.services.removal import record_remove

    practice = factories.MembershipFactory(started_on=None).practice
    neighbourhood = factories.MembershipFactory(started_on=None).neighbourhood
    for record in (practice, neighbourhood):
        record_remove(record=record)
    return {Practice: practice, Neighbourhood: neighbourhood}


@pytest.mark.parametrize(
    "model, group",
    [(Practice, None), (Practice, "Viewers"), (Practice, "Editors"),
     (Neighbourhood, None), (Neighbourhood, "Viewers"), (Neighbourhood, "Editors"),
     (Neighbourhood, "Data managers")],
    ids=lambda value: getattr(getattr(value, "_meta", None), "model_name", value or "none"),
)  # fmt: skip
@pytest.mark.parametrize("method", ["get", "post"])
def test_a_deleted_record_is_restored_only_by_staff_who_may_change_and_publish_it(
    client, deleted, model, group, method
):
    """Viewers read Deleted records but restore nothing; Editors may not change practices,
    nor Data managers neighbourhoods, and Editors, who change a neighbourhood's text as a
    draft, may not publish it back. Each is refused before the id is looked up."""
    record = deleted[model]
    same_refusal(staff_member(client, group), method, url(model, "restore"), record.pk)
    record.refresh_from_db()
    assert record.is_removed


def test_deleted_records_is_refused_to_staff_who_may_see_neither_kind(client, deleted):
    response = staff_member(client).get(reverse("deleted-records"))
    assert response.status_code == 403
    assert deleted[Practice].name.encode() not in response.content


REVIEWED = [m for m in PORTAL_ADMINS if hasattr(admin.site._registry[m], "review_view")]


@pytest.mark.parametrize("model", REVIEWED, ids=lambda m: m._meta.model_name)
@pytest.mark.parametrize("group", [None, "Viewers", "Data managers"])
@pytest.mark.parametrize("method", ["get", "post"])
def test_a_page_is_marked_reviewed_only_by_staff_who_may_change_it(client, model, group, method):
    record = make(model)
    same_refusal(staff_member(client, group), method, url(model, "review"), record.pk)
    record.refresh_from_db()
    assert record.reviewed_on is None


def test_every_custom_admin_address_is_tested_here():
    """A new view in an admin's get_urls must be added to the tests above."""
    custom = set()
    for model, model_admin in admin.site._registry.items():
        if model not in PORTAL_ADMINS:
            continue
        for pattern in model_admin.get_urls():
            name = getattr(pattern, "name", None) or ""
            suffix = name.removeprefix(f"{model._meta.app_label}_{model._meta.model_name}_")
            if suffix not in {"changelist", "add", "change", "delete", "history", ""}:
                custom.add(name)
    assert custom == {
        "neighbourhoods_lsoa_move",
        "neighbourhoods_boundaryversion_geojson",
        "neighbourhoods_datarelease_apply",
        "neighbourhoods_datarelease_undo",
        "neighbourhoods_practice_restore",
        "neighbourhoods_neighbourhood_restore",
        *(f"{m._meta.app_label}_{m._meta.model_name}_review" for m in REVIEWED),
        *(f"{m._meta.app_label}_{m._meta.model_name}_{view}"
          for m in PORTAL_ADMINS if hasattr(m, "history")
          for view in ("simple_history", "compare")),
    }  # fmt: skip
