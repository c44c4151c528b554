"""The geography imports: idempotent, atomic on broken input, and clear about what they did."""

import io
import json
import shutil

import pytest
from django.core.management import CommandError, call_command

from neighbourhoods.importers.boundaries import BOROUGHS, LSOAS
from neighbourhoods.models import ImportRun, LocalAuthority, Lsoa, Neighbourhood, Postcode
from tests import TEST_DATA
from tests.neighbourhoods.conftest import LSOA_CODE
from tests.neighbourhoods.importers.geo_releases import lsoa_geojson

pytestmark = pytest.mark.django_db

DATA = TEST_DATA


def run(command, *args, **options):
    out = io.StringIO()
    call_command(command, *args, stdout=out, stderr=io.StringIO(), **options)
    return out.getvalue()


def state():
    postcodes = Postcode.objects.order_by("postcode")
    return (
        list(postcodes.values_list("postcode", "terminated", "neighbourhood", "location")),
        list(Lsoa.objects.order_by("code").values_list("code", "neighbourhood", "name")),
        list(Neighbourhood.objects.order_by("pk").values_list("pk", "boundary")),
    )


@pytest.mark.realdata
def test_postcodes_import_everything_once():
    assert Postcode.objects.filter(source="codepoint").count() == 40512
    assert LocalAuthority.objects.get(gss_code="E09000001").name == "City of London"
    assert LocalAuthority.objects.get(gss_code="E09000012").name == "Hackney"
    output = run("import_postcodes")
    assert "nothing to change" in output
    assert "Postcodes: 40,512 unchanged" in output
    assert "207 postcode(s) with no grid reference left out" in output


@pytest.mark.realdata
def test_boundaries_import_everything_once():
    assert Lsoa.objects.count() == 155
    assert LocalAuthority.objects.exclude(boundary=None).count() == 33
    output = run("import_boundaries")
    assert "nothing to change" in output
    assert "LSOAs: 155 unchanged" in output


@pytest.mark.realdata
def test_areas_load_once():
    assert "nothing to change" in run("load_neighbourhood_areas")


def codepoint_copy(shared_data, tmp_path):
    source = shared_data / "postcodes" / "codepoint_open_2025_4"
    target = tmp_path / "codepoint"
    (target / "Data" / "CSV").mkdir(parents=True)
    shutil.copytree(source / "Doc", target / "Doc")
    for path in (source / "Data" / "CSV").glob("*.csv"):
        shutil.copy(path, target / "Data" / "CSV" / path.name)
    return target


def test_a_broken_codepoint_row_changes_nothing(shared_data, tmp_path):
    folder = codepoint_copy(shared_data, tmp_path)
    with (folder / "Data" / "CSV" / "wc.csv").open("a") as f:
        f.write('"WC2A 9ZZ",10,530000\n')
    before = state()
    with pytest.raises(CommandError, match=r"wc.csv, line \d+: expected 10 columns"):
        run("import_postcodes", codepoint_dir=str(folder))
    assert state() == before


@pytest.mark.realdata
def test_a_postcode_that_leaves_codepoint_is_kept_as_terminated(shared_data, tmp_path):
    folder = codepoint_copy(shared_data, tmp_path)
    path = folder / "Data" / "CSV" / "e.csv"
    lines = [line for line in path.read_text().splitlines() if not line.startswith('"E8 1DY"')]
    path.write_text("\n".join(lines) + "\n")

    output = run("import_postcodes", codepoint_dir=str(folder))

    assert "Postcodes: 1 removed" in output
    postcode = Postcode.objects.get(postcode="E8 1DY")
    assert postcode.terminated and postcode.neighbourhood is not None
    assert Postcode.objects.filter(outcode="EC1A", terminated=False).exists()


def boundaries_copy(shared_data, tmp_path):
    for relative in (LSOAS, BOROUGHS):
        (tmp_path / relative).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(shared_data / relative, tmp_path / relative)
    return tmp_path


@pytest.mark.parametrize(
    "damage, message",
    [
        (lambda d: d["features"][3]["properties"].pop("LSOA21CD"), "no LSOA21CD"),
        (lambda d: d["features"][5].update(geometry={"type": "Polygon", "coordinates": [[[0, 0]]]}),
         "geometry cannot be read"),
        (lambda d: d.update(crs={"properties": {"name": "EPSG:27700"}}), "expects WGS84"),
        (lambda d: d.update(features=[]), "has no features"),
    ],
)  # fmt: skip
def test_a_broken_boundary_file_changes_nothing(shared_data, tmp_path, damage, message):
    folder = boundaries_copy(shared_data, tmp_path)
    document = json.loads((folder / LSOAS).read_text())
    damage(document)
    (folder / LSOAS).write_text(json.dumps(document))
    before = state()
    with pytest.raises(CommandError, match=message):
        run("import_boundaries", data_dir=str(folder))
    assert state() == before


def test_a_file_that_is_not_json_is_a_clear_error(shared_data, tmp_path):
    folder = boundaries_copy(shared_data, tmp_path)
    (folder / LSOAS).write_text("not json")
    with pytest.raises(CommandError, match="stops before it is complete"):
        run("import_boundaries", data_dir=str(folder))


def test_an_lsoa_file_named_is_imported_alone_against_the_boroughs_held(borough, tmp_path):
    """--lsoas reads that file and no borough file (the data folder here has none): each LSOA
    is checked against the borough boundaries the database holds."""
    path = tmp_path / "lsoa_2021_gen20_release.geojson"
    path.write_bytes(lsoa_geojson({"H4": {"name": "Test H4 renamed"}}))
    empty = tmp_path / "no-data"
    empty.mkdir()

    preview = run("import_boundaries", lsoas=str(path), data_dir=str(empty), dry_run=True)
    assert "LSOAs: 1 would change, 4 unchanged" in preview
    assert "would be redrawn" in preview and "Boroughs" not in preview
    assert Lsoa.objects.get(code=LSOA_CODE["H4"]).name == "Test H4"

    output = run("import_boundaries", lsoas=str(path), data_dir=str(empty))
    assert "LSOAs: 1 changed, 4 unchanged" in output
    assert Lsoa.objects.get(code=LSOA_CODE["H4"]).name == "Test H4 renamed"
    record = ImportRun.objects.filter(source="import_boundaries").latest()
    assert [f["name"] for f in record.files] == [path.name]


def test_an_lsoa_file_alone_naming_a_borough_the_database_lacks_is_refused(borough, tmp_path):
    path = tmp_path / "lsoas.geojson"
    path.write_bytes(lsoa_geojson().replace(b'"E09000012"', b'"E09000030"', 1))
    before = state()
    with pytest.raises(CommandError, match=r"lsoas.geojson, E01990002: its local authority "
                       r"'E09000030' has no boundary in the database"):  # fmt: skip
        run("import_boundaries", lsoas=str(path))
    assert state() == before


def test_onspd_import_is_idempotent_and_skips_postcodes_without_a_grid_reference():
    Postcode.objects.filter(source="onspd").delete()
    first = run("import_onspd", str(DATA / "onspd_sample.csv"))
    assert "Postcodes: 3 added" in first
    assert "1 postcode(s) with no grid reference left out" in first
    assert Postcode.objects.get(postcode="E1 9ZZ").terminated
    second = run("import_onspd", str(DATA / "onspd_sample.csv"))
    assert "nothing to change" in second


def test_a_broken_onspd_file_changes_nothing():
    before = state()
    with pytest.raises(CommandError, match=r"line 3: doterm '2018-3' is not a month"):
        run("import_onspd", str(DATA / "onspd_broken.csv"))
    assert state() == before


def test_an_onspd_file_without_its_columns_is_refused(tmp_path):
    path = tmp_path / "not_onspd.csv"
    path.write_text("postcode,lat,long\nE8 1DY,51.5,-0.05\n")
    with pytest.raises(CommandError, match=r"the column\(s\) pcds, doterm.* are missing"):
        run("import_onspd", str(path))
