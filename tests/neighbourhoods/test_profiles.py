"""The profiles' arithmetic (neighbourhoods.profiles) on LSOAs made here, and the profiles
stored for the small borough's boundary versions as LSOAs move."""

import pytest

from neighbourhoods import profiles
from neighbourhoods.models import BoundaryVersion, NeighbourhoodProfile
from neighbourhoods.services.moves import lsoas_move
from neighbourhoods.services.profiles import move_profiles
from tests.neighbourhoods.profile_files import FIGURES


def lsoa(code, residents, *, ages=None, groups=None, decile=None, decile_2019=None, domains=None):
    imd2025 = {"imd": {"decile": decile, "rank": 1, "score": 1.0}} if decile else {}
    for key, value in (domains or {}).items():
        imd2025[key] = {"decile": value, "rank": 1, "score": 1.0}
    return profiles.Lsoa(
        code=code,
        residents=residents,
        ages=ages or {},
        ethnic_groups=groups or {},
        imd2025=imd2025,
        imd2019={"imd": decile_2019} if decile_2019 else {},
    )


def test_residents_and_bands_are_the_published_counts_summed():
    area = [
        lsoa("A", 1500, ages={"Aged 16 and over": 801, "Aged 15 and under": 700}),
        lsoa("B", 1234, ages={"Aged 16 and over": 640, "Aged 15 and under": 600}),
    ]
    figures = profiles.profile_of(area, name="Test")
    assert figures["residents"] == 2734
    assert figures["residents_rounded"] == 2700
    # The bands are summed as published: 2,741, not forced to the residents' 2,734.
    assert figures["ages"]["total"] == 2741
    assert figures["ages"]["rows"] == [
        {"label": "Aged 15 and under", "residents": 1300, "share": 47.4},
        {"label": "Aged 16 and over", "residents": 1441, "share": 52.6},
    ]


@pytest.mark.parametrize(("count", "expected"), [(0, 0), (1, None), (9, None), (10, 10)])
def test_a_count_under_ten_is_left_out_and_said_so(count, expected):
    area = [lsoa("A", 1000, groups={"White": 1000 - count, "Other": count})]
    figures = profiles.profile_of(area, name="Test")
    other = figures["ethnic_groups"]["rows"][1]
    assert other["residents"] == expected
    assert (other["share"] is None) == (expected is None)
    said = [note for note in figures["suppressed"] if "'Other'" in note]
    assert bool(said) == (expected is None)


def test_residents_in_each_decile_and_the_most_deprived_fifth():
    area = [
        lsoa("A", 1000, decile=1),
        lsoa("B", 1100, decile=2),
        lsoa("C", 1200, decile=2),
        lsoa("D", 1300, decile=3),
        lsoa("E", 1400, decile=10),
    ]
    figures = profiles.profile_of(area, name="Test")["deprivation"]
    by_decile = {row["decile"]: (row["lsoas"], row["residents"]) for row in figures["by_decile"]}
    assert by_decile[1] == (1, 1000) and by_decile[2] == (2, 2300)
    assert by_decile[3] == (1, 1300) and by_decile[10] == (1, 1400)
    assert all(by_decile[d] == (0, 0) for d in (4, 5, 6, 7, 8, 9))
    assert figures["most_deprived_fifth_residents"] == 3300
    assert figures["most_deprived_fifth_share"] == round(100 * 3300 / 6000, 1)


def test_the_change_since_2019_is_on_the_lsoas_the_lookup_allows():
    area = [
        lsoa("A", 1000, decile=1, decile_2019=3),  # into the most deprived fifth
        lsoa("B", 1000, decile=5, decile_2019=2),  # out of it
        lsoa("C", 2000, decile=1, decile_2019=1),
        lsoa("D", 4000, decile=1),  # merged: no 2019 figure
    ]
    imd = profiles.profile_of(area, name="Test")["deprivation"]["domains"][0]
    assert imd["comparable_lsoas"] == 3 and imd["comparable_residents"] == 4000
    assert imd["share_2019"] == 75.0  # B and C of A, B, C
    assert imd["share_2025_same_lsoas"] == 75.0  # A and C
    assert imd["most_deprived_fifth_share"] == 87.5  # A, C and D of all four
    assert profiles.profile_of(area, name="Test")["deprivation"]["not_comparable_lsoas"] == ["D"]


def test_each_domain_has_its_own_picture():
    area = [lsoa("A", 1000, decile=5, domains={"income": 1}), lsoa("B", 3000, decile=5)]
    domains = {
        d["domain"]: d["most_deprived_fifth_share"]
        for d in profiles.profile_of(area, name="Test")["deprivation"]["domains"]
    }
    assert domains["imd"] == 0.0 and domains["income"] == 25.0


def test_an_area_with_no_lsoas_has_no_shares():
    figures = profiles.profile_of([], name="Empty")
    assert figures["residents"] == 0
    assert figures["deprivation"]["most_deprived_fifth_share"] is None


def stored(version, neighbourhood=None):
    return NeighbourhoodProfile.objects.get(version=version, neighbourhood=neighbourhood).figures


def test_the_neighbourhoods_residents_add_up_to_the_lsoas_assigned(statistics):
    version = BoundaryVersion.objects.latest()
    whole = stored(version)
    assert whole["residents"] == sum(f[0] for f in FIGURES.values())
    parts = [stored(version, n)["residents"] for n in statistics.neighbourhoods.values()]
    unassigned = FIGURES["H4"][0]  # H4 is in no neighbourhood
    assert sum(parts) + unassigned == whole["residents"]


def test_a_move_stores_new_profiles_and_the_old_version_keeps_its_own(statistics):
    borough = statistics
    before = BoundaryVersion.objects.latest()
    lsoas_move(lsoa_ids=[borough.lsoas["H2"].pk], neighbourhood=borough.clissold_park)
    after = BoundaryVersion.objects.latest()
    assert after.pk != before.pk
    h2 = FIGURES["H2"][0]
    assert stored(after, borough.clissold_park)["residents"] == FIGURES["H3"][0] + h2
    assert stored(before, borough.clissold_park)["residents"] == FIGURES["H3"][0]
    assert stored(after, borough.london_fields)["residents"] == (
        FIGURES["C1"][0] + FIGURES["H1"][0]
    )
    current = {p.neighbourhood_id: p.figures["residents"] for p in profiles.current_profiles()}
    assert current[borough.clissold_park.pk] == FIGURES["H3"][0] + h2


def test_the_move_preview_gives_both_neighbourhoods_before_and_after(statistics):
    borough = statistics
    rows = move_profiles(
        lsoa_ids=[borough.lsoas["H1"].pk],
        target_id=borough.clissold_park.pk,
        neighbourhood_ids=[borough.london_fields.pk, borough.clissold_park.pk],
    )
    by_name = {row["neighbourhood"].name: row for row in rows}
    london = by_name["London Fields"]
    assert london["before"]["residents"] == FIGURES["C1"][0] + FIGURES["H1"][0] + FIGURES["H2"][0]
    assert london["after"]["residents"] == FIGURES["C1"][0] + FIGURES["H2"][0]
    # H1 (decile 1) and H2 (decile 2) were London Fields' most deprived fifth; H2 stays.
    assert london["before"]["most_deprived_fifth_share"] == round(100 * 3300 / 4800, 1)
    assert london["after"]["most_deprived_fifth_share"] == round(100 * 1700 / 3200, 1)
    assert by_name["Clissold Park"]["after"]["residents"] == FIGURES["H3"][0] + FIGURES["H1"][0]
    # Nothing moved.
    assert stored(BoundaryVersion.objects.latest(), borough.london_fields)["residents"] == 4800
