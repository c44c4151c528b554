"""Import postcodes from a file in the ONS Postcode Directory (ONSPD) CSV format."""

import csv
import datetime
from pathlib import Path

from django.db import transaction

from neighbourhoods import services
from neighbourhoods.importers.base import ImportCommand, SourceFileError, Summary
from neighbourhoods.importers.postcodes import Staging, save_postcodes

REQUIRED = ["pcds", "doterm", "oslaua", "osward", "oseast1m", "osnrth1m", "osgrdind"]


def terminated_on(value: str, where: str) -> datetime.date | None:
    """ONSPD gives the month a postcode was terminated as YYYYMM."""
    value = value.strip()
    if not value:
        return None
    try:
        return datetime.date(int(value[:4]), int(value[4:6]), 1)
    except ValueError as exc:
        raise SourceFileError(f"{where}: doterm '{value}' is not a month (YYYYMM).") from exc


def whole_number(value: str, column: str, where: str) -> int:
    value = value.strip()
    if not value:
        return 0
    try:
        return int(value)
    except ValueError as exc:
        raise SourceFileError(f"{where}: {column} '{value}' is not a whole number.") from exc


class Command(ImportCommand):
    help = (
        "Import postcodes from a CSV in the ONS Postcode Directory format (the national file, "
        "or part of it), including terminated postcodes with the month they ended. Postcodes "
        "with no grid reference are left out. Safe to run again."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="An ONSPD CSV file (with its header row).")

    def handle(self, *args, file, **options):
        self.verbosity = options["verbosity"]
        path = Path(file)
        if not path.is_file():
            raise SourceFileError(f"Cannot find {path}.")
        staging = Staging()
        try:
            with path.open(newline="", encoding="utf-8-sig") as f:
                reader = csv.DictReader(f)
                missing = [c for c in REQUIRED if c not in (reader.fieldnames or [])]
                if missing:
                    raise SourceFileError(
                        f"{path.name} is missing the ONSPD column(s) {', '.join(missing)}."
                    )
                for n, row in enumerate(self.progress(reader, desc="Postcodes", unit="row"), 2):
                    where = f"{path.name}, line {n}"
                    grid = whole_number(row["osgrdind"], "osgrdind", where)
                    staging.add(
                        row["pcds"],
                        where=where,
                        easting=whole_number(row["oseast1m"], "oseast1m", where),
                        northing=whole_number(row["osnrth1m"], "osnrth1m", where),
                        # ONSPD's grid reference quality (1-9) on Code-Point's scale (10-90).
                        positional_quality=grid * 10 if grid else None,
                        local_authority_code=row["oslaua"].strip(),
                        ward_code=row["osward"].strip(),
                        terminated_on=terminated_on(row["doterm"], where),
                        terminated=bool(row["doterm"].strip()),
                    )
        except (UnicodeDecodeError, csv.Error) as exc:
            raise SourceFileError(f"{path.name} is not a readable CSV file: {exc}") from exc
        if not len(staging) and not staging.without_location:
            raise SourceFileError(f"{path.name} has no postcodes.")

        summary = Summary()
        with transaction.atomic():
            touched = save_postcodes(staging, source="onspd", summary=summary)
            answered = services.recompute_postcode_answers(postcode_ids=touched)
        summary.note(f"{answered} postcode answer(s) worked out again.")
        self.report(summary, f"Imported {len(staging):,} postcodes from {path.name}")
