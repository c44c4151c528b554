"""Reading OS Code-Point Open: header-less CSVs, one per postcode area, in British National Grid."""

import csv
from dataclasses import dataclass
from pathlib import Path

from .base import SourceFileError

CODEPOINT_DIR = Path("postcodes") / "codepoint_open_2025_4"
COLUMNS = ["PC", "PQ", "EA", "NO", "CY", "RH", "LH", "CC", "DC", "WC"]


@dataclass(frozen=True)
class CodePointRow:
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


def read_rows(path: Path):
    """Rows of one Code-Point area file; a malformed row stops the import with its line number."""
    with path.open(newline="", encoding="utf-8") as f:
        for line_no, row in enumerate(csv.reader(f), start=1):
            if not row:
                continue
            if len(row) != len(COLUMNS):
                raise SourceFileError(
                    f"{path.name}, line {line_no}: expected {len(COLUMNS)} columns "
                    f"(Code-Point Open has no header row), found {len(row)}."
                )
            try:
                yield CodePointRow(
                    postcode=row[0].strip(),
                    positional_quality=int(row[1]),
                    easting=int(row[2]),
                    northing=int(row[3]),
                    country_code=row[4],
                    district_code=row[8],
                    ward_code=row[9],
                )
            except ValueError as exc:
                raise SourceFileError(
                    f"{path.name}, line {line_no}: quality, easting and northing must be "
                    f"whole numbers ({exc})."
                ) from exc


def area_of(postcode: str) -> str:
    """The postcode area: the leading letters ("EC" for "EC1A 7HF")."""
    letters = ""
    for ch in postcode:
        if not ch.isalpha():
            break
        letters += ch
    return letters
