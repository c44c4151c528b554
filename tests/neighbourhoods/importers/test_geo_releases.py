"""Releases of the geographic sources from the admin: OS Code-Point Open as the zip OS gives,
and ONS LSOA boundaries as GeoJSON (neighbourhoods/importers/releases.py, archives.py).

Every file is written here, for the small borough (geo_releases.py); the check and the apply
run at once, in the test's own transaction (the tests' settings run django-q2 synchronously).
"""

import datetime
import zipfile

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from neighbourhoods.importers.archives import (
    ZipRefused,
    check_codepoint_zip,
    safe_name,
    unzip_codepoint,
)
from neighbourhoods.models import DataRelease, ImportRun, Lsoa, Postcode
from tests.neighbourhoods.conftest import CITY, HACKNEY, LSOA_CODE, MIDDLE
from tests.neighbourhoods.importers.geo_releases import codepoint_row, codepoint_zip, lsoa_geojson

pytestmark = pytest.mark.django_db

UPLOAD = "admin:neighbourhoods_datarelease_add"
CODEPOINT = "codepoint-open"
LSOAS = "ons-lsoa-boundaries"
# E8 1DY moved about 70 m east within H2, E8 3ZZ new in H2 (London Fields), EC2Y 5DE as the
# borough has it but written in British National Grid metres (so its point changes a little).
E_AREA = [
    codepoint_row("E8 1DY", -0.064, MIDDLE, HACKNEY),
    codepoint_row("E8 3ZZ", -0.066, 51.547, HACKNEY),
]
EC_AREA = [codepoint_row("EC2Y 5DE", -0.085, 51.546, CITY)]


@pytest.fixture(autouse=True)
def releases_dir(settings, tmp_path):
    settings.PORTAL_RELEASES_DIR = tmp_path / "releases"
    return settings.PORTAL_RELEASES_DIR


@pytest.fixture
def data_manager(client):
    user = get_user_model().objects.create_user("data-manager", is_staff=True)
    user.groups.add(Group.objects.get(name="Data managers"))
    client.force_login(user)
    return client


def upload(client, capture, source, name, content):
    """Upload a file as a release and run its check at once; the response and the release."""
    with capture(execute=True):
        response = client.post(
            reverse(UPLOAD), {"source": source, "file": SimpleUploadedFile(name, content)}
        )
    return response, DataRelease.objects.filter(original_name=name).first()


def apply(client, capture, release, reason):
    with capture(execute=True):
        client.post(
            reverse("admin:neighbourhoods_datarelease_apply", args=[release.pk]),
            {"reason": reason},
        )
    release.refresh_from_db()
    return release


def kept_files(folder):
    return (
        sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*"))
        if folder.exists()
        else []
    )


def test_a_codepoint_zip_is_unzipped_checked_previewed_then_applied(
    data_manager, borough, releases_dir, django_capture_on_commit_callbacks
):
    content = codepoint_zip({"e": E_AREA, "ec": EC_AREA})
    moved_from = Postcode.objects.get(postcode="E8 1DY").location

    response, release = upload(
        data_manager, django_capture_on_commit_callbacks, CODEPOINT, "codepo_gb.zip", content
    )

    assert response.status_code == 302
    assert release.status == DataRelease.Status.PREVIEWED, release.message
    assert release.preview == [
        "Preview of import_postcodes: nothing has been changed; the import would do this:",
        "Local authorities: 2 unchanged",
        "Postcodes: 1 would be added, 2 would change",
        "Postcode answers: 3 would change",
        "Postcodes in each neighbourhood (would change):",
        "London Fields: 1 would be added, 1 would move within it",
    ]
    unzipped = releases_dir / release.sha256 / "codepo_gb"
    assert kept_files(unzipped) == [
        "Data", "Data/CSV", "Data/CSV/e.csv", "Data/CSV/ec.csv",
        "Doc", "Doc/Codelist.xlsx", "Doc/metadata.txt",
    ]  # fmt: skip
    assert not Postcode.objects.filter(postcode="E8 3ZZ").exists()  # nothing changed yet
    assert not ImportRun.objects.filter(source="import_postcodes").exists()
    page = data_manager.get(response["Location"]).content.decode()
    assert "Postcodes: 1 would be added, 2 would change" in page

    release = apply(data_manager, django_capture_on_commit_callbacks, release, "OS January 2026")

    assert release.status == DataRelease.Status.APPLIED, release.message
    added = Postcode.objects.get(postcode="E8 3ZZ")
    assert added.source == "codepoint" and added.neighbourhood.slug == "london-fields"
    assert Postcode.objects.get(postcode="E8 1DY").location.x > moved_from.x
    run = release.import_run
    assert (run.source, run.outcome) == ("import_postcodes", ImportRun.Outcome.SUCCEEDED)
    assert run.release_date == datetime.date(2026, 1, 16)  # Doc/metadata.txt's RM UPDATE DATE
    assert {f["name"] for f in run.files} == {"Codelist.xlsx", "metadata.txt", "e.csv", "ec.csv"}
    assert (run.added, run.changed) == (1, 2)


def test_a_zip_refused_when_unzipped_keeps_nothing_unzipped_and_changes_nothing(
    data_manager, borough, releases_dir, django_capture_on_commit_callbacks
):
    """A member whose data does not match its checksum passes the upload's look at the zip's
    directory; unzipping it in the background finds the damage."""
    content = codepoint_zip({"e": E_AREA}, compression=zipfile.ZIP_STORED)
    damaged = content.replace(b'"E8 3ZZ"', b'"E8 3ZQ"')
    assert damaged != content
    before = list(Postcode.objects.order_by("pk").values())

    _, release = upload(
        data_manager, django_capture_on_commit_callbacks, CODEPOINT, "codepo_gb.zip", damaged
    )

    assert release.status == DataRelease.Status.REFUSED
    assert release.message.startswith("codepo_gb.zip: 'Data/CSV/e.csv' is damaged (BadZipFile")
    assert release.message.endswith("Nothing was changed.")
    assert kept_files(releases_dir / release.sha256) == ["codepo_gb.zip"]  # nothing unzipped
    assert list(Postcode.objects.order_by("pk").values()) == before


def a_bomb():
    """Code-Point Open with 3 MB of zeros beside it: it deflates about 1,000 to 1."""
    return codepoint_zip({"e": E_AREA}, extra={"Data/CSV/zz.csv": b"0" * 3_000_000})


def encrypted():
    """A zip whose directory marks its members encrypted (zipfile cannot write one)."""
    content = bytearray(codepoint_zip({"e": E_AREA}))
    at = content.find(b"PK\x01\x02")
    while at >= 0:
        content[at + 8] |= 0x1  # the central directory's general purpose flags
        at = content.find(b"PK\x01\x02", at + 4)
    return bytes(content)


@pytest.mark.parametrize(
    ("source", "name", "content", "says"),
    [
        (CODEPOINT, "codepo_gb.zip", a_bomb, "more than 100 times its size, as a zip bomb does"),
        (CODEPOINT, "codepo_gb.zip", lambda: codepoint_zip({"e": E_AREA},
         extra={"../../outside.csv": b"x\n"}), "'../../outside.csv', which would be written "
         "outside the release's folder"),
        (CODEPOINT, "codepo_gb.zip", lambda: codepoint_zip({"e": E_AREA},
         extra={"/etc/cron.d/x": b"x\n"}), "'/etc/cron.d/x', which would be written outside "
         "the release's folder (its name is absolute or climbs out with '..')"),
        (CODEPOINT, "codepo_gb.zip", encrypted, "is encrypted (protected by a password)"),
        (CODEPOINT, "codepo_gb.zip", lambda: codepoint_zip({}, extra={"e.csv": "\n".join(E_AREA)}),
         "is not OS Code-Point Open: it has no area files in Data/CSV or no Doc/Codelist.xlsx"),
        (CODEPOINT, "codepo_gb.zip", lambda: codepoint_zip({"e": E_AREA})[:400],
         "codepo_gb.zip is not a readable zip file: it is damaged or cut short"),
        (CODEPOINT, "codepo_gb.zip", lambda: b"".join(s.encode() for s in E_AREA),
         "codepo_gb.zip is not a zip file: it does not begin as a zip does"),
        (CODEPOINT, "e.csv", lambda: b"".join(s.encode() for s in E_AREA),
         "e.csv is not a zip file (its name does not end in .zip)"),
        (LSOAS, "lsoas.geojson", lambda: b"LSOA21CD,LSOA21NM\nE01000001,City of London 001\n",
         "lsoas.geojson is not a GeoJSON file: GeoJSON is JSON beginning with '{', and this "
         "begins 'LSOA21CD,LSOA21NM E…'"),
        (LSOAS, "lsoas.geojson", lambda: b"\x00" * 100, "lsoas.geojson is not a text file"),
        (LSOAS, "lsoas.geojson", lambda: codepoint_zip({}), "is a zip archive, not a GeoJSON file"),
        (LSOAS, "lsoas.shp", lambda: b"{}", "does not end in .geojson or .json"),
    ],
    ids=["zip bomb", "traversal", "absolute path", "encrypted", "not Code-Point", "damaged",
         "not a zip", "not named .zip", "GeoJSON not JSON", "GeoJSON of NULs", "GeoJSON zipped",
         "GeoJSON misnamed"],
)  # fmt: skip
def test_an_upload_that_cannot_be_a_release_is_refused_by_the_field_keeping_nothing(
    data_manager, borough, releases_dir, django_capture_on_commit_callbacks,
    source, name, content, says,
):  # fmt: skip
    before = list(Postcode.objects.order_by("pk").values())

    response, release = upload(
        data_manager, django_capture_on_commit_callbacks, source, name, content()
    )

    assert response.status_code == 200
    assert says in response.content.decode().replace("&#x27;", "'")
    assert release is None and not DataRelease.objects.exists()
    assert kept_files(releases_dir) == []
    assert list(Postcode.objects.order_by("pk").values()) == before


def test_a_zip_that_would_unzip_past_the_limit_is_refused(data_manager, settings, releases_dir):
    settings.PORTAL_RELEASE_MAX_UNZIPPED_BYTES = 1000
    response = data_manager.post(
        reverse(UPLOAD),
        {"source": CODEPOINT, "file": SimpleUploadedFile("codepo_gb.zip", codepoint_zip(
            {"e": E_AREA}))},
    )  # fmt: skip
    assert "a release may unzip to at most 1,000 bytes" in response.content.decode()
    assert kept_files(releases_dir) == []


def test_a_geojson_release_that_is_not_valid_json_is_refused_in_the_imports_words(
    data_manager, borough, django_capture_on_commit_callbacks
):
    broken = lsoa_geojson().replace(b'"features": [', b'"features": [,', 1)
    _, release = upload(
        data_manager, django_capture_on_commit_callbacks, LSOAS, "lsoas.geojson", broken
    )
    assert release.status == DataRelease.Status.REFUSED
    assert release.message.startswith("lsoas.geojson, line 1, column ")
    assert "not valid GeoJSON" in release.message and release.message.endswith(
        "Nothing was changed."
    )


def test_an_lsoa_boundaries_release_is_previewed_then_applied_alone(
    data_manager, borough, django_capture_on_commit_callbacks
):
    """The borough boundaries are the database's: the release holds the LSOAs alone."""
    name = "lsoa_2021_gen20_city_and_hackney.geojson"
    # The line between H3 (Clissold Park's one LSOA) and H4 (in no neighbourhood) moves west,
    # past E8 4AA and N16 9JT, and H3 is renamed.
    content = lsoa_geojson(
        {
            "H3": {"name": "Test H3 redrawn", "box": (-0.06, 51.54, -0.0575, 51.55)},
            "H4": {"box": (-0.0575, 51.54, -0.04, 51.55)},
        }
    )

    _, release = upload(data_manager, django_capture_on_commit_callbacks, LSOAS, name, content)

    assert release.status == DataRelease.Status.PREVIEWED, release.message
    assert release.preview[0] == (
        "Preview of import_boundaries: nothing has been changed; the import would do this:"
    )
    assert release.preview[1] == "LSOAs: 2 would change, 3 unchanged"
    assert release.preview[2:] == [
        "Postcode answers: 2 would change",
        "1 neighbourhood area(s) would be redrawn.",
        "Postcodes in each neighbourhood (would change):",
        "Clissold Park: 2 would move out",
        "In City and Hackney but in no neighbourhood: 2 would move in",
    ]
    assert Lsoa.objects.get(code=LSOA_CODE["H3"]).name == "Test H3"

    release = apply(data_manager, django_capture_on_commit_callbacks, release, "ONS redrew H3")

    assert release.status == DataRelease.Status.APPLIED, release.message
    assert Lsoa.objects.get(code=LSOA_CODE["H3"]).name == "Test H3 redrawn"
    assert Postcode.objects.get(postcode="N16 9JT").neighbourhood is None
    run = release.import_run
    assert (run.source, run.release_date) == ("import_boundaries", None)  # the file has none
    assert [f["name"] for f in run.files] == [name]


@pytest.mark.parametrize(
    ("name", "safe"),
    [
        ("Data/CSV/e.csv", "Data/CSV/e.csv"),
        ("./Doc//metadata.txt", "Doc/metadata.txt"),
        ("Data\\CSV\\e.csv", "Data/CSV/e.csv"),
        ("../e.csv", None),
        ("Data/../../e.csv", None),
        ("/etc/passwd", None),
        ("\\\\server\\share\\e.csv", None),
        ("C:/Windows/e.csv", None),
        ("", None),
    ],
)
def test_a_member_is_unzipped_only_inside_its_folder(name, safe):
    got = safe_name(name)
    assert (got.as_posix() if got else None) == safe


def test_a_zip_of_the_unzipped_folder_is_read_from_inside_it(tmp_path):
    path = tmp_path / "codepo_gb.zip"
    path.write_bytes(codepoint_zip({"e": E_AREA}, folder="codepo_gb/"))

    assert check_codepoint_zip(path, name=path.name).folder == "codepo_gb/"
    folder = unzip_codepoint(path, tmp_path / "codepo_gb", name=path.name)

    assert folder == tmp_path / "codepo_gb" / "codepo_gb"
    assert (folder / "Data" / "CSV" / "e.csv").read_text() == "".join(E_AREA)
    # Unzipped once: the folder, named by the same file, is used as it is.
    assert unzip_codepoint(path, tmp_path / "codepo_gb", name=path.name) == folder
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_checking_reads_the_directory_alone_so_a_damaged_member_is_found_by_unzipping(tmp_path):
    path = tmp_path / "codepo_gb.zip"
    path.write_bytes(
        codepoint_zip({"e": E_AREA}, compression=zipfile.ZIP_STORED).replace(b"E8 3ZZ", b"E8 3ZQ")
    )
    check_codepoint_zip(path, name=path.name)
    with pytest.raises(ZipRefused, match=r"'Data/CSV/e.csv' is damaged \(BadZipFile: 'Bad CRC"):
        unzip_codepoint(path, tmp_path / "codepo_gb", name=path.name)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["codepo_gb.zip"]


def test_a_member_whose_own_header_disagrees_with_the_directory_is_refused(tmp_path):
    path = tmp_path / "codepo_gb.zip"
    content = codepoint_zip({"e": E_AREA})
    path.write_bytes(content.replace(b"Data/CSV/e.csv", b"Data/CSV/x.csv", 1))  # its header
    with pytest.raises(ZipRefused, match=r"'Data/CSV/e.csv' cannot be read \(BadZipFile: "):
        unzip_codepoint(path, tmp_path / "codepo_gb", name=path.name)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["codepo_gb.zip"]
