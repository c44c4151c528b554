"""Import GP practices and their neighbourhood memberships from NHS ODS and NHS England files."""

from neighbourhoods.importers.practices import PracticesImport
from neighbourhoods.management.importing import ImportCommand


class Command(ImportCommand):
    help = (
        "Import GP practices and their neighbourhood memberships from the NHS ODS ePCN and "
        "epraccur files, list sizes from NHS England, and locations from Code-Point Open. "
        "Safe to run again: it only changes what differs. Refuses, changing nothing, a broken "
        "file, a list size out of range, or one that would blank more than "
        "PORTAL_IMPORT_MAX_SHRINK of the practices' list sizes, locations or addresses."
    )
    importer = PracticesImport
