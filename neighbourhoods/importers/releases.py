"""Each open data source's release date and last import, read from the import run records.

The "About the data" page shows these beside each source, so a resident sees how current the
data behind an answer is.
"""

import datetime
from dataclasses import dataclass

from neighbourhoods.models import ImportRun

# "About the data" source key -> (the import command, the start of the file name that carries
# the source's release date; None for the run's own release date).
DATA_SOURCE_IMPORTS = {
    "ods-epcn": ("import_practices", "ods_epcn"),
    "ods-epraccur": ("import_practices", "ods_epraccur"),
    "gp-registered-patients": ("import_practices", "nhs_gp_reg_pat"),
    "codepoint-open": ("import_postcodes", None),
    "ons-boundaries": ("import_boundaries", None),
}


@dataclass(frozen=True)
class ImportedRelease:
    release_date: datetime.date | None
    imported_at: datetime.datetime


def imported_releases() -> dict[str, ImportedRelease]:
    """Source key -> the release date and time of its latest successful import."""
    latest = {}
    for run in ImportRun.objects.succeeded().order_by("finished_at"):
        latest[run.source] = run
    releases = {}
    for key, (source, file_prefix) in DATA_SOURCE_IMPORTS.items():
        run = latest.get(source)
        if run is None:
            continue
        release = run.release_date
        if file_prefix is not None:
            release = next(
                (
                    datetime.date.fromisoformat(f["release_date"])
                    for f in run.files
                    if f.get("name", "").startswith(file_prefix) and f.get("release_date")
                ),
                None,
            )
        releases[key] = ImportedRelease(release_date=release, imported_at=run.finished_at)
    return releases
