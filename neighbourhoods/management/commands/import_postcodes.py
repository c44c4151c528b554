"""Import every postcode in OS Code-Point Open's CSVs, with local authority names."""

from neighbourhoods.importers.codepoint import CodepointImport
from neighbourhoods.management.importing import ImportCommand


class Command(ImportCommand):
    help = (
        "Import postcodes from OS Code-Point Open (header-less CSVs in Data/CSV, one per "
        "postcode area) and local authority names from its Doc/Codelist.xlsx. Postcodes no "
        "longer listed are marked terminated. Safe to run again."
    )
    importer = CodepointImport

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument(
            "--codepoint-dir",
            help="The Code-Point Open folder (default: DATA_DIR/postcodes/codepoint_open_2025_4).",
        )
