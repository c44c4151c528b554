"""Import LSOA 2021 and London borough boundaries, then redraw the neighbourhood areas."""

from neighbourhoods.importers.boundaries import BoundariesImport
from neighbourhoods.management.importing import ImportCommand


class Command(ImportCommand):
    help = (
        "Import LSOA 2021 boundaries and London borough boundaries (ONS, generalised to 20 m). "
        "LSOAs keep their neighbourhood; neighbourhood areas and postcode answers are worked "
        "out again when a boundary changes. Refuses, changing nothing, a broken file, a point "
        "outside Great Britain, an LSOA outside its own borough, or a file that would remove "
        "more than PORTAL_IMPORT_MAX_SHRINK of the LSOAs. Safe to run again."
    )
    importer = BoundariesImport

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument(
            "--lsoas",
            help="A GeoJSON file of LSOA 2021 boundaries to import alone, checked against the "
            "borough boundaries the database holds (default: both of DATA_DIR's boundary "
            "files).",
        )
