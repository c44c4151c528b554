"""Import every postcode in OS Code-Point Open's CSVs, with local authority names."""

from pathlib import Path

import openpyxl

from neighbourhoods import services
from neighbourhoods.geography import short_authority_name
from neighbourhoods.importers import codepoint
from neighbourhoods.importers.base import (
    DOWNLOAD_AGAIN,
    ImportCommand,
    SourceFileError,
    check_file,
    data_dir,
    quote,
)
from neighbourhoods.importers.staging import Staging, save_authority_names, save_postcodes

# Code list sheets that name local authority districts (London boroughs, districts, unitary
# and metropolitan authorities).
AUTHORITY_SHEETS = ["LBO", "DIS", "UTA", "MTD"]


class Command(ImportCommand):
    help = (
        "Import postcodes from OS Code-Point Open (header-less CSVs in Data/CSV, one per "
        "postcode area) and local authority names from its Doc/Codelist.xlsx. Postcodes no "
        "longer listed are marked terminated. Safe to run again."
    )

    primary_kind = "Postcodes"

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument(
            "--codepoint-dir",
            help="The Code-Point Open folder (default: DATA_DIR/postcodes/codepoint_open_2025_4).",
        )

    def run_import(self, summary, *args, **options):
        folder = Path(
            options["codepoint_dir"] or data_dir(options["data_dir"]) / codepoint.CODEPOINT_DIR
        )
        names = self.read_authority_names(self.use_file(folder / "Doc" / "Codelist.xlsx"))
        metadata = folder / "Doc" / "metadata.txt"
        if metadata.is_file():
            self.use_file(metadata)
            self.set_release_date(metadata, codepoint.release_date(folder))
        staging = Staging(name=folder.name)
        files = [self.use_file(path) for path in codepoint.area_files(folder)]
        with self.progress(None, total=len(files), desc="Postcode areas", unit="file") as bar:
            for path in files:
                for row in codepoint.read_rows(path):
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
        touched = save_postcodes(
            staging,
            source="codepoint",
            retire_areas={path.stem: path.name for path in files},
            summary=summary,
            guard=lambda **kw: self.guard_shrink(summary, **kw),
        )
        answered = services.recompute_postcode_answers(postcode_ids=touched)
        summary.note(f"{answered} postcode answer(s) worked out again.")
        if unnamed:
            summary.note(f"No name in the code list for: {', '.join(unnamed)}.")
        return f"Imported {len(staging):,} postcodes from Code-Point Open"

    def read_authority_names(self, path) -> dict[str, str]:
        check_file(path, hint="It is Code-Point Open's code list, in its Doc folder.")
        try:
            workbook = openpyxl.load_workbook(path, read_only=True)
        except Exception as exc:  # openpyxl raises many kinds for a damaged file
            raise SourceFileError(
                f"{path.name} is not a readable Excel workbook ({type(exc).__name__}: "
                f"{quote(exc)}). {DOWNLOAD_AGAIN}"
            ) from None
        names = {}
        for sheet in AUTHORITY_SHEETS:
            if sheet not in workbook.sheetnames:
                continue
            for row in workbook[sheet].iter_rows(values_only=True):
                if len(row) >= 2 and row[0] and row[1]:
                    names[str(row[1]).strip()] = short_authority_name(str(row[0]))
        if not names:
            raise SourceFileError(
                f"{path.name} has none of the sheets {', '.join(AUTHORITY_SHEETS)} naming local "
                f"authorities. Check this is Code-Point Open's Codelist.xlsx. {DOWNLOAD_AGAIN}"
            )
        return names
