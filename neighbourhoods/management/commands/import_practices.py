"""Import GP practices and their neighbourhood memberships from NHS ODS and NHS England files."""

from neighbourhoods.importers.practices import EPCN, EPRACCUR, PATIENTS, PracticesImport
from neighbourhoods.management.importing import ImportCommand


class Command(ImportCommand):
    help = (
        "Import GP practices and their neighbourhood memberships from the NHS ODS ePCN and "
        "epraccur files (in ODS's older format or its newer one, told apart by their values), "
        "list sizes from NHS England, and locations from Code-Point Open. Safe to run again: "
        "it only changes what differs. Refuses, changing nothing, a broken file, a list size "
        "out of range, or one that would blank more than PORTAL_IMPORT_MAX_SHRINK of the "
        "practices' list sizes, locations or addresses."
    )
    importer = PracticesImport

    def add_arguments(self, parser):
        super().add_arguments(parser)
        named = "Keep ODS's file name: the month in it (_2026-03_) is the release date recorded."
        parser.add_argument(
            "--epcn",
            metavar="FILE",
            help=f"The ODS ePCN core partner details CSV (default: DATA_DIR/{EPCN}). {named}",
        )
        parser.add_argument(
            "--epraccur",
            metavar="FILE",
            help=f"The ODS epraccur CSV, with its header row (default: DATA_DIR/{EPRACCUR}). "
            + named,
        )
        parser.add_argument(
            "--patients",
            metavar="FILE",
            help="NHS England's Patients Registered at a GP Practice CSV, all persons (default: "
            f"DATA_DIR/{PATIENTS}). Its EXTRACT_DATE is the release date recorded.",
        )
