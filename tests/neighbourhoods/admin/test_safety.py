"""The admin's unsafe corners, closed: moving LSOAs, deleting neighbourhoods, line endings,
new partners, renamed pages."""

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.test import RequestFactory
from django.urls import reverse

from neighbourhoods.admin.practices import PracticeAdmin
from neighbourhoods.models import Lsoa, Neighbourhood, Postcode, Practice
from neighbourhoods.selectors import lookup_postcode
from partnership.models import PartnerOrganisation
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.mark.realdata
def test_lsoa_codes_names_and_authorities_are_read_only(staff_client):
    lsoa = Lsoa.objects.filter(neighbourhood__isnull=False).first()

    html = staff_client.get(
        reverse("admin:neighbourhoods_lsoa_change", args=[lsoa.pk])
    ).content.decode()

    assert 'name="neighbourhood"' in html
    for field in ("code", "name", "local_authority_code"):
        assert f'name="{field}"' not in html
    assert lsoa.code in html


@pytest.mark.realdata
def test_the_lsoa_list_is_not_a_grid_of_dropdowns(staff_client):
    html = staff_client.get(reverse("admin:neighbourhoods_lsoa_changelist")).content.decode()
    assert "form-0-neighbourhood" not in html
    assert 'value="move_to_neighbourhood"' in html


@pytest.mark.realdata
def test_moving_lsoas_asks_first_listing_what_moves(staff_client):
    postcode = Postcode.objects.get(postcode="E8 1DY")
    lsoa, old = postcode.lsoa, postcode.neighbourhood
    url = reverse("admin:neighbourhoods_lsoa_changelist")

    response = staff_client.post(
        url, {"action": "move_to_neighbourhood", "_selected_action": [lsoa.pk]}, follow=True
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert lsoa.code in html and old.name in html
    assert "Preview the move" in html
    lsoa.refresh_from_db()
    assert lsoa.neighbourhood == old  # nothing has moved yet


@pytest.mark.realdata
def test_confirming_the_move_redraws_areas_and_re_answers_postcodes(staff_client):
    postcode = Postcode.objects.get(postcode="E8 1DY")
    lsoa, old = postcode.lsoa, postcode.neighbourhood
    new = Neighbourhood.objects.exclude(pk=old.pk).get(name="Well Street Common")
    old_area, new_area = old.boundary.area, new.boundary.area

    response = staff_client.post(
        reverse("admin:neighbourhoods_lsoa_move"),
        {"ids": lsoa.pk, "confirm": "yes", "neighbourhood": new.pk,
         "reason": "Checked with the team", "understood": "on"},
    )  # fmt: skip

    assert response.status_code == 302
    old.refresh_from_db()
    new.refresh_from_db()
    assert old.boundary.area < old_area and new.boundary.area > new_area
    assert lookup_postcode("E8 1DY").neighbourhood == new
    entry = LogEntry.objects.get(object_id=str(lsoa.pk), action_flag=CHANGE)
    assert f"to {new.name}" in entry.get_change_message()


@pytest.mark.realdata
def test_confirming_without_a_neighbourhood_says_what_is_missing(staff_client):
    lsoa = Lsoa.objects.filter(neighbourhood__isnull=False).first()
    response = staff_client.post(
        reverse("admin:neighbourhoods_lsoa_move"),
        {"ids": lsoa.pk, "confirm": "yes", "neighbourhood": ""},
    )
    assert response.status_code == 200
    assert "Choose the neighbourhood to move them to." in response.content.decode()


@pytest.mark.realdata
def test_a_neighbourhood_with_lsoas_cannot_be_deleted(staff_client):
    neighbourhood = Neighbourhood.objects.get(slug="hackney-downs")
    lsoas = neighbourhood.lsoas.count()
    postcodes = neighbourhood.postcodes.filter(terminated=False).count()
    url = reverse("admin:neighbourhoods_neighbourhood_delete", args=[neighbourhood.pk])

    response = staff_client.post(url, {"post": "yes"}, follow=True)

    html = response.content.decode()
    assert Neighbourhood.objects.filter(pk=neighbourhood.pk).exists()
    assert f"{lsoas} LSOAs are assigned to it" in html
    assert f"{postcodes:,} postcodes would lose their answer" in html
    changelist = staff_client.get(reverse("admin:neighbourhoods_neighbourhood_changelist"))
    assert "delete_selected" not in changelist.content.decode()


def test_a_neighbourhood_without_lsoas_can_be_deleted(staff_client):
    neighbourhood = factories.NeighbourhoodFactory()
    url = reverse("admin:neighbourhoods_neighbourhood_delete", args=[neighbourhood.pk])
    assert staff_client.post(url, {"post": "yes"}).status_code == 302
    # Kept, to be restored from Deleted records, and gone from everything else.
    assert Neighbourhood.objects.removed().filter(pk=neighbourhood.pk).exists()
    assert not Neighbourhood.objects.not_removed().filter(pk=neighbourhood.pk).exists()


def test_saving_a_practice_untouched_keeps_its_address(staff):
    practice = factories.PracticeFactory(address="1 High Street\nHackney\nLondon")
    request = RequestFactory().get("/")
    request.user = staff
    model_admin = PracticeAdmin(Practice, admin_site=None)
    form_class = model_admin.get_form(request, practice)
    data = {
        "ods_code": practice.ods_code, "name": practice.name, "postcode": practice.postcode,
        "address": "1 High Street\r\nHackney\r\nLondon", "phone": practice.phone,
        "status": practice.status, "location": practice.location.geojson,
        "registered_patients": practice.registered_patients,
        "registered_patients_as_of": practice.registered_patients_as_of,
    }  # fmt: skip

    form = form_class(data, instance=practice)

    assert form.is_valid(), form.errors
    assert "address" not in form.changed_data
    assert form.save().address == "1 High Street\nHackney\nLondon"


def test_a_new_partner_is_not_core_unless_staff_say_so(staff_client):
    assert PartnerOrganisation._meta.get_field("is_core_partner").default is False
    html = staff_client.get(reverse("admin:partnership_partnerorganisation_add")).content.decode()
    assert 'name="is_core_partner"' in html
    assert 'name="is_core_partner" checked' not in html


@pytest.mark.realdata
def test_the_boundary_map_in_the_admin_loads_leaflet(staff_client):
    neighbourhood = Neighbourhood.objects.get(slug="hackney-downs")
    html = staff_client.get(
        reverse("admin:neighbourhoods_neighbourhood_change", args=[neighbourhood.pk])
    ).content.decode()
    assert "leaflet/leaflet.js" in html


@pytest.mark.parametrize(
    "model, old, new",
    [
        ("partner", "/partners/derman/", "/partners/derman-hackney/"),
        ("neighbourhood", "/neighbourhoods/hackney-downs/", "/neighbourhoods/downs/"),
    ],
)
@pytest.mark.realdata
def test_a_renamed_page_redirects_from_its_old_address(client, model, old, new):
    record = (
        PartnerOrganisation.objects.get(slug="derman")
        if model == "partner"
        else Neighbourhood.objects.get(slug="hackney-downs")
    )
    record.slug = new.rstrip("/").rsplit("/", 1)[1]
    record.save()

    response = client.get(old)

    assert response.status_code == 301
    assert response["Location"] == new
    assert client.get(new).status_code == 200


@pytest.mark.realdata
def test_renaming_twice_leads_straight_to_the_newest_address(client):
    partner = PartnerOrganisation.objects.get(slug="derman")
    for slug in ("derman-one", "derman-two"):
        partner.slug = slug
        partner.save()

    assert client.get("/partners/derman/")["Location"] == "/partners/derman-two/"
    assert client.get("/partners/derman-one/")["Location"] == "/partners/derman-two/"
