"""Load the portal's content fixtures on first set-up, without overwriting staff's edits."""

from django.core.management import call_command

from neighbourhoods import history, services
from neighbourhoods.importers.base import ImportCommand
from partnership.models import Place

CONTENT_FIXTURES = ["content"]


class Command(ImportCommand):
    help = (
        "Load the content fixtures (partners, priorities, workstreams, neighbourhoods) if the "
        "database has no content yet. With --force, load them again, overwriting staff's edits "
        "to the same records. Fixtures add or update records; they never remove any."
    )
    uses_data_dir = False

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Load even if content exists.")
        super().add_arguments(parser)

    def run_import(self, summary, *args, force=False, **options):
        if Place.objects.exists() and not force:
            summary.note(
                "Content already loaded: left as it is, so staff's edits are kept "
                "(use --force to reload the fixtures)."
            )
            return "Content fixtures"
        for fixture in CONTENT_FIXTURES:
            call_command("loaddata", fixture, verbosity=options["verbosity"])
            summary.count("Fixtures", "added")
        # loaddata saves raw, writing no history: record what it added or changed.
        history.record_unrecorded_changes()
        # The fixtures carry no boundaries and may change the place's local authorities:
        # draw the areas from the LSOAs again and re-answer every postcode.
        services.rebuild_areas()
        services.recompute_postcode_answers()
        return "Loaded the content fixtures"
