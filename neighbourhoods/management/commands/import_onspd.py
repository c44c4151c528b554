"""Import postcodes from a file in the ONS Postcode Directory (ONSPD) CSV format."""

import datetime
import re
from pathlib import Path

from neighbourhoods import services
from neighbourhoods.importers.base import (
    DOWNLOAD_AGAIN,
    GB_EASTING,
    GB_NORTHING,
    ImportCommand,
    SourceFileError,
    check_file,
    csv_records,
    quote,
    whole_number,
)
from neighbourhoods.importers.codepoint import GSS_CODE
from neighbourhoods.importers.staging import Staging, save_postcodes

REQUIRED = ["pcds", "doterm", "oslaua", "osward", "oseast1m", "osnrth1m", "osgrdind"]
MONTHS = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"]


def terminated_on(value: str, where: str) -> datetime.date | None:
    """ONSPD gives the month a postcode was terminated as YYYYMM."""
    value = value.strip()
    if not value:
        return None
    try:
        if len(value) != 6:
            raise ValueError
        return datetime.date(int(value[:4]), int(value[4:6]), 1)
    except ValueError:
        raise SourceFileError(
            f"{where}: doterm {quote(value)} is not a month (YYYYMM). {DOWNLOAD_AGAIN}"
        ) from None


def metres(value: str, column: str, extent: tuple[int, int], unit: str, where: str) -> int:
    """An easting or northing inside Great Britain; blank (no grid reference) is 0."""
    low, high = extent
    return whole_number(value, column=column, where=where, low=low, high=high, blank=0, unit=unit)


def gss_code(value: str, column: str, where: str) -> str:
    value = value.strip()
    if not GSS_CODE.match(value):
        raise SourceFileError(
            f"{where}: {column} {quote(value)} is not a GSS code such as E09000012. "
            f"{DOWNLOAD_AGAIN}"
        )
    return value


def release_in_name(path: Path) -> datetime.date | None:
    """ONSPD's files are named for their release month: ONSPD_FEB_2024_UK.csv."""
    match = re.search(r"(?<![A-Z])(" + "|".join(MONTHS) + r")_?(20\d\d)", path.name.upper())
    if not match:
        return None
    return datetime.date(int(match[2]), MONTHS.index(match[1]) + 1, 1)


class Command(ImportCommand):
    help = (
        "Import postcodes from a CSV in the ONS Postcode Directory format (the national file, "
        "or part of it), including terminated postcodes with the month they ended. Postcodes "
        "with no grid reference are left out. Refuses, changing nothing, a broken file or one "
        "that would terminate more than PORTAL_IMPORT_MAX_SHRINK of the live postcodes."
    )
    primary_kind = "Postcodes"
    uses_data_dir = False

    def add_arguments(self, parser):
        parser.add_argument("file", help="An ONSPD CSV file (with its header row).")
        super().add_arguments(parser)

    def run_import(self, summary, *args, file, **options):
        path = Path(file)
        check_file(path, hint="Give the path of an ONSPD CSV file.")
        self.use_file(path)
        self.set_release_date(path, release_in_name(path))
        staging = Staging(name=path.name)
        rows = csv_records(path, REQUIRED)
        for n, row in self.progress(rows, desc="Postcodes", unit="row"):
            where = f"{path.name}, line {n}"
            grid = whole_number(
                row["osgrdind"], column="osgrdind", where=where, low=1, high=9, blank=0
            )
            staging.add(
                row["pcds"],
                where=where,
                easting=metres(row["oseast1m"], "oseast1m", GB_EASTING, "easting", where),
                northing=metres(row["osnrth1m"], "osnrth1m", GB_NORTHING, "northing", where),
                # ONSPD's grid reference quality (1-9) on Code-Point's scale (10-90).
                positional_quality=grid * 10 if grid else None,
                local_authority_code=gss_code(row["oslaua"], "oslaua", where),
                ward_code=gss_code(row["osward"], "osward", where),
                terminated_on=terminated_on(row["doterm"], where),
                terminated=bool(row["doterm"].strip()),
            )
        if not len(staging) and not staging.without_location:
            raise SourceFileError(f"{path.name} has a header but no postcodes. {DOWNLOAD_AGAIN}")

        touched = save_postcodes(
            staging,
            source="onspd",
            summary=summary,
            guard=lambda **kw: self.guard_shrink(summary, **kw),
        )
        answered = services.recompute_postcode_answers(postcode_ids=touched)
        summary.note(f"{answered} postcode answer(s) worked out again.")
        return f"Imported {len(staging):,} postcodes from {path.name}"
