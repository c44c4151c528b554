"""The one shape of an import command: parse the options, run the source's importer (the
same core anything else that imports calls), and say what it changed, or, with --dry-run,
what it would change."""

from django.core.management.base import BaseCommand, CommandError

from neighbourhoods.importers.base import Importer


class ImportCommand(BaseCommand):
    importer: type[Importer]

    def add_arguments(self, parser):
        if self.importer.uses_data_dir:
            parser.add_argument(
                "--data-dir",
                help="Folder holding the open data (default: PORTAL_DATA_DIR, ../shared/data).",
            )
        parser.add_argument(
            "--allow-shrink",
            action="store_true",
            help="Let the import terminate, remove or blank more than PORTAL_IMPORT_MAX_SHRINK "
            "(default 2%%) of what is there, when that is intended.",
        )
        if self.importer.places_postcodes:
            parser.add_argument(
                "--allow-moves",
                action="store_true",
                help="Let postcodes move more than PORTAL_IMPORT_MAX_MOVE_METRES (default "
                "1,000 m), or lie outside their own local authority's boundary, when that is "
                "intended. The summary and the run's record name each one.",
            )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Read and check the files and say what the import would change, then change "
            "nothing: a preview. It is refused as the import would be, and is not recorded.",
        )
        parser.add_argument(
            "--run-by",
            default=None,
            help="Who or what is running the import, for the run record (default: the OS user).",
        )

    def handle(self, *args, **options):
        importer = self.importer(progress_to=self.stderr._out, verbosity=options["verbosity"])
        result = importer.run(**options)
        if result.refused:
            raise CommandError(result.message)
        self.stdout.write(self.style.SUCCESS(result.heading))
        for line in result.lines:
            self.stdout.write(f"  {line}")
