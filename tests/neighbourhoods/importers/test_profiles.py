"""import_profiles on the small borough's five LSOAs (tests/neighbourhoods/profile_files.py)."""

import io

import pytest
from django.core.management import CommandError, call_command

from neighbourhoods.importers.profiles import FILES
from neighbourhoods.models import (
    BoundaryVersion,
    ImportRun,
    LsoaStatistics,
    NeighbourhoodProfile,
    RegisteredPatientsDeprivation,
)
from tests.neighbourhoods.conftest import LSOA_CODE
from tests.neighbourhoods.profile_files import FIGURES, write_profile_files


def run(**options):
    out = io.StringIO()
    call_command("import_profiles", stdout=out, stderr=io.StringIO(), **options)
    return out.getvalue()


def state():
    return (
        sorted(LsoaStatistics.objects.values_list("code", "residents", "ages", "imd2025")),
        sorted(RegisteredPatientsDeprivation.objects.values_list("kind", "code", "score")),
        list(NeighbourhoodProfile.objects.order_by("pk").values_list("pk", "figures")),
    )


def test_the_statistics_are_imported_once_and_the_profiles_stored(borough, tmp_path):
    write_profile_files(tmp_path)
    output = run(data_dir=str(tmp_path))
    assert "LSOA statistics: 5 added" in output
    assert "Registered patients' IMD 2019: 3 added" in output
    h4 = LsoaStatistics.objects.get(code=LSOA_CODE["H4"])
    assert h4.residents == FIGURES["H4"][0]
    assert h4.imd2019 == {} and h4.change_since_2011 == "M"  # merged: no one 2019 figure
    h1 = LsoaStatistics.objects.get(code=LSOA_CODE["H1"])
    assert h1.imd2019["imd"] == FIGURES["H1"][4] and h1.imd2025["imd"]["decile"] == 1
    # Stored for the version in force: City and Hackney's and each neighbourhood's.
    version = BoundaryVersion.objects.latest()
    stored = {p.neighbourhood_id: p.figures for p in version.profiles.all()}
    assert set(stored) == {None, borough.london_fields.pk, borough.clissold_park.pk}
    assert stored[borough.london_fields.pk]["residents"] == sum(
        FIGURES[n][0] for n in ("C1", "H1", "H2")
    )
    record = ImportRun.objects.filter(source="import_profiles").latest()
    assert record.outcome == "succeeded" and record.added == 5
    assert {f["name"] for f in record.files} == {name for name, _ in FILES.values()} | {
        "lsoa_2021_gen20_city_and_hackney.geojson"
    }
    assert record.release_date.isoformat() == "2025-10-30"

    again = run(data_dir=str(tmp_path))
    assert "nothing to change" in again and "LSOA statistics: 5 unchanged" in again


def test_changed_figures_change_the_profiles(borough, tmp_path):
    write_profile_files(tmp_path)
    run(data_dir=str(tmp_path))
    figures = {**FIGURES, "H3": (2800, *FIGURES["H3"][1:])}
    write_profile_files(tmp_path, figures)
    output = run(data_dir=str(tmp_path))
    assert "LSOA statistics: 1 changed, 4 unchanged" in output
    clissold = NeighbourhoodProfile.objects.get(
        version=BoundaryVersion.objects.latest(), neighbourhood=borough.clissold_park
    )
    assert clissold.figures["residents"] == 2800


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (
            {"leave_out": "H2"},
            r"census2021_usual_residents_lsoa21_hackney_city.csv covers 4 of the 5 LSOAs the "
            r"portal holds; it leaves out 1 \(first: 'E01990003'\)",
        ),
        (
            {"extra_lsoa": "E01004321"},
            r"census2021_usual_residents_lsoa21_hackney_city.csv holds 1 LSOA code\(s\) the "
            r"portal does not hold \(first: 'E01004321'\): it is another area's file",
        ),
    ],
)
def test_a_file_not_covering_exactly_the_portals_lsoas_is_refused(borough, tmp_path, damage,
                                                                    message):  # fmt: skip
    write_profile_files(tmp_path)
    run(data_dir=str(tmp_path))
    before = state()
    write_profile_files(tmp_path / "broken", **damage)
    with pytest.raises(CommandError, match=message + r".*Nothing was changed\."):
        run(data_dir=str(tmp_path / "broken"))
    assert state() == before
    assert ImportRun.objects.filter(source="import_profiles").latest().outcome == "refused"


def test_a_file_of_another_format_is_refused(borough, tmp_path):
    folder = write_profile_files(tmp_path)
    path = folder / FILES["imd2025"][0]
    path.write_text(path.read_text().replace("IMD_decile", "IMD_dec", 1))
    with pytest.raises(CommandError, match=r"line 1: the column\(s\) IMD_decile are missing"):
        run(data_dir=str(tmp_path))
    assert LsoaStatistics.objects.count() == 0


def test_a_decile_out_of_range_is_refused_by_its_line(borough, tmp_path):
    figures = {**FIGURES, "H1": (*FIGURES["H1"][:3], 11, 2)}
    write_profile_files(tmp_path, figures)
    with pytest.raises(CommandError, match=r"imd2025_lsoa21_hackney_city.csv, line 3: IMD_decile "
                       r"'11' is out of range \(1 to 10\)"):  # fmt: skip
        run(data_dir=str(tmp_path))


def test_a_preview_changes_nothing_and_is_not_recorded(borough, tmp_path):
    write_profile_files(tmp_path)
    output = run(data_dir=str(tmp_path), dry_run=True)
    assert "LSOA statistics: 5 would be added" in output
    assert LsoaStatistics.objects.count() == 0
    assert not ImportRun.objects.filter(source="import_profiles").exists()


def test_the_release_core_reads_a_census_file_uploaded(borough, tmp_path, settings):
    """A release of one file (here Census residents) is read by the same core, with the rest
    from the data folder."""
    from neighbourhoods.importers.releases import IMPORTS
    from neighbourhoods.models import DataRelease

    importer_class, option, kind = IMPORTS[DataRelease.Source.CENSUS_RESIDENTS]
    write_profile_files(tmp_path)
    settings.PORTAL_DATA_DIR = tmp_path
    upload = write_profile_files(tmp_path / "upload", leave_out="H3") / FILES["residents"][0]
    result = importer_class().preview(**{option: str(upload)})
    assert result.refused and "leaves out 1" in result.message
    assert kind == "csv"


def test_a_data_manager_applies_an_imd_release_in_the_admin_and_the_profiles_follow(
    statistics, tmp_path, settings, client, django_capture_on_commit_callbacks
):
    """The admin's release journey for a profiles file: uploaded, checked and previewed,
    applied with a reason, recorded; the profiles are worked out again with it."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    from neighbourhoods.models import DataRelease, Lsoa

    settings.PORTAL_DATA_DIR = tmp_path  # the files the statistics fixture imported
    settings.PORTAL_RELEASES_DIR = tmp_path / "releases"
    manager = get_user_model().objects.create_user("data-manager", is_staff=True)
    manager.groups.add(Group.objects.get(name="Data managers"))
    client.force_login(manager)
    profile = "/api/v1/neighbourhoods/{}/profile"
    slug = Lsoa.objects.get(code=LSOA_CODE["H3"]).neighbourhood.slug
    before = client.get(profile.format(slug)).json()["neighbourhood"]["deprivation"]

    # H3 (1,800 residents) moves from decile 5 to decile 1.
    figures = {**FIGURES, "H3": (*FIGURES["H3"][:3], 1, FIGURES["H3"][4])}
    upload = write_profile_files(tmp_path / "upload", figures) / FILES["imd2025"][0]
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("admin:neighbourhoods_datarelease_add"), {
            "source": DataRelease.Source.IMD_2025,
            "file": SimpleUploadedFile(upload.name, upload.read_bytes()),
        })  # fmt: skip
    release = DataRelease.objects.get()
    assert release.status == DataRelease.Status.PREVIEWED, release.message
    assert client.get(profile.format(slug)).json()["neighbourhood"]["deprivation"] == before

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("admin:neighbourhoods_datarelease_apply", args=[release.pk]),
            {"reason": "MHCLG's corrected indices"},
        )
    release.refresh_from_db()
    assert release.status == DataRelease.Status.APPLIED, release.message
    assert "MHCLG's corrected indices" in release.import_run.run_by
    after = client.get(profile.format(slug)).json()["neighbourhood"]["deprivation"]
    fifth = "most_deprived_fifth_residents"
    assert after[fifth] == before[fifth] + 1800
