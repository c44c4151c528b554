"""Importing a national ONSPD file: streamed in blocks and COPY batches, with the same checks,
messages and answers as a small one."""

import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection, transaction

from neighbourhoods.importers import base, staging
from neighbourhoods.models import ImportRun, Postcode
from neighbourhoods.services.answers import answers_recompute
from tests.scripts import load_script

pytestmark = pytest.mark.django_db

HEADER = "pcds,doterm,oslaua,osward,oseast1m,osnrth1m,osgrdind\n"


def run(*args):
    out = io.StringIO()
    call_command("import_onspd", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def synthetic(path: Path, rows: int) -> Path:
    """The benchmark's synthetic national file, at a size a test can load."""
    load_script("national_onspd").write(path, rows, seed=7)
    return path


@pytest.fixture
def small_batches(monkeypatch):
    """Blocks of 1,000 bytes and COPY batches of 50 rows, so a few hundred rows cross many."""
    monkeypatch.setattr(base, "MAX_LINE_BYTES", 1000)
    monkeypatch.setattr(staging, "BATCH_ROWS", 50)


def test_a_synthetic_national_file_loads_in_batches_with_the_answers_services_would_store(
    tmp_path, small_batches
):
    path = synthetic(tmp_path / "ONSPD_NOV_2026_UK.csv", 700)  # 6 or so in each of 120 areas
    held = set(Postcode.objects.values_list("id", flat=True))
    first = run(str(path))
    onspd = Postcode.objects.exclude(id__in=held)
    with_grid = onspd.count()
    assert 650 < with_grid <= 700
    assert f"Postcodes: {with_grid} added" in first
    assert 100 < onspd.filter(terminated=True).count() < 260  # about a quarter
    assert not onspd.filter(answer__isnull=True).exists()
    # Every answer the import wrote is the one working the answers out again would store.
    assert answers_recompute(postcode_ids=list(onspd.values_list("id", flat=True))) == 0
    assert "nothing to change" in run(str(path))
    assert ImportRun.objects.filter(source="import_onspd").latest("finished_at").outcome == (
        "unchanged"
    )


@pytest.mark.realdata
def test_outside_answers_name_the_local_authority_and_in_area_ones_get_practices(tmp_path):
    path = tmp_path / "onspd.csv"
    path.write_text(
        HEADER
        + "N1 9ZW,,E09000019,E05013700,531400,184200,1\n"  # Islington, outside the area
        + "E8 9ZW,,E09000012,E05009378,534000,184300,1\n"  # Hackney
    )
    run(str(path))
    outside = Postcode.objects.get(postcode="N1 9ZW").answer
    assert outside["local_authority"]["name"] == "Islington"
    assert outside["neighbourhood"] is None and outside["practices"] == []
    inside = Postcode.objects.get(postcode="E8 9ZW")
    assert inside.neighbourhood is not None
    assert inside.answer["practices"]
    ids = list(Postcode.objects.filter(source="onspd").values_list("id", flat=True))
    assert answers_recompute(postcode_ids=ids) == 0


def test_a_postcode_repeated_in_a_later_batch_is_refused_with_its_line(tmp_path, small_batches):
    path = synthetic(tmp_path / "onspd.csv", 300)
    lines = path.read_text().splitlines(keepends=True)
    repeated = lines[5].split(",")[2]
    lines.insert(250, lines[5])
    path.write_text("".join(lines))
    before = Postcode.objects.count()
    with pytest.raises(CommandError, match=rf"^onspd\.csv, line 251: {repeated} appears more"):
        run(str(path))
    assert Postcode.objects.count() == before


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda t: t.replace("E10 ", "e10 ", 1), None),  # written otherwise: still read
        (lambda t: t + "TN1 9ZZ,,E07000115,E05011111,559000,139000,12\n", r"line 302: osgrdind"),
        (lambda t: t + "TN1 9ZZ,,E07000115,E05011111,559000,99999999,1\n", r"line 302: osnrth1m"),
        (lambda t: t + "TN1 9ZZ,,E07000115,Ward 9,559000,139000,1\n", r"line 302: osward"),
        (lambda t: t + "TN1 9ZZ,2024-1,E07000115,E05011111,559000,139000,1\n", r"line 302: doterm"),
        (lambda t: t + "TN1 9Z,,E07000115,E05011111,559000,139000,1\n", r"line 302: 'TN1 9Z' is"),
        (lambda t: t + "TN1 9ZZ,,E07000115\n", r"line 302: 3 values where the header has 7"),
        (lambda t: t + "TN1 9ZZ,,E07000115,¤\n", r"line 302, character 20: the byte 0xE9"),
        (lambda t: t + "\0\0\0\n", r"line 302 contains NUL bytes"),
        (lambda t: t + "TN1 9ZZ,,E07000115", r"line 302, the last line, has no line ending"),
    ],
)
def test_every_check_still_names_the_line_after_many_blocks(tmp_path, small_batches, damage,
                                                           message):  # fmt: skip
    rows = [f"TN2 {n // 400}{'ABDEFGHJLNPQRSTUWXYZ'[n // 20 % 20]}"
            f"{'ABDEFGHJLNPQRSTUWXYZ'[n % 20]},,E07000115,E05011111,559000,139000,1\n"
            for n in range(300)]  # fmt: skip
    text = HEADER + "".join(rows).replace("TN2 0AA", "E10 9ZZ")
    path = tmp_path / "onspd.csv"
    path.write_bytes(damage(text).encode().replace("¤".encode(), b"\xe9"))  # a Latin-1 é
    if message is None:
        run(str(path))
        assert Postcode.objects.filter(postcode="E10 9ZZ", source="onspd").exists()
        return
    before = Postcode.objects.count()
    with pytest.raises(CommandError, match=message):
        run(str(path))
    assert Postcode.objects.count() == before


def test_quoted_values_crlf_line_endings_and_blank_lines_read_as_before(tmp_path, small_batches):
    rows = "".join(
        f'"TN3 {n}AB",,"E07000115",E05011111,559000,{139000 + n},1\r\n' for n in range(10)
    )
    path = tmp_path / "onspd.csv"
    path.write_bytes((HEADER.replace("\n", "\r\n") + "\r\n,,,,,,\r\n" + rows).encode())
    assert "Postcodes: 10 added" in run(str(path))
    assert Postcode.objects.get(postcode="TN3 9AB").local_authority_code == "E07000115"


def index_definitions():
    """The postcode table's indexes and constraints, each with its whole definition."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT indexdef FROM pg_indexes WHERE tablename = %(table)s
            UNION ALL
            SELECT conname || ' ' || pg_get_constraintdef(oid) FROM pg_constraint
            WHERE conrelid = %(table)s::regclass
            ORDER BY 1
            """,
            {"table": Postcode._meta.db_table},
        )
        return [row[0] for row in cursor.fetchall()]


def empty_the_postcode_table():
    """No postcodes, as before a first load. In SQL: the ORM's delete would write a history
    row for each of the real data's 40,000 postcodes, one INSERT at a time (most of a minute),
    and these tests look at the indexes, not the history. No table has a foreign key to the
    postcodes, so nothing is left pointing at one."""
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {Postcode._meta.db_table}")
    assert not Postcode.objects.exists()


def test_a_load_that_more_than_doubles_the_table_rebuilds_its_indexes_as_they_were(tmp_path):
    before = index_definitions()
    assert sum("FOREIGN KEY" in d for d in before) == 2
    assert sum(d.startswith("CREATE INDEX") for d in before) == 4
    empty_the_postcode_table()
    path = synthetic(tmp_path / "onspd.csv", 500)
    assert "added" in run(str(path))
    assert index_definitions() == before
    loaded = Postcode.objects.filter(source="onspd")
    assert loaded.count() > 480
    # The constraints made again hold: a repeated postcode and a neighbourhood that is not
    # there are refused.
    first = loaded.first()
    with pytest.raises(IntegrityError), transaction.atomic():
        Postcode.objects.create(
            postcode=first.postcode, outcode=first.outcode, location=first.location,
            local_authority_code=first.local_authority_code, source="onspd",
        )  # fmt: skip
    with pytest.raises(IntegrityError), transaction.atomic():
        loaded.filter(pk=first.pk).update(neighbourhood_id=10**9)
        connection.check_constraints()


def test_a_refused_first_load_leaves_the_indexes_in_place(tmp_path):
    before = index_definitions()
    empty_the_postcode_table()
    path = synthetic(tmp_path / "onspd.csv", 300)
    lines = path.read_text().splitlines(keepends=True)
    path.write_text("".join(lines + [lines[-1]]))
    with pytest.raises(CommandError, match="appears more than once"):
        run(str(path))
    assert index_definitions() == before


def test_a_second_load_changes_only_the_rows_that_differ_and_their_answers(tmp_path):
    path = synthetic(tmp_path / "onspd.csv", 300)
    run(str(path))
    header, *lines = path.read_text().splitlines(keepends=True)
    columns = header.strip().split(",")
    east, ended = columns.index("oseast1m"), columns.index("doterm")
    live = [n for n, line in enumerate(lines) if not line.split(",")[ended] and
            line.split(",")[east]]  # fmt: skip
    moved, closed = live[0], live[1]
    values = lines[moved].split(",")
    values[east] = str(int(values[east]) + 250)
    lines[moved] = ",".join(values)
    values = lines[closed].split(",")
    values[ended] = "202610"
    lines[closed] = ",".join(values)
    postcode_of = {n: lines[n].split(",")[columns.index("pcds")] for n in (moved, closed)}
    before = Postcode.objects.get(postcode=postcode_of[moved])
    path.write_text(header + "".join(lines))

    output = run(str(path))

    assert "Postcodes: 2 changed" in output
    after = Postcode.objects.get(postcode=postcode_of[moved])
    assert (
        200
        < after.location.transform(27700, clone=True).distance(
            before.location.transform(27700, clone=True)
        )
        < 300
    )  # metres, on the British National Grid
    assert after.answer["longitude"] != before.answer["longitude"]
    closed_row = Postcode.objects.get(postcode=postcode_of[closed])
    assert closed_row.terminated and str(closed_row.terminated_on) == "2026-10-01"
    ids = list(Postcode.objects.filter(source="onspd").values_list("id", flat=True))
    assert answers_recompute(postcode_ids=ids) == 0
