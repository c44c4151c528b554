"""What moving LSOAs would do (services.moves.lsoas_move_preview), on the small borough of
tests/neighbourhoods/conftest.py, where the LSOAs lie in a row:

    C1 | H1 | H2 | H3 | H4        London Fields: C1, H1, H2; Clissold Park: H3; H4: none

London Fields' current practices are in C1 and H1, Clissold Park's in H3; H2 holds only a
practice whose membership ended and one whose membership has not begun."""

import re

from django.urls import reverse

from neighbourhoods.models import BoundaryVersion, Lsoa
from neighbourhoods.selectors import lookup_postcode
from neighbourhoods.services.moves import lsoas_move_preview


def preview(borough, names, target_slug):
    target = borough.neighbourhoods[target_slug] if target_slug else None
    return lsoas_move_preview(lsoa_ids=[borough.lsoas[n].pk for n in names], target=target)


def areas(result) -> dict:
    return {
        a.neighbourhood.slug: (a.pieces_before, a.pieces_after, a.lsoas_before, a.lsoas_after)
        for a in result.areas
    }


def flows(result) -> list:
    return [
        (f.source, f.target, [lsoa.code for lsoa in f.lsoas], f.postcodes, f.residents,
         f.residents_unknown)
        for f in result.flows
    ]  # fmt: skip


def test_a_move_along_a_border_that_harms_nothing(borough, population):
    result = preview(borough, ["H2"], "clissold-park")

    h2 = borough.lsoas["H2"].code
    # Two live postcodes (E8 1DY, E8 2AA); the terminated E8 9ZY does not count.
    assert flows(result) == [("London Fields", "Clissold Park", [h2], 2, 1700, 0)]
    assert (result.postcodes, result.residents, result.residents_unknown) == (2, 1700, 0)
    assert areas(result) == {"clissold-park": (1, 1, 1, 2), "london-fields": (1, 1, 3, 2)}
    # The practices in H2 are not current members: none is left outside its area.
    assert result.stranded == [] and result.splits == []
    assert not result.needs_reason
    assert [lsoa.code for lsoa in result.moving] == [h2]


def test_the_preview_moves_nothing(borough, population):
    before = Lsoa.objects.get(pk=borough.lsoas["H2"].pk).neighbourhood_id
    versions = BoundaryVersion.objects.count()
    preview(borough, ["H2"], "clissold-park")
    assert Lsoa.objects.get(pk=borough.lsoas["H2"].pk).neighbourhood_id == before
    assert lookup_postcode("E8 1DY").neighbourhood.slug == "london-fields"
    assert BoundaryVersion.objects.count() == versions


def test_a_move_from_the_middle_splits_both_areas_and_strands_a_practice(borough, population):
    result = preview(borough, ["H1"], "clissold-park")

    assert flows(result) == [
        ("London Fields", "Clissold Park", [borough.lsoas["H1"].code], 1, 1600, 0)
    ]
    # London Fields would be C1 and H2 apart; Clissold Park H1 and H3 apart.
    assert areas(result) == {"clissold-park": (1, 2, 1, 2), "london-fields": (1, 2, 3, 2)}
    assert {a.neighbourhood.slug for a in result.splits} == {"clissold-park", "london-fields"}
    assert [(s.practice.ods_code, s.neighbourhood.slug) for s in result.stranded] == [
        ("F90001", "london-fields")
    ]
    assert result.needs_reason


def test_a_move_out_of_every_neighbourhood_strands_the_practice_there(borough, population):
    result = preview(borough, ["C1"], None)

    assert flows(result) == [
        ("London Fields", "No neighbourhood", [borough.lsoas["C1"].code], 2, 1500, 0)
    ]
    assert areas(result) == {"london-fields": (1, 1, 3, 2)}
    assert [s.practice.name for s in result.stranded] == ["City Practice"]
    assert result.splits == [] and result.needs_reason


def test_a_move_that_empties_an_area(borough, population):
    result = preview(borough, ["H3"], "london-fields")

    [emptied] = [a for a in result.areas if a.disappears]
    assert emptied.neighbourhood.slug == "clissold-park"
    assert areas(result) == {"clissold-park": (1, 0, 1, 0), "london-fields": (1, 1, 3, 4)}
    assert [s.practice.ods_code for s in result.stranded] == ["F90005"]
    assert flows(result) == [
        ("Clissold Park", "London Fields", [borough.lsoas["H3"].code], 2, 0, 1)
    ]  # no estimate for H3
    assert result.needs_reason


def test_several_lsoas_from_several_places_at_once(borough, population):
    result = preview(borough, ["H2", "H4"], "clissold-park")

    assert sorted(flows(result)) == [
        ("London Fields", "Clissold Park", [borough.lsoas["H2"].code], 2, 1700, 0),
        ("No neighbourhood", "Clissold Park", [borough.lsoas["H4"].code], 1, 0, 1),
    ]
    assert (result.postcodes, result.residents, result.residents_unknown) == (3, 1700, 1)
    assert areas(result) == {"clissold-park": (1, 1, 1, 3), "london-fields": (1, 1, 3, 2)}
    assert not result.needs_reason


def test_an_lsoa_already_there_moves_nothing(borough, population):
    result = preview(borough, ["H3"], "clissold-park")
    assert [lsoa.code for lsoa in result.lsoas] == [borough.lsoas["H3"].code]
    assert result.moving == [] and result.flows == [] and result.areas == []
    assert result.map is None and not result.needs_reason


def test_without_the_population_file_every_lsoa_is_uncounted(borough, settings, tmp_path):
    settings.PORTAL_DATA_DIR = tmp_path  # holds no estimates
    result = preview(borough, ["H1", "H2"], "clissold-park")
    assert (result.postcodes, result.residents, result.residents_unknown) == (3, 0, 2)


def test_the_map_shows_the_areas_before_and_after_the_lsoas_moving_and_the_practices(
    borough, population
):
    result = preview(borough, ["H1"], "clissold-park")
    view = result.map

    assert [name for _, name, _ in view.before] == ["Clissold Park", "London Fields"]
    assert [name for _, name, _ in view.after] == ["Clissold Park", "London Fields"]
    assert len({colour for colour, _, _ in view.before}) == 2
    assert len(view.moving) == 1 and view.moving[0].startswith("M ")
    # Current members of the affected areas with a location: stranded Dalston Practice,
    # City Practice and Stoke Newington Practice.
    assert sorted((name, stranded) for _, _, name, stranded in view.practices) == [
        ("City Practice", False),
        ("Dalston Practice", True),
        ("Stoke Newington Practice", False),
    ]
    x, y, width, height = (float(n) for n in view.view_box.split())
    # C1's west edge to H3's east edge is 0.04 degrees of longitude (2.77 km), the row 0.01
    # of latitude (1.11 km) high, with 200 m each side; a little more, as the grid's north
    # is not quite true north.
    assert 2774 + 400 <= width <= (2774 + 400) * 1.05
    assert 1113 + 400 <= height <= (1113 + 400) * 1.1


# -- The admin's preview page, and the confirmation it asks for ------------------------------


def move_url(borough, name, slug):
    lsoa, target = borough.lsoas[name], borough.neighbourhoods[slug]
    return f"{reverse('admin:neighbourhoods_lsoa_move')}?ids={lsoa.pk}&neighbourhood={target.pk}"


def test_the_preview_page_of_a_harmless_move(borough, population, staff_client):
    response = staff_client.get(move_url(borough, "H2", "clissold-park"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Postcodes and residents that change neighbourhood" in html
    assert "still one piece" in html
    assert html.count('<svg role="img"') == 2
    assert 'name="understood"' not in html


def test_the_preview_page_names_a_split_and_a_stranded_practice(borough, population, staff_client):
    html = staff_client.get(move_url(borough, "H1", "clissold-park")).content.decode()
    assert "it would stop being one piece" in html
    stranded = "<strong>Dalston Practice</strong> would be outside the area of its own"
    assert stranded + " neighbourhood" in html
    assert 'name="understood"' in html


def test_a_harmful_move_needs_a_reason_and_a_tick_and_keeps_the_reason(
    borough, population, staff_client
):
    h1, clissold = borough.lsoas["H1"], borough.clissold_park
    url = reverse("admin:neighbourhoods_lsoa_move")
    data = {"ids": h1.pk, "neighbourhood": clissold.pk, "confirm": "yes"}

    refused = staff_client.post(url, data)
    assert refused.status_code == 200
    assert "Give the reason" in refused.content.decode()
    assert "Tick the box" in refused.content.decode()
    assert lookup_postcode("E8 1AA").neighbourhood.slug == "london-fields"

    done = staff_client.post(url, {**data, "reason": "Agreed by the board", "understood": "on"})
    assert done.status_code == 302
    assert lookup_postcode("E8 1AA").neighbourhood.slug == "clissold-park"
    assert Lsoa.objects.get(pk=h1.pk).history.latest().history_change_reason == (
        "Agreed by the board"
    )
    assert BoundaryVersion.objects.latest().reason == "Agreed by the board"


def move_page(staff_client, lsoas, neighbourhood=None):
    query = {"ids": ",".join(str(lsoa.pk) for lsoa in lsoas)}
    if neighbourhood is not None:
        query["neighbourhood"] = neighbourhood.pk
    response = staff_client.get(reverse("admin:neighbourhoods_lsoa_move"), query)
    assert response.status_code == 200
    return " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())


def test_the_move_preview_counts_one_lsoa_as_one(staff_client, borough):
    one = move_page(staff_client, [borough.lsoas["H1"]])
    two = move_page(staff_client, [borough.lsoas["H1"], borough.lsoas["H2"]])

    assert "This LSOA will move to the neighbourhood you choose." in one
    assert "These 1" not in one
    assert "These 2 LSOAs will move to the neighbourhood you choose." in two


def test_the_move_preview_counts_an_area_left_with_one_lsoa_as_one(
    staff_client, borough, population
):
    lsoas = [borough.lsoas["H1"], borough.lsoas["H2"]]

    text = move_page(staff_client, lsoas, borough.clissold_park)

    assert "London Fields : 3 → 1 LSOA;" in text
    assert "Clissold Park : 1 → 3 LSOAs;" in text
