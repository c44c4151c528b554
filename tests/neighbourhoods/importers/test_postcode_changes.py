"""An import of postcodes says, neighbourhood by neighbourhood, which postcodes it adds, moves
or terminates: in its preview, before anything changes, and in its record once applied."""

import pytest
from django.contrib.gis.geos import Point

from neighbourhoods.importers.onspd import OnspdImport
from neighbourhoods.models import Postcode
from tests.neighbourhoods.conftest import HACKNEY, MIDDLE

pytestmark = pytest.mark.django_db

HEADER = "pcd,pcd2,pcds,dointr,doterm,oslaua,osward,oseast1m,osnrth1m,osgrdind,lat,long"


def row(postcode, longitude, latitude, *, terminated=""):
    grid = Point(longitude, latitude, srid=4326).transform(27700, clone=True)
    return (
        f"{postcode},{postcode},{postcode},198001,{terminated},{HACKNEY},E05009378,"
        f"{round(grid.x)},{round(grid.y)},1,{latitude},{longitude}"
    )


@pytest.fixture
def release(tmp_path):
    path = tmp_path / "ONSPD_MAY_2026_UK.csv"
    path.write_text(
        "\n".join(
            [
                HEADER,
                row("E8 3ZZ", -0.066, 51.546),  # new, in H2: London Fields
                row("E8 2AA", -0.055, 51.543),  # from H2 to H3: to Clissold Park
                row("E8 1DY", -0.061, 51.5452),  # a new point, still H2 (London Fields)
                row("N16 9JT", -0.055, 51.546, terminated="202604"),  # Clissold Park's
                row("E8 1AA", -0.075, 51.546),  # as held: no change
                row("E9 5AA", -0.041, MIDDLE),  # a new point in H4, in no neighbourhood
                row("E9 6ZZ", -0.045, 51.541),  # new, in H4
            ]
        )
        + "\n"
    )
    return path


EXPECTED = [
    "Clissold Park: 1 {moved_in}, 1 {terminated}",
    "London Fields: 1 {added}, 1 {moved_out}, 1 {moved_within}",
    "In City and Hackney but in no neighbourhood: 1 {added}",
]


PREVIEW_WORDS = {"added": "would be added", "moved_in": "would move in",
                 "moved_out": "would move out", "moved_within": "would move within it",
                 "terminated": "would be terminated"}  # fmt: skip
APPLIED_WORDS = {"added": "added", "moved_in": "moved in", "moved_out": "moved out",
                 "moved_within": "moved within it", "terminated": "terminated"}  # fmt: skip


def words(preview):
    return PREVIEW_WORDS if preview else APPLIED_WORDS


def test_the_preview_counts_each_neighbourhoods_postcodes_and_changes_nothing(borough, release):
    held = {p.postcode: (p.location, p.terminated) for p in Postcode.objects.all()}

    result = OnspdImport().preview(file=str(release), allow_shrink=True)

    assert not result.refused, result.message
    start = result.lines.index("Postcodes in each neighbourhood (would change):")
    assert result.lines[start + 1 : start + 4] == [line.format(**words(True)) for line in EXPECTED]
    assert {p.postcode: (p.location, p.terminated) for p in Postcode.objects.all()} == held


def test_the_applied_import_records_the_same_counts(borough, release):
    result = OnspdImport().run(file=str(release), allow_shrink=True)

    start = result.lines.index("Postcodes in each neighbourhood:")
    assert result.lines[start + 1 : start + 4] == [line.format(**words(False)) for line in EXPECTED]
    assert Postcode.objects.get(postcode="E8 2AA").answer["neighbourhood"]["name"] == (
        "Clissold Park"
    )
    assert Postcode.objects.get(postcode="N16 9JT").terminated

    again = OnspdImport().preview(file=str(release), allow_shrink=True)  # nothing left to change

    assert "Postcodes in the neighbourhoods: none would change." in again.lines
