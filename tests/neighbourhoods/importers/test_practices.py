"""import_practices reads the real NHS files, is idempotent, and is atomic on bad input."""

import datetime
import io
import shutil

import pytest
from django.core.management import CommandError, call_command

from neighbourhoods.importers.practices import EPCN, EPRACCUR, PATIENTS
from neighbourhoods.importers.text import tidy, tidy_phone
from neighbourhoods.models import ImportRun, Membership, Neighbourhood, Practice
from neighbourhoods.services.answers import answers_deferred
from tests.neighbourhoods.importers.snapshots import table_digests

pytestmark = pytest.mark.django_db

PCN_CODES = ["U51492", "U21268", "U05451", "U40100", "U07169", "U89154", "U58256", "U46293"]
# The open GP practices of the London file within 2 km of the City and Hackney, outside them.
NEARBY = 100


@pytest.fixture
def neighbourhoods():
    """The eight neighbourhoods, and no practices yet (the test database starts with them)."""
    with answers_deferred():  # 42 memberships go: their answers are redone once
        Practice.objects.all().delete()
    return {n.pcn_code: n for n in Neighbourhood.objects.filter(pcn_code__in=PCN_CODES)}


def run_import(**options):
    out = io.StringIO()
    call_command("import_practices", stdout=out, stderr=io.StringIO(), **options)
    return out.getvalue()


def snapshot():
    practices = list(Practice.objects.order_by("ods_code").values())
    memberships = list(Membership.objects.order_by("pk").values())
    return practices, memberships


@pytest.mark.realdata
def test_imports_every_practice_and_membership(neighbourhoods, shared_data):
    output = run_import(data_dir=shared_data)

    assert Practice.objects.filter(memberships__isnull=False).distinct().count() == 42
    assert Membership.objects.count() == 42
    assert Membership.objects.current(datetime.date(2026, 11, 21)).count() == 37
    assert "Practices: 42 added" in output
    assert f"Practices nearby, outside the place: {NEARBY} added" in output
    assert "Memberships: 42 added" in output

    neaman = Practice.objects.get(ods_code="F84640")
    assert neaman.name == "The Neaman Practice"
    assert neaman.postcode == "EC1A 7HF"
    assert neaman.memberships.get().neighbourhood == neighbourhoods["U07169"]
    # Code-Point Open puts EC1A 7HF in the City of London, near Barbican.
    assert 51.51 < neaman.location.y < 51.53 and -0.11 < neaman.location.x < -0.09
    assert neaman.registered_patients > 0
    assert neaman.registered_patients_as_of == datetime.date(2026, 4, 1)


@pytest.mark.realdata
def test_a_practice_that_left_keeps_its_ended_membership(neighbourhoods, shared_data):
    run_import(data_dir=shared_data)
    abney = Membership.objects.get(practice__ods_code="F84624")
    assert abney.ended_on == datetime.date(2020, 11, 30)
    assert abney.has_ended
    assert abney not in Membership.objects.current()


@pytest.mark.realdata
def test_a_second_run_changes_nothing(neighbourhoods, shared_data):
    run_import(data_dir=shared_data)
    before = snapshot()

    output = run_import(data_dir=shared_data)

    assert snapshot() == before
    assert "nothing to change" in output
    assert "Practices: 42 unchanged" in output
    assert f"Practices nearby, outside the place: {NEARBY} unchanged" in output


@pytest.mark.realdata
def test_staff_names_survive_a_reimport_but_ods_facts_are_refreshed(neighbourhoods, shared_data):
    run_import(data_dir=shared_data)
    Practice.objects.filter(ods_code="F84008").update(name="Barton House", phone="000")

    output = run_import(data_dir=shared_data)

    practice = Practice.objects.get(ods_code="F84008")
    assert practice.name == "Barton House"
    assert practice.phone == "020 7249 5511"
    assert "Practices: 1 changed, 41 unchanged" in output


# The next release (SOURCES.md, gp_practices/): the same memberships and dates; F84063 named
# "DALSTON PRACTICE" in the ePCN too; epraccur in ODS's newer format, some addresses laid
# out differently.
MARCH_2026 = {
    "epcn": "gp_practices/ods_epcn_2026-03_core_partners_city_and_hackney.csv",
    "epraccur": "gp_practices/ods_epraccur_2026-03_city_and_hackney_pcn_practices.csv",
}
CLOSED = {
    "F84041": datetime.date(2023, 12, 31),  # Southgate Road Medical Centre
    "F84043": datetime.date(2020, 7, 31),  # The Sorsby Health Centre
    "F84624": datetime.date(2020, 11, 30),  # Abney House Medical Centre
    "F84685": datetime.date(2025, 4, 30),  # The Elm Practice
    "F84711": datetime.date(2025, 4, 30),  # Rosewood Practice
}
# The 29 practices whose epraccur address reads differently in March 2026 (building names
# dropped, "LONDON" on another line: the non-blank lines are what is kept).
READDRESSED = 29


def march_2026(shared_data):
    return {
        "data_dir": shared_data,
        **{option: str(shared_data / name) for option, name in MARCH_2026.items()},
    }


def practices_by_code():
    return {p["ods_code"]: p for p in Practice.objects.values()}


def all_but_the_runs(digests):
    return {table: d for table, d in digests.items() if table != ImportRun._meta.db_table}


@pytest.mark.realdata
def test_the_march_2026_release_changes_only_what_its_notes_describe(shared_data):
    practices, memberships = practices_by_code(), snapshot()[1]

    output = run_import(**march_2026(shared_data))

    assert snapshot()[1] == memberships  # the same memberships and dates
    after = practices_by_code()
    assert after.keys() == practices.keys()
    differ = {
        (code, name)
        for code, fields in after.items()
        for name, value in fields.items()
        if value != practices[code][name]
    }
    assert {name for _, name in differ} == {"address"}
    assert len(differ) == READDRESSED
    assert after["F84008"]["address"] == "233 Albion Road\nStoke Newington\nLondon"
    dalston = Practice.objects.get(ods_code="F84063")
    assert (dalston.ods_name, dalston.name) == ("DALSTON PRACTICE", "Dalston Practice")
    closed = Practice.objects.filter(status=Practice.Status.CLOSED)
    assert dict(closed.values_list("ods_code", "closed_on")) == CLOSED
    members = Practice.objects.filter(memberships__isnull=False).distinct()
    assert members.filter(status=Practice.Status.ACTIVE).count() == 37
    lines = [line.strip() for line in output.splitlines()]
    assert lines[:3] == [
        "Imported GP practices",
        f"Practices: {READDRESSED} changed, {42 - READDRESSED} unchanged",
        "Memberships: 42 unchanged",
    ]
    assert (
        "ods_epraccur_2026-03_city_and_hackney_pcn_practices.csv: read in ODS's newer format, "
        "as from March 2026 (status ACTIVE, INACTIVE or DORMANT; prescribing settings as role "
        "codes such as RO76)." in lines
    )
    assert (
        "ods_epcn_2026-03_core_partners_city_and_hackney.csv: read in ODS's newer format, as "
        "from March 2026 (TRUE and FALSE)." in lines
    )
    assert "No practice opened, closed or was renamed, and no membership started or ended." in lines
    record = ImportRun.objects.filter(source="import_practices").latest()
    assert {f["name"][:12]: (f.get("release_date"), f.get("format")) for f in record.files} == {
        "ods_epcn_202": ("2026-03-01", "2026"),
        "ods_epraccur": ("2026-03-01", "2026"),
        "nhs_gp_reg_p": ("2026-04-01", None),
        "e.csv": (None, None),
        "ec.csv": (None, None),
        "n.csv": (None, None),
    }


@pytest.mark.realdata
def test_importing_the_march_2026_release_twice_changes_nothing_the_second_time(shared_data):
    run_import(**march_2026(shared_data))
    before = table_digests()

    output = run_import(**march_2026(shared_data))

    assert all_but_the_runs(table_digests()) == all_but_the_runs(before)
    assert output.startswith("Imported GP practices: nothing to change\n")
    assert "Practices: 42 unchanged" in output and "Memberships: 42 unchanged" in output
    assert ImportRun.objects.filter(source="import_practices").latest().outcome == "unchanged"


@pytest.mark.realdata
def test_the_preview_of_the_march_2026_release_says_what_the_import_then_does(shared_data):
    before = table_digests()

    preview = run_import(**march_2026(shared_data), dry_run=True)

    assert table_digests() == before  # no row changed, and no run recorded
    lines = [line.strip() for line in preview.splitlines()]
    assert lines[:3] == [
        "Preview of import_practices: nothing has been changed; the import would do this:",
        f"Practices: {READDRESSED} would change, {42 - READDRESSED} unchanged",
        "Memberships: 42 unchanged",
    ]
    answers = int(
        lines[3].removeprefix("Postcode answers: ").removesuffix(" would change").replace(",", "")
    )
    assert answers > 0
    done = [line.strip() for line in run_import(**march_2026(shared_data)).splitlines()]
    assert done[3] == f"Postcode answers: {answers:,} changed"
    assert done[4:] == lines[4:]  # the same practices, named the same way


def copy_data(shared_data, tmp_path):
    for relative in [EPCN, EPRACCUR, PATIENTS]:
        (tmp_path / relative).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(shared_data / relative, tmp_path / relative)
    (tmp_path / "postcodes").mkdir()
    (tmp_path / "postcodes" / "codepoint_open_2025_4").symlink_to(
        shared_data / "postcodes" / "codepoint_open_2025_4"
    )
    return tmp_path


def corrupt_date(path):
    text = path.read_text()
    path.write_text(text.replace(",20191001,", ",2019-10-01,", 1))


def drop_column(path):
    lines = path.read_text().splitlines()
    lines[0] = lines[0].replace("PCN Code", "PCN", 1)
    path.write_text("\n".join(lines) + "\n")


def truncate_rows(path):
    path.write_text(path.read_text().splitlines()[0] + "\n")


@pytest.mark.parametrize(
    "relative, damage, message",
    [
        (EPCN, drop_column, "the column(s) PCN Code are missing"),
        (EPCN, corrupt_date, "is not a date in the form YYYYMMDD"),
        (EPCN, truncate_rows, "has a header but no rows"),
        (EPRACCUR, truncate_rows, "has a header but no rows"),
    ],
)
@pytest.mark.realdata
def test_a_broken_file_leaves_the_database_as_it_was(
    neighbourhoods, shared_data, tmp_path, relative, damage, message
):
    run_import(data_dir=shared_data)
    Practice.objects.filter(ods_code="F84008").update(phone="old")
    before = snapshot()
    folder = copy_data(shared_data, tmp_path)
    damage(folder / relative)

    with pytest.raises(CommandError, match=message.replace("(", r"\(").replace(")", r"\)")):
        run_import(data_dir=folder)

    assert snapshot() == before


EPCN_ROW = (
    "{code},A PRACTICE,A3A8R,NHS NORTH EAST LONDON ICB - A3A8R,{pcn},A PCN,A3A8R,"
    "NHS NORTH EAST LONDON ICB - A3A8R,{started},{ended},True"
)


def edit_epcn(folder, *, replace=None, add=(), add_first=()):
    """The ePCN file with line numbers (from 2) in `replace` given new rows, and rows
    added: (code, PCN code, start YYYYMMDD, end YYYYMMDD or "")."""
    path = folder / EPCN
    lines = path.read_text().splitlines()
    for number, row in (replace or {}).items():
        lines[number - 1] = EPCN_ROW.format(code=row[0], pcn=row[1], started=row[2], ended=row[3])
    rows = [EPCN_ROW.format(code=c, pcn=p, started=s, ended=e) for c, p, s, e in add]
    first = [EPCN_ROW.format(code=c, pcn=p, started=s, ended=e) for c, p, s, e in add_first]
    path.write_text("\n".join([lines[0], *first, *lines[1:], *rows]) + "\n")


@pytest.mark.realdata
def test_a_practice_in_two_pcns_at_once_in_the_file_is_refused(
    neighbourhoods, shared_data, tmp_path
):
    folder = copy_data(shared_data, tmp_path)
    # Line 2: F84003 in U05451 (Hackney Marshes) from 1 October 2019, with no end date.
    edit_epcn(folder, add=[("F84003", "U51492", "20240401", "")])

    with pytest.raises(CommandError) as refusal:
        run_import(data_dir=folder)

    message = " ".join(str(refusal.value).split())
    assert "lines 2 and 44" in message
    assert "F84003" in message and "U05451" in message and "U51492" in message
    assert "from 1 October 2019, with no end date" in message
    assert "from 1 April 2024, with no end date" in message
    assert "unexpected error" not in message
    assert not Membership.objects.exists()


@pytest.mark.realdata
def test_an_end_before_the_start_in_the_file_is_refused(neighbourhoods, shared_data, tmp_path):
    folder = copy_data(shared_data, tmp_path)
    edit_epcn(folder, replace={2: ("F84003", "U05451", "20191001", "20190930")})

    with pytest.raises(CommandError, match="line 2: .*ends on 30 September 2019, before it"):
        run_import(data_dir=folder)


@pytest.mark.realdata
def test_a_row_overlapping_a_membership_only_the_portal_holds_is_refused(
    neighbourhoods, shared_data, tmp_path
):
    """Staff ended F84008's membership and started another: the file, which still has the
    first with no end, cannot put the practice back in two neighbourhoods at once."""
    run_import(data_dir=shared_data)
    barton = Membership.objects.get(practice__ods_code="F84008")
    barton.ended_on = datetime.date(2024, 3, 31)
    barton.save()
    Membership.objects.create(
        practice=barton.practice,
        neighbourhood=neighbourhoods["U21268"],
        started_on=datetime.date(2024, 4, 1),
    )
    before = snapshot()

    with pytest.raises(CommandError) as refusal:
        run_import(data_dir=shared_data)

    message = " ".join(str(refusal.value).split())
    assert "line 3" in message and "F84008" in message
    assert f"{neighbourhoods['U21268'].name} from 1 April 2024, with no end date" in message
    assert "unexpected error" not in message
    assert snapshot() == before


@pytest.mark.realdata
def test_a_file_that_moves_a_practice_is_imported_whatever_its_order(
    neighbourhoods, shared_data, tmp_path
):
    run_import(data_dir=shared_data)
    folder = copy_data(shared_data, tmp_path)
    # The new membership comes first in the file, before the old one is ended.
    edit_epcn(
        folder,
        replace={2: ("F84003", "U05451", "20191001", "20240331")},
        add_first=[("F84003", "U51492", "20240401", "")],
    )

    output = run_import(data_dir=folder)

    assert "Memberships: 1 added, 1 changed" in output
    moved = Membership.objects.filter(practice__ods_code="F84003").order_by("started_on")
    assert [(m.neighbourhood.pcn_code, m.ended_on) for m in moved] == [
        ("U05451", datetime.date(2024, 3, 31)),
        ("U51492", None),
    ]


def test_a_missing_folder_is_a_clear_error(neighbourhoods, tmp_path):
    with pytest.raises(CommandError, match="Cannot find .* Check --data-dir"):
        run_import(data_dir=tmp_path / "nowhere")


def test_an_unknown_pcn_asks_for_the_neighbourhood_first(neighbourhoods, shared_data):
    Neighbourhood.objects.filter(pcn_code="U51492").update(pcn_code="U99999")
    with pytest.raises(CommandError, match="no neighbourhood has the PCN code"):
        run_import(data_dir=shared_data)
    assert Practice.objects.count() == 0


@pytest.mark.parametrize(
    "ods_text, readable",
    [
        ("BARTON HOUSE GROUP PRACTICE", "Barton House Group Practice"),
        ("SOMERFORD GROVE HLTH.CTR.", "Somerford Grove Health Centre"),
        ("THE SURGERY (BARRETTS GROVE)", "The Surgery (Barretts Grove)"),
        ("86A DALSTON LANE", "86A Dalston Lane"),
        ("RICHMOND RD MEDICAL CTRE", "Richmond Road Medical Centre"),
        ("ST.LEONARDS", "St Leonards"),
        ("THE GREENHOUSE WALK-IN", "The Greenhouse Walk-in"),
        ("40-42 BROOKE ROAD", "40-42 Brooke Road"),
        ("ST.LEONARDS,85 NUTTALL ST", "St Leonards, 85 Nuttall St"),
    ],
)
def test_ods_capitals_become_readable_text(ods_text, readable):
    assert tidy(ods_text) == readable


@pytest.mark.parametrize(
    "ods_number, readable",
    [
        ("020 72495511", "020 7249 5511"),
        ("02072495511", "020 7249 5511"),
        ("0300 123 4567", "0300 123 4567"),
        ("", ""),
    ],
)
def test_london_phone_numbers_are_grouped_as_people_read_them(ods_number, readable):
    assert tidy_phone(ods_number) == readable


@pytest.mark.realdata
def test_the_practices_nearby_outside_the_place_are_kept_for_the_answers(
    neighbourhoods, shared_data
):
    from django.contrib.gis.db.models.functions import Distance

    from neighbourhoods.models import LocalAuthority
    from neighbourhoods.selectors import lookup_postcode
    from neighbourhoods.services.answers import answers_recompute

    run_import(data_dir=shared_data)
    answers_recompute(everything=True)

    nearby = Practice.objects.filter(memberships__isnull=True)
    assert nearby.count() == NEARBY
    assert set(nearby.values_list("status", flat=True)) == {Practice.Status.ACTIVE}
    place = LocalAuthority.objects.filter(gss_code__in=["E09000001", "E09000012"])
    for practice in nearby:
        distances = [a.d.m for a in place.annotate(d=Distance("boundary", practice.location))]
        assert 0 < min(distances) <= 2000, practice
    # The two residents: the practices nearest them are over the borough's edge.
    for postcode, nearest, metres, borough in [
        ("E1 8AB", "Goodman's Field Health Centre", 366, "Tower Hamlets"),
        ("EC4Y 9AH", "St Philips Medical Centre", 250, "City of Westminster"),
    ]:
        first = lookup_postcode(postcode).practices[0]
        assert (first.name, first.neighbourhood, first.borough) == (nearest, None, borough)
        assert first.distance_m == pytest.approx(metres, abs=2)
