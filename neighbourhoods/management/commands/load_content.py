"""Load the portal's content fixtures on first set-up, without overwriting staff's edits."""

from neighbourhoods.importers.content import ContentImport
from neighbourhoods.management.importing import ImportCommand


class Command(ImportCommand):
    help = (
        "Load the content fixtures (partners, priorities, workstreams, neighbourhoods) if the "
        "database has no content yet. With --force, load them again, overwriting staff's edits "
        "to the same records. Fixtures add or update records; they never remove any."
    )
    importer = ContentImport

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Load even if content exists.")
        super().add_arguments(parser)
