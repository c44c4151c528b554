"""The profiles of the real data: the totals agree with the Census totals ONS published."""

import io
import shutil

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from neighbourhoods import profiles
from neighbourhoods.importers.profiles import FILES
from neighbourhoods.models import Lsoa, LsoaStatistics, Neighbourhood

pytestmark = pytest.mark.realdata

# Census 2021 usual residents as ONS published them for the two local authorities (the sum
# of their LSOAs' published counts): Hackney 259,112, City of London 8,588.
PUBLISHED = {"E09000012": 259_112, "E09000001": 8_588}


@pytest.mark.django_db
def test_every_lsoa_has_statistics_and_the_boroughs_totals_are_the_published_ones():
    assert LsoaStatistics.objects.count() == Lsoa.objects.count() == 155
    residents = dict(LsoaStatistics.objects.values_list("code", "residents"))
    by_borough = {}
    for code, authority in Lsoa.objects.values_list("code", "local_authority_code"):
        by_borough[authority] = by_borough.get(authority, 0) + residents[code]
    assert by_borough == PUBLISHED


@pytest.mark.django_db
def test_the_eight_neighbourhoods_add_up_to_city_and_hackney():
    stored = profiles.current_profiles()
    whole, parts = stored[0], stored[1:]
    assert whole.neighbourhood is None
    assert whole.figures["residents"] == sum(PUBLISHED.values())
    assert len(parts) == Neighbourhood.objects.not_removed().count() == 8
    assigned = Lsoa.objects.filter(neighbourhood__isnull=False).values_list("code", flat=True)
    assigned_total = sum(
        LsoaStatistics.objects.filter(code__in=list(assigned)).values_list("residents", flat=True)
    )
    assert sum(p.figures["residents"] for p in parts) == assigned_total
    assert sum(p.figures["lsoas"] for p in parts) == len(assigned)
    # Residents in each decile add up to the residents, in every profile.
    for profile in stored:
        by_decile = profile.figures["deprivation"]["by_decile"]
        assert sum(row["residents"] for row in by_decile) == profile.figures["residents"]


@pytest.mark.django_db
def test_a_real_file_cut_by_one_lsoa_is_refused(tmp_path):
    folder = tmp_path / "profiles"
    shutil.copytree(settings.PORTAL_DATA_DIR / "profiles" if hasattr(settings.PORTAL_DATA_DIR,
                    "joinpath") else f"{settings.PORTAL_DATA_DIR}/profiles", folder)  # fmt: skip
    path = folder / FILES["imd2025"][0]
    lines = path.read_text().splitlines(keepends=True)
    path.write_text("".join(lines[:-1]))
    before = list(LsoaStatistics.objects.order_by("code").values_list("code", "imd2025"))
    with pytest.raises(CommandError, match=r"covers 154 of the 155 LSOAs the portal holds"):
        call_command("import_profiles", data_dir=str(tmp_path), stdout=io.StringIO(),
                     stderr=io.StringIO())  # fmt: skip
    assert list(LsoaStatistics.objects.order_by("code").values_list("code", "imd2025")) == before


# Census 2021 residents aged 3 and over as ONS published them in TS024 (main language) for the
# two boroughs: City of London 8,450, Hackney 249,191.
AGED_3_AND_OVER = {"City of London": 8_450, "Hackney": 249_191}


def file_sums(name: str, code_column: str, columns) -> dict:
    """The real file's columns summed per row's code, read with the csv module alone."""
    import csv
    from pathlib import Path

    path = Path(settings.PORTAL_DATA_DIR) / "profiles" / name
    with open(path, newline="", encoding="utf-8") as f:
        return {row[code_column]: sum(int(row[c]) for c in columns) for row in csv.DictReader(f)}


@pytest.mark.django_db
def test_the_proficiency_totals_are_the_files_and_the_language_table_the_published():
    from neighbourhoods.importers.profiles import LANGUAGE_TOTAL, PROFICIENCY_COLUMNS

    whole = profiles.current_profiles()[0].figures
    proficiency = whole["english_proficiency"]
    sums = file_sums(FILES["proficiency"][0], "msoa21_code", PROFICIENCY_COLUMNS)
    # City and Hackney's figures are the file's MSOAs summed: all 29 of them.
    assert proficiency["total"] == sum(sums.values())
    assert sorted(m["code"] for m in proficiency["msoas"]) == sorted(sums)
    # The file has no figures for two of the 31 MSOAs of the portal's LSOAs; the profile says so.
    assert [m["name"] for m in proficiency["msoas_not_in_file"]] == ["Hackney 031", "Hackney 033"]
    # Their residents aged 3 and over are what the file is short of the published total.
    assert sum(AGED_3_AND_OVER.values()) - proficiency["total"] == 13_219
    # The main languages: every language once, adding up to the residents aged 3 and over.
    languages = whole["main_languages"]
    assert languages["total"] == languages["languages_total"] == sum(AGED_3_AND_OVER.values())
    published = file_sums(FILES["languages"][0], "geography", [LANGUAGE_TOTAL])
    assert published == AGED_3_AND_OVER
    assert [row["label"] for row in languages["rows"]][:3] == ["Turkish", "Spanish", "French"]
    assert languages["rows"][0]["residents"] == 28 + 8_008  # City of London, Hackney


@pytest.mark.django_db
def test_each_lsoas_name_is_its_msoas_name_and_a_letter():
    """ONS names a 2021 LSOA after its MSOA ("Hackney 001A" is in "Hackney 001"): the MSOAs
    the import took from the boundaries file agree with the LSOAs' names."""
    from neighbourhoods.models import LanguageStatistics

    names = dict(Lsoa.objects.values_list("code", "name"))
    msoas = LanguageStatistics.objects.filter(kind="msoa")
    assert msoas.count() == 31
    for msoa in msoas:
        for code in msoa.lsoa_codes:
            assert names[code][:-1] == msoa.name and names[code][-1].isupper()
    assert sum(len(msoa.lsoa_codes) for msoa in msoas) == 155
