"""Staff can open every model's list and form in the admin; nobody else can."""

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from neighbourhoods.models import Postcode
from tests import factories

from .test_memberships import practice_page

pytestmark = pytest.mark.django_db

FACTORY_FOR = {
    "source": factories.SourceFactory,
    "place": factories.PlaceFactory,
    "priority": factories.PriorityFactory,
    "workprogramme": factories.WorkProgrammeFactory,
    "healthchallenge": None,
    "partnerorganisation": factories.PartnerFactory,
    "workstream": factories.WorkstreamFactory,
    "workstreampriority": factories.WorkstreamPriorityFactory,
    "neighbourhood": factories.NeighbourhoodFactory,
    "neighbourhoodaim": factories.NeighbourhoodAimFactory,
    "practice": factories.PracticeFactory,
    "membership": factories.MembershipFactory,
    "localauthority": factories.LocalAuthorityFactory,
    "lsoa": factories.LsoaFactory,
    "postcode": factories.PostcodeFactory,
    "datarelease": factories.DataReleaseFactory,
    "draft": factories.DraftFactory,
    "contactmessage": factories.ContactMessageFactory,
}

# Added only by the imports (ONS boundaries), never by hand.
READ_ONLY_ADD = {"lsoa", "draft", "contactmessage"}

# Import run records and boundary versions are read-only in the admin:
# importers/test_safety.py and services/test_publishing_real.py cover them.
READ_ONLY_MODELS = {"importrun", "boundaryversion"}

PORTAL_MODELS = [
    model
    for model in admin.site._registry
    if model._meta.app_label in {"partnership", "workstreams", "neighbourhoods"}
    and model._meta.model_name not in READ_ONLY_MODELS
]


def test_every_portal_model_is_in_the_admin():
    assert {m._meta.model_name for m in PORTAL_MODELS} == set(FACTORY_FOR)


@pytest.mark.parametrize("model", PORTAL_MODELS, ids=lambda m: m._meta.model_name)
def test_changelist_add_and_change_forms_load(staff_client, model):
    opts = model._meta
    factory = FACTORY_FOR[opts.model_name]
    obj = factory() if factory else model.objects.create(place=factories.PlaceFactory(), title="x")

    changelist = staff_client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))
    assert changelist.status_code == 200

    search = staff_client.get(
        reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"), {"q": "x"}
    )
    assert search.status_code == 200

    add = staff_client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_add"))
    assert add.status_code == (403 if opts.model_name in READ_ONLY_ADD else 200)

    change = staff_client.get(
        reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
    )
    assert change.status_code == 200
    assert escape(str(obj))[:60] in change.content.decode()


def test_boundaries_and_practice_locations_are_edited_on_a_leaflet_map(staff_client):
    neighbourhood = factories.NeighbourhoodFactory(boundary=factories.square(-0.07, 51.54))
    practice = factories.PracticeFactory()
    for obj, name in [(neighbourhood, "neighbourhood"), (practice, "practice")]:
        url = reverse(f"admin:neighbourhoods_{name}_change", args=[obj.pk])
        html = staff_client.get(url).content.decode()
        assert "leaflet" in html.lower()


@pytest.mark.parametrize(
    "url_name",
    [
        "admin:neighbourhoods_neighbourhood_add",
        "admin:workstreams_workstream_add",
        "admin:partnership_partnerorganisation_add",
        "admin:partnership_place_add",
    ],
)
def test_slugs_are_prepopulated_from_names(staff_client, url_name):
    html = staff_client.get(reverse(url_name)).content.decode()
    expected = (
        "&quot;id&quot;: &quot;#id_slug&quot;, &quot;name&quot;: &quot;slug&quot;, "
        "&quot;dependency_ids&quot;: [&quot;#id_name&quot;]"
    )
    assert expected in html


def test_staff_can_save_a_workstream_priority_through_the_admin(staff_client):
    workstream = factories.WorkstreamFactory()
    response = staff_client.post(
        reverse("admin:workstreams_workstreampriority_add"),
        {"workstream": workstream.pk, "title": "Reduce waits", "description": "", "order": 1},
    )
    assert response.status_code == 302
    assert workstream.priorities.get().title == "Reduce waits"


def test_residents_who_are_not_staff_are_sent_to_sign_in(client):
    user = get_user_model().objects.create_user("resident", password="pw")
    client.force_login(user)
    response = client.get(reverse("admin:neighbourhoods_practice_changelist"))
    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]


def test_anonymous_visitors_cannot_reach_the_admin(client):
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]


def test_staff_without_permission_cannot_change_content(client):
    user = get_user_model().objects.create_user("viewer", password="pw", is_staff=True)
    client.force_login(user)
    response = client.get(reverse("admin:partnership_partnerorganisation_changelist"))
    assert response.status_code == 403


@pytest.mark.realdata
def test_a_postcode_typed_in_the_admin_is_stored_as_lookups_expect(staff_client):
    response = staff_client.post(
        reverse("admin:neighbourhoods_postcode_add"),
        {
            "postcode": "e9 9zz",
            "location": '{"type": "Point", "coordinates": [-0.05, 51.55]}',
            "local_authority_code": "E09000012",
            "ward_code": "",
            "source": "onspd",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    postcode = Postcode.objects.get(postcode="E9 9ZZ")
    assert postcode.outcode == "E9"
    assert postcode.neighbourhood is not None  # answered as soon as it is saved


# -- Who a practice is for -------------------------------------------------------------------


def member_of(client, group):
    user = get_user_model().objects.create_user(group.lower(), password="pw", is_staff=True)
    user.groups.add(Group.objects.get(name=group))
    client.force_login(user)
    return client


def test_a_data_manager_sets_who_a_practice_is_for_and_residents_read_it(client):
    membership = factories.MembershipFactory(practice__name="Greenhouse Test Practice")
    practice = membership.practice
    url = reverse("admin:neighbourhoods_practice_change", args=[practice.pk])
    staff = member_of(client, "Data managers")

    form = staff.get(url).content.decode()
    assert 'name="serves"' in form and 'name="registers_everyone"' in form
    page = practice_page(practice, [(membership, membership.neighbourhood, "2019-10-01", "")]) | {
        "serves": "People who are homeless",
        "_publish": "Publish",
    }
    response = staff.post(url, page)

    assert response.status_code == 302, response.content.decode()[:3000]
    practice.refresh_from_db()
    assert (practice.serves, practice.registers_everyone) == ("People who are homeless", False)
    public = Client().get(practice.get_absolute_url()).content.decode()
    assert "For people who are homeless only." in public

    staff.post(url, page | {"registers_everyone": "on"})
    practice.refresh_from_db()
    assert practice.registers_everyone
    assert (
        "It also registers anyone living nearby."
        in Client().get("/neighbourhoods/map/").content.decode()
    )


def test_an_editor_cannot_change_who_a_practice_is_for(client):
    membership = factories.MembershipFactory()
    practice = membership.practice
    url = reverse("admin:neighbourhoods_practice_change", args=[practice.pk])
    page = practice_page(practice, [(membership, membership.neighbourhood, "2019-10-01", "")]) | {
        "serves": "People who are homeless"
    }

    response = member_of(client, "Editors").post(url, page)

    assert response.status_code == 403
    practice.refresh_from_db()
    assert practice.serves == ""
