"""Maps in the admin: every geometry is drawn on a map, for staff who may change it and for
staff who may only view it; a map that cannot be edited offers no drawing tools; markers
find their images however the static files are named. (In Chromium:
tests/browser/test_admin_maps.py.)"""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.urls import reverse

from tests import factories

pytestmark = pytest.mark.django_db

# Every model whose admin page shows a geometry, with the field that holds it.
GEOMETRIES = {
    "lsoa": (factories.LsoaFactory, "boundary"),
    "neighbourhood": (
        lambda: factories.NeighbourhoodFactory(boundary=factories.square(-0.07, 51.54)),
        "boundary",
    ),
    "practice": (factories.PracticeFactory, "location"),
    "postcode": (factories.PostcodeFactory, "location"),
    "localauthority": (factories.LocalAuthorityFactory, "boundary"),
}


def signed_in(client, group):
    user = get_user_model().objects.create_user(group.lower(), password="pw", is_staff=True)
    user.groups.add(Group.objects.get(name=group))
    client.force_login(user)
    return client


def change_page(client, model, obj):
    response = client.get(reverse(f"admin:neighbourhoods_{model}_change", args=[obj.pk]))
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize("model", GEOMETRIES)
def test_staff_who_may_only_view_see_a_map_not_coordinates(client, model):
    factory, field = GEOMETRIES[model]
    html = change_page(signed_in(client, "Viewers"), model, factory())

    assert "SRID=" not in html
    assert "leaflet/leaflet.js" in html
    assert f'<div id="{field}-map" class="leaflet-container-default">' in html
    assert f"geodjango_{field}.modifiable = false;" in html
    assert "&quot;coordinates&quot;: [" in html  # the geometry, as GeoJSON for the map


def test_an_editor_reading_an_lsoa_sees_its_map(client):
    html = change_page(signed_in(client, "Editors"), "lsoa", factories.LsoaFactory())
    assert "SRID=" not in html
    assert "geodjango_boundary.modifiable = false;" in html


@pytest.mark.parametrize("model", ["practice", "postcode"])
@pytest.mark.parametrize(("group", "drawn"), [("Viewers", "false"), ("Data managers", "true")])
def test_an_earlier_versions_map_can_be_drawn_on_only_by_staff_who_may_restore_it(
    client, model, group, drawn
):
    factory, field = GEOMETRIES[model]
    obj = factory()
    version = obj.history.latest()
    url = reverse(f"admin:neighbourhoods_{model}_simple_history", args=[obj.pk, version.pk])

    html = signed_in(client, group).get(url).content.decode()

    assert "SRID=" not in html
    assert f"geodjango_id_{field}.modifiable = {drawn};" in html


@pytest.mark.parametrize("model", ["lsoa", "neighbourhood"])
def test_a_boundary_that_cannot_be_edited_here_has_no_drawing_tools(staff_client, model):
    factory, field = GEOMETRIES[model]
    html = change_page(staff_client, model, factory())
    assert "cannot be edited here" in html
    assert f"geodjango_id_{field}.modifiable = false;" in html


@pytest.mark.parametrize("model", ["practice", "postcode", "localauthority"])
def test_a_location_staff_may_change_is_drawn_on_an_editable_map(staff_client, model):
    factory, field = GEOMETRIES[model]
    html = change_page(staff_client, model, factory())
    assert f"geodjango_id_{field}.modifiable = true;" in html


@pytest.mark.parametrize("model", GEOMETRIES)
@pytest.mark.parametrize("group", ["Viewers", None])
def test_every_admin_map_is_told_where_the_marker_images_are(client, staff, model, group):
    """Leaflet guesses its markers' address from its stylesheet's name, which a hashed static
    name breaks (it then asks for marker-icon.png beside the page): js/admin-map.js is given
    each image's own address instead."""
    factory, _ = GEOMETRIES[model]
    if group:
        signed_in(client, group)
    else:
        client.force_login(staff)
    html = change_page(client, model, factory())
    script = html.index('src="/static/js/admin-map.js"')
    assert html.index('src="/static/leaflet/leaflet.js"') < script
    tag = html[html.rindex("<script", 0, script) : html.index("</script>", script)]
    assert 'data-icon-url="/static/leaflet/images/marker-icon.png"' in tag
    assert 'data-icon-retina-url="/static/leaflet/images/marker-icon-2x.png"' in tag
    assert 'data-shadow-url="/static/leaflet/images/marker-shadow.png"' in tag
