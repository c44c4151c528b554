"""Reading OS Code-Point Open: header-less CSVs, one per postcode area, in British National Grid."""

import datetime
import re
from dataclasses import dataclass
from pathlib import Path

import openpyxl

from ..services.answers import answers_recompute
from .base import (
    DOWNLOAD_AGAIN,
    GB_EASTING,
    GB_NORTHING,
    Importer,
    SourceFileError,
    check_file,
    csv_rows,
    data_dir,
    quote,
    whole_number,
)
from .geography import short_authority_name
from .staging import Staging, save_authority_names, save_postcodes, save_ward_names

CODEPOINT_DIR = Path("postcodes") / "codepoint_open_2025_4"
COLUMNS = ["PC", "PQ", "EA", "NO", "CY", "RH", "LH", "CC", "DC", "WC"]


@dataclass(frozen=True)
class CodePointRow:
    line: int
    postcode: str
    positional_quality: int
    easting: int
    northing: int
    country_code: str
    district_code: str
    ward_code: str


def area_files(folder: Path, areas=None) -> list[Path]:
    csv_dir = folder / "Data" / "CSV"
    if not csv_dir.is_dir():
        raise SourceFileError(f"Cannot find Code-Point Open's Data/CSV folder in {folder}.")
    files = sorted(csv_dir.glob("*.csv"))
    if areas is not None:
        wanted = {a.lower() for a in areas}
        files = [f for f in files if f.stem.lower() in wanted]
    if not files:
        raise SourceFileError(f"No Code-Point Open CSV files in {csv_dir}.")
    return files


GSS_CODE = re.compile(r"^([EWSNLM][0-9]{8})?$")


def read_rows(path: Path):
    """Rows of one Code-Point area file; anything malformed or out of range stops the import
    with the file, the line and what to do. A point of (0, 0) means "no grid reference"."""
    for line_no, row in csv_rows(path):
        where = f"{path.name}, line {line_no}"
        if len(row) != len(COLUMNS):
            raise SourceFileError(
                f"{where}: expected {len(COLUMNS)} columns (Code-Point Open has no header row), "
                f"found {len(row)}, so the line is damaged or cut short. {DOWNLOAD_AGAIN}"
            )
        low, high = GB_EASTING
        easting = whole_number(row[2], column="easting", where=where, low=low, high=high,
                               unit="easting")  # fmt: skip
        low, high = GB_NORTHING
        northing = whole_number(row[3], column="northing", where=where, low=low, high=high,
                                unit="northing")  # fmt: skip
        for column, value in (("district code", row[8]), ("ward code", row[9])):
            if not GSS_CODE.match(value.strip()):
                raise SourceFileError(
                    f"{where}: the {column} {quote(value)} is not a GSS code such as E09000012. "
                    f"{DOWNLOAD_AGAIN}"
                )
        yield CodePointRow(
            line=line_no,
            postcode=row[0].strip(),
            positional_quality=whole_number(
                row[1], column="positional quality", where=where, low=0, high=90
            ),  # fmt: skip
            easting=easting,
            northing=northing,
            country_code=row[4],
            district_code=row[8].strip(),
            ward_code=row[9].strip(),
        )


def release_date(folder: Path) -> datetime.date | None:
    """The Royal Mail update date Doc/metadata.txt gives ("RM UPDATE DATE: 20251017")."""
    path = folder / "Doc" / "metadata.txt"
    if not path.is_file():
        return None
    text = path.read_bytes().decode("utf-8", errors="replace")
    match = re.search(r"RM UPDATE DATE:\s*(\d{8})", text)
    if not match:
        return None
    try:
        return datetime.datetime.strptime(match[1], "%Y%m%d").date()
    except ValueError:
        return None


def area_of(postcode: str) -> str:
    """The postcode area: the leading letters ("EC" for "EC1A 7HF")."""
    letters = ""
    for ch in postcode:
        if not ch.isalpha():
            break
        letters += ch
    return letters


# The import: read and check, then save. Its command and the admin call the same core.
# Code list sheets that name local authority districts (London boroughs, districts, unitary
# and metropolitan authorities).
AUTHORITY_SHEETS = ["LBO", "DIS", "UTA", "MTD"]
# Code list sheets that name wards (London borough, district, unitary and metropolitan wards).
WARD_SHEETS = ["LBW", "DIW", "UTW", "MTW"]


class CodepointImport(Importer):
    source_name = "import_postcodes"
    primary_kind = "Postcodes"
    reports_postcodes_by_neighbourhood = True
    places_postcodes = True

    def run_import(self, summary, *args, **options):
        folder = Path(options["codepoint_dir"] or data_dir(options["data_dir"]) / CODEPOINT_DIR)
        code_list = self.use_file(folder / "Doc" / "Codelist.xlsx")
        names = self.read_authority_names(code_list)
        ward_names = self.read_names(code_list, WARD_SHEETS, tidy=ward_name)
        metadata = folder / "Doc" / "metadata.txt"
        if metadata.is_file():
            self.use_file(metadata)
            self.set_release_date(metadata, release_date(folder))
        staging = Staging(name=folder.name)
        files = [self.use_file(path) for path in area_files(folder)]
        with self.progress(None, total=len(files), desc="Postcode areas", unit="file") as bar:
            for path in files:
                for row in read_rows(path):
                    staging.add(
                        row.postcode,
                        file=path.name,
                        line=row.line,
                        easting=row.easting,
                        northing=row.northing,
                        positional_quality=row.positional_quality,
                        local_authority_code=row.district_code,
                        ward_code=row.ward_code,
                    )
                bar.update(1)
        used = staging.authority_codes - {""}
        unnamed = sorted(used - names.keys())

        save_authority_names({c: n for c, n in names.items() if c in used}, summary)
        wards = staging.ward_codes - {""}
        if save_ward_names({c: n for c, n in ward_names.items() if c in wards}, summary):
            answers_recompute(everything=True)  # a new or renamed ward shows in its answers
        self.stage(f"Saving {len(staging):,} postcodes: the database is comparing them with "
                   "those held")  # fmt: skip
        touched = save_postcodes(
            staging,
            source="codepoint",
            retire_areas={path.stem: path.name for path in files},
            summary=summary,
            guard=lambda **kw: self.guard_shrink(summary, **kw),
            moves=lambda misplaced: self.guard_moves(summary, misplaced),
        )
        answers_recompute(postcode_ids=touched)  # at the end of the run (Importer.run)
        if unnamed:
            summary.note(f"No name in the code list for: {', '.join(unnamed)}.")
        return f"Imported {len(staging):,} postcodes from Code-Point Open"

    def read_authority_names(self, path) -> dict[str, str]:
        names = self.read_names(path, AUTHORITY_SHEETS, tidy=short_authority_name)
        if not names:
            raise SourceFileError(
                f"{path.name} has none of the sheets {', '.join(AUTHORITY_SHEETS)} naming local "
                f"authorities. Check this is Code-Point Open's Codelist.xlsx. {DOWNLOAD_AGAIN}"
            )
        return names

    def read_names(self, path, sheets, *, tidy) -> dict[str, str]:
        """GSS code -> name, from the code list's sheets given (those it has)."""
        check_file(path, hint="It is Code-Point Open's code list, in its Doc folder.")
        try:
            workbook = openpyxl.load_workbook(path, read_only=True)
        except Exception as exc:  # openpyxl raises many kinds for a damaged file
            raise SourceFileError(
                f"{path.name} is not a readable Excel workbook ({type(exc).__name__}: "
                f"{quote(exc)}). {DOWNLOAD_AGAIN}"
            ) from None
        names = {}
        for sheet in sheets:
            if sheet not in workbook.sheetnames:
                continue
            for row in workbook[sheet].iter_rows(values_only=True):
                if len(row) >= 2 and row[0] and row[1]:
                    names[str(row[1]).strip()] = tidy(str(row[0]))
        return names


def ward_name(name: str) -> str:
    """ "Dalston Ward" is Dalston: the answer says "ward" itself."""
    name = name.strip()
    return name[: -len(" Ward")] if name.lower().endswith(" ward") else name
