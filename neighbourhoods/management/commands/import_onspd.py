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
    csv_header,
    csv_rows,
    quote,
    whole_number,
    wrong_width,
)
from neighbourhoods.importers.codepoint import GSS_CODE
from neighbourhoods.importers.staging import Staging, save_postcodes

REQUIRED = ["pcds", "doterm", "oslaua", "osward", "oseast1m", "osnrth1m", "osgrdind"]
# A postcode as ONSPD's pcds column writes it: upper case, one space.
FULL_POSTCODE = re.compile(r"[A-Z]{1,2}[0-9][A-Z0-9]? [0-9][A-Z]{2}\Z")
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
        rows = csv_rows(path)
        header = csv_header(path, rows, REQUIRED)
        width, at = len(header), [header.index(c) for c in REQUIRED]
        pcds, doterm, oslaua, osward, oseast1m, osnrth1m, osgrdind = at
        file_number = staging.file_number(path.name)
        months = {"": None}  # each doterm value seen, checked once: YYYY-MM-DD or None
        for n, row in self.progress(rows, desc="Postcodes", unit="row"):
            if len(row) != width:
                raise wrong_width(path, n, row, width)
            # The common case is checked quickly here; anything else (a blank grid reference,
            # a value out of range, a postcode written otherwise) goes through stage_row,
            # which checks each value in turn and says what is wrong, and where.
            postcode, authority, ward = row[pcds], row[oslaua], row[osward]
            try:
                easting, northing, grid = int(row[oseast1m]), int(row[osnrth1m]), int(row[osgrdind])
                ended = months[row[doterm]]
            except (ValueError, KeyError):
                easting = -1
            if (
                0 < easting <= GB_EASTING[1]
                and 0 < northing <= GB_NORTHING[1]
                and 0 < grid < 10
                and FULL_POSTCODE.match(postcode)
                and GSS_CODE.match(authority)
                and GSS_CODE.match(ward)
            ):
                staging.add_checked(
                    postcode, postcode[:-4], file_number, n, easting, northing, grid * 10,
                    authority, ward, ended is not None, ended,
                )  # fmt: skip
            else:
                stage_row(staging, row, at, where=f"{path.name}, line {n}", line=n, months=months)
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


def stage_row(staging, row, at, *, where, line, months):
    """Check one row's values in turn, refusing the first that is wrong, and stage it."""
    pcds, doterm, oslaua, osward, oseast1m, osnrth1m, osgrdind = (row[i] for i in at)
    grid = whole_number(osgrdind, column="osgrdind", where=where, low=1, high=9, blank=0)
    easting = metres(oseast1m, "oseast1m", GB_EASTING, "easting", where)
    northing = metres(osnrth1m, "osnrth1m", GB_NORTHING, "northing", where)
    authority = gss_code(oslaua, "oslaua", where)
    ward = gss_code(osward, "osward", where)
    ended = terminated_on(doterm, where)
    if ended is not None:
        months[doterm] = ended.isoformat()
    staging.add(
        pcds,
        file=where.rsplit(", line ", 1)[0],
        line=line,
        easting=easting,
        northing=northing,
        # ONSPD's grid reference quality (1-9) on Code-Point's scale (10-90).
        positional_quality=grid * 10 if grid else None,
        local_authority_code=authority,
        ward_code=ward,
        terminated_on=ended,
        terminated=bool(doterm.strip()),
    )
