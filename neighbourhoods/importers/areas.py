"""Give each LSOA its neighbourhood from the derived areas file, then redraw the areas."""

import re
from pathlib import Path

from django.conf import settings

from ..audit import trail
from ..models import Lsoa, Neighbourhood
from ..services.answers import answers_recompute
from ..services.areas import areas_rebuild
from .base import Importer, SourceFileError, quote, read_json

# The LSOA-to-neighbourhood assignment derive_neighbourhood_areas writes, with its attribution.
DEFAULT_OUTPUT = Path(settings.BASE_DIR) / "fixtures" / "neighbourhood_areas.json"
LSOA_CODE = re.compile(r"^[EW]01[0-9]{6}$")


class AreasImport(Importer):
    source_name = "load_neighbourhood_areas"
    primary_kind = "LSOAs"
    uses_data_dir = False

    def run_import(self, summary, *args, file, force, **options):
        path = self.use_file(Path(file))
        assignments = self.read(path)
        # Locked, so an assignment staff make meanwhile is neither lost nor overwritten.
        lsoas = {lsoa.code: lsoa for lsoa in Lsoa.objects.select_for_update()}
        neighbourhoods = {n.pcn_code: n for n in Neighbourhood.objects.all()}
        unknown_lsoas = sorted(set(assignments) - lsoas.keys())
        if unknown_lsoas:
            raise SourceFileError(
                f"{len(unknown_lsoas)} LSOA(s) in {path.name} are not in the database "
                f"(first: {quote(unknown_lsoas[0])}): run import_boundaries first.",
                refused=len(unknown_lsoas),
            )
        unknown = sorted(set(assignments.values()) - neighbourhoods.keys())
        if unknown:
            raise SourceFileError(
                f"{path.name}: no neighbourhood has the PCN code(s) {quote(', '.join(unknown))}. "
                "Add the neighbourhood in the admin, or derive the file again."
            )
        moved = []
        for code, pcn in sorted(assignments.items()):
            lsoa, neighbourhood = lsoas[code], neighbourhoods[pcn]
            if lsoa.neighbourhood_id == neighbourhood.pk:
                summary.count("LSOAs", "unchanged")
            elif lsoa.neighbourhood_id is not None and not force:
                summary.count("LSOAs", "kept as staff set them")
            else:
                outcome = "added" if lsoa.neighbourhood_id is None else "changed"
                lsoa.neighbourhood = neighbourhood
                moved.append(lsoa)
                summary.count("LSOAs", outcome)
        # One UPDATE for them all, and one history row each (naming this run).
        Lsoa.objects.bulk_update(moved, ["neighbourhood"], batch_size=500)
        trail.record_bulk(moved, Lsoa)
        redrawn = areas_rebuild()
        answered = answers_recompute(everything=True, now=True)
        summary.count("Neighbourhood areas", "changed", redrawn)
        summary.count("Postcode answers", "changed", answered)
        return "Assigned LSOAs to neighbourhoods"

    def read(self, path: Path) -> dict[str, str]:
        if not path.is_file():
            raise SourceFileError(f"Cannot find {path}: run derive_neighbourhood_areas.")
        document = read_json(path)
        areas = document.get("areas") if isinstance(document, dict) else None
        if not isinstance(areas, list) or not areas:
            raise SourceFileError(
                f'{path.name} is not a neighbourhood areas file: it has no list of "areas". '
                "Run derive_neighbourhood_areas to make it again."
            )
        assignments = {}
        for n, row in enumerate(areas, start=1):
            lsoa = row.get("lsoa") if isinstance(row, dict) else None
            pcn = row.get("neighbourhood") if isinstance(row, dict) else None
            if not (isinstance(lsoa, str) and LSOA_CODE.match(lsoa) and isinstance(pcn, str)):
                raise SourceFileError(
                    f"{path.name}, area {n}: {quote(row)} does not give an LSOA code and a "
                    "neighbourhood's PCN code. Run derive_neighbourhood_areas to make it again."
                )
            if lsoa in assignments:
                raise SourceFileError(f"{path.name}, area {n}: {lsoa} appears more than once.")
            assignments[lsoa] = pcn
        return assignments
