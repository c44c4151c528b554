"""Files cut short or with rows repeated are refused, naming the file and the rows: an ePCN
file that leaves out many of the practices in a neighbourhood now (the first 21 of 42 rows
were accepted, "21 practice(s) ... left as they are"), an ePCN row repeated, an LSOA feature
repeated. A refusal changes nothing."""

import io
import json

import pytest
from django.core.management import CommandError, call_command

from neighbourhoods.models import ImportRun, Lsoa, Membership
from tests.neighbourhoods.importers.geo_releases import lsoa_geojson
from tests.neighbourhoods.importers.ods_releases import (
    BASELINE,
    CLISSOLD_PARK,
    write_release,
)

pytestmark = pytest.mark.django_db


def run(command, **options):
    out = io.StringIO()
    call_command(command, stdout=out, stderr=io.StringIO(), **options)
    return out.getvalue()


def memberships():
    return sorted(Membership.objects.values_list("practice__ods_code", "neighbourhood",
                                                 "started_on", "ended_on"))  # fmt: skip


def test_an_epcn_file_that_leaves_out_most_practices_in_a_neighbourhood_is_refused(
    borough, tmp_path
):
    """Four practices are in a neighbourhood today; a file listing one of them looks cut
    short."""
    options = write_release(tmp_path, BASELINE[:1])
    before = memberships()

    with pytest.raises(CommandError) as refused:
        run("import_practices", **options)

    message = str(refused.value)
    assert "ods_epcn_2026-03_core_partners.csv lists 1 practice(s) (lines 2 to 2)" in message
    assert "3 of the 4 practices in a neighbourhood now (75.0%) are not in it" in message
    assert "F90002 City Practice" in message and "F90006 No Location Surgery" in message
    assert "--allow-shrink" in message
    assert memberships() == before
    assert ImportRun.objects.filter(source="import_practices").latest().outcome == "refused"


def test_an_epcn_file_that_ends_most_memberships_is_refused(borough, tmp_path):
    ended = [dict(p, end="20200101") for p in BASELINE]
    with pytest.raises(
        CommandError, match=r"4 of the 4 practices in a neighbourhood now \(100.0%\)"
    ):
        run("import_practices", **write_release(tmp_path, ended))


def test_allow_shrink_lets_a_short_epcn_file_through(borough, tmp_path):
    output = run("import_practices", **write_release(tmp_path, BASELINE[:1]), allow_shrink=True)
    assert "allowed by --allow-shrink" in output


def test_a_release_that_leaves_out_a_few_practices_is_taken(borough, tmp_path):
    """BASELINE leaves out one of the four (F90006), as a release that no longer lists a
    practice does: under a third, so it is taken."""
    output = run("import_practices", **write_release(tmp_path, BASELINE))
    assert output.startswith("Imported GP practices")


def test_an_epcn_row_repeated_is_refused(borough, tmp_path):
    options = write_release(tmp_path, [*BASELINE, BASELINE[1]])
    before = memberships()
    with pytest.raises(CommandError, match=r"ods_epcn_2026-03_core_partners.csv, lines 3 and 5 "
                       r"are the same row \(practice F90002"):  # fmt: skip
        run("import_practices", **options)
    assert memberships() == before


def test_an_epcn_row_repeated_with_another_pcn_is_refused_as_an_overlap(borough, tmp_path):
    options = write_release(tmp_path, [*BASELINE, dict(BASELINE[1], pcn=CLISSOLD_PARK)])
    with pytest.raises(CommandError, match=r"lines 3 and 5 both put practice F90002 in a PCN"):
        run("import_practices", **options)


def test_an_epcn_file_that_ends_mid_row_is_refused(borough, tmp_path):
    options = write_release(tmp_path, BASELINE)
    path = tmp_path / "ods_epcn_2026-03_core_partners.csv"
    text = path.read_text()
    path.write_text(text[: text.rindex(",TRUE")])  # the last line stops part-way
    with pytest.raises(CommandError, match=r"line 4, the last line, has no line ending"):
        run("import_practices", **options)
    path.write_text(text[: text.rindex(",TRUE")] + "\n")  # and with its line ended
    with pytest.raises(CommandError, match=r"line 4: 10 values where the header has 11"):
        run("import_practices", **options)


def test_an_lsoa_feature_repeated_is_refused(borough, tmp_path):
    document = json.loads(lsoa_geojson())
    document["features"].append(document["features"][1])
    path = tmp_path / "lsoas.geojson"
    path.write_text(json.dumps(document))
    before = sorted(Lsoa.objects.values_list("code", "boundary"))
    with pytest.raises(CommandError, match=r"lsoas.geojson, features 2 and 6 both give LSOA21CD "
                       r"'E01990002': a feature is repeated"):  # fmt: skip
        run("import_boundaries", lsoas=str(path))
    assert sorted(Lsoa.objects.values_list("code", "boundary")) == before
