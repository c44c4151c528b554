"""Import postcodes from a file in the ONS Postcode Directory (ONSPD) CSV format."""

from neighbourhoods.importers.onspd import OnspdImport
from neighbourhoods.management.importing import ImportCommand


class Command(ImportCommand):
    help = (
        "Import postcodes from a CSV in the ONS Postcode Directory format (the national file, "
        "or part of it), including terminated postcodes with the month they ended. Postcodes "
        "with no grid reference are left out. Refuses, changing nothing, a broken file or one "
        "that would terminate more than PORTAL_IMPORT_MAX_SHRINK of the live postcodes."
    )
    importer = OnspdImport

    def add_arguments(self, parser):
        parser.add_argument("file", help="An ONSPD CSV file (with its header row).")
        super().add_arguments(parser)
