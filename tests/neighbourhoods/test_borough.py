"""The small borough is what tests/neighbourhoods/conftest.py says it is, and each test gets
it as built, whatever the test before it changed."""

from neighbourhoods.models import BoundaryVersion, DistrictAnswer, Neighbourhood, Postcode
from neighbourhoods.services.moves import lsoas_move
from tests.neighbourhoods.conftest import IN_LSOA, LSOA_NEIGHBOURHOOD, POSTCODES


def test_every_postcode_is_in_the_lsoa_its_point_and_code_decide(borough):
    assert Postcode.objects.count() == len(POSTCODES)
    for code, record in borough.postcodes.items():
        lsoa = IN_LSOA.get(code)
        assert record.lsoa_id == (borough.lsoas[lsoa].pk if lsoa else None), code
        slug = LSOA_NEIGHBOURHOOD[lsoa] if lsoa else None
        assert (record.neighbourhood.slug if record.neighbourhood else None) == slug, code
        assert record.answer is not None, code


def test_the_areas_districts_and_first_version_are_worked_out(borough):
    areas = {n.slug: n.boundary for n in Neighbourhood.objects.all()}
    assert set(areas) == {"london-fields", "clissold-park"}
    assert all(area is not None and area.num_geom == 1 for area in areas.values())
    assert set(DistrictAnswer.objects.values_list("outcode", flat=True)) == {
        "E8", "E9", "EC2Y", "EC4Y", "N1", "N16"
    }  # fmt: skip
    assert BoundaryVersion.objects.count() == 1


def test_a_test_may_change_the_borough(borough):
    lsoas_move(lsoa_ids=[borough.lsoas["H2"].pk], neighbourhood=borough.clissold_park)
    Postcode.objects.filter(postcode="E8 1AA").delete()
    assert Postcode.objects.get(postcode="E8 1DY").neighbourhood == borough.clissold_park


def test_and_the_next_test_gets_it_as_built(borough):
    assert Postcode.objects.filter(postcode="E8 1AA").exists()
    assert Postcode.objects.get(postcode="E8 1DY").neighbourhood == borough.london_fields
    assert BoundaryVersion.objects.count() == 1
