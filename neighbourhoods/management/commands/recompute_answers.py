"""Work out every postcode's and district's stored answer again (neighbourhoods.services)."""

from django.core.management.base import BaseCommand

from neighbourhoods.services.answers import answers_recompute


class Command(BaseCommand):
    help = (
        "Work out every postcode's answer again: after migrating, or daily, so that practice "
        "memberships dated in the future show in the answers from their date."
    )

    def handle(self, *args, **options):
        changed = answers_recompute(everything=True)
        self.stdout.write(f"{changed} postcode answer(s) worked out again.")
