"""A postcode import refuses a point it cannot believe: one that moves further than
PORTAL_IMPORT_MAX_MOVE_METRES from where the portal has it, or that lies outside its own local
authority's boundary (where the portal holds it) by more than the boundaries' generalisation.
The grid's box alone let E8 1DY move to Dublin, and to Calais. `--allow-moves` lets intended
moves through, and the run records each one."""

import io
import zipfile

import pytest
from django.core.management import CommandError, call_command

from neighbourhoods.models import ImportRun, Postcode
from tests.neighbourhoods.conftest import HACKNEY, ISLINGTON
from tests.neighbourhoods.importers.geo_releases import codepoint_row, codepoint_zip

pytestmark = pytest.mark.django_db

# Code-Point's eastings and northings (British National Grid metres).
DUBLIN = (116591, 392142)
CALAIS = (671062, 123929)
HEADER = "pcds,doterm,oslaua,osward,oseast1m,osnrth1m,osgrdind\n"


def run(command, *args, **options):
    out = io.StringIO()
    call_command(command, *args, stdout=out, stderr=io.StringIO(), **options)
    return out.getvalue()


def codepoint_folder(tmp_path, lines: list[str]):
    folder = tmp_path / "codepoint"
    with zipfile.ZipFile(io.BytesIO(codepoint_zip({"e": lines}))) as archive:
        archive.extractall(folder)
    return folder


def grid_row(postcode, easting, northing, district=HACKNEY):
    return (
        f'"{postcode}",10,{easting},{northing},"E92000001","E19000003","E18000007","",'
        f'"{district}","E05009372"\n'
    )


def where(postcode):
    point = Postcode.objects.get(postcode=postcode).location
    return round(point.x, 6), round(point.y, 6)


@pytest.mark.parametrize(("place", "moved"), [(DUBLIN, "would move 4"), (CALAIS, "would move 1")])
def test_a_postcode_moved_abroad_is_refused(borough, tmp_path, place, moved):
    folder = codepoint_folder(tmp_path, [
        codepoint_row("E8 1AA", -0.075, 51.546, HACKNEY), grid_row("E8 1DY", *place),
    ])  # fmt: skip
    before = where("E8 1DY")

    with pytest.raises(CommandError) as refused:
        run("import_postcodes", codepoint_dir=str(folder))

    message = str(refused.value)
    assert "e.csv, line 2: E8 1DY " + moved in message
    assert "km from where the portal has it and lies" in message
    assert "outside Hackney (E09000012), its own local authority" in message
    assert "--allow-moves" in message and "Nothing was changed." in message
    assert where("E8 1DY") == before
    assert ImportRun.objects.filter(source="import_postcodes").latest().outcome == "refused"


def test_a_new_postcode_outside_its_own_borough_is_refused(borough, tmp_path):
    path = tmp_path / "onspd.csv"
    path.write_text(HEADER + f"E8 9QQ,,{HACKNEY},E05009372,{CALAIS[0]},{CALAIS[1]},1\n")
    with pytest.raises(CommandError, match=r"onspd.csv, line 2: E8 9QQ lies [0-9,.]+ km outside "
                       r"Hackney \(E09000012\), its own local authority"):  # fmt: skip
        run("import_onspd", str(path))
    assert not Postcode.objects.filter(postcode="E8 9QQ").exists()


def test_a_postcode_that_moves_far_within_great_britain_is_refused(borough, tmp_path):
    """Islington's boundary is held; N1 1AA moves 5 km west within it... and out of it."""
    path = tmp_path / "onspd.csv"
    held = Postcode.objects.get(postcode="N1 1AA").location.transform(27700, clone=True)
    east, north = round(held.x) - 5000, round(held.y)
    path.write_text(HEADER + f"N1 1AA,,{ISLINGTON},E05000367,{east},{north},1\n")
    with pytest.raises(CommandError, match=r"line 2: N1 1AA would move 5,0\d\d m from where"):
        run("import_onspd", str(path))


def test_a_postcode_of_an_authority_the_portal_has_no_boundary_for_is_checked_by_its_move(
    borough, tmp_path
):
    path = tmp_path / "onspd.csv"
    path.write_text(HEADER + "SK1 1AA,,E08000007,E05000800,389000,390000,1\n")
    assert "Postcodes: 1 added" in run("import_onspd", str(path))
    path.write_text(HEADER + "SK1 1AA,,E08000007,E05000800,389000,398000,1\n")
    with pytest.raises(CommandError, match=r"SK1 1AA would move 8,000 m"):
        run("import_onspd", str(path))


def test_a_small_move_within_the_borough_is_taken(borough, tmp_path):
    held = Postcode.objects.get(postcode="E8 2AA").location.transform(27700, clone=True)
    folder = codepoint_folder(tmp_path, [grid_row("E8 2AA", round(held.x) + 80, round(held.y))])
    assert "Postcodes: 1 changed" in run("import_postcodes", codepoint_dir=str(folder))


def test_allow_moves_lets_them_through_and_the_run_records_each(borough, tmp_path):
    folder = codepoint_folder(tmp_path, [grid_row("E8 1DY", *DUBLIN)])

    output = run("import_postcodes", codepoint_dir=str(folder), allow_moves=True)

    assert "Postcodes: 1 changed, 1 moved far, allowed by --allow-moves" in output
    assert "Allowed by --allow-moves: e.csv, line 1: E8 1DY would move" in output
    record = ImportRun.objects.filter(source="import_postcodes").latest()
    assert record.outcome == "succeeded"
    assert "E8 1DY would move" in record.message and "outside Hackney" in record.message
    assert record.counts["Postcodes"]["moved far, allowed by --allow-moves"] == 1
