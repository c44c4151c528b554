"""Import every postcode in OS Code-Point Open's CSVs, with local authority names."""

from pathlib import Path

import openpyxl
from django.db import transaction

from neighbourhoods import services
from neighbourhoods.geography import short_authority_name
from neighbourhoods.importers import codepoint
from neighbourhoods.importers.base import ImportCommand, SourceFileError, Summary, data_dir
from neighbourhoods.importers.postcodes import Staging, save_authority_names, save_postcodes

# Code list sheets that name local authority districts (London boroughs, districts, unitary
# and metropolitan authorities).
AUTHORITY_SHEETS = ["LBO", "DIS", "UTA", "MTD"]


class Command(ImportCommand):
    help = (
        "Import postcodes from OS Code-Point Open (header-less CSVs in Data/CSV, one per "
        "postcode area) and local authority names from its Doc/Codelist.xlsx. Postcodes no "
        "longer listed are marked terminated. Safe to run again."
    )

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument(
            "--codepoint-dir",
            help="The Code-Point Open folder (default: DATA_DIR/postcodes/codepoint_open_2025_4).",
        )

    def handle(self, *args, **options):
        self.verbosity = options["verbosity"]
        folder = Path(
            options["codepoint_dir"] or data_dir(options["data_dir"]) / codepoint.CODEPOINT_DIR
        )
        names = self.read_authority_names(folder / "Doc" / "Codelist.xlsx")
        staging = Staging()
        files = codepoint.area_files(folder)
        with self.progress(None, total=len(files), desc="Postcode areas", unit="file") as bar:
            for path in files:
                for n, row in enumerate(codepoint.read_rows(path), start=1):
                    staging.add(
                        row.postcode,
                        where=f"{path.name}, line {n}",
                        easting=row.easting,
                        northing=row.northing,
                        positional_quality=row.positional_quality,
                        local_authority_code=row.district_code,
                        ward_code=row.ward_code,
                    )
                bar.update(1)
        used = {row.local_authority_code for row in staging.rows.values()} - {""}
        unnamed = sorted(used - names.keys())

        summary = Summary()
        with transaction.atomic():
            save_authority_names({c: n for c, n in names.items() if c in used}, summary)
            touched = save_postcodes(
                staging,
                source="codepoint",
                retire_areas=[path.stem for path in files],
                summary=summary,
            )
            answered = services.recompute_postcode_answers(postcode_ids=touched)
        summary.note(f"{answered} postcode answer(s) worked out again.")
        if unnamed:
            summary.note(f"No name in the code list for: {', '.join(unnamed)}.")
        self.report(summary, f"Imported {len(staging):,} postcodes from Code-Point Open")

    def read_authority_names(self, path) -> dict[str, str]:
        if not path.is_file():
            raise SourceFileError(f"Cannot find Code-Point Open's code list at {path}.")
        try:
            workbook = openpyxl.load_workbook(path, read_only=True)
        except Exception as exc:  # openpyxl raises many kinds for a damaged file
            raise SourceFileError(f"{path.name} is not a readable Excel workbook: {exc}") from exc
        names = {}
        for sheet in AUTHORITY_SHEETS:
            if sheet not in workbook.sheetnames:
                continue
            for row in workbook[sheet].iter_rows(values_only=True):
                if len(row) >= 2 and row[0] and row[1]:
                    names[str(row[1]).strip()] = short_authority_name(str(row[0]))
        if not names:
            raise SourceFileError(f"{path.name} has none of the sheets {AUTHORITY_SHEETS}.")
        return names
