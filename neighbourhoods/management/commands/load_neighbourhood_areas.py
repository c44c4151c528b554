"""Give each LSOA its neighbourhood from the derived areas file, then redraw the areas."""

from neighbourhoods.importers.areas import DEFAULT_OUTPUT, AreasImport
from neighbourhoods.management.importing import ImportCommand


class Command(ImportCommand):
    help = (
        "Assign LSOAs to neighbourhoods from the derived file. LSOAs staff have already "
        "assigned are left alone unless --force; an LSOA the file leaves out keeps its "
        "neighbourhood, so this import never removes anything. Neighbourhood areas and "
        "postcode answers are worked out again. Refuses, changing nothing, a broken file."
    )
    importer = AreasImport

    def add_arguments(self, parser):
        parser.add_argument("--file", default=str(DEFAULT_OUTPUT))
        parser.add_argument(
            "--force", action="store_true", help="Overwrite assignments staff have made."
        )
        super().add_arguments(parser)
