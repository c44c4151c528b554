"""Before an LSOA moves (one on its own page, several ticked in the list, or an earlier
version restored) staff see what the move does, and confirm a harmful one with a reason."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from neighbourhoods import population
from neighbourhoods.models import BoundaryVersion, Lsoa, Neighbourhood, Postcode
from neighbourhoods.selectors import lookup_postcode
from neighbourhoods.services.moves import lsoas_move, lsoas_move_preview

pytestmark = pytest.mark.django_db

# Found on the real data: a move along a border that harms nothing, one that leaves a
# practice outside its own area, and one across the borough that splits an area.
HARMLESS = ("E01001722", "Springfield Park")
STRANDS = ("E01001724", "Clissold Park", "Spring Hill Practice")
SPLITS = ("E01001762", "Clissold Park")  # the LSOA of E8 1DY, in London Fields


@pytest.fixture
def staff(db):
    return get_user_model().objects.create_superuser("sam", "s@example.org", "pw")


def move_url(lsoa, target=None, **extra):
    query = f"?ids={lsoa.pk}" + (f"&neighbourhood={target.pk}" if target else "")
    query += "".join(f"&{k}={v}" for k, v in extra.items())
    return reverse("admin:neighbourhoods_lsoa_move") + query


def lsoa_and_target(code, name):
    return Lsoa.objects.get(code=code), Neighbourhood.objects.get(name=name)


@pytest.mark.realdata
def test_the_preview_counts_postcodes_and_residents_from_and_to(db):
    lsoa, target = lsoa_and_target(*HARMLESS)
    live = Postcode.objects.live().filter(lsoa=lsoa).count()

    preview = lsoas_move_preview(lsoa_ids=[lsoa.pk], target=target)

    [flow] = preview.flows
    assert (flow.source, flow.target) == (lsoa.neighbourhood.name, target.name)
    assert flow.postcodes == live > 0
    assert flow.residents == population.residents_by_lsoa()[lsoa.code] > 0
    assert not preview.needs_reason and not preview.stranded
    assert all(area.pieces_after == 1 for area in preview.areas)


@pytest.mark.realdata
def test_the_preview_sees_an_area_split(db):
    lsoa, target = lsoa_and_target(*SPLITS)
    preview = lsoas_move_preview(lsoa_ids=[lsoa.pk], target=target)
    [split] = preview.splits
    assert split.neighbourhood == target and split.pieces_after == 2
    assert preview.needs_reason


@pytest.mark.realdata
def test_the_preview_sees_a_practice_left_outside_its_area(db):
    code, name, practice = STRANDS
    lsoa, target = lsoa_and_target(code, name)
    preview = lsoas_move_preview(lsoa_ids=[lsoa.pk], target=target)
    assert [s.practice.name for s in preview.stranded] == [practice]
    assert preview.stranded[0].neighbourhood == lsoa.neighbourhood
    assert preview.needs_reason


@pytest.mark.realdata
def test_the_preview_page_shows_the_figures_and_a_before_and_after_map(staff_client):
    lsoa, target = lsoa_and_target(*HARMLESS)
    response = staff_client.get(move_url(lsoa, target))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Postcodes and residents that change neighbourhood" in html
    assert "still one piece" in html
    assert html.count('<svg role="img"') == 2
    assert "The areas now" in html and "The areas after the move" in html
    assert 'name="understood"' not in html  # a harmless move needs no tick
    lsoa.refresh_from_db()
    assert lsoa.neighbourhood != target  # nothing moved


@pytest.mark.realdata
def test_a_harmless_move_is_confirmed_without_a_reason(staff_client):
    lsoa, target = lsoa_and_target(*HARMLESS)
    versions = BoundaryVersion.objects.count()
    postcode = Postcode.objects.live().filter(lsoa=lsoa).first()

    response = staff_client.post(
        reverse("admin:neighbourhoods_lsoa_move"),
        {"ids": lsoa.pk, "neighbourhood": target.pk, "confirm": "yes"},
    )

    assert response.status_code == 302
    lsoa.refresh_from_db()
    assert lsoa.neighbourhood == target
    assert lookup_postcode(postcode.postcode).neighbourhood == target
    assert lsoa.history.latest().history_user.username == "sam"
    assert BoundaryVersion.objects.count() == versions + 1


@pytest.mark.realdata
def test_a_split_needs_a_reason_and_a_tick_and_the_reason_is_kept(staff_client):
    lsoa, target = lsoa_and_target(*SPLITS)
    home = lsoa.neighbourhood
    url = reverse("admin:neighbourhoods_lsoa_move")
    data = {"ids": lsoa.pk, "neighbourhood": target.pk, "confirm": "yes"}

    page = staff_client.get(move_url(lsoa, target)).content.decode()
    refused = staff_client.post(url, data)
    done = staff_client.post(
        url, {**data, "reason": "Pilot agreed by the board", "understood": "on"}
    )

    assert "it would stop being one piece" in page and 'name="understood"' in page
    assert refused.status_code == 200
    assert "Give the reason" in refused.content.decode()
    assert "Tick the box" in refused.content.decode()
    assert done.status_code == 302
    lsoa.refresh_from_db()
    assert lsoa.neighbourhood == target != home
    assert lsoa.history.latest().history_change_reason == "Pilot agreed by the board"
    assert BoundaryVersion.objects.latest().reason == "Pilot agreed by the board"


@pytest.mark.realdata
def test_a_stranded_practice_is_named_on_the_page(staff_client):
    code, name, practice = STRANDS
    lsoa, target = lsoa_and_target(code, name)
    html = staff_client.get(move_url(lsoa, target)).content.decode()
    assert f"<strong>{practice}</strong> would be outside the area of its own neighbourhood" in html


@pytest.mark.realdata
def test_editing_one_lsoa_goes_through_the_preview(staff_client):
    lsoa, target = lsoa_and_target(*HARMLESS)
    home = lsoa.neighbourhood

    response = staff_client.post(
        reverse("admin:neighbourhoods_lsoa_change", args=[lsoa.pk]),
        {"neighbourhood": target.pk},
    )

    assert response.status_code == 302
    assert response["Location"] == move_url(lsoa, target).replace("?ids=", "?ids=", 1)
    lsoa.refresh_from_db()
    assert lsoa.neighbourhood == home


@pytest.mark.realdata
def test_restoring_an_lsoa_moves_it_back_through_the_preview(staff_client):
    lsoa, target = lsoa_and_target(*HARMLESS)
    home = lsoa.neighbourhood
    postcode = Postcode.objects.live().filter(lsoa=lsoa).first()
    staff_client.post(
        reverse("admin:neighbourhoods_lsoa_move"),
        {"ids": lsoa.pk, "neighbourhood": target.pk, "confirm": "yes"},
    )
    earlier = lsoa.history.filter(neighbourhood_id=home.pk).latest()
    history = staff_client.get(
        reverse("admin:neighbourhoods_lsoa_history", args=[lsoa.pk])
    ).content.decode()

    restore = staff_client.post(
        reverse("admin:neighbourhoods_lsoa_simple_history", args=[lsoa.pk, earlier.history_id]),
        {"neighbourhood": home.pk},
    )
    preview = staff_client.get(restore["Location"]).content.decode()
    done = staff_client.post(
        reverse("admin:neighbourhoods_lsoa_move"),
        {"ids": lsoa.pk, "neighbourhood": home.pk, "confirm": "yes",
         "restore": earlier.history_id, "reason": "Restored the earlier version."},
    )  # fmt: skip

    assert f"{home.name} &rarr; {target.name}" in history or (f"{home} &rarr; {target}" in history)
    assert restore.status_code == 302
    assert "restoring an earlier version" in preview
    assert f"Move 1 LSOA to {home.name}" in preview
    assert done.status_code == 302
    lsoa.refresh_from_db()
    assert lsoa.neighbourhood == home
    assert lookup_postcode(postcode.postcode).neighbourhood == home
    assert lsoa.history.latest().history_change_reason == "Restored the earlier version."


@pytest.mark.realdata
def test_moving_needs_the_change_permission(client, db):
    viewer = get_user_model().objects.create_user("vi", password="pw", is_staff=True)
    client.force_login(viewer)
    lsoa, target = lsoa_and_target(*HARMLESS)
    assert client.get(move_url(lsoa, target)).status_code == 403


def test_no_lsoas_chosen_goes_back_to_the_list(staff_client):
    response = staff_client.get(reverse("admin:neighbourhoods_lsoa_move") + "?ids=x")
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:neighbourhoods_lsoa_changelist")


def test_emptying_an_lsoas_neighbourhood_on_its_page_is_refused_not_saved(staff_client):
    """The preview moves LSOAs to a neighbourhood, so "no neighbourhood" chosen on an LSOA's
    own page is refused with a message rather than saved without a preview."""
    from tests.factories import LsoaFactory, NeighbourhoodFactory

    home = NeighbourhoodFactory()
    lsoa = LsoaFactory(neighbourhood=home)
    url = reverse("admin:neighbourhoods_lsoa_change", args=[lsoa.pk])

    response = staff_client.post(url, {"neighbourhood": ""}, follow=True)

    lsoa.refresh_from_db()
    assert lsoa.neighbourhood == home
    assert "cannot be left without a neighbourhood" in response.content.decode()
    assert lsoa.history.count() == 1


def test_restoring_a_version_whose_neighbourhood_was_deleted_says_so(staff_client):
    from tests.factories import LsoaFactory, NeighbourhoodFactory

    gone, target = NeighbourhoodFactory(), NeighbourhoodFactory()
    lsoa = LsoaFactory(neighbourhood=gone)
    earlier = lsoa.history.latest()
    lsoas_move(lsoa_ids=[lsoa.pk], neighbourhood=target)
    gone.delete()

    response = staff_client.post(
        reverse("admin:neighbourhoods_lsoa_simple_history", args=[lsoa.pk, earlier.history_id]),
        {"neighbourhood": earlier.neighbourhood_id},
        follow=True,
    )

    assert response.status_code == 200
    assert "has since been deleted" in response.content.decode()
    lsoa.refresh_from_db()
    assert lsoa.neighbourhood == target
