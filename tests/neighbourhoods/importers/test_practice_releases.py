"""import_practices on small ODS files written here, on the small borough: both of ODS's
formats, the files named on the command line, and a summary that names what changed."""

import datetime
import io

import pytest
from django.core.management import CommandError, call_command

from neighbourhoods.importers.practices import EPCN_COLUMNS
from neighbourhoods.models import ImportRun, Membership, Practice
from tests.neighbourhoods.importers.ods_releases import (
    BASELINE,
    CLISSOLD_PARK,
    EPCN_HEADER,
    NEWER,
    OLDER,
    practice,
    write_release,
)


@pytest.fixture(autouse=True)
def _half_may_change(settings):
    """The small borough has four practices in a neighbourhood, so one closing and one no
    longer listed are half of them: these releases are ordinary ones, not cut short."""
    settings.PORTAL_IMPORT_MAX_UNLISTED = 0.5


def run_import(**options):
    out = io.StringIO()
    call_command("import_practices", stdout=out, stderr=io.StringIO(), **options)
    return out.getvalue()


def statuses():
    return dict(Practice.objects.order_by("ods_code").values_list("ods_code", "status"))


def snapshot():
    return (
        list(Practice.objects.order_by("ods_code").values()),
        list(Membership.objects.order_by("pk").values()),
    )


def test_the_epcn_columns_read_are_in_both_formats_headers():
    assert set(EPCN_COLUMNS) < set(EPCN_HEADER)


@pytest.mark.parametrize(
    "fmt, described",
    [
        (OLDER, "ODS's older format, as in"),
        (NEWER, "ODS's newer format, as from March 2026"),
    ],
)
def test_both_formats_give_each_practice_its_status(borough, tmp_path, fmt, described):
    release = [
        practice("F90001", "DALSTON PRACTICE", "active"),
        practice("F90002", "CITY PRACTICE", "closed", close="20250430", end="20250430"),
        practice("F90005", "STOKE NEWINGTON PRACTICE", "dormant", pcn=CLISSOLD_PARK),
    ]

    output = run_import(**write_release(tmp_path, release, fmt))

    got = statuses()
    assert (got["F90001"], got["F90002"], got["F90005"]) == ("A", "C", "D")
    assert Practice.objects.get(ods_code="F90002").closed_on == datetime.date(2025, 4, 30)
    assert f"ods_epraccur_2026-03_practices.csv: read in {described}" in output
    assert f"ods_epcn_2026-03_core_partners.csv: read in {described}" in output
    record = ImportRun.objects.filter(source="import_practices").latest()
    assert record.outcome == "succeeded"
    assert {f["name"]: f.get("format") for f in record.files if "ods_" in f["name"]} == {
        "ods_epcn_2026-03_core_partners.csv": "2026" if fmt is NEWER else "2024",
        "ods_epraccur_2026-03_practices.csv": "2026" if fmt is NEWER else "2025",
    }


def test_the_files_named_are_read_and_their_releases_recorded(borough, tmp_path):
    options = write_release(tmp_path / "downloads", BASELINE, month="2026-03")

    run_import(**options)

    record = ImportRun.objects.filter(source="import_practices").latest()
    releases = {f["name"]: f.get("release_date") for f in record.files}
    assert releases["ods_epcn_2026-03_core_partners.csv"] == "2026-03-01"
    assert releases["ods_epraccur_2026-03_practices.csv"] == "2026-03-01"
    assert record.release_date == datetime.date(2026, 4, 1)  # the patients' extract date
    assert Practice.objects.get(ods_code="F90002").ods_name == "CITY PRACTICE"


def test_a_file_named_without_its_month_is_read_and_said_to_be_undated(borough, tmp_path):
    options = write_release(tmp_path, BASELINE)
    renamed = tmp_path / "epraccur.csv"
    (tmp_path / "ods_epraccur_2026-03_practices.csv").rename(renamed)

    output = run_import(**{**options, "epraccur": str(renamed)})

    assert "epraccur.csv: its name gives no release month" in output
    record = ImportRun.objects.filter(source="import_practices").latest()
    assert "release_date" not in next(f for f in record.files if f["name"] == "epraccur.csv")


def mixed_statuses(p):
    return {"F90001": "A", "F90002": "ACTIVE"}.get(p["code"], "ACTIVE")


@pytest.mark.parametrize(
    "status_of, fmt, message",
    [
        (
            mixed_statuses,
            {**NEWER, "setting": ""},
            "ods_epraccur_2026-03_practices.csv mixes ODS's two formats: line 2 gives the "
            "status_code 'A', as the older format does, and line 3 the status_code 'ACTIVE', "
            "as the newer one does.",
        ),
        (
            lambda p: "ACTIVE",
            OLDER,  # prescribing settings as numbers, with the newer statuses
            "ods_epraccur_2026-03_practices.csv mixes ODS's two formats: line 2 gives the "
            "prescribing_setting '4', as the older format does, and line 2 the status_code "
            "'ACTIVE', as the newer one does.",
        ),
        (
            lambda p: "OPEN",
            NEWER,
            "ods_epraccur_2026-03_practices.csv, line 2: the status_code 'OPEN' is not one ODS "
            "uses (A, C, D, P or ACTIVE, INACTIVE, DORMANT, PROPOSED).",
        ),
        (
            lambda p: "" if p["code"] == "F90002" else "ACTIVE",
            NEWER,
            "ods_epraccur_2026-03_practices.csv, line 3: practice F90002 has no status_code, "
            "so whether it is open is not known.",
        ),
        (
            lambda p: "",
            {**NEWER, "setting": ""},
            "ods_epraccur_2026-03_practices.csv gives no status_code on any",
        ),
    ],
)
def test_a_broken_status_is_refused_and_changes_nothing(borough, tmp_path, status_of, fmt, message):
    before = snapshot()
    options = write_release(tmp_path, BASELINE, fmt, status_of=status_of)

    with pytest.raises(CommandError) as refused:
        run_import(**options)

    assert message in str(refused.value)
    assert str(refused.value).endswith("Nothing was changed.")
    assert snapshot() == before


def test_an_epcn_file_mixing_true_and_TRUE_is_refused(borough, tmp_path):
    options = write_release(tmp_path, BASELINE, NEWER)
    path = tmp_path / "ods_epcn_2026-03_core_partners.csv"
    lines = path.read_text().splitlines()
    lines[2] = lines[2].removesuffix("TRUE") + "True"
    path.write_text("\n".join(lines) + "\n")

    with pytest.raises(CommandError, match="ods_epcn_2026-03_core_partners.csv mixes ODS's two"):
        run_import(**options)


# The next release: F90002 closes, F90005 is renamed, F90001 leaves London Fields, and a new
# practice, F90007, joins Clissold Park.
NEXT = [
    practice("F90001", "DALSTON PRACTICE", end="20260228"),
    practice("F90002", "CITY PRACTICE", "closed", postcode="E8 2AA", close="20260131"),
    practice("F90005", "STOKE NEWINGTON HEALTH CENTRE", pcn=CLISSOLD_PARK),
    practice("F90007", "NEW SURGERY", pcn=CLISSOLD_PARK, start="20260301",
             address=("2 NEW ROAD", "", "", "LONDON", "")),
]  # fmt: skip
SAID = [
    "Practices added: F90007 New Surgery (open).",
    "Practices closed: F90002 City Practice, on 31 January 2026 (was active).",
    "Practices renamed in ODS: F90005: Stoke Newington Health Centre, was Stoke Newington "
    "Practice (shown on the portal as Stoke Newington Practice).",
    "Memberships started: F90007 New Surgery, Clissold Park, from 1 March 2026.",
    "Memberships ended: F90001 Dalston Practice, London Fields, until 28 February 2026.",
]


def test_the_preview_names_what_the_next_release_would_change(borough, tmp_path):
    run_import(**write_release(tmp_path / "march", BASELINE, month="2026-03"))
    before = snapshot()
    runs = ImportRun.objects.count()
    options = write_release(tmp_path / "april", NEXT, month="2026-04")

    preview = run_import(**options, dry_run=True)

    assert snapshot() == before and ImportRun.objects.count() == runs
    assert preview.startswith(
        "Preview of import_practices: nothing has been changed; the import would do this:\n"
    )
    lines = [line.strip() for line in preview.splitlines()]
    assert "Practices: 1 would be added, 2 would change, 1 unchanged" in lines
    assert "Memberships: 1 would be added, 1 would change, 2 unchanged" in lines
    for said in SAID:
        assert said in lines, said
    answers = next(line for line in lines if line.startswith("Postcode answers: "))
    assert answers.endswith(" would change") and int(answers.split()[2].replace(",", "")) > 0

    # The import then does what the preview said, and a second run changes nothing.
    done = [line.strip() for line in run_import(**options).splitlines()]
    assert done[0] == "Imported GP practices"
    assert [line for line in done if line in SAID] == SAID
    assert answers.replace("would change", "changed") in done
    assert statuses()["F90002"] == "C"
    assert Practice.objects.get(ods_code="F90005").ods_name == "STOKE NEWINGTON HEALTH CENTRE"
    assert "nothing to change" in run_import(**options)


def test_a_release_that_dates_a_membership_again_corrects_it_rather_than_adding_a_second(
    borough, tmp_path
):
    """The borough holds Dalston Practice (F90001) in London Fields with no start date; the
    release dates that same membership from 1 October 2019. It is the same membership with
    its dates corrected: updated, not refused and not doubled."""
    held = Membership.objects.get(practice__ods_code="F90001")
    assert held.started_on is None

    run_import(**write_release(tmp_path, BASELINE))

    memberships = Membership.objects.filter(practice__ods_code="F90001")
    assert [(m.pk, m.started_on, m.ended_on) for m in memberships] == [
        (held.pk, datetime.date(2019, 10, 1), None)
    ]
    before = snapshot()
    run_import(**write_release(tmp_path, BASELINE))  # the same release again: nothing moves
    assert snapshot() == before


def test_a_practice_deleted_in_the_admin_is_left_alone_by_the_next_release(borough, tmp_path):
    """ODS still lists a practice staff have deleted: the import changes neither it nor its
    memberships (which would bring it back into the answers), and says so."""
    from neighbourhoods.services.removal import record_remove

    run_import(**write_release(tmp_path / "march", BASELINE, month="2026-03"))
    record_remove(record=Practice.objects.get(ods_code="F90005"))
    ended = list(Membership.objects.filter(practice__ods_code="F90005").values_list("ended_on"))
    renamed = [p if p["code"] != "F90005" else {**p, "name": "STOKE NEWINGTON HEALTH CENTRE"}
               for p in BASELINE]  # fmt: skip

    output = run_import(**write_release(tmp_path / "april", renamed, month="2026-04"))

    done = [line.strip() for line in output.splitlines()]

    practice = Practice.objects.get(ods_code="F90005")
    assert practice.is_removed and practice.ods_name == "STOKE NEWINGTON PRACTICE"
    assert list(practice.memberships.values_list("ended_on")) == ended
    assert any(
        line.startswith("F90005 Stoke Newington Practice was deleted in the admin on ")
        and line.endswith("Restore it from Deleted records for ODS's changes to it to apply.")
        for line in done
    ), done
