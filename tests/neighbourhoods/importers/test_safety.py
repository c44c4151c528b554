"""Imports never lose data: a broken, partial or out-of-range file is refused with a clear,
short message naming the file, the line and what to do; nothing changes; the run is recorded.

Every broken file is written here, into tmp_path, from the real open data or from scratch.
"""

import datetime
import hashlib
import io
import json
import re
import shutil
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.urls import reverse

from neighbourhoods.importers import codepoint
from neighbourhoods.importers.areas import DEFAULT_OUTPUT
from neighbourhoods.importers.boundaries import BOROUGHS, LSOAS
from neighbourhoods.importers.practices import EPCN, EPRACCUR, PATIENTS
from neighbourhoods.models import ImportRun, Lsoa, Postcode, Practice

pytestmark = pytest.mark.django_db

ONSPD_HEADER = "pcds,doterm,oslaua,osward,oseast1m,osnrth1m,osgrdind\n"
ONSPD_ROW = "E8 9ZQ,,E09000012,E05009373,534000,184300,1\n"
TABLES = [
    "neighbourhoods_postcode", "neighbourhoods_lsoa", "neighbourhoods_practice",
    "neighbourhoods_membership", "neighbourhoods_localauthority", "neighbourhoods_neighbourhood",
]  # fmt: skip


def fingerprint() -> list[str]:
    """A hash of every row of every table an import writes."""
    with connection.cursor() as cursor:
        hashes = []
        for table in TABLES:
            cursor.execute(f"SELECT md5(string_agg(t::text, '|' ORDER BY t.id)) FROM {table} t")
            hashes.append(cursor.fetchone()[0])
    return hashes


def run(command, *args, **options):
    out = io.StringIO()
    call_command(command, *args, stdout=out, stderr=io.StringIO(), run_by="tests", **options)
    return out.getvalue()


# --- Building broken inputs -------------------------------------------------------------------


def codepoint_folder(shared_data, tmp_path, *areas):
    """A Code-Point Open folder holding the real Doc folder and the named area files."""
    source = shared_data / codepoint.CODEPOINT_DIR
    target = tmp_path / "codepoint"
    (target / "Data" / "CSV").mkdir(parents=True)
    shutil.copytree(source / "Doc", target / "Doc")
    for area in areas:
        shutil.copy(source / "Data" / "CSV" / f"{area}.csv", target / "Data" / "CSV")
    return target


def codepoint_case(area, damage):
    def build(shared_data, tmp_path):
        folder = codepoint_folder(shared_data, tmp_path, area)
        damage(folder / "Data" / "CSV" / f"{area}.csv", folder)
        return "import_postcodes", [], {"codepoint_dir": str(folder)}

    return build


def replace_line(number, new):
    def damage(path, _folder):
        lines = path.read_bytes().split(b"\n")
        lines[number - 1] = new(lines[number - 1])
        path.write_bytes(b"\n".join(lines))

    return damage


def keep_first_lines(count):
    def damage(path, *_):
        lines = path.read_bytes().splitlines(keepends=True)
        path.write_bytes(b"".join(lines[:count]))

    return damage


def cut_mid_line(path, *_):
    data = path.read_bytes()
    path.write_bytes(data[: len(data) - 15])


def empty(path, *_):
    path.write_bytes(b"")


def append_nuls(path, *_):
    with path.open("ab") as f:
        f.write(b"\0" * 100_000)


def zeros_as_codelist(_path, folder):
    (folder / "Doc" / "Codelist.xlsx").write_bytes(b"\0" * 4096)


def onspd_case(text: bytes):
    def build(_shared_data, tmp_path):
        path = tmp_path / "ONSPD_FEB_2024_UK.csv"
        path.write_bytes(text)
        return "import_onspd", [str(path)], {}

    return build


def onspd_terminating_live_postcodes(_shared_data, tmp_path):
    """1,500 live Code-Point postcodes, each marked terminated: ~3.7% of the live ones."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT postcode, local_authority_code, ward_code,
                   round(ST_X(ST_Transform(location, 27700))),
                   round(ST_Y(ST_Transform(location, 27700)))
            FROM neighbourhoods_postcode WHERE source = 'codepoint' AND NOT terminated
            ORDER BY postcode LIMIT 1500
            """
        )
        rows = [f"{pc},202401,{la},{ward},{e:.0f},{n:.0f},1\n" for pc, la, ward, e, n in cursor]
    path = tmp_path / "onspd_terminations.csv"
    path.write_text(ONSPD_HEADER + "".join(rows))
    return "import_onspd", [str(path)], {}


def boundaries_case(damage, relative=LSOAS):
    def build(shared_data, tmp_path):
        for name in (LSOAS, BOROUGHS):
            (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(shared_data / name, tmp_path / name)
        damage(tmp_path / relative)
        return "import_boundaries", [], {"data_dir": str(tmp_path)}

    return build


def edit_geojson(change):
    def damage(path):
        document = json.loads(path.read_text())
        change(document)
        path.write_text(json.dumps(document))

    return damage


def far_point(document):
    geometry = document["features"][2]["geometry"]
    ring = geometry["coordinates"][0] if geometry["type"] == "Polygon" else None
    ring = ring or geometry["coordinates"][0][0]
    ring[1] = [-500, 951]


def in_the_wrong_borough(document):
    document["features"][0]["properties"]["LAD22CD"] = "E09000030"  # Tower Hamlets


def half_the_text(path):
    text = path.read_text()
    path.write_text(text[: len(text) // 2])


def latin1_name(path):
    data = path.read_bytes()
    path.write_bytes(data.replace(b"City of London 001A", b"City of L\xe9ndon 001A", 1))


def practices_case(damage, relative):
    def build(shared_data, tmp_path):
        (tmp_path / "gp_practices").mkdir()
        for name in (EPCN, EPRACCUR, PATIENTS):
            shutil.copy(shared_data / name, tmp_path / name)
        (tmp_path / "postcodes").symlink_to(shared_data / "postcodes")
        damage(tmp_path / relative)
        return "import_practices", [], {"data_dir": str(tmp_path)}

    return build


def text_replace(old, new, count=1):
    def damage(path, *_):
        text = path.read_bytes()
        assert old in text, "the damage must find its target"
        path.write_bytes(text.replace(old, new, count))

    return damage


def areas_case(damage):
    def build(_shared_data, tmp_path):
        path = tmp_path / DEFAULT_OUTPUT.name
        shutil.copy(DEFAULT_OUTPUT, path)
        damage(path)
        return "load_neighbourhood_areas", [], {"file": str(path)}

    return build


# --- The table: every kind of broken input, and what the message must say --------------------


def field(line, index, value: bytes):
    """Set one comma-separated value of one line of a Code-Point file."""

    def change(raw):
        values = raw.split(b",")
        values[index] = value
        return b",".join(values)

    return replace_line(line, change)


def onspd(*rows: str, tail: bytes = b"") -> bytes:
    return (ONSPD_HEADER + "".join(rows)).encode() + tail


LATIN1_ONSPD = onspd("E8 9ZQ,,E09000012,E05009373,5", tail=b"\xe9" + b"4000,184300,1\n")
LATIN1_CODEPOINT = replace_line(5, lambda b: b[:3] + b"\xe9" + b[4:])
TEN_LSOAS = edit_geojson(lambda d: d.update(features=d["features"][:10]))
NEGATIVE_LIST = text_replace(b"ALL,ALL,15142", b"ALL,ALL,-15142")
NOT_AN_LSOA = text_replace(b'"lsoa": "E01', b'"lsoa": "X01')
PATIENTS_NAME = r"nhs_gp_reg_pat_prac_all_2026-04_city_and_hackney_practices\.csv"
EPCN_NAME = r"ods_epcn_2024-10_core_partners_city_and_hackney\.csv"
WRONG_COLUMNS = r"line 1: the column\(s\) pcds, doterm, oslaua, osward, oseast1m, .* are missing"


def nuls(path):
    path.write_bytes(b"\0" * 100_000)


CASES = [
    # Code-Point Open
    ("codepoint: empty e.csv", codepoint_case("e", empty), r"^e\.csv is empty \(0 bytes\)\."),
    ("codepoint: e.csv cut to 8,000 of its lines", codepoint_case("e", keep_first_lines(8000)),
     r"^e\.csv would terminate 8,942 of 16,942 live postcodes \(52\.8%\).*--allow-shrink"),
    ("codepoint: last line cut short", codepoint_case("wc", cut_mid_line),
     r"^wc\.csv, line 2557, the last line, has no line ending: the file looks cut short\."),
    ("codepoint: a Latin-1 byte", codepoint_case("wc", LATIN1_CODEPOINT),
     r"^wc\.csv, line 5, character 4: the byte 0xE9 is not UTF-8.*Save it as UTF-8"),
    ("codepoint: 100 kB of NULs", codepoint_case("wc", append_nuls),
     r"^wc\.csv, line 2558 contains NUL bytes.*Download the file again"),
    ("codepoint: a file of zeros as Codelist.xlsx", codepoint_case("wc", zeros_as_codelist),
     r"^Codelist\.xlsx is not a readable Excel workbook \(BadZipFile"),
    ("codepoint: a short row", codepoint_case("wc", replace_line(7, lambda b: b[:20])),
     r"^wc\.csv, line 7: expected 10 columns .* found 3"),
    ("codepoint: easting 99999999999", codepoint_case("wc", field(9, 2, b"99999999999")),
     r"^wc\.csv, line 9: easting '99999999999' is outside Great Britain"),
    ("codepoint: a ward code that is not one", codepoint_case("wc", field(9, 9, b'"Ward 9"')),
     r"^wc\.csv, line 9: the ward code 'Ward 9' is not a GSS code"),
    ("codepoint: a postcode of 5,000 letters", codepoint_case("wc", field(3, 0, b"A" * 5000)),
     r"^wc\.csv, line 3: 'A{99}…' is not a postcode"),
    # ONS Postcode Directory
    ("onspd: empty file", onspd_case(b""), r"^ONSPD_FEB_2024_UK\.csv is empty"),
    ("onspd: a header and no rows", onspd_case(onspd()), r"has a header but no postcodes"),
    ("onspd: cut mid-line", onspd_case(onspd(ONSPD_ROW, ONSPD_ROW[:20])),
     r"^ONSPD_FEB_2024_UK\.csv, line 3, the last line, has no line ending"),
    ("onspd: a line cut short, then a line ending", onspd_case(onspd(ONSPD_ROW[:20] + "\n")),
     r"line 2: 4 values where the header has 7 columns"),
    ("onspd: a Latin-1 byte", onspd_case(LATIN1_ONSPD),
     r"line 2, character 30: the byte 0xE9 is not UTF-8"),
    ("onspd: easting 99999999999", onspd_case(onspd(ONSPD_ROW.replace("534000", "99999999999"))),
     r"line 2: oseast1m '99999999999' is outside Great Britain \(eastings run from 0 to 700,000"),
    ("onspd: a negative northing", onspd_case(onspd(ONSPD_ROW.replace("184300", "-184300"))),
     r"line 2: osnrth1m '-184300' is outside Great Britain"),
    ("onspd: the wrong columns", onspd_case(b"postcode,lat,long\nE8 1DY,51.5,-0.05\n"),
     WRONG_COLUMNS),
    ("onspd: 100 kB of NULs", onspd_case(onspd(tail=b"\0" * 100_000)),
     r"line 2 contains NUL bytes"),
    ("onspd: terminates 1,500 live postcodes", onspd_terminating_live_postcodes,
     r"^onspd_terminations\.csv would terminate 1,500 of [\d,]+ live postcodes \(\d\.\d%\)"),
    # Boundaries
    ("boundaries: 10 of the 155 LSOAs", boundaries_case(TEN_LSOAS),
     r"would remove 145 of 155 LSOAs \(93\.5%\).*--allow-shrink"),
    ("boundaries: a ring through (-500, 951)", boundaries_case(edit_geojson(far_point)),
     r"E01000003: the point \(-500, 951\) lies outside Great Britain"),
    ("boundaries: an LSOA outside its borough", boundaries_case(edit_geojson(in_the_wrong_borough)),
     r"E01000001: 100% of the LSOA lies outside its own local authority E09000030"),
    ("boundaries: a GeoJSON cut short", boundaries_case(half_the_text),
     r"^lsoa_2021_gen20_city_and_hackney\.geojson, line \d+: the GeoJSON stops before it is"),
    ("boundaries: a Latin-1 byte", boundaries_case(latin1_name),
     r"geojson, line 7: the byte 0xE9 is not UTF-8"),
    ("boundaries: empty borough file", boundaries_case(empty, BOROUGHS),
     r"^london_boroughs_lad22_gen20\.geojson is empty"),
    ("boundaries: a file of zeros", boundaries_case(lambda p: p.write_bytes(b"\0" * 4096)),
     r"geojson, line 1 contains NUL bytes"),
    ("boundaries: not a FeatureCollection", boundaries_case(lambda p: p.write_text("[1, 2]")),
     r"is JSON but not a GeoJSON FeatureCollection"),
    # GP practices
    ("practices: list sizes cut to 17 of 37 rows", practices_case(keep_first_lines(18), PATIENTS),
     rf"^{PATIENTS_NAME} would blank 20 of \d+ practices' list sizes"),
    ("practices: a negative list size", practices_case(NEGATIVE_LIST, PATIENTS),
     r"line 2: NUMBER_OF_PATIENTS '-15142' is out of range \(0 to 500,000\)"),
    ("practices: list sizes cut mid-line", practices_case(cut_mid_line, PATIENTS),
     rf"^{PATIENTS_NAME}, line 38, the last line, has no line ending"),
    ("practices: epraccur with the wrong columns",
     practices_case(text_replace(b"organisation_code", b"org_code"), EPRACCUR),
     r"^ods_epraccur_2025-09_london_region_Y56\.csv, line 1: the column\(s\) organisation_code"),
    ("practices: a Latin-1 byte in ePCN",
     practices_case(text_replace(b"LOWER CLAPTON", b"LOWER CL\xc1PTON"), EPCN),
     rf"^{EPCN_NAME}, line 2, character 16: the byte 0xC1 is not UTF-8"),
    ("practices: empty ePCN", practices_case(empty, EPCN), rf"^{EPCN_NAME} is empty"),
    # Neighbourhood areas
    ("areas: cut short", areas_case(half_the_text), r"the JSON stops before it is complete"),
    ("areas: an LSOA code that is not one", areas_case(NOT_AN_LSOA),
     r"area 1: .* does not give an LSOA code"),
    ("areas: NUL bytes", areas_case(nuls), r"contains NUL bytes"),
]  # fmt: skip


@pytest.mark.realdata
@pytest.mark.parametrize("build, pattern", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_a_broken_input_is_refused_clearly_and_changes_nothing(
    shared_data, tmp_path, build, pattern
):
    command, args, options = build(shared_data, tmp_path)
    before = fingerprint()
    runs_before = ImportRun.objects.count()

    with pytest.raises(CommandError) as refused:
        run(command, *args, **options)

    message = str(refused.value)
    assert fingerprint() == before
    assert re.search(pattern, message), message
    assert message.endswith("Nothing was changed.")
    assert len(message) <= 600
    assert not any(ord(ch) < 32 for ch in message), "no NULs or control characters"
    # Never more than 100 characters of the input in a row.
    assert max(len(word.strip("',.")) for word in message.split()) <= 100
    record = ImportRun.objects.latest()
    assert ImportRun.objects.count() == runs_before + 1
    assert (record.source, record.outcome, record.message) == (command, "refused", message)
    assert record.run_by == "tests" and record.added == record.changed == record.removed == 0
    assert record.refused >= 1 and record.finished_at >= record.started_at


@pytest.mark.realdata
def test_allow_shrink_lets_an_intended_shrink_through(shared_data, tmp_path):
    folder = codepoint_folder(shared_data, tmp_path, "e")
    keep_first_lines(8000)(folder / "Data" / "CSV" / "e.csv", folder)

    output = run("import_postcodes", codepoint_dir=str(folder), allow_shrink=True)

    assert re.search(r"Postcodes: 8,942 removed, [\d,]+ unchanged", output), output
    assert (
        "e.csv: terminated 8,942 of 16,942 live postcodes (52.8%), allowed by --allow-shrink"
        in (output)
    )
    assert Postcode.objects.filter(source="codepoint", outcode__regex=r"^E[0-9]", terminated=True)
    record = ImportRun.objects.latest()
    assert (record.outcome, record.removed, record.changed) == ("succeeded", 8942, 0)


@pytest.mark.realdata
def test_allow_shrink_removes_lsoas_when_asked(shared_data, tmp_path):
    build = boundaries_case(edit_geojson(lambda d: d.update(features=d["features"][:10])))
    _, _, options = build(shared_data, tmp_path)

    output = run("import_boundaries", allow_shrink=True, **options)

    assert "LSOAs: 10 unchanged" in output.replace("145 removed, ", "")
    assert Lsoa.objects.count() == 10
    assert ImportRun.objects.latest().removed == 145


@pytest.mark.realdata
def test_a_shrink_within_the_threshold_goes_through(shared_data, tmp_path, settings):
    folder = codepoint_folder(shared_data, tmp_path, "wc")
    path = folder / "Data" / "CSV" / "wc.csv"
    lines = path.read_bytes().splitlines(keepends=True)
    path.write_bytes(b"".join(lines[:-40]))  # 40 of 2,557: 1.6%

    output = run("import_postcodes", codepoint_dir=str(folder))
    assert "40 removed" in output

    settings.PORTAL_IMPORT_MAX_SHRINK = 0.01
    lines = path.read_bytes().splitlines(keepends=True)
    path.write_bytes(b"".join(lines[:-40]))
    with pytest.raises(CommandError, match=r"would terminate 40 of 2,5\d\d live postcodes"):
        run("import_postcodes", codepoint_dir=str(folder))


def test_an_unexpected_error_is_a_clear_message_and_a_failed_run(monkeypatch, shared_data):
    def broken(_folder):
        raise RuntimeError("\0" * 5000 + "disk on fire")

    monkeypatch.setattr(codepoint, "release_date", broken)
    before = fingerprint()

    with pytest.raises(CommandError) as failed:
        run("import_postcodes")

    message = str(failed.value)
    assert message.startswith("Codelist.xlsx, metadata.txt: the import stopped on an unexpected")
    assert "RuntimeError" in message and "Nothing was changed" in message
    assert "\0" not in message and len(message) <= 600
    assert fingerprint() == before
    assert ImportRun.objects.latest().outcome == "failed"


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.realdata
def test_an_unchanged_file_says_nothing_to_change_and_is_recorded(shared_data):
    output = run("import_postcodes")

    assert "Imported 40,512 postcodes from Code-Point Open: nothing to change" in output
    record = ImportRun.objects.latest()
    assert record.source == "import_postcodes" and record.outcome == "unchanged"
    assert (record.added, record.changed, record.removed, record.refused) == (0, 0, 0, 207)
    assert record.release_date == datetime.date(2025, 10, 17)
    e_csv = next(f for f in record.files if f["name"] == "e.csv")
    assert e_csv["sha256"] == sha256(shared_data / codepoint.CODEPOINT_DIR / "Data/CSV/e.csv")


@pytest.mark.realdata
def test_a_change_is_printed_and_recorded(shared_data):
    Practice.objects.filter(ods_code="F84003").update(registered_patients=1, phone="")

    output = run("import_practices")

    assert "Imported GP practices" in output and "Practices: 1 changed, 41 unchanged" in output
    record = ImportRun.objects.latest()
    assert (record.outcome, record.changed, record.run_by) == ("succeeded", 1, "tests")
    assert record.release_date == datetime.date(2026, 4, 1)
    releases = {f["name"][:12]: f.get("release_date") for f in record.files}
    assert releases["ods_epcn_202"] == "2024-10-01"
    assert releases["ods_epraccur"] == "2025-09-01"


@pytest.mark.realdata
def test_a_run_is_recorded_as_run_by_the_os_user_by_default():
    call_command("load_neighbourhood_areas", stdout=io.StringIO(), stderr=io.StringIO())
    assert ImportRun.objects.latest().run_by not in ("", "tests")


def test_staff_read_import_runs_in_the_admin_but_cannot_change_them(staff_client):
    run("import_boundaries")
    record = ImportRun.objects.latest()

    listing = staff_client.get(reverse("admin:neighbourhoods_importrun_changelist"))
    detail = staff_client.get(reverse("admin:neighbourhoods_importrun_change", args=[record.pk]))

    assert listing.status_code == 200 and "import_boundaries" in listing.content.decode()
    assert detail.status_code == 200
    assert "lsoa_2021_gen20_city_and_hackney.geojson" in detail.content.decode()
    assert staff_client.get(reverse("admin:neighbourhoods_importrun_add")).status_code == 403
    delete = reverse("admin:neighbourhoods_importrun_delete", args=[record.pk])
    assert staff_client.post(delete, {"post": "yes"}).status_code == 403
    change = reverse("admin:neighbourhoods_importrun_change", args=[record.pk])
    assert staff_client.post(change, {"outcome": "failed"}).status_code == 403
    assert ImportRun.objects.get(pk=record.pk).outcome == record.outcome


@pytest.mark.realdata
def test_about_the_data_shows_each_release_date_from_the_run_records(client):
    run("import_postcodes")
    run("import_practices")

    page = client.get("/about-the-data/").content.decode()

    assert "Released 17 October 2025; imported" in page  # Code-Point Open
    assert "Released 1 April 2026; imported" in page  # registered patients
    assert "Released 1 October 2024; imported" in page  # ePCN
