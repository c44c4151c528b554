"""The languages of the profiles: proficiency in English as a best fit from MSOAs, and City and
Hackney's main languages, from the small borough's made-up files
(tests/neighbourhoods/profile_files.py), worked out by hand here."""

import csv
import io

import pytest
from django.core.management import CommandError, call_command

from neighbourhoods import profiles
from neighbourhoods.models import BoundaryVersion, LanguageStatistics, NeighbourhoodProfile
from tests.neighbourhoods.profile_files import FIGURES, MSOAS, write_profile_files


def run(folder):
    out = io.StringIO()
    call_command("import_profiles", data_dir=str(folder), stdout=out, stderr=io.StringIO())
    return out.getvalue()


def stored(neighbourhood=None):
    return NeighbourhoodProfile.objects.get(
        version=BoundaryVersion.objects.latest(), neighbourhood=neighbourhood
    ).figures


def msoa(code, residents, counts):
    return profiles.Msoa(code=code, name=f"Test {code}", residents=residents, counts=counts)


def lsoa(code, residents, msoa_code):
    return profiles.Lsoa(code=code, residents=residents, msoa=msoa_code)


COUNTS = dict(zip(profiles.PROFICIENCY, [900, 50, 20, 20, 10], strict=True))


@pytest.mark.parametrize(
    ("in_area", "used"),
    [(1000, True), (501, True), (500, False), (0, False)],  # of the MSOA's 1,000 residents
)
def test_an_msoa_is_the_areas_best_fit_when_most_of_its_residents_live_there(in_area, used):
    area = [lsoa("A", in_area, "M1")] if in_area else [lsoa("Z", 700, "M2")]
    outside = [lsoa("B", 1000 - in_area, "M1")]  # the rest of M1, in another area
    msoas = {"M1": msoa("M1", 1000, COUNTS), "M2": msoa("M2", 700, {})}
    figures = profiles.profile_of(area, name="Test", msoas=msoas)["english_proficiency"]
    assert bool(figures["msoas"]) == used
    if used:
        assert figures["total"] == 1000 and figures["not_proficient"] == 30
        assert figures["not_proficient_share"] == 3.0
        assert figures["residents_covered"] == in_area
        assert figures["residents_outside_area"] == 1000 - in_area
    assert sum(lsoa.residents for lsoa in outside) == 1000 - in_area


def test_an_msoa_the_file_has_no_figures_for_is_named_not_counted():
    area = [lsoa("A", 1000, "M1"), lsoa("B", 800, "M2")]
    msoas = {"M1": msoa("M1", 1000, COUNTS), "M2": msoa("M2", 800, {})}
    figures = profiles.profile_of(area, name="Test", msoas=msoas)["english_proficiency"]
    assert [m["code"] for m in figures["msoas"]] == ["M1"]
    assert [m["code"] for m in figures["msoas_not_in_file"]] == ["M2"]
    assert figures["residents_covered"] == 1000 and figures["residents_covered_share"] == 55.6


def test_a_proficiency_count_under_ten_is_left_out_and_said_so():
    counts = dict(zip(profiles.PROFICIENCY, [900, 50, 20, 15, 5], strict=True))
    figures = profiles.profile_of(
        [lsoa("A", 1000, "M1")], name="Test", msoas={"M1": msoa("M1", 1000, counts)}
    )
    rows = {row["label"]: row for row in figures["english_proficiency"]["rows"]}
    assert rows["Cannot speak English"]["residents"] is None
    assert rows["Cannot speak English"]["share"] is None
    assert figures["english_proficiency"]["not_proficient"] == 20  # 15 + 5: shown
    assert any("'Cannot speak English' is under 10" in note for note in figures["suppressed"])


def test_the_import_stores_the_msoas_and_boroughs_and_the_best_fit(statistics):
    assert LanguageStatistics.objects.filter(kind="msoa").count() == 3
    assert LanguageStatistics.objects.filter(kind="borough").count() == 2
    # London Fields (C1, H1, H2): all of Test MC, and 3,300 of Test MA's 5,100 residents.
    london = stored(statistics.london_fields)["english_proficiency"]
    assert [m["name"] for m in london["msoas"]] == ["Test MC", "Test MA"]
    mc, ma = MSOAS["E02990001"][2], MSOAS["E02990002"][2]
    summed = [a + b for a, b in zip(mc, ma, strict=True)]  # 4200, 950, 680, 440, 155
    assert [row["residents"] for row in london["rows"]] == summed
    assert london["total"] == 6425
    assert london["not_proficient"] == 595 and london["not_proficient_share"] == 9.3
    assert london["residents_covered"] == 4800 and london["residents_covered_share"] == 100.0
    assert london["residents_outside_area"] == FIGURES["H3"][0]
    # Clissold Park (H3) holds 1,800 of Test MA's 5,100: no MSOA is mostly in it.
    clissold = stored(statistics.clissold_park)["english_proficiency"]
    assert clissold["msoas"] == [] and clissold["not_proficient_share"] is None
    whole = stored()["english_proficiency"]
    assert whole["total"] == 6425 + 1870 and whole["not_proficient"] == 665
    assert whole["not_proficient_share"] == round(100 * 665 / 8295, 1)


def test_the_main_languages_are_the_top_ten_leaves_other_than_english(statistics):
    languages = stored()["main_languages"]
    assert [(row["label"], row["residents"]) for row in languages["rows"]] == [
        ("Turkish", 905), ("Polish", 540), ("Italian", 210), ("French", 180), ("Spanish", 145),
        ("Arabic", 113), ("Russian", 102), ("Greek", 91), ("Yiddish", 80), ("Somali", 70),
    ]  # fmt: skip
    # Residents aged 3 and over as published; shares of them.
    assert languages["total"] == 1200 + 9628
    assert languages["rows"][0]["share"] == round(100 * 905 / 10828, 1)
    # Every language once: the broad group ONS splits is not counted beside its languages.
    assert languages["languages_total"] == 10059
    assert languages["english"] == 7000
    assert stored(statistics.london_fields)["main_languages"] is None


def test_an_msoa_the_file_leaves_out_is_kept_without_figures(borough, tmp_path):
    rows = [(c, n[2][0], sum(n[2][1:]), *n[2][1:], 0) for c, n in list(MSOAS.items())[:2]]
    write_profile_files(tmp_path, msoa_rows=rows)
    run(tmp_path)
    whole = stored()["english_proficiency"]
    assert [m["name"] for m in whole["msoas_not_in_file"]] == ["Test MB"]
    assert whole["total"] == 6425


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (
            {"msoa_rows": [("E02999999", 1, 0, 0, 0, 0, 0, 0)]},
            r"census2021_ts029_english_proficiency_msoa21_hackney_city.csv, line 2: E02999999 "
            r"is not an MSOA of the portal's LSOAs: it is another area's file",
        ),
        (
            {"msoa_rows": [("E01990001", 1, 0, 0, 0, 0, 0, 0)]},
            r"msoa21_code 'E01990001' is not a 2021 MSOA code",
        ),
        (
            {"borough_rows": [(2021, "Islington", "E09000019", 10, *[1] * 16)]},
            r"geography code 'E09000019' is not one of the portal's boroughs",
        ),
        (
            {"borough_rows": [(2021, "Hackney", "E09000012", 10, *[1] * 16)]},
            r"leaves out 1 of the portal's boroughs \(first: 'E09000001'\)",
        ),
    ],
)
def test_a_language_file_of_another_area_is_refused(statistics, tmp_path, damage, message):
    before = list(LanguageStatistics.objects.order_by("pk").values_list("code", "counts"))
    write_profile_files(tmp_path / "broken", **damage)
    with pytest.raises(CommandError, match=message + r".*Nothing was changed\."):
        run(tmp_path / "broken")
    assert list(LanguageStatistics.objects.order_by("pk").values_list("code", "counts")) == before


def test_the_import_is_idempotent(statistics, tmp_path):
    assert "Language statistics: 5 unchanged" in run(tmp_path)


def test_the_page_shows_the_languages(client, statistics):
    page = client.get("/neighbourhoods/london-fields/").content.decode()
    assert "<h3>Languages</h3>" in page
    assert (
        "indicative area of London Fields (Test MC; Test MA, 65% of its residents in the area)"
        in page
    )
    assert "They cover 4,800 of the area's 4,800 residents (100.0%)" in page
    assert "9.3% of the residents aged 3 and over in these MSOAs (595)" in page
    assert "against 8.0% across City and Hackney" in page
    assert "the most common other main language is Turkish (8.4%)" in page
    assert "Residents aged 3 and over of the MSOAs that best fit London Fields" in page
    page = client.get("/neighbourhoods/clissold-park/").content.decode()
    assert "No MSOA has most of its residents in this area" in page


def test_the_api_csv_and_comparison_give_the_languages(client, statistics):
    answer = client.get("/api/v1/neighbourhoods/london-fields/profile").json()
    assert answer["neighbourhood"]["english_proficiency"]["not_proficient_share"] == 9.3
    assert answer["neighbourhood"]["main_languages"] is None
    assert answer["city_and_hackney"]["main_languages"]["rows"][0]["label"] == "Turkish"
    sources = [release["source"] for release in answer["releases"]]
    assert any("proficiency in English" in source for source in sources)
    text = client.get("/api/v1/neighbourhoods/london-fields/profile.csv").content.decode()
    rows = list(csv.reader(line for line in text.splitlines() if not line.startswith("#")))
    assert ["English proficiency (best-fit MSOAs, aged 3+)",
            "Cannot speak English well or at all", "595", "9.3", "665", "8.0"] in rows  # fmt: skip
    page = client.get("/neighbourhoods/compare/?sort=not_proficient_share&order=desc")
    assert page.status_code == 200
    assert "Cannot speak English well or at all, best-fit MSOAs (%)" in page.content.decode()


def test_moving_an_lsoa_changes_the_best_fit(statistics):
    from neighbourhoods.services.moves import lsoas_move

    lsoas_move(lsoa_ids=[statistics.lsoas["H3"].pk], neighbourhood=statistics.london_fields)
    london = stored(statistics.london_fields)["english_proficiency"]
    assert [m["share_in_area"] for m in london["msoas"]] == [100.0, 100.0]
    assert london["residents_outside_area"] == 0
    assert london["residents_covered"] == 4800 + FIGURES["H3"][0]


def test_the_release_core_reads_an_uploaded_proficiency_file(borough, tmp_path, settings):
    from neighbourhoods.importers.releases import IMPORTS
    from neighbourhoods.models import DataRelease

    importer_class, option, kind = IMPORTS[DataRelease.Source.CENSUS_PROFICIENCY]
    write_profile_files(tmp_path)
    settings.PORTAL_DATA_DIR = tmp_path
    upload = (
        write_profile_files(tmp_path / "upload", msoa_rows=[("E02999999", 1, 0, 0, 0, 0, 0, 0)])
        / "census2021_ts029_english_proficiency_msoa21_hackney_city.csv"
    )
    result = importer_class().preview(**{option: str(upload)})
    assert result.refused and "E02999999 is not an MSOA of the portal's LSOAs" in result.message
    assert kind == "csv" and IMPORTS[DataRelease.Source.CENSUS_LANGUAGES][1] == "languages"
    assert LanguageStatistics.objects.count() == 0
