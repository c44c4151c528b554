"""Load the portal's content fixtures on first set-up, without overwriting staff's edits."""

from django.core.management import call_command

from partnership.models import Place

from ..audit import trail
from ..services.answers import answers_recompute
from ..services.areas import areas_rebuild
from .base import Importer

CONTENT_FIXTURES = ["content"]


class ContentImport(Importer):
    source_name = "load_content"
    uses_data_dir = False

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
        trail.record_unrecorded_changes()
        # The fixtures carry no boundaries and may change the place's local authorities:
        # draw the areas from the LSOAs again and re-answer every postcode, once, when the
        # run ends (loaddata's raw saves leave that to this call).
        areas_rebuild()
        answers_recompute(everything=True)
        return "Loaded the content fixtures"
