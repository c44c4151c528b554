"""Give each LSOA its neighbourhood from the derived areas file, then redraw the areas."""

import json
from pathlib import Path

from django.db import transaction

from neighbourhoods import services
from neighbourhoods.importers.base import ImportCommand, SourceFileError, Summary
from neighbourhoods.models import Lsoa, Neighbourhood

from .derive_neighbourhood_areas import DEFAULT_OUTPUT


class Command(ImportCommand):
    help = (
        "Assign LSOAs to neighbourhoods from the derived file. LSOAs staff have already "
        "assigned are left alone unless --force. Neighbourhood areas and postcode answers are "
        "worked out again."
    )

    def add_arguments(self, parser):
        parser.add_argument("--file", default=str(DEFAULT_OUTPUT))
        parser.add_argument(
            "--force", action="store_true", help="Overwrite assignments staff have made."
        )

    def handle(self, *args, file, force, **options):
        assignments = self.read(Path(file))
        summary = Summary()
        with transaction.atomic():
            # Locked, so an assignment staff make meanwhile is neither lost nor overwritten.
            lsoas = {lsoa.code: lsoa for lsoa in Lsoa.objects.select_for_update()}
            neighbourhoods = {n.pcn_code: n for n in Neighbourhood.objects.all()}
            unknown_lsoas = sorted(set(assignments) - lsoas.keys())
            if unknown_lsoas:
                raise SourceFileError(
                    f"{len(unknown_lsoas)} LSOA(s) in {Path(file).name} are not in the database "
                    f"(first: {unknown_lsoas[0]}): run import_boundaries first."
                )
            unknown = sorted(set(assignments.values()) - neighbourhoods.keys())
            if unknown:
                raise SourceFileError(f"No neighbourhood has the PCN code(s) {', '.join(unknown)}.")
            for code, pcn in sorted(assignments.items()):
                lsoa, neighbourhood = lsoas[code], neighbourhoods[pcn]
                if lsoa.neighbourhood_id == neighbourhood.pk:
                    summary.count("LSOAs", "unchanged")
                elif lsoa.neighbourhood_id is not None and not force:
                    summary.count("LSOAs", "kept as staff set them")
                else:
                    outcome = "added" if lsoa.neighbourhood_id is None else "changed"
                    Lsoa.objects.filter(pk=lsoa.pk).update(neighbourhood=neighbourhood)
                    summary.count("LSOAs", outcome)
            redrawn = services.rebuild_areas()
            answered = services.recompute_postcode_answers()
        summary.count("Neighbourhood areas", "changed", redrawn)
        summary.count("Postcode answers", "changed", answered)
        self.report(summary, "Assigned LSOAs to neighbourhoods")

    def read(self, path: Path) -> dict[str, str]:
        if not path.is_file():
            raise SourceFileError(f"Cannot find {path}: run derive_neighbourhood_areas.")
        try:
            document = json.loads(path.read_text(encoding="utf-8"))
            return {row["lsoa"]: row["neighbourhood"] for row in document["areas"]}
        except (json.JSONDecodeError, KeyError, TypeError) as exc:
            raise SourceFileError(f"{path.name} is not a neighbourhood areas file: {exc}") from exc
