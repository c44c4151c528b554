"""Work out every postcode's and district's stored answer again (neighbourhoods.services)."""

from django.core.management.base import BaseCommand

from neighbourhoods import services


class Command(BaseCommand):
    help = (
        "Work out every postcode's answer again: after migrating, or daily, so that practice "
        "memberships dated in the future show in the answers from their date."
    )

    def handle(self, *args, **options):
        changed = services.recompute_postcode_answers()
        self.stdout.write(f"{changed} postcode answer(s) worked out again.")
